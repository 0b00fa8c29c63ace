/* ex/rundown.c: rundown protection: ExInitializeRundownProtection,
 * ExReInitializeRundownProtection, ExAcquireRundownProtection(Ex),
 * ExReleaseRundownProtection(Ex), ExWaitForRundownProtectionRelease,
 * ExRundownCompleted.
 *
 * EX_RUNDOWN_REF.Count holds the references, two per reference, with bit 0
 * clear; references are taken and dropped with compare-exchanges. The
 * rundown sets bit 0, after which no reference is granted: if references
 * remain, the waiting thread moves their count into a wait block on its
 * stack and the word becomes that block's address | 1; the last release
 * counts the block down to zero and sets its event. When the wait is over
 * the word is left as the bare bit (rundown complete, what
 * ExRundownCompleted sets), not the dead block's address, so a release
 * after the rundown is reported instead of writing into a stack. */
#include "ke/dispatcher.h"

#include "base/diag.h"
#include "ke/irql.h"

#include <stdbool.h>

#define EX_RUNDOWN_ACTIVE 0x1
#define EX_RUNDOWN_COUNT_INC 0x2

struct ex_rundown_wait_block {
    ULONG_PTR count; /* references left */
    KEVENT wake;
};

static bool ex_rundown_cas(PEX_RUNDOWN_REF ref, ULONG_PTR old, ULONG_PTR new)
{
    return __atomic_compare_exchange_n(&ref->Count, &old, new, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static BOOLEAN ex_rundown_acquire(PEX_RUNDOWN_REF ref, ULONG count)
{
    for (;;) {
        ULONG_PTR value = __atomic_load_n(&ref->Count, __ATOMIC_RELAXED);
        if (value & EX_RUNDOWN_ACTIVE)
            return FALSE;
        if (ex_rundown_cas(ref, value, value + (ULONG_PTR)count * EX_RUNDOWN_COUNT_INC))
            return TRUE;
    }
}

static void ex_rundown_release(PEX_RUNDOWN_REF ref, ULONG count, const char *routine)
{
    for (;;) {
        ULONG_PTR value = __atomic_load_n(&ref->Count, __ATOMIC_RELAXED);
        if (value & EX_RUNDOWN_ACTIVE) {
            struct ex_rundown_wait_block *block = (void *)(value & ~(ULONG_PTR)EX_RUNDOWN_ACTIVE);
            if (!block) {
                diag_warn("%s(%p): the rundown has completed; this reference was released after "
                          "ExWaitForRundownProtectionRelease returned", routine, (void *)ref);
                return;
            }
            if (__atomic_sub_fetch(&block->count, count, __ATOMIC_ACQ_REL) == 0)
                KeSetEvent(&block->wake, 0, FALSE);
            return;
        }
        if (ex_rundown_cas(ref, value, value - (ULONG_PTR)count * EX_RUNDOWN_COUNT_INC))
            return;
    }
}

/* No references, no rundown (WDK, ExInitializeRundownProtection). */
NTKERNELAPI VOID FASTCALL ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    RunRef->Count = 0;
}

/* Back to the initial state after a completed rundown (WDK,
 * ExReInitializeRundownProtection). */
NTKERNELAPI VOID FASTCALL ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, 0, __ATOMIC_RELEASE);
}

/* A reference, TRUE, unless a rundown has begun: FALSE. IRQL <=
 * DISPATCH_LEVEL (WDK, ExAcquireRundownProtection). */
NTKERNELAPI BOOLEAN FASTCALL ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    return ex_rundown_acquire(RunRef, 1);
}

/* Count references at once (WDK, ExAcquireRundownProtectionEx). */
NTKERNELAPI BOOLEAN FASTCALL ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    return ex_rundown_acquire(RunRef, Count);
}

/* Drops a reference; the last one during a rundown ends its wait. IRQL
 * <= DISPATCH_LEVEL (WDK, ExReleaseRundownProtection). */
NTKERNELAPI VOID FASTCALL ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    ex_rundown_release(RunRef, 1, "ExReleaseRundownProtection");
}

/* Drops Count references (WDK, ExReleaseRundownProtectionEx). */
NTKERNELAPI VOID FASTCALL ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    ex_rundown_release(RunRef, Count, "ExReleaseRundownProtectionEx");
}

/* Refuses new references and waits until every reference is released;
 * IRQL < DISPATCH_LEVEL (WDK, ExWaitForRundownProtectionRelease). */
NTKERNELAPI VOID FASTCALL ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef)
{
    const void *at = __builtin_return_address(0);
    struct ex_rundown_wait_block block;
    LARGE_INTEGER never_zero = { .QuadPart = -1 };

    ke_wait_check_irql("ExWaitForRundownProtectionRelease", RunRef, &never_zero, at);
    for (;;) {
        ULONG_PTR value = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED);
        if (value & EX_RUNDOWN_ACTIVE)
            return; /* another rundown ran, or runs: nothing to wait for here */
        if (value == 0) {
            if (ex_rundown_cas(RunRef, 0, EX_RUNDOWN_ACTIVE))
                return;
            continue;
        }
        block.count = value / EX_RUNDOWN_COUNT_INC;
        KeInitializeEvent(&block.wake, NotificationEvent, FALSE);
        if (ex_rundown_cas(RunRef, value, (ULONG_PTR)&block | EX_RUNDOWN_ACTIVE))
            break;
    }
    PVOID objects[1] = { &block.wake };
    struct ke_thread *self = ke_thread_current();
    ke_wait_note(self, "ExWaitForRundownProtectionRelease", KE_LOCK_RUNDOWN, RunRef);
    ke_dispatcher_wait(1, objects, WaitAny, NULL, self->builtin, at);
    __atomic_store_n(&RunRef->Count, EX_RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
}

/* Marks the rundown complete: no reference will be granted (WDK,
 * ExRundownCompleted). */
NTKERNELAPI VOID FASTCALL ExRundownCompleted(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, EX_RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
}
