/* ex/timer.c: executive timers: ExAllocateTimer, ExSetTimer, ExCancelTimer,
 * ExDeleteTimer (ExInitializeSetTimerParameters and
 * ExInitializeDeleteTimerParameters are the header's inlines).
 *
 * An EX_TIMER is a KTIMER (first, so a PEX_TIMER can be waited on as
 * Microsoft documents) with a DPC that calls the driver's ExTimerCallback
 * at DISPATCH_LEVEL; its due time and period are kept in 100 ns units by
 * ke/timer.c. ExDeleteTimer disables the timer at once (ExSetTimer and
 * ExCancelTimer return FALSE and do nothing, a second ExDeleteTimer too);
 * the memory goes, and the delete callback runs, only once no expiry can
 * still be running: at once after flushing the DPC queues when the caller
 * may wait, else on a system worker thread, after the pending expiry when
 * Cancel is FALSE.
 *
 * Surprises: Microsoft documents that a misuse "bug checks" without naming
 * the code; ntbox stops with 0xC7 TIMER_OR_DPC_INVALID, parameter 1 0 (a
 * timer object), parameter 2 the timer or the bad value. High resolution
 * changes nothing (ntbox's timers are as precise as the host's clock);
 * neither does a no-wake tolerance (ntbox's processors never sleep). */
#include "ke/deferred.h"

#include "ke/bugcheck.h"
#include "ke/dispatcher.h"
#include "ke/irql.h"

#include <stdlib.h>

#define TIMER_OR_DPC_INVALID 0xC7

struct _EX_TIMER {
    KTIMER timer;               /* first: the waitable object */
    KDPC dpc;
    PEXT_CALLBACK callback;
    PVOID context;
    ULONG attributes;
    KSPIN_LOCK lock;            /* over the three fields below */
    BOOLEAN deleted;            /* ExDeleteTimer was called */
    BOOLEAN delete_on_expiry;   /* ... with Cancel FALSE while the timer was set */
    BOOLEAN reaper_queued;
    EXT_DELETE_PARAMETERS delete;
    WORK_QUEUE_ITEM reaper;
};

__attribute__((noreturn)) static void ex_timer_misuse(ULONG_PTR what, const void *at, const char *detail)
{
    ke_bugcheck(TIMER_OR_DPC_INVALID, 0, what, 0, 0, at, "%s", detail);
}

/* Once nothing can run on the timer any more: the delete callback at
 * DISPATCH_LEVEL (WDK, ExTimerDeleteCallback), then the memory. The
 * caller is at PASSIVE_LEVEL or APC_LEVEL, and the timer is cancelled. */
static void ex_timer_free(PEX_TIMER timer)
{
    EXT_DELETE_PARAMETERS delete = timer->delete;
    KIRQL irql;

    KeFlushQueuedDpcs();
    free(timer);
    if (delete.DeleteCallback) {
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        delete.DeleteCallback(delete.DeleteContext);
        KeLowerIrql(irql);
    }
}

static VOID NTAPI ex_timer_reap(PVOID context)
{
    ex_timer_free(context);
}

/* Under the lock: the worker frees the timer, once. */
static void ex_timer_queue_reaper(PEX_TIMER timer)
{
    if (timer->reaper_queued)
        return;
    timer->reaper_queued = TRUE;
    ExQueueWorkItem(&timer->reaper, DelayedWorkQueue);
}

static VOID NTAPI ex_timer_expired(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    PEX_TIMER timer = context;
    (void)dpc;
    (void)arg1;
    (void)arg2;

    if (timer->callback)
        timer->callback(timer, timer->context);
    KeAcquireSpinLockAtDpcLevel(&timer->lock);
    if (timer->delete_on_expiry) {
        /* A periodic timer deleted without cancelling expires once more. */
        KeCancelTimer(&timer->timer);
        ex_timer_queue_reaper(timer);
    }
    KeReleaseSpinLockFromDpcLevel(&timer->lock);
}

/* A timer object of the system's: a synchronization timer unless
 * EX_TIMER_NOTIFICATION, not set. NULL when memory runs out.
 * EX_TIMER_HIGH_RESOLUTION together with EX_TIMER_NO_WAKE bug checks, as
 * does an unknown attribute bit (WDK, ExAllocateTimer); IRQL <=
 * DISPATCH_LEVEL. */
PEX_TIMER NTAPI ExAllocateTimer(PEXT_CALLBACK Callback, PVOID CallbackContext, ULONG Attributes)
{
    const ULONG known = EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE | EX_TIMER_NOTIFICATION;
    PEX_TIMER timer;

    if ((Attributes & ~known) || ((Attributes & EX_TIMER_HIGH_RESOLUTION) && (Attributes & EX_TIMER_NO_WAKE)))
        ex_timer_misuse(Attributes, __builtin_return_address(0),
                        "ExAllocateTimer: Attributes must be EX_TIMER_NOTIFICATION with at most one of "
                        "EX_TIMER_HIGH_RESOLUTION and EX_TIMER_NO_WAKE.");
    timer = calloc(1, sizeof *timer);
    if (!timer)
        return NULL;
    KeInitializeTimerEx(&timer->timer, Attributes & EX_TIMER_NOTIFICATION ? NotificationTimer : SynchronizationTimer);
    KeInitializeDpc(&timer->dpc, ex_timer_expired, timer);
    KeInitializeSpinLock(&timer->lock);
    ExInitializeWorkItem(&timer->reaper, ex_timer_reap, timer);
    timer->callback = Callback;
    timer->context = CallbackContext;
    timer->attributes = Attributes;
    return timer;
}

/* Sets the timer to expire at DueTime (negative: relative; 100 ns units)
 * and every Period after that (0: once), cancelling an earlier setting:
 * TRUE if that one was still pending, else FALSE; FALSE without setting
 * anything once ExDeleteTimer was called. An absolute DueTime on a
 * high-resolution timer, a Period above MAXLONG or below 0, or a negative
 * NoWakeTolerance other than EX_TIMER_UNLIMITED_TOLERANCE bug checks
 * (WDK, ExSetTimer, EXT_SET_PARAMETERS); IRQL <= DISPATCH_LEVEL. */
BOOLEAN NTAPI ExSetTimer(PEX_TIMER Timer, LONGLONG DueTime, LONGLONG Period, PEXT_SET_PARAMETERS Parameters)
{
    const void *at = __builtin_return_address(0);
    LARGE_INTEGER due = { .QuadPart = DueTime };
    BOOLEAN was_set = FALSE;
    KIRQL irql;

    if (DueTime >= 0 && (Timer->attributes & EX_TIMER_HIGH_RESOLUTION))
        ex_timer_misuse((ULONG_PTR)Timer, at, "ExSetTimer: a high-resolution timer's DueTime must be relative "
                                              "(negative).");
    if (Period < 0 || Period > MAXLONG)
        ex_timer_misuse((ULONG_PTR)Period, at, "ExSetTimer: Period must be between 0 and MAXLONG.");
    if (Parameters && Parameters->NoWakeTolerance < 0 && Parameters->NoWakeTolerance != EX_TIMER_UNLIMITED_TOLERANCE)
        ex_timer_misuse((ULONG_PTR)Parameters->NoWakeTolerance, at,
                        "ExSetTimer: NoWakeTolerance must be 0 or more, or EX_TIMER_UNLIMITED_TOLERANCE.");
    KeAcquireSpinLock(&Timer->lock, &irql);
    if (!Timer->deleted)
        was_set = ke_timer_set(&Timer->timer, due, (ULONGLONG)Period, &Timer->dpc, (const void *)Timer->callback, at);
    KeReleaseSpinLock(&Timer->lock, irql);
    return was_set;
}

/* Cancels the pending expiry: TRUE if the timer was set, FALSE if not (it
 * never was, expired or was cancelled, or ExDeleteTimer was called). A
 * cancelled timer is not signalled and its callback not called (WDK,
 * ExCancelTimer: Parameters must be NULL); IRQL <= DISPATCH_LEVEL. */
BOOLEAN NTAPI ExCancelTimer(PEX_TIMER Timer, PEXT_CANCEL_PARAMETERS Parameters)
{
    BOOLEAN was_set = FALSE;
    KIRQL irql;

    (void)Parameters;
    KeAcquireSpinLock(&Timer->lock, &irql);
    if (!Timer->deleted)
        was_set = KeCancelTimer(&Timer->timer);
    KeReleaseSpinLock(&Timer->lock, irql);
    return was_set;
}

/* Deletes the timer. Cancel TRUE cancels a pending expiry (the return is
 * then TRUE); FALSE lets it expire first (and the return is FALSE). Wait
 * TRUE (which needs Cancel TRUE, else a bug check; and IRQL <= APC_LEVEL)
 * returns only once an expiry in progress has finished, the timer is gone
 * and the delete callback has run; with Wait FALSE they may happen after
 * the return. A second call returns FALSE and does nothing (WDK,
 * ExDeleteTimer; Deleting a System-Allocated Timer Object); IRQL <=
 * DISPATCH_LEVEL. */
BOOLEAN NTAPI ExDeleteTimer(PEX_TIMER Timer, BOOLEAN Cancel, BOOLEAN Wait, PEXT_DELETE_PARAMETERS Parameters)
{
    const void *at = __builtin_return_address(0);
    BOOLEAN cancelled = FALSE;
    KIRQL irql;

    if (Wait && !Cancel)
        ex_timer_misuse((ULONG_PTR)Timer, at, "ExDeleteTimer: Wait TRUE needs Cancel TRUE.");
    if (Wait)
        ke_wait_check_irql("ExDeleteTimer", Timer, NULL, at);
    KeAcquireSpinLock(&Timer->lock, &irql);
    if (Timer->deleted) {
        KeReleaseSpinLock(&Timer->lock, irql);
        return FALSE;
    }
    Timer->deleted = TRUE;
    if (Parameters)
        Timer->delete = *Parameters;
    if (Cancel)
        cancelled = KeCancelTimer(&Timer->timer);
    else
        Timer->delete_on_expiry = ke_timer_is_set(&Timer->timer);
    /* An expiry may still be queued or running: only the worker, or a
     * caller allowed to wait, flushes the DPCs before freeing. */
    if (!Wait && !Timer->delete_on_expiry)
        ex_timer_queue_reaper(Timer);
    KeReleaseSpinLock(&Timer->lock, irql);
    if (Wait)
        ex_timer_free(Timer);
    return cancelled;
}
