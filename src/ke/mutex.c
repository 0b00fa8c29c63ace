/* ke/mutex.c: kernel mutex objects: KeInitializeMutex, KeReleaseMutex,
 * KeReadStateMutex, and a wait's acquisition of one (ke_mutant_take).
 *
 * A KMUTEX is a dispatcher object (Type 2, a mutant) whose SignalState is
 * 1 when free and 1 - n while its owner holds it n times: a wait by the
 * owner is satisfied at once (recursion), each release gives one back. The
 * owner's normal kernel APCs are disabled while it holds one (ApcDisable
 * is 1: KernelApcDisable drops by one), but its IRQL does not change.
 * Misuse ends the run: releasing a mutex the thread does not own is Driver
 * Verifier's deadlock-detection finding (0xC4/0x1004, or 0x1007 when no
 * one owns it), which Windows without Verifier raises as
 * STATUS_MUTANT_NOT_OWNED; a thread that exits owning one is stopped at its
 * exit (ps/thread.c, bug check 0x20: its APC disable count is not 0). */
#include "ke/dispatcher.h"

#include "ke/bugcheck.h"
#include "verifier/lock_order.h"

void ke_mutant_take(PKMUTANT mutant, struct ke_thread *thread)
{
    if (mutant->Header.SignalState-- == 1) {
        mutant->OwnerThread = (PKTHREAD)thread;
        InsertHeadList(&thread->mutants, &mutant->MutantListEntry);
        thread->kernel_apc_disable -= mutant->ApcDisable;
    }
}

/* Sets the mutex signalled (free): Type 2, Size 14 LONGs, SignalState 1,
 * no owner, not abandoned, ApcDisable 1; Level is reserved (WDK,
 * KeInitializeMutex). Any IRQL. */
VOID NTAPI KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    (void)Level;
    vf_lock_forget(Mutex, sizeof *Mutex);
    ke_dispatcher_init(&Mutex->Header, KE_MUTANT, sizeof(KMUTEX) / sizeof(LONG), 1);
    InitializeListHead(&Mutex->MutantListEntry);
    Mutex->OwnerThread = NULL;
    Mutex->Abandoned = FALSE;
    Mutex->ApcDisable = 1;
}

/* Gives back one acquisition; at the last the mutex is signalled, leaves
 * the owner's list, its APCs come back and a waiter may take it. Returns
 * the previous SignalState: 0 when the mutex became signalled. IRQL <=
 * DISPATCH_LEVEL (WDK, KeReleaseMutex). */
LONG NTAPI KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    const void *at = __builtin_return_address(0);
    struct ke_thread *self = ke_thread_current();
    (void)Wait;

    ke_dispatcher_lock();
    PKTHREAD owner = Mutex->OwnerThread;
    if (owner != (PKTHREAD)self) {
        ke_dispatcher_unlock();
        if (!owner)
            ke_bugcheck(0xC4, 0x1007, (ULONG_PTR)Mutex, 0, 0, at,
                        "KeReleaseMutex(0x%016llx): the mutex is not held by any thread (released twice, or "
                        "never acquired); Windows raises STATUS_MUTANT_NOT_OWNED.",
                        (unsigned long long)(ULONG_PTR)Mutex);
        ke_bugcheck(0xC4, 0x1004, (ULONG_PTR)Mutex, (ULONG_PTR)owner, (ULONG_PTR)self, at,
                    "KeReleaseMutex(0x%016llx): the mutex is owned by thread 0x%016llx, not by this one "
                    "(0x%016llx); only the owner can release it. Windows raises STATUS_MUTANT_NOT_OWNED.",
                    (unsigned long long)(ULONG_PTR)Mutex, (unsigned long long)(ULONG_PTR)owner,
                    (unsigned long long)(ULONG_PTR)self);
    }
    vf_lock_release(Mutex);
    LONG previous = Mutex->Header.SignalState++;
    if (Mutex->Header.SignalState == 1) {
        Mutex->OwnerThread = NULL;
        RemoveEntryList(&Mutex->MutantListEntry);
        InitializeListHead(&Mutex->MutantListEntry);
        self->kernel_apc_disable += Mutex->ApcDisable;
        ke_dispatcher_signal(&Mutex->Header);
    }
    ke_dispatcher_unlock();
    return previous;
}

/* The SignalState: 1 when signalled (free), 0 or less while owned; read
 * without synchronization, as Windows reads it. IRQL <= DISPATCH_LEVEL
 * (WDK, KeReadStateMutex). */
LONG NTAPI KeReadStateMutex(PRKMUTEX Mutex)
{
    return __atomic_load_n(&Mutex->Header.SignalState, __ATOMIC_RELAXED);
}
