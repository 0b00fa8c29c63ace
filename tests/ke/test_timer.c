/* tests/ke/test_timer.c: timers: KeInitializeTimer(Ex), KeSetTimer,
 * KeSetTimerEx, KeSetCoalescableTimer, KeCancelTimer, KeReadStateTimer:
 * return values, expiry (relative and absolute due times), waits on
 * notification and synchronization timers, the DPC a timer queues, and
 * periodic timers that fire repeatedly and stop when cancelled. Timing
 * bounds are generous; nothing sleeps to synchronise. */
#include "ktest.h"

#define MS(n) ((LONGLONG)(n) * -10000)

static LARGE_INTEGER due(LONGLONG value)
{
    LARGE_INTEGER t;
    t.QuadPart = value;
    return t;
}

static NTSTATUS wait_for(PVOID object, LONGLONG timeout)
{
    LARGE_INTEGER t = due(timeout);
    return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &t);
}

/* KeInitializeTimer: a notification timer (type 8), size 16 LONGs, not
 * signalled; KeInitializeTimerEx(SynchronizationTimer): type 9. */
KT_TEST(KeInitializeTimer_fields)
{
    KTIMER timer;
    memset(&timer, 0xCC, sizeof timer);
    KeInitializeTimer(&timer);
    KT_EQ_INT(timer.Header.Type, 8);
    KT_EQ_INT(timer.Header.Size, sizeof(KTIMER) / sizeof(LONG));
    KT_EQ_INT(timer.Header.SignalState, 0);
    KT_EQ_PTR(timer.Dpc, NULL);
    KT_EQ_INT(timer.Period, 0);
    KT_EQ_INT(KeReadStateTimer(&timer), FALSE);
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    KT_EQ_INT(timer.Header.Type, 9);
    KeInitializeTimerEx(&timer, NotificationTimer);
    KT_EQ_INT(timer.Header.Type, 8);
}

/* KeSetTimer returns FALSE for a timer that was not set, TRUE when it was
 * (and sets it again); KeCancelTimer returns TRUE for a set timer, FALSE
 * for one that is not. */
KT_TEST(KeSetTimer_and_KeCancelTimer_return_whether_set)
{
    KTIMER timer;
    KeInitializeTimer(&timer);
    KT_EQ_INT(KeCancelTimer(&timer), FALSE);
    KT_EQ_INT(KeSetTimer(&timer, due(MS(3600000)), NULL), FALSE);
    KT_EQ_INT(KeSetTimer(&timer, due(MS(3600000)), NULL), TRUE);
    KT_EQ_INT(KeSetTimerEx(&timer, due(MS(3600000)), 1000, NULL), TRUE);
    KT_EQ_INT(KeCancelTimer(&timer), TRUE);
    KT_EQ_INT(KeCancelTimer(&timer), FALSE);
    KT_EQ_INT(KeReadStateTimer(&timer), FALSE);
}

/* A relative timer becomes signalled at its due time: a wait on it ends
 * with STATUS_SUCCESS; a notification timer stays signalled, and it is no
 * longer set (KeCancelTimer FALSE). */
KT_TEST(KeSetTimer_relative_signals)
{
    KTIMER timer;
    KeInitializeTimer(&timer);
    KeSetTimer(&timer, due(MS(10)), NULL);
    KT_EQ_STATUS(wait_for(&timer, MS(10000)), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateTimer(&timer), TRUE);
    KT_EQ_STATUS(wait_for(&timer, 0), STATUS_SUCCESS);
    KT_EQ_INT(KeCancelTimer(&timer), FALSE);
    /* Setting it again makes it not signalled. */
    KeSetTimer(&timer, due(MS(3600000)), NULL);
    KT_EQ_INT(KeReadStateTimer(&timer), FALSE);
    KT_EQ_INT(KeCancelTimer(&timer), TRUE);
}

/* A positive due time is an absolute system time; one already past
 * expires at once. */
KT_TEST(KeSetTimer_absolute)
{
    KTIMER timer;
    LARGE_INTEGER now;
    KeInitializeTimer(&timer);
    KeQuerySystemTimePrecise(&now);
    KeSetTimer(&timer, due(now.QuadPart + 200000), NULL);
    KT_EQ_STATUS(wait_for(&timer, MS(10000)), STATUS_SUCCESS);
    KeSetTimer(&timer, due(now.QuadPart - 10000000), NULL);
    KT_EQ_STATUS(wait_for(&timer, MS(10000)), STATUS_SUCCESS);
}

/* A timer that is not due does not satisfy a wait: STATUS_TIMEOUT. */
KT_TEST(KeSetTimer_not_due_times_out)
{
    KTIMER timer;
    KeInitializeTimer(&timer);
    KeSetTimer(&timer, due(MS(3600000)), NULL);
    KT_EQ_STATUS(wait_for(&timer, MS(20)), STATUS_TIMEOUT);
    KeCancelTimer(&timer);
}

/* A synchronization timer satisfies one wait and resets itself. */
KT_TEST(KeInitializeTimerEx_synchronization_resets)
{
    KTIMER timer;
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    KeSetTimer(&timer, due(MS(1)), NULL);
    KT_EQ_STATUS(wait_for(&timer, MS(10000)), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateTimer(&timer), FALSE);
    KT_EQ_STATUS(wait_for(&timer, 0), STATUS_TIMEOUT);
}

struct fired {
    KEVENT event;
    LONG count;
    KIRQL irql;
    PVOID context, arg1, arg2;
    PKTIMER timer;
    BOOLEAN timer_signalled; /* the timer's state as its DPC saw it */
};

static VOID NTAPI timer_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct fired *fired = context;
    (void)dpc;
    fired->irql = KeGetCurrentIrql();
    fired->context = context;
    fired->arg1 = arg1;
    fired->arg2 = arg2;
    fired->timer_signalled = KeReadStateTimer(fired->timer);
    InterlockedIncrement(&fired->count);
    KeSetEvent(&fired->event, 0, FALSE);
}

/* A notification timer whose DPC records into fired. */
static void fired_init(struct fired *fired, PKTIMER timer, PKDPC dpc)
{
    memset(fired, 0, sizeof *fired);
    KeInitializeEvent(&fired->event, SynchronizationEvent, FALSE);
    KeInitializeTimer(timer);
    fired->timer = timer;
    KeInitializeDpc(dpc, timer_dpc, fired);
}

/* The timer's DPC runs at DISPATCH_LEVEL with its context; the system
 * arguments are the expiry's system time, low and high parts. The timer
 * is signalled before its DPC runs, as on Windows. */
KT_TEST(KeSetTimer_queues_the_dpc)
{
    struct fired fired;
    KTIMER timer;
    KDPC dpc;
    LARGE_INTEGER before, after;
    fired_init(&fired, &timer, &dpc);
    KeQuerySystemTimePrecise(&before);
    KT_EQ_INT(KeSetTimer(&timer, due(MS(5)), &dpc), FALSE);
    KT_REQUIRE(KT_EQ_STATUS(wait_for(&fired.event, MS(10000)), STATUS_SUCCESS));
    KeQuerySystemTimePrecise(&after);
    KT_EQ_INT(fired.irql, DISPATCH_LEVEL);
    KT_EQ_PTR(fired.context, &fired);
    KT_EQ_INT(fired.timer_signalled, TRUE);
    LONGLONG fired_at = (LONGLONG)((ULONGLONG)(ULONG_PTR)fired.arg1 | (ULONGLONG)(ULONG_PTR)fired.arg2 << 32);
    KT_TRUE(fired_at >= before.QuadPart && fired_at <= after.QuadPart);
    KT_EQ_INT(KeReadStateTimer(&timer), TRUE);
    KeFlushQueuedDpcs();
    KT_EQ_INT(fired.count, 1);
}

/* A periodic timer fires again every Period ms until cancelled: after
 * KeCancelTimer (TRUE: it was set) and a flush, no more calls. */
KT_TEST(KeSetTimerEx_periodic_until_cancelled)
{
    struct fired fired;
    KTIMER timer;
    KDPC dpc;
    fired_init(&fired, &timer, &dpc);
    KT_EQ_INT(KeSetTimerEx(&timer, due(MS(1)), 2, &dpc), FALSE);
    while (fired.count < 3)
        KT_REQUIRE(KT_EQ_STATUS(wait_for(&fired.event, MS(10000)), STATUS_SUCCESS));
    KT_EQ_INT(KeCancelTimer(&timer), TRUE);
    KeFlushQueuedDpcs();
    LONG count = fired.count;
    KeClearEvent(&fired.event);
    /* Still the same well after several more periods would have passed. */
    KT_EQ_STATUS(wait_for(&fired.event, MS(20)), STATUS_TIMEOUT);
    KeFlushQueuedDpcs();
    KT_EQ_INT(fired.count, count);
    KT_EQ_INT(KeCancelTimer(&timer), FALSE);
}

/* KeSetCoalescableTimer: a periodic timer like KeSetTimerEx's; FALSE for a
 * timer not set before, TRUE for one that was. */
KT_TEST(KeSetCoalescableTimer_periodic)
{
    struct fired fired;
    KTIMER timer;
    KDPC dpc;
    fired_init(&fired, &timer, &dpc);
    KT_EQ_INT(KeSetCoalescableTimer(&timer, due(MS(1)), 2, 1, &dpc), FALSE);
    while (fired.count < 2)
        KT_REQUIRE(KT_EQ_STATUS(wait_for(&fired.event, MS(10000)), STATUS_SUCCESS));
    KT_EQ_INT(KeSetCoalescableTimer(&timer, due(MS(3600000)), 0, 0, &dpc), TRUE);
    KT_EQ_INT(KeCancelTimer(&timer), TRUE);
    KeFlushQueuedDpcs();
}

/* Timers expire in due-time order, whatever order they were set in. */
KT_TEST(KeSetTimer_expires_in_due_order)
{
    KTIMER late, early;
    PVOID both[2] = { &late, &early };
    LARGE_INTEGER timeout = due(MS(10000));
    KeInitializeTimer(&late);
    KeInitializeTimer(&early);
    KeSetTimer(&late, due(MS(3600000)), NULL);
    KeSetTimer(&early, due(MS(5)), NULL);
    KT_EQ_STATUS(KeWaitForMultipleObjects(2, both, WaitAny, Executive, KernelMode, FALSE, &timeout, NULL),
                 STATUS_WAIT_1);
    KT_EQ_INT(KeCancelTimer(&late), TRUE);
}
