/* ke/guarded_mutex.c: the mutex core (see guarded_mutex.h) and guarded
 * mutexes: KeInitializeGuardedMutex, KeAcquireGuardedMutex,
 * KeTryToAcquireGuardedMutex, KeReleaseGuardedMutex, and the Unsafe forms.
 *
 * A guarded mutex keeps the IRQL and enters a guarded region instead (all
 * APCs disabled) while it is held. */
#include "ke/guarded_mutex.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"

#include <stdio.h>

void ke_gmutex_init(PKGUARDED_MUTEX mutex)
{
    vf_lock_forget(mutex, sizeof *mutex);
    mutex->Count = FM_LOCK_BIT;
    mutex->Owner = NULL;
    mutex->Contention = 0;
    KeInitializeEvent(&mutex->Event, SynchronizationEvent, FALSE);
    mutex->OldIrql = 0;
}

/* Recursion deadlocks on Windows: the thread waits for itself forever. */
__attribute__((noreturn)) static void ke_gmutex_recursion(PKGUARDED_MUTEX mutex, struct ke_thread *self,
                                                          const char *routine, const void *at)
{
    char first[32] = "an earlier call";
    const struct ke_held_lock *held = ke_held_lock_find(self, mutex);

    if (held)
        snprintf(first, sizeof first, "0x%016llx", (unsigned long long)(ULONG_PTR)held->at);
    ke_bugcheck(0xC4, 0x1000, (ULONG_PTR)mutex, 0, 0, at,
                "%s(0x%016llx): this thread already owns the mutex (acquired at %s, the call that returns to "
                "%s); acquiring it again (the call returning to 0x%016llx) waits for itself forever on Windows.",
                routine, (unsigned long long)(ULONG_PTR)mutex, first, first,
                (unsigned long long)(ULONG_PTR)at);
}

void NTAPI ke_gmutex_acquire_slow(PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    struct ke_thread *self = ke_thread_current();
    PVOID event[1] = { &mutex->Event };
    bool waiting = false;

    if (mutex->Owner == (PKTHREAD)self)
        ke_gmutex_recursion(mutex, self, routine, at);
    __atomic_add_fetch(&mutex->Contention, 1, __ATOMIC_RELAXED);
    for (;;) {
        LONG old = __atomic_load_n(&mutex->Count, __ATOMIC_RELAXED), new;
        if (old & FM_LOCK_BIT)
            new = (old & ~FM_LOCK_BIT) - (waiting ? KE_GMUTEX_WAITER : 0);
        else if (!waiting)
            new = old + KE_GMUTEX_WAITER;
        else {
            ke_wait_note(self, routine, KE_LOCK_GMUTEX, mutex);
            ke_dispatcher_wait(1, event, WaitAny, NULL, self->builtin, at);
            continue;
        }
        if (__atomic_compare_exchange_n(&mutex->Count, &old, new, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            if (old & FM_LOCK_BIT)
                break;
            waiting = true;
        }
    }
    ke_gmutex_own(mutex, self, at);
}

void NTAPI ke_gmutex_release_not_owner(PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    PKTHREAD owner = mutex->Owner, self = (PKTHREAD)ke_thread_current();

    if (!owner)
        ke_bugcheck(0xC4, 0x1007, (ULONG_PTR)mutex, 0, 0, at,
                    "%s(0x%016llx): the mutex is not held (released twice, or never acquired).", routine,
                    (unsigned long long)(ULONG_PTR)mutex);
    ke_bugcheck(0xC4, 0x1004, (ULONG_PTR)mutex, (ULONG_PTR)owner, (ULONG_PTR)self, at,
                "%s(0x%016llx): the mutex is owned by thread 0x%016llx, not by this one (0x%016llx).", routine,
                (unsigned long long)(ULONG_PTR)mutex, (unsigned long long)(ULONG_PTR)owner,
                (unsigned long long)(ULONG_PTR)self);
}

static void ke_gmutex_check_unsafe(ULONG subcode, PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    struct ke_thread *self = ke_thread_current();
    bool apcs_off = self->kernel_apc_disable != 0 || self->special_apc_disable != 0;

    if (irql == APC_LEVEL || (irql < APC_LEVEL && apcs_off))
        return;
    ke_bugcheck(0xC4, subcode, irql, (ULONG_PTR)(LONG)self->kernel_apc_disable, (ULONG_PTR)mutex, at,
                "%s(0x%016llx) at %s%s: the caller must be at APC_LEVEL, or below it inside a critical or "
                "guarded region.",
                routine, (unsigned long long)(ULONG_PTR)mutex, ke_irql_name(irql),
                irql < APC_LEVEL ? " with APCs enabled" : "");
}

void NTAPI ke_gmutex_acquire_unsafe(PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    ke_gmutex_check_unsafe(0x39, mutex, routine, at);
    ke_gmutex_acquire(mutex, routine, at);
}

void NTAPI ke_gmutex_release_unsafe(PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    ke_gmutex_check_unsafe(0x3A, mutex, routine, at);
    ke_gmutex_release(mutex, routine, at);
}

/* An IRQL above APC_LEVEL: 0xC4/subcode (P2 the IRQL, P3 the mutex),
 * Driver Verifier's fast mutex checks; NTAPI and out of line, as
 * ke_gmutex_acquire_slow. */
__attribute__((noreturn, noinline)) static void NTAPI ke_gmutex_bad_irql(ULONG subcode, PKGUARDED_MUTEX mutex,
                                                                        const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    ke_bugcheck(0xC4, subcode, irql, (ULONG_PTR)mutex, 0, at, "%s(0x%016llx) at %s: callers must be at IRQL <= "
                "APC_LEVEL.", routine, (unsigned long long)(ULONG_PTR)mutex, ke_irql_name(irql));
}

static void ke_gmutex_check_acquire_irql(PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    if (ke_irql_get() > APC_LEVEL)
        ke_gmutex_bad_irql(0x33, mutex, routine, at);
}

/* Sets the mutex free, with no owner; IRQL <= DISPATCH_LEVEL (WDK,
 * KeInitializeGuardedMutex). */
NTKERNELAPI VOID FASTCALL KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    ke_gmutex_init(Mutex);
}

/* Enters a guarded region and acquires, waiting while another thread owns
 * the mutex; IRQL <= APC_LEVEL (WDK, KeAcquireGuardedMutex). */
NTKERNELAPI VOID FASTCALL KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    const void *at = __builtin_return_address(0);
    ke_gmutex_check_acquire_irql(Mutex, "KeAcquireGuardedMutex", at);
    ke_thread_current()->special_apc_disable--;
    ke_gmutex_acquire(Mutex, "KeAcquireGuardedMutex", at);
}

/* One attempt, in a guarded region: TRUE and the mutex owned (the region
 * stays until the release), or FALSE with the region left; IRQL <=
 * APC_LEVEL (WDK, KeTryToAcquireGuardedMutex). */
NTKERNELAPI BOOLEAN FASTCALL KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    const void *at = __builtin_return_address(0);
    struct ke_thread *self = ke_thread_current();

    ke_gmutex_check_acquire_irql(Mutex, "KeTryToAcquireGuardedMutex", at);
    self->special_apc_disable--;
    if (ke_gmutex_try(Mutex, at))
        return TRUE;
    self->special_apc_disable++;
    return FALSE;
}

/* Releases and leaves the guarded region; IRQL <= APC_LEVEL (WDK,
 * KeReleaseGuardedMutex). */
NTKERNELAPI VOID FASTCALL KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    const void *at = __builtin_return_address(0);

    if (ke_irql_get() > APC_LEVEL)
        ke_gmutex_bad_irql(0x34, Mutex, "KeReleaseGuardedMutex", at);
    ke_gmutex_release(Mutex, "KeReleaseGuardedMutex", at);
    ke_thread_current()->special_apc_disable++;
}

/* Acquires without entering a guarded region: the caller is at APC_LEVEL
 * or in a guarded or critical region already (WDK,
 * KeAcquireGuardedMutexUnsafe); else 0xC4/0x39. */
NTKERNELAPI VOID FASTCALL KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex)
{
    ke_gmutex_acquire_unsafe(FastMutex, "KeAcquireGuardedMutexUnsafe", __builtin_return_address(0));
}

/* Releases one KeAcquireGuardedMutexUnsafe acquired, under the same rule
 * (WDK, KeReleaseGuardedMutexUnsafe); else 0xC4/0x3A. */
NTKERNELAPI VOID FASTCALL KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex)
{
    ke_gmutex_release_unsafe(FastMutex, "KeReleaseGuardedMutexUnsafe", __builtin_return_address(0));
}
