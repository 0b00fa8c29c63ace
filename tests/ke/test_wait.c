/* tests/ke/test_wait.c: KeWaitForSingleObject and KeWaitForMultipleObjects
 * on events: immediate satisfaction, zero, relative and absolute timeouts
 * (generous bounds), waking from another thread, WaitAny and WaitAll, the
 * caller's wait block array, and the bugchecks (0xA for waiting at
 * DISPATCH_LEVEL, 0xC for too many objects). */
#include "ktest.h"

#include "ke/dispatcher.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#define IRQL_NOT_LESS_OR_EQUAL 0x0A
#define MAXIMUM_WAIT_OBJECTS_EXCEEDED 0x0C

/* 100 ns units. */
#define MS(n) ((LONGLONG)(n) * 10000)

static LONGLONG now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (LONGLONG)ts.tv_sec * 10000000 + ts.tv_nsec / 100;
}

static NTSTATUS wait_one(PVOID object, LONGLONG *timeout)
{
    LARGE_INTEGER t;
    if (timeout)
        t.QuadPart = *timeout;
    return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, timeout ? &t : NULL);
}

/* A signalled object satisfies the wait at once with STATUS_SUCCESS; a
 * synchronization event is reset by it, a notification event is not. */
KT_TEST(KeWaitForSingleObject_signalled)
{
    KEVENT sync, notify;
    KeInitializeEvent(&sync, SynchronizationEvent, TRUE);
    KeInitializeEvent(&notify, NotificationEvent, TRUE);
    KT_EQ_STATUS(wait_one(&sync, NULL), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(&sync), 0);
    KT_EQ_STATUS(wait_one(&notify, NULL), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(&notify), 1);
}

/* "If *Timeout = 0, the routine returns without waiting":
 * STATUS_TIMEOUT when not signalled, and the state is only tested. */
KT_TEST(KeWaitForSingleObject_zero_timeout)
{
    KEVENT event;
    LONGLONG zero = 0;
    KeInitializeEvent(&event, SynchronizationEvent, FALSE);
    KT_EQ_STATUS(wait_one(&event, &zero), STATUS_TIMEOUT);
    KT_EQ_PTR(event.Header.WaitListHead.Flink, &event.Header.WaitListHead);
    KeSetEvent(&event, IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(wait_one(&event, &zero), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
}

/* A negative timeout is relative: STATUS_TIMEOUT after at least that
 * long; the thread's wait block has left the wait list. */
KT_TEST(KeWaitForSingleObject_relative_timeout)
{
    KEVENT event;
    LONGLONG timeout = -MS(20);
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    LONGLONG start = now_monotonic();
    KT_EQ_STATUS(wait_one(&event, &timeout), STATUS_TIMEOUT);
    LONGLONG elapsed = now_monotonic() - start;
    KT_TRUE(elapsed >= MS(20));
    KT_TRUE(elapsed < MS(20000));
    KT_EQ_PTR(event.Header.WaitListHead.Flink, &event.Header.WaitListHead);
}

/* A positive timeout is an absolute system time: in the future it waits
 * until then, in the past it times out at once. */
KT_TEST(KeWaitForSingleObject_absolute_timeout)
{
    KEVENT event;
    LARGE_INTEGER now;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    KeQuerySystemTimePrecise(&now);
    LONGLONG deadline = now.QuadPart + MS(20);
    LONGLONG start = now_monotonic();
    KT_EQ_STATUS(wait_one(&event, &deadline), STATUS_TIMEOUT);
    LONGLONG elapsed = now_monotonic() - start;
    KT_TRUE(elapsed >= MS(15));
    KT_TRUE(elapsed < MS(20000));

    LONGLONG past = now.QuadPart - MS(1000);
    start = now_monotonic();
    KT_EQ_STATUS(wait_one(&event, &past), STATUS_TIMEOUT);
    KT_TRUE(now_monotonic() - start < MS(10000));
}

/* The most negative timeout is a very long relative wait, not an
 * overflow: a set from another thread still ends it. */
static KEVENT shared;

static void *set_shared_when_waited(void *arg)
{
    (void)arg;
    for (time_t give_up = time(NULL) + 30; time(NULL) < give_up;) {
        ke_dispatcher_lock();
        bool queued = shared.Header.WaitListHead.Flink != &shared.Header.WaitListHead;
        ke_dispatcher_unlock();
        if (queued)
            break;
        sched_yield();
    }
    KeSetEvent(&shared, IO_NO_INCREMENT, FALSE);
    return NULL;
}

static void wake_shared_from_thread(LONGLONG *timeout)
{
    pthread_t t;
    KeInitializeEvent(&shared, SynchronizationEvent, FALSE);
    KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, set_shared_when_waited, NULL), 0));
    KT_EQ_STATUS(wait_one(&shared, timeout), STATUS_SUCCESS);
    pthread_join(t, NULL);
    KT_EQ_INT(KeReadStateEvent(&shared), 0);
}

/* NULL waits until another thread signals. */
KT_TEST(KeWaitForSingleObject_woken_by_another_thread)
{
    wake_shared_from_thread(NULL);
}

KT_TEST(KeWaitForSingleObject_longest_relative_timeout)
{
    LONGLONG longest = (LONGLONG)0x8000000000000000ULL;
    wake_shared_from_thread(&longest);
}

/* WaitAny: STATUS_WAIT_0 + the index of the signalled object, the lowest
 * when several are, and only that one is consumed. */
KT_TEST(KeWaitForMultipleObjects_wait_any)
{
    KEVENT e[3];
    PVOID objects[3] = { &e[0], &e[1], &e[2] };
    LARGE_INTEGER zero = { .QuadPart = 0 };
    for (int i = 0; i < 3; i++)
        KeInitializeEvent(&e[i], SynchronizationEvent, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(3, objects, WaitAny, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_TIMEOUT);
    KeSetEvent(&e[2], IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(3, objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL),
                 STATUS_WAIT_0 + 2);
    KeSetEvent(&e[1], IO_NO_INCREMENT, FALSE);
    KeSetEvent(&e[2], IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(3, objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL),
                 STATUS_WAIT_0 + 1);
    KT_EQ_INT(KeReadStateEvent(&e[1]), 0);
    KT_EQ_INT(KeReadStateEvent(&e[2]), 1);
}

/* WaitAll: satisfied only when all are signalled at once; a failed test
 * consumes nothing; success consumes every synchronization event. */
KT_TEST(KeWaitForMultipleObjects_wait_all)
{
    KEVENT sync, notify;
    PVOID objects[2] = { &sync, &notify };
    LARGE_INTEGER zero = { .QuadPart = 0 };
    KeInitializeEvent(&sync, SynchronizationEvent, TRUE);
    KeInitializeEvent(&notify, NotificationEvent, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_TIMEOUT);
    KT_EQ_INT(KeReadStateEvent(&sync), 1);
    KeSetEvent(&notify, IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(&sync), 0);
    KT_EQ_INT(KeReadStateEvent(&notify), 1);
}

/* A blocked wait with the caller's WaitBlockArray: the blocks are queued
 * on the objects' wait lists, each naming its object and index; setting
 * the objects one by one ends a WaitAll wait only with the last, and a
 * WaitAny wait with the index of the one set. */
static KEVENT many[5];
static PVOID many_objects[5];
static KWAIT_BLOCK blocks[5];
static NTSTATUS many_status;
static WAIT_TYPE many_type;

static void *wait_many(void *arg)
{
    LARGE_INTEGER bound = { .QuadPart = -300000000LL }; /* 30 s: a failure, never a hang */
    (void)arg;
    many_status = KeWaitForMultipleObjects(5, many_objects, many_type, Executive, KernelMode, FALSE, &bound, blocks);
    return NULL;
}

static bool queued_on(int i)
{
    ke_dispatcher_lock();
    bool queued = many[i].Header.WaitListHead.Flink == &blocks[i].WaitListEntry;
    ke_dispatcher_unlock();
    return queued;
}

static pthread_t start_many(WAIT_TYPE type)
{
    pthread_t t;
    many_type = type;
    many_status = STATUS_PENDING;
    for (int i = 0; i < 5; i++) {
        KeInitializeEvent(&many[i], NotificationEvent, FALSE);
        many_objects[i] = &many[i];
    }
    pthread_create(&t, NULL, wait_many, NULL);
    for (time_t give_up = time(NULL) + 30; !queued_on(4) && time(NULL) < give_up;)
        sched_yield();
    return t;
}

KT_TEST(KeWaitForMultipleObjects_wait_all_with_blocks)
{
    pthread_t t = start_many(WaitAll);
    for (int i = 0; i < 5; i++) {
        KT_TRUE(queued_on(i));
        KT_EQ_PTR(blocks[i].Object, &many[i]);
        KT_EQ_INT(blocks[i].WaitKey, i);
        KT_EQ_INT(blocks[i].WaitType, WaitAll);
        KT_TRUE(blocks[i].Thread != NULL);
    }
    for (int i = 0; i < 4; i++)
        KeSetEvent(&many[i], IO_NO_INCREMENT, FALSE);
    KT_TRUE(queued_on(4));
    KeSetEvent(&many[4], IO_NO_INCREMENT, FALSE);
    pthread_join(t, NULL);
    KT_EQ_STATUS(many_status, STATUS_SUCCESS);
    for (int i = 0; i < 5; i++)
        KT_EQ_PTR(many[i].Header.WaitListHead.Flink, &many[i].Header.WaitListHead);
}

KT_TEST(KeWaitForMultipleObjects_wait_any_woken)
{
    pthread_t t = start_many(WaitAny);
    KeSetEvent(&many[3], IO_NO_INCREMENT, FALSE);
    pthread_join(t, NULL);
    KT_EQ_STATUS(many_status, STATUS_WAIT_0 + 3);
    for (int i = 0; i < 5; i++)
        KT_EQ_PTR(many[i].Header.WaitListHead.Flink, &many[i].Header.WaitListHead);
}

/* A timed-out multiple wait leaves no block behind. */
KT_TEST(KeWaitForMultipleObjects_timeout)
{
    KEVENT e[2];
    PVOID objects[2] = { &e[0], &e[1] };
    LARGE_INTEGER timeout = { .QuadPart = -MS(5) };
    KeInitializeEvent(&e[0], NotificationEvent, FALSE);
    KeInitializeEvent(&e[1], NotificationEvent, TRUE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode, FALSE, &timeout, NULL),
                 STATUS_TIMEOUT);
    for (int i = 0; i < 2; i++)
        KT_EQ_PTR(e[i].Header.WaitListHead.Flink, &e[i].Header.WaitListHead);
}

/* Up to MAXIMUM_WAIT_OBJECTS with a wait block array. */
KT_TEST(KeWaitForMultipleObjects_maximum_with_blocks)
{
    static KEVENT e[MAXIMUM_WAIT_OBJECTS];
    static PVOID objects[MAXIMUM_WAIT_OBJECTS];
    static KWAIT_BLOCK wb[MAXIMUM_WAIT_OBJECTS];
    for (int i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
        KeInitializeEvent(&e[i], NotificationEvent, i == MAXIMUM_WAIT_OBJECTS - 1);
        objects[i] = &e[i];
    }
    KT_EQ_STATUS(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, objects, WaitAny, Executive, KernelMode, FALSE,
                                          NULL, wb),
                 STATUS_WAIT_0 + MAXIMUM_WAIT_OBJECTS - 1);
}

/* Misuse, each in a child. */
static KEVENT unsignalled;

static void wait_at_dispatch(void *arg)
{
    KeInitializeEvent(&unsignalled, NotificationEvent, FALSE);
    KeRaiseIrqlToDpcLevel();
    wait_one(&unsignalled, arg);
}

static void wait_at_high_zero(void *arg)
{
    LONGLONG zero = 0;
    (void)arg;
    KeInitializeEvent(&unsignalled, NotificationEvent, FALSE);
    KfRaiseIrql(HIGH_LEVEL);
    wait_one(&unsignalled, &zero);
}

/* "If Timeout = NULL or *Timeout != 0, the caller must be running at IRQL
 * <= APC_LEVEL": waiting at DISPATCH_LEVEL is IRQL_NOT_LESS_OR_EQUAL, P1
 * the object, P2 the IRQL. */
KT_TEST(KeWaitForSingleObject_dispatch_level_bugchecks)
{
    LONGLONG ten_ms = -MS(10);
    char params[96];
    snprintf(params, sizeof params, "(0x%016llX,0x0000000000000002,0x0000000000000000,",
             (unsigned long long)(ULONG_PTR)&unsignalled);
    const char *out = KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)&unsignalled, wait_at_dispatch, NULL);
    if (out) {
        KT_CONTAINS(out, params);
        KT_CONTAINS(out, "no timeout (wait forever)");
    }
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)&unsignalled, wait_at_dispatch, &ten_ms);
    KT_EXPECT_BUGCHECK(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)&unsignalled, wait_at_high_zero, NULL);
}

/* "Callers ... can be at IRQL <= DISPATCH_LEVEL" with a zero timeout: a
 * test of the state. */
KT_TEST(KeWaitForSingleObject_dispatch_level_zero_timeout)
{
    KEVENT event;
    LONGLONG zero = 0;
    KeInitializeEvent(&event, NotificationEvent, TRUE);
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KT_EQ_STATUS(wait_one(&event, &zero), STATUS_SUCCESS);
    KeClearEvent(&event);
    KT_EQ_STATUS(wait_one(&event, &zero), STATUS_TIMEOUT);
    KeLowerIrql(old);
}

static void wait_too_many(void *arg)
{
    static KEVENT e[MAXIMUM_WAIT_OBJECTS + 1];
    static PVOID objects[MAXIMUM_WAIT_OBJECTS + 1];
    static KWAIT_BLOCK wb[MAXIMUM_WAIT_OBJECTS + 1];
    ULONG count = (ULONG)(ULONG_PTR)arg;
    for (ULONG i = 0; i < count; i++) {
        KeInitializeEvent(&e[i], NotificationEvent, TRUE);
        objects[i] = &e[i];
    }
    KeWaitForMultipleObjects(count, objects, WaitAny, Executive, KernelMode, FALSE, NULL,
                             count > THREAD_WAIT_OBJECTS + 1 ? wb : NULL);
}

/* "If a buffer is supplied, the Count parameter may not exceed
 * MAXIMUM_WAIT_OBJECTS. If no buffer is supplied, the Count parameter may
 * not exceed THREAD_WAIT_OBJECTS": MAXIMUM_WAIT_OBJECTS_EXCEEDED, no
 * parameters. */
KT_TEST(KeWaitForMultipleObjects_too_many_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(MAXIMUM_WAIT_OBJECTS_EXCEEDED, 0, wait_too_many,
                                         (void *)(ULONG_PTR)(THREAD_WAIT_OBJECTS + 1));
    if (out)
        KT_CONTAINS(out, "(0x0000000000000000,0x0000000000000000,0x0000000000000000,0x0000000000000000)");
    KT_EXPECT_BUGCHECK(MAXIMUM_WAIT_OBJECTS_EXCEEDED, 0, wait_too_many,
                       (void *)(ULONG_PTR)(MAXIMUM_WAIT_OBJECTS + 1));
}
