/* tests/ke/test_event.c: event objects: the header KeInitializeEvent
 * writes, every routine's return value, and how notification and
 * synchronization events release waiters. */
#include "ktest.h"

#include "ke/dispatcher.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

/* "KeInitializeEvent initializes an event object as a synchronization
 * (single waiter) or notification type event and sets it to a signaled or
 * not-signaled state": Type 0 or 1, Size in LONGs, an empty wait list. */
KT_TEST(KeInitializeEvent_header)
{
    KEVENT event;
    memset(&event, 0xCC, sizeof event);
    KeInitializeEvent(&event, NotificationEvent, TRUE);
    KT_EQ_INT(event.Header.Type, 0);
    KT_EQ_INT(event.Header.Size, sizeof(KEVENT) / sizeof(LONG));
    KT_EQ_INT(event.Header.Size, 6);
    KT_EQ_INT(event.Header.Signalling, 0);
    KT_EQ_INT(event.Header.DebugActive, 0);
    KT_EQ_INT(event.Header.SignalState, 1);
    KT_EQ_PTR(event.Header.WaitListHead.Flink, &event.Header.WaitListHead);
    KT_EQ_PTR(event.Header.WaitListHead.Blink, &event.Header.WaitListHead);

    KeInitializeEvent(&event, SynchronizationEvent, FALSE);
    KT_EQ_INT(event.Header.Type, 1);
    KT_EQ_INT(event.Header.SignalState, 0);
}

/* "If the previous state of the event object was signaled, a nonzero
 * value is returned" (KeSetEvent, KeResetEvent, KePulseEvent), and
 * KeReadStateEvent returns the current state. */
KT_TEST(KeSetEvent_returns_previous_state)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
    KT_EQ_INT(KeSetEvent(&event, IO_NO_INCREMENT, FALSE), 0);
    KT_EQ_INT(KeReadStateEvent(&event), 1);
    KT_EQ_INT(KeSetEvent(&event, EVENT_INCREMENT, FALSE), 1);
    KT_EQ_INT(KeReadStateEvent(&event), 1);
}

KT_TEST(KeResetEvent_returns_previous_state)
{
    KEVENT event;
    KeInitializeEvent(&event, SynchronizationEvent, TRUE);
    KT_EQ_INT(KeResetEvent(&event), 1);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
    KT_EQ_INT(KeResetEvent(&event), 0);
}

/* KeClearEvent: not signalled, no value. */
KT_TEST(KeClearEvent_clears)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, TRUE);
    KeClearEvent(&event);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
    KeClearEvent(&event);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
}

/* KePulseEvent "sets an event object to a signaled state, attempts to
 * satisfy as many waits as possible, and then resets the event object to
 * a not-signaled state"; it returns the previous state. */
KT_TEST(KePulseEvent_leaves_not_signalled)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    KT_EQ_INT(KePulseEvent(&event, IO_NO_INCREMENT, FALSE), 0);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
    KeSetEvent(&event, IO_NO_INCREMENT, FALSE);
    KT_EQ_INT(KePulseEvent(&event, IO_NO_INCREMENT, FALSE), 1);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
}

/* Waiter threads: each waits forever on `event`, then counts itself. */
static KEVENT event;
static int woken;

static void *waiter(void *arg)
{
    LARGE_INTEGER bound = { .QuadPart = -300000000LL }; /* 30 s: a failure, never a hang */
    NTSTATUS status = KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, &bound);
    (void)arg;
    if (status == STATUS_SUCCESS)
        __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* How many threads are waiting on `event`: its wait list, under the
 * dispatcher lock. */
static int waiters_queued(void)
{
    int n = 0;
    ke_dispatcher_lock();
    for (PLIST_ENTRY e = event.Header.WaitListHead.Flink; e != &event.Header.WaitListHead; e = e->Flink)
        n++;
    ke_dispatcher_unlock();
    return n;
}

static void start_waiters(pthread_t *t, int n)
{
    woken = 0;
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, waiter, NULL);
    for (time_t give_up = time(NULL) + 30; waiters_queued() < n && time(NULL) < give_up;)
        sched_yield();
}

/* A notification event releases every waiter and stays signalled. */
KT_TEST(KeSetEvent_notification_wakes_all)
{
    pthread_t t[3];
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    start_waiters(t, 3);
    KT_EQ_INT(KeSetEvent(&event, IO_NO_INCREMENT, FALSE), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    KT_EQ_INT(woken, 3);
    KT_EQ_INT(KeReadStateEvent(&event), 1);
    KT_EQ_INT(waiters_queued(), 0);
}

/* A synchronization event releases one waiter per set and is reset by
 * that wait: the state reads 0 again at once. */
KT_TEST(KeSetEvent_synchronization_wakes_one)
{
    pthread_t t[2];
    KeInitializeEvent(&event, SynchronizationEvent, FALSE);
    start_waiters(t, 2);
    KT_EQ_INT(KeSetEvent(&event, IO_NO_INCREMENT, FALSE), 0);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
    KT_EQ_INT(waiters_queued(), 1);
    KT_EQ_INT(KeSetEvent(&event, IO_NO_INCREMENT, TRUE), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    KT_EQ_INT(woken, 2);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
}

/* A pulse releases the threads waiting at that moment and leaves the
 * event not signalled. */
KT_TEST(KePulseEvent_releases_waiters)
{
    pthread_t t[2];
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    start_waiters(t, 2);
    KT_EQ_INT(KePulseEvent(&event, IO_NO_INCREMENT, FALSE), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    KT_EQ_INT(woken, 2);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
}
