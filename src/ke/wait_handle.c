/* ke/wait_handle.c: waits on handles: ZwWaitForSingleObject,
 * ZwWaitForMultipleObjects.
 *
 * Each handle is referenced (kernel mode: no access check) and the object
 * it names waited on as KeWaitForMultipleObjects would: an event, a thread
 * or a process (signalled when it ends), a file (its Event, as Windows
 * waits on a file object). Other objects cannot be waited on:
 * STATUS_OBJECT_TYPE_MISMATCH. */
#include "ke/dispatcher.h"

#include "ob/ob.h"

#include <stdlib.h>

/* The dispatcher object to wait on for an object, or NULL. */
static PVOID ke_waitable(void *object)
{
    POBJECT_TYPE type = ob_object_type(object);

    if (type == *ExEventObjectType || type == *PsThreadType || type == *PsProcessType)
        return object;
    if (type == *IoFileObjectType)
        return &((PFILE_OBJECT)object)->Event;
    return NULL;
}

static NTSTATUS ke_wait_handles(ULONG count, const HANDLE handles[], WAIT_TYPE type, PLARGE_INTEGER timeout,
                                const char *routine, const void *at)
{
    PVOID objects[MAXIMUM_WAIT_OBJECTS], waitables[MAXIMUM_WAIT_OBJECTS];
    PKWAIT_BLOCK blocks = ke_thread_current()->builtin, allocated = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG referenced = 0;

    if (count == 0 || count > MAXIMUM_WAIT_OBJECTS)
        return STATUS_INVALID_PARAMETER_1;
    if (type != WaitAll && type != WaitAny)
        return STATUS_INVALID_PARAMETER_3;
    ke_wait_check_irql(routine, handles, timeout, at);
    for (; referenced < count && NT_SUCCESS(status); referenced++) {
        status = ob_reference_object_by_handle(handles[referenced], SYNCHRONIZE, NULL, KernelMode,
                                               &objects[referenced], NULL);
        if (!NT_SUCCESS(status))
            break;
        waitables[referenced] = ke_waitable(objects[referenced]);
        if (!waitables[referenced])
            status = STATUS_OBJECT_TYPE_MISMATCH;
        /* WaitAll cannot wait for one object twice. */
        for (ULONG i = 0; NT_SUCCESS(status) && type == WaitAll && i < referenced; i++)
            if (waitables[i] == waitables[referenced])
                status = STATUS_INVALID_PARAMETER_MIX;
    }
    if (NT_SUCCESS(status) && count > THREAD_WAIT_OBJECTS && !(blocks = allocated = calloc(count, sizeof *blocks)))
        status = STATUS_INSUFFICIENT_RESOURCES;
    if (NT_SUCCESS(status)) {
        ke_wait_note(ke_thread_current(), routine, KE_LOCK_NONE, NULL);
        status = ke_dispatcher_wait(count, waitables, type, timeout, blocks, at);
    }
    free(allocated);
    while (referenced-- > 0)
        ob_dereference_object(objects[referenced]);
    return status;
}

/* Waits until the object Handle names is signalled or Timeout passes:
 * STATUS_SUCCESS or STATUS_TIMEOUT, or the handle's error. PASSIVE_LEVEL
 * (WDK, ZwWaitForSingleObject). */
NTSYSAPI NTSTATUS NTAPI ZwWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    (void)Alertable;
    return ke_wait_handles(1, &Handle, WaitAny, Timeout, "ZwWaitForSingleObject", __builtin_return_address(0));
}

/* Waits on up to MAXIMUM_WAIT_OBJECTS handles' objects: STATUS_WAIT_0 +
 * index (WaitAny), STATUS_SUCCESS (WaitAll), STATUS_TIMEOUT. A Count of 0
 * or above 64 is STATUS_INVALID_PARAMETER_1, another WaitType
 * STATUS_INVALID_PARAMETER_3, one object twice in a WaitAll
 * STATUS_INVALID_PARAMETER_MIX. PASSIVE_LEVEL (WDK,
 * ZwWaitForMultipleObjects). */
NTSYSAPI NTSTATUS NTAPI ZwWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType,
                                                 BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    (void)Alertable;
    return ke_wait_handles(Count, Handles, WaitType, Timeout, "ZwWaitForMultipleObjects",
                           __builtin_return_address(0));
}
