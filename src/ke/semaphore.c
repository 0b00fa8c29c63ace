/* ke/semaphore.c: semaphore objects: KeInitializeSemaphore,
 * KeReleaseSemaphore, KeReadStateSemaphore.
 *
 * A KSEMAPHORE is a dispatcher object (Type 5) whose SignalState is its
 * count: signalled while above zero, each satisfied wait takes one, a
 * release adds Adjustment, never past Limit. Going past it raises
 * STATUS_SEMAPHORE_LIMIT_EXCEEDED, which no driver handler catches in
 * ntbox (no SEH yet): the run stops with the unhandled-exception bugcheck. */
#include "ke/dispatcher.h"

#include "ke/bugcheck.h"

#include <stdio.h>

/* Sets Type 5, Size 8 LONGs, the count (SignalState) and the limit; any
 * IRQL (WDK, KeInitializeSemaphore). */
VOID NTAPI KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    ke_dispatcher_init(&Semaphore->Header, KE_SEMAPHORE, sizeof(KSEMAPHORE) / sizeof(LONG), Count);
    Semaphore->Limit = Limit;
}

/* Adds Adjustment to the count and satisfies as many waits as it can;
 * returns the previous count (0: it was not signalled). A count past Limit
 * (or an Adjustment that would lower it) is not applied and raises
 * STATUS_SEMAPHORE_LIMIT_EXCEEDED. IRQL <= DISPATCH_LEVEL (WDK,
 * KeReleaseSemaphore). */
LONG NTAPI KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    ke_dispatcher_lock();
    LONG previous = Semaphore->Header.SignalState;
    LONG limit = Semaphore->Limit;
    if (Adjustment > limit - previous || Adjustment < 0) {
        char detail[160];
        ke_dispatcher_unlock();
        snprintf(detail, sizeof detail, "KeReleaseSemaphore(0x%016llx, Adjustment %d): count %d, limit %d.",
                 (unsigned long long)(ULONG_PTR)Semaphore, (int)Adjustment, (int)previous, (int)limit);
        ke_unhandled_exception(STATUS_SEMAPHORE_LIMIT_EXCEEDED, __builtin_return_address(0), detail);
    }
    Semaphore->Header.SignalState = previous + Adjustment;
    ke_dispatcher_signal(&Semaphore->Header);
    ke_dispatcher_unlock();
    return previous;
}

/* The current count; zero means not signalled. Any IRQL (WDK,
 * KeReadStateSemaphore). */
LONG NTAPI KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    return __atomic_load_n(&Semaphore->Header.SignalState, __ATOMIC_RELAXED);
}
