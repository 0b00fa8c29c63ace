/* tests/ke/test_wait_handle.c: ZwWaitForSingleObject and
 * ZwWaitForMultipleObjects on handles: events and threads, WaitAny and
 * WaitAll (beyond THREAD_WAIT_OBJECTS too), timeouts, the parameter errors
 * (STATUS_INVALID_PARAMETER_1/_3/_MIX), bad handles and objects that cannot
 * be waited on; every reference taken is dropped. */
#include "ktest.h"

#include "ob/ob.h"

#define SECONDS(n) ((LONGLONG)(n) * -10000000)

/* An event object and a kernel handle to it, as ZwCreateEvent makes. */
static PKEVENT make_event(HANDLE *handle, EVENT_TYPE type, BOOLEAN state)
{
    OBJECT_ATTRIBUTES oa;
    PKEVENT event = NULL;
    InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ_STATUS(ob_create_object(*ExEventObjectType, &oa, KernelMode, 0, (void **)&event), STATUS_SUCCESS);
    KeInitializeEvent(event, type, state);
    KT_EQ_STATUS(ob_insert_object(event, EVENT_ALL_ACCESS, NULL, handle), STATUS_SUCCESS);
    return event;
}

/* A signalled event's handle satisfies the wait; a synchronization event
 * is consumed; unsignalled, a zero timeout times out. */
KT_TEST(ZwWaitForSingleObject_event)
{
    HANDLE handle;
    LARGE_INTEGER zero = { .QuadPart = 0 };
    PKEVENT event = make_event(&handle, SynchronizationEvent, TRUE);
    LONG_PTR references_before, references_after;

    ob_object_counts(event, &references_before, NULL);
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &zero), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(event), 0);
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &zero), STATUS_TIMEOUT);
    ob_object_counts(event, &references_after, NULL);
    KT_EQ_INT(references_after, references_before);
    KT_EQ_STATUS(ZwClose(handle), STATUS_SUCCESS);
}

static VOID NTAPI set_event(PVOID context)
{
    KeSetEvent(context, IO_NO_INCREMENT, FALSE);
}

/* A thread's handle is signalled when the thread ends. */
KT_TEST(ZwWaitForSingleObject_thread)
{
    HANDLE thread, event_handle;
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    PKEVENT event = make_event(&event_handle, NotificationEvent, FALSE);

    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&thread, SYNCHRONIZE, NULL, NULL, NULL, set_event, event),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ZwWaitForSingleObject(thread, FALSE, &timeout), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(event), 1);
    KT_EQ_STATUS(ZwWaitForSingleObject(event_handle, FALSE, NULL), STATUS_SUCCESS);
    ZwClose(thread);
    ZwClose(event_handle);
}

/* Handles that name nothing, or an object that is not waitable. */
KT_TEST(ZwWaitForSingleObject_bad_handles)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE directory;
    LARGE_INTEGER zero = { .QuadPart = 0 };

    KT_EQ_STATUS(ZwWaitForSingleObject((HANDLE)(LONG_PTR)0xFFFFFFFF80001230LL, FALSE, &zero),
                 STATUS_INVALID_HANDLE);
    RtlInitUnicodeString(&name, L"\\KernelObjects\\WaitTest");
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateDirectoryObject(&directory, DIRECTORY_ALL_ACCESS, &oa), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwWaitForSingleObject(directory, FALSE, &zero), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(directory);
}

/* WaitAny: STATUS_WAIT_0 + the index of the first signalled; WaitAll:
 * STATUS_SUCCESS once all are, also for more than THREAD_WAIT_OBJECTS. */
KT_TEST(ZwWaitForMultipleObjects_any_and_all)
{
    enum { N = 5 };
    HANDLE handles[N];
    PKEVENT events[N];
    LARGE_INTEGER zero = { .QuadPart = 0 };

    for (int i = 0; i < N; i++)
        events[i] = make_event(&handles[i], NotificationEvent, FALSE);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(N, handles, WaitAny, FALSE, &zero), STATUS_TIMEOUT);
    KeSetEvent(events[3], IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(N, handles, WaitAny, FALSE, &zero), STATUS_WAIT_3);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(N, handles, WaitAll, FALSE, &zero), STATUS_TIMEOUT);
    for (int i = 0; i < N; i++)
        KeSetEvent(events[i], IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(N, handles, WaitAll, FALSE, &zero), STATUS_SUCCESS);
    for (int i = 0; i < N; i++)
        ZwClose(handles[i]);
}

/* Count 0 or above MAXIMUM_WAIT_OBJECTS is STATUS_INVALID_PARAMETER_1,
 * another WaitType STATUS_INVALID_PARAMETER_3, one object twice in a
 * WaitAll STATUS_INVALID_PARAMETER_MIX (twice in a WaitAny is fine). */
KT_TEST(ZwWaitForMultipleObjects_parameter_errors)
{
    HANDLE handles[MAXIMUM_WAIT_OBJECTS + 1];
    LARGE_INTEGER zero = { .QuadPart = 0 };
    make_event(&handles[0], NotificationEvent, TRUE);
    for (int i = 1; i <= MAXIMUM_WAIT_OBJECTS; i++)
        handles[i] = handles[0];
    KT_EQ_STATUS(ZwWaitForMultipleObjects(0, handles, WaitAny, FALSE, &zero), STATUS_INVALID_PARAMETER_1);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, handles, WaitAny, FALSE, &zero),
                 STATUS_INVALID_PARAMETER_1);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(2, handles, WaitNotification, FALSE, &zero), STATUS_INVALID_PARAMETER_3);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(2, handles, WaitAll, FALSE, &zero), STATUS_INVALID_PARAMETER_MIX);
    KT_EQ_STATUS(ZwWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, handles, WaitAny, FALSE, &zero), STATUS_WAIT_0);
    ZwClose(handles[0]);
}
