/* ex/event.c: event objects by handle: ZwCreateEvent, ZwOpenEvent,
 * ZwSetEvent, ZwResetEvent, ZwClearEvent, ZwPulseEvent. The object is an
 * Event object of the object manager whose body is the KEVENT itself, so a
 * driver can also reference it (ObReferenceObjectByHandle with
 * *ExEventObjectType) and wait on it with KeWaitForSingleObject. */
#include "ob/ob.h"

NTSYSAPI NTSTATUS NTAPI ZwCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                                      POBJECT_ATTRIBUTES ObjectAttributes, EVENT_TYPE EventType,
                                      BOOLEAN InitialState)
{
    PKEVENT event;
    HANDLE handle = NULL;

    if (EventType != NotificationEvent && EventType != SynchronizationEvent)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = ob_create_object(*ExEventObjectType, ObjectAttributes, KernelMode, 0, (void **)&event);
    if (!NT_SUCCESS(status))
        return status;
    KeInitializeEvent(event, EventType, InitialState);
    /* With OBJ_OPENIF and an existing event, the handle is to that one
     * (STATUS_OBJECT_NAME_EXISTS) and the new one is gone. */
    status = ob_insert_object(event, DesiredAccess, NULL, &handle);
    if (NT_SUCCESS(status))
        *EventHandle = handle;
    return status;
}

NTSYSAPI NTSTATUS NTAPI ZwOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                                    POBJECT_ATTRIBUTES ObjectAttributes)
{
    HANDLE handle = NULL;
    NTSTATUS status = ob_open_object_by_name(ObjectAttributes, *ExEventObjectType, KernelMode, DesiredAccess, NULL,
                                             &handle);
    if (NT_SUCCESS(status))
        *EventHandle = handle;
    return status;
}

/* The handle's event, referenced, when it grants EVENT_MODIFY_STATE. */
static NTSTATUS ex_event_by_handle(HANDLE handle, PKEVENT *event)
{
    return ob_reference_object_by_handle(handle, EVENT_MODIFY_STATE, *ExEventObjectType, KernelMode,
                                         (void **)event, NULL);
}

/* ZwSetEvent, ZwResetEvent and ZwPulseEvent: one state change, the
 * previous state reported when asked. */
static NTSTATUS ex_event_change(HANDLE handle, PLONG previous, LONG (NTAPI *change)(PRKEVENT, KPRIORITY, BOOLEAN))
{
    PKEVENT event;
    NTSTATUS status = ex_event_by_handle(handle, &event);
    if (!NT_SUCCESS(status))
        return status;
    LONG state = change(event, IO_NO_INCREMENT, FALSE);
    if (previous)
        *previous = state;
    ob_dereference_object(event);
    return STATUS_SUCCESS;
}

static LONG NTAPI ex_event_reset(PRKEVENT event, KPRIORITY increment, BOOLEAN wait)
{
    (void)increment, (void)wait;
    return KeResetEvent(event);
}

NTSYSAPI NTSTATUS NTAPI ZwSetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    return ex_event_change(EventHandle, PreviousState, KeSetEvent);
}

NTSYSAPI NTSTATUS NTAPI ZwResetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    return ex_event_change(EventHandle, PreviousState, ex_event_reset);
}

NTSYSAPI NTSTATUS NTAPI ZwPulseEvent(HANDLE EventHandle, PLONG PreviousState)
{
    return ex_event_change(EventHandle, PreviousState, KePulseEvent);
}

NTSYSAPI NTSTATUS NTAPI ZwClearEvent(HANDLE EventHandle)
{
    PKEVENT event;
    NTSTATUS status = ex_event_by_handle(EventHandle, &event);
    if (!NT_SUCCESS(status))
        return status;
    KeClearEvent(event);
    ob_dereference_object(event);
    return STATUS_SUCCESS;
}
