/* ke/timer.c: timer objects: KeInitializeTimer, KeInitializeTimerEx,
 * KeSetTimer, KeSetTimerEx, KeSetCoalescableTimer, KeCancelTimer,
 * KeReadStateTimer.
 *
 * A timer is a dispatcher object (Header.Type 8 notification, 9
 * synchronization) that becomes signalled when its due time comes, then,
 * if it has a DPC, queues it with the system time of the expiry (low part
 * as SystemArgument1, high part as SystemArgument2); a periodic timer is
 * set again Period milliseconds later. One host thread of ntbox's keeps
 * the set timers sorted by due time and sleeps on a condition variable
 * until the first is due. KTIMER.DueTime holds the due time in
 * unbiased interrupt time (KeQueryUnbiasedInterruptTime); a set timer's
 * TimerListEntry.Flink points at ntbox's list entry for it, NULL when
 * the timer is not set.
 *
 * Surprises: an absolute due time is turned into an interval when the
 * timer is set, so a later change of the system time does not move it;
 * KeSetCoalescableTimer's TolerableDelay changes nothing (ntbox never
 * batches expiries). Ex timers (src/ex/timer.c) are KTIMERs set here with
 * a period in 100 ns units. */
#include "ke/deferred.h"

#include "ke/dispatcher.h"
#include "loader/module.h"
#include "loader/symbols.h"

#include <stdlib.h>
#include <time.h>

struct ke_timer_entry {
    LIST_ENTRY link;   /* in ke_timers, by due time */
    PKTIMER timer;
    ULONGLONG period;  /* 100 ns units; 0 for a one-shot timer */
    const void *callback; /* an Ex timer's ExTimerCallback, for reports; NULL for a KTIMER */
    const void *at;    /* where it was set, for reports and its DPC's */
};

static pthread_mutex_t ke_timer_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ke_timer_wake;
static pthread_once_t ke_timer_once = PTHREAD_ONCE_INIT;
static LIST_ENTRY ke_timers = { &ke_timers, &ke_timers };

/* A forked child (a test expecting a bugcheck) has no timer thread: it
 * starts its own with its first timer; what was set is dropped. */
static void ke_timer_forked(void)
{
    pthread_mutex_init(&ke_timer_mutex, NULL);
    ke_timer_once = (pthread_once_t)PTHREAD_ONCE_INIT;
    InitializeListHead(&ke_timers);
}

__attribute__((constructor)) static void ke_timer_init(void)
{
    pthread_atfork(NULL, NULL, ke_timer_forked);
}

static ULONGLONG ke_timer_now(void)
{
    return KeQueryUnbiasedInterruptTime();
}

static struct ke_timer_entry *ke_timer_entry_of(const KTIMER *timer)
{
    return (struct ke_timer_entry *)timer->TimerListEntry.Flink;
}

/* Under ke_timer_mutex: into the list by due time, after those due at the
 * same time; wakes the timer thread when it became the first. */
static void ke_timer_enqueue(struct ke_timer_entry *entry)
{
    PLIST_ENTRY e = ke_timers.Blink;

    while (e != &ke_timers &&
           CONTAINING_RECORD(e, struct ke_timer_entry, link)->timer->DueTime.QuadPart > entry->timer->DueTime.QuadPart)
        e = e->Blink;
    InsertHeadList(e, &entry->link);
    if (ke_timers.Flink == &entry->link)
        pthread_cond_signal(&ke_timer_wake);
}

/* Under ke_timer_mutex: the first timer is due. It is set again or
 * forgotten, then, as Windows expires a timer, signalled and its DPC
 * queued, both under the dispatcher lock: a waiter released (which may
 * free the timer and its DPC at once) and the DPC itself run only once it
 * is released, so the DPC always finds the timer signalled and nothing
 * touches either afterwards. */
static void ke_timer_expire(struct ke_timer_entry *entry, ULONGLONG now)
{
    PKTIMER timer = entry->timer;
    PKDPC dpc = timer->Dpc;
    const void *at = entry->at;
    LARGE_INTEGER system_time;

    RemoveEntryList(&entry->link);
    if (entry->period) {
        ULONGLONG next = timer->DueTime.QuadPart + entry->period;
        timer->DueTime.QuadPart = next > now ? next : now;
        ke_timer_enqueue(entry);
    } else {
        timer->TimerListEntry.Flink = NULL;
        free(entry);
    }
    KeQuerySystemTimePrecise(&system_time);
    ke_dispatcher_lock();
    timer->Header.SignalState = 1;
    ke_dispatcher_signal(&timer->Header);
    if (dpc)
        ke_dpc_insert(dpc, (PVOID)(ULONG_PTR)system_time.LowPart, (PVOID)(ULONG_PTR)(ULONG)system_time.HighPart, at);
    ke_dispatcher_unlock();
}

bool ke_timer_any_set(void)
{
    pthread_mutex_lock(&ke_timer_mutex);
    bool set = !IsListEmpty(&ke_timers);
    pthread_mutex_unlock(&ke_timer_mutex);
    return set;
}

static void *ke_timer_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ke_timer_mutex);
    for (;;) {
        if (IsListEmpty(&ke_timers)) {
            pthread_cond_wait(&ke_timer_wake, &ke_timer_mutex);
            continue;
        }
        struct ke_timer_entry *first = CONTAINING_RECORD(ke_timers.Flink, struct ke_timer_entry, link);
        ULONGLONG now = ke_timer_now(), due = first->timer->DueTime.QuadPart;
        if (due <= now) {
            ke_timer_expire(first, now);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        ULONGLONG wait = due - now;
        until.tv_sec += (time_t)(wait / 10000000);
        until.tv_nsec += (long)(wait % 10000000) * 100;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_clockwait(&ke_timer_wake, &ke_timer_mutex, CLOCK_MONOTONIC, &until);
    }
    return NULL;
}

static void ke_timer_start(void)
{
    pthread_condattr_t attr;
    pthread_attr_t thread_attr;
    pthread_t host;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ke_timer_wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_attr_init(&thread_attr);
    pthread_attr_setdetachstate(&thread_attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&host, &thread_attr, ke_timer_thread, NULL) != 0) {
        fprintf(stderr, "ntbox: cannot start the timer thread\n");
        exit(1);
    }
    pthread_attr_destroy(&thread_attr);
}

/* Under ke_timer_mutex: takes a set timer off the list; whether it was set. */
static BOOLEAN ke_timer_remove(PKTIMER timer)
{
    struct ke_timer_entry *entry = ke_timer_entry_of(timer);

    if (!entry)
        return FALSE;
    RemoveEntryList(&entry->link);
    timer->TimerListEntry.Flink = NULL;
    free(entry);
    return TRUE;
}

BOOLEAN ke_timer_set(PKTIMER timer, LARGE_INTEGER due_time, ULONGLONG period, PKDPC dpc, const void *callback,
                     const void *at)
{
    struct ke_timer_entry *entry = malloc(sizeof *entry);
    ULONGLONG now = ke_timer_now(), interval;
    BOOLEAN was_set;

    if (!entry) {
        fprintf(stderr, "ntbox: out of memory setting a timer\n");
        exit(1);
    }
    if (due_time.QuadPart < 0) {
        interval = 0ULL - (ULONGLONG)due_time.QuadPart;
    } else {
        LARGE_INTEGER system_time;
        KeQuerySystemTimePrecise(&system_time);
        interval = due_time.QuadPart > system_time.QuadPart ? (ULONGLONG)(due_time.QuadPart - system_time.QuadPart) : 0;
    }
    pthread_once(&ke_timer_once, ke_timer_start);
    pthread_mutex_lock(&ke_timer_mutex);
    was_set = ke_timer_remove(timer);
    ke_dispatcher_lock();
    timer->Header.SignalState = 0;
    ke_dispatcher_unlock();
    timer->DueTime.QuadPart = now + interval;
    /* KTIMER.Period is in milliseconds: a shorter period still shows as one */
    timer->Period = (ULONG)((period + 9999) / 10000);
    timer->Dpc = dpc;
    entry->timer = timer;
    entry->period = period;
    entry->callback = callback;
    entry->at = at;
    timer->TimerListEntry.Flink = (PLIST_ENTRY)entry;
    ke_timer_enqueue(entry);
    pthread_mutex_unlock(&ke_timer_mutex);
    return was_set;
}

BOOLEAN ke_timer_is_set(PKTIMER timer)
{
    pthread_mutex_lock(&ke_timer_mutex);
    BOOLEAN set = ke_timer_entry_of(timer) != NULL;
    pthread_mutex_unlock(&ke_timer_mutex);
    return set;
}

unsigned ke_timer_describe_pending(const struct ldr_module *m, FILE *out)
{
    unsigned found = 0;
    char routine[256], where[256];

    pthread_mutex_lock(&ke_timer_mutex);
    for (PLIST_ENTRY e = ke_timers.Flink; e != &ke_timers; e = e->Flink) {
        struct ke_timer_entry *entry = CONTAINING_RECORD(e, struct ke_timer_entry, link);
        PKTIMER timer = entry->timer;
        const void *leads_to = entry->callback ? entry->callback
                               : timer->Dpc    ? (const void *)timer->Dpc->DeferredRoutine
                                               : NULL;
        if (!(leads_to && ldr_module_at(leads_to) == m) && ldr_module_at(timer) != m)
            continue;
        fprintf(out, "timer 0x%016llx (%s%s%s) is still set, set at %s\n", (unsigned long long)(ULONG_PTR)timer,
                entry->period ? "periodic" : "one-shot",
                entry->callback ? ", callback " : leads_to ? ", DPC routine " : "",
                leads_to ? ldr_describe_address(leads_to, false, routine, sizeof routine) : "",
                ldr_describe_address(entry->at, true, where, sizeof where));
        found++;
    }
    pthread_mutex_unlock(&ke_timer_mutex);
    return found;
}

/* A notification timer, not set, not signalled (WDK, KeInitializeTimer);
 * IRQL <= DISPATCH_LEVEL. */
VOID NTAPI KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

/* A timer of Type: a notification timer releases every waiter and stays
 * signalled; a synchronization timer releases one and resets. Not set, not
 * signalled (WDK, KeInitializeTimerEx); IRQL <= DISPATCH_LEVEL. */
VOID NTAPI KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    ke_dispatcher_init(&Timer->Header,
                       Type == SynchronizationTimer ? KE_TIMER_SYNCHRONIZATION : KE_TIMER_NOTIFICATION,
                       sizeof(KTIMER) / sizeof(LONG), 0);
    Timer->DueTime.QuadPart = 0;
    Timer->TimerListEntry.Flink = NULL;
    Timer->TimerListEntry.Blink = NULL;
    Timer->Dpc = NULL;
    Timer->Processor = 0;
    Timer->Period = 0;
}

/* Sets the timer to expire at DueTime (negative: relative, positive:
 * absolute system time, 100 ns units), queuing Dpc then if given; the
 * timer becomes not signalled. TRUE if it was set already (it is set
 * again), else FALSE (WDK, KeSetTimer); IRQL <= DISPATCH_LEVEL. */
BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return ke_timer_set(Timer, DueTime, 0, Dpc, NULL, __builtin_return_address(0));
}

/* The same, with a Period in milliseconds after which a periodic timer
 * expires again, until cancelled (WDK, KeSetTimerEx); IRQL <=
 * DISPATCH_LEVEL. */
BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    return ke_timer_set(Timer, DueTime, (ULONGLONG)(ULONG)Period * 10000, Dpc, NULL, __builtin_return_address(0));
}

/* KeSetTimerEx with a TolerableDelay (ms) the system may add to coalesce
 * expiries; ntbox adds none (WDK, KeSetCoalescableTimer); IRQL <=
 * DISPATCH_LEVEL. */
BOOLEAN NTAPI KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period, ULONG TolerableDelay,
                                    PKDPC Dpc)
{
    (void)TolerableDelay;
    return ke_timer_set(Timer, DueTime, (ULONGLONG)Period * 10000, Dpc, NULL, __builtin_return_address(0));
}

/* Takes the timer off the timer queue: TRUE if it was set, FALSE if not.
 * Its state and a DPC it already queued are left alone (WDK,
 * KeCancelTimer); IRQL <= DISPATCH_LEVEL. */
BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer)
{
    pthread_mutex_lock(&ke_timer_mutex);
    BOOLEAN was_set = ke_timer_remove(Timer);
    pthread_mutex_unlock(&ke_timer_mutex);
    return was_set;
}

/* TRUE when the timer is signalled (WDK, KeReadStateTimer); any IRQL. */
BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer)
{
    ke_dispatcher_lock();
    BOOLEAN state = Timer->Header.SignalState != 0;
    ke_dispatcher_unlock();
    return state;
}
