/* tests/ex/test_event_object.c: event objects by handle: ZwCreateEvent,
 * ZwOpenEvent, ZwSetEvent, ZwResetEvent, ZwPulseEvent, ZwClearEvent, and
 * the KEVENT behind the handle. */
#include "ktest.h"

#include <ntifs.h>

static void kt_name(OBJECT_ATTRIBUTES *oa, UNICODE_STRING *name, const WCHAR *text, ULONG attributes)
{
    RtlInitUnicodeString(name, text);
    InitializeObjectAttributes(oa, name, attributes | OBJ_KERNEL_HANDLE, NULL, NULL);
}

/* An unnamed event starts in the state asked for; set/reset report the
 * previous state. */
KT_TEST(ZwCreateEvent_set_reset_previous_state)
{
    HANDLE h;
    LONG previous = -1;
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateEvent(&h, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwSetEvent(h, &previous), STATUS_SUCCESS);
    KT_EQ_INT(previous, 0);
    KT_EQ_STATUS(ZwSetEvent(h, &previous), STATUS_SUCCESS);
    KT_EQ_INT(previous, 1);
    KT_EQ_STATUS(ZwResetEvent(h, &previous), STATUS_SUCCESS);
    KT_EQ_INT(previous, 1);
    KT_EQ_STATUS(ZwResetEvent(h, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(h), STATUS_SUCCESS);
}

KT_TEST(ZwCreateEvent_bad_type_is_invalid_parameter)
{
    HANDLE h = (HANDLE)1;
    KT_EQ_STATUS(ZwCreateEvent(&h, EVENT_ALL_ACCESS, NULL, (EVENT_TYPE)2, FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ_PTR(h, (HANDLE)1);
}

/* The handle's object is the KEVENT: KeReadStateEvent sees ZwSetEvent's
 * change, and ZwClearEvent clears it. */
KT_TEST(ZwCreateEvent_body_is_a_KEVENT)
{
    HANDLE h;
    PKEVENT event;
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateEvent(&h, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, TRUE), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ObReferenceObjectByHandle(h, EVENT_MODIFY_STATE, *ExEventObjectType, KernelMode,
                                                      (PVOID *)&event, NULL), STATUS_SUCCESS));
    KT_EQ_INT(event->Header.Type, SynchronizationEvent);
    KT_EQ_INT(KeReadStateEvent(event), 1);
    KT_EQ_STATUS(ZwClearEvent(h), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(event), 0);
    LARGE_INTEGER zero = { .QuadPart = 0 };
    KT_EQ_STATUS(KeWaitForSingleObject(event, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KT_EQ_STATUS(ZwSetEvent(h, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(KeWaitForSingleObject(event, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(event), 0); /* a synchronization event resets as it satisfies the wait */
    ObDereferenceObject(event);
    ZwClose(h);
}

/* A named event: opened by name; OBJ_OPENIF gives the existing one with
 * STATUS_OBJECT_NAME_EXISTS; without it, STATUS_OBJECT_NAME_COLLISION. */
KT_TEST(ZwCreateEvent_named_open_and_collision)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE a, b, c;
    LONG previous = -1;
    kt_name(&oa, &name, L"\\KernelObjects\\NtboxTestEvent", 0);
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateEvent(&a, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwCreateEvent(&b, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE), STATUS_OBJECT_NAME_COLLISION);
    kt_name(&oa, &name, L"\\KernelObjects\\NtboxTestEvent", OBJ_OPENIF);
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateEvent(&b, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE),
                            STATUS_OBJECT_NAME_EXISTS));
    KT_REQUIRE(KT_EQ_STATUS(ZwOpenEvent(&c, EVENT_MODIFY_STATE, &oa), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwSetEvent(c, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwSetEvent(a, &previous), STATUS_SUCCESS); /* all three are the same event */
    KT_EQ_INT(previous, 1);
    ZwClose(a), ZwClose(b), ZwClose(c);
    /* The last handle closed: the name is gone. */
    KT_EQ_STATUS(ZwOpenEvent(&c, EVENT_MODIFY_STATE, &oa), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* Changing the state needs EVENT_MODIFY_STATE; a handle to another type is
 * a type mismatch. Kernel-mode callers skip access checks, so the check is
 * seen with a user-mode reference. */
KT_TEST(ZwSetEvent_needs_an_event_handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE dir;
    kt_name(&oa, &name, L"\\KernelObjects\\NtboxTestDir", 0);
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateDirectoryObject(&dir, DIRECTORY_ALL_ACCESS, &oa), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwSetEvent(dir, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(dir);
}

/* A pulse sets and resets at once: the state afterwards is not signalled,
 * and the previous state is reported. */
KT_TEST(ZwPulseEvent_leaves_it_reset)
{
    HANDLE h;
    LONG previous = -1;
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateEvent(&h, EVENT_ALL_ACCESS, NULL, NotificationEvent, TRUE), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwPulseEvent(h, &previous), STATUS_SUCCESS);
    KT_EQ_INT(previous, 1);
    KT_EQ_STATUS(ZwResetEvent(h, &previous), STATUS_SUCCESS);
    KT_EQ_INT(previous, 0);
    ZwClose(h);
}
