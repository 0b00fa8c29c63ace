/* ke/spinlock.c: executive spin locks: KeInitializeSpinLock,
 * KeAcquireSpinLockRaiseToDpc (under the KeAcquireSpinLock macro),
 * KeReleaseSpinLock, KeAcquireSpinLockAtDpcLevel,
 * KeReleaseSpinLockFromDpcLevel, KeTryToAcquireSpinLockAtDpcLevel,
 * KeTestSpinLock, and the in-stack queued forms.
 *
 * Real mutual exclusion between host threads: a test-and-test-and-set on
 * the lock word, which holds a non-zero value naming the owning thread, so
 * recursion and releases of a lock not held are caught. Misuse is reported
 * as Driver Verifier reports it (ntbox runs with Verifier on): the IRQL rules
 * as bug check 0xC4 subcodes 0x32/0x40/0x41/0x42, and the lock-ownership
 * mistakes as its deadlock-detection subcodes 0x1000 (recursive acquire,
 * where a checked kernel says SPIN_LOCK_ALREADY_OWNED 0x0F and a free one
 * just hangs), 0x1007 (release of a free lock) and 0x1004 (release by a
 * thread that does not own it), rather than SPIN_LOCK_NOT_OWNED 0x10,
 * whose parameters Microsoft does not document. The IRQL rules belong to
 * the verifier's irql group, the releases to its locks group; with a group
 * off the routine goes on as on Windows without Verifier. A recursive
 * acquire is reported either way: it would spin forever. */
#include "ke/irql.h"

#include "ke/bugcheck.h"
#include "ke/dispatcher.h"
#include "verifier/lock_order.h"
#include "verifier/verifier.h"

#include <sched.h>
#include <stdbool.h>

/* After this many pause-spins a waiter yields: a host thread can be
 * preempted while holding the lock, unlike a processor at DISPATCH_LEVEL. */
#define KE_SPIN_YIELD_AFTER 1024

/* Its address is unique among live threads and never zero. */
static __thread char ke_spin_owner_token;

ULONG_PTR ke_spin_owner_self(void)
{
    return (ULONG_PTR)&ke_spin_owner_token;
}

/* One attempt; on failure *owner is who holds the lock. */
static bool ke_spin_lock_try(PKSPIN_LOCK lock, ULONG_PTR *owner)
{
    ULONG_PTR expected = 0;
    if (__atomic_compare_exchange_n(lock, &expected, ke_spin_owner_self(), false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED))
        return true;
    *owner = expected;
    return false;
}

void ke_spin_lock_acquire(PKSPIN_LOCK lock, const char *routine, const void *at)
{
    struct ke_thread *spinning = NULL;
    ULONG_PTR owner;

    vf_lock_acquire(lock, VF_LOCK_SPIN, at);
    while (!ke_spin_lock_try(lock, &owner)) {
        if (owner == ke_spin_owner_self())
            ke_bugcheck(0xC4, 0x1000, (ULONG_PTR)lock, 0, 0, at,
                        "%s(0x%016llx): this thread already holds the spin lock; on Windows it would spin "
                        "forever (self-deadlock).",
                        routine, (unsigned long long)(ULONG_PTR)lock);
        /* Hang reports see a spinning thread (ntbox's own threads have no
         * KTHREAD: they spin unseen). */
        if (!spinning && (spinning = ke_thread_self))
            ke_thread_block(spinning, KE_WAIT_SPIN_LOCK, routine, lock, at);
        for (unsigned spins = 0; __atomic_load_n(lock, __ATOMIC_RELAXED) != 0; spins++) {
            if (spins >= KE_SPIN_YIELD_AFTER)
                sched_yield();
            else
                __builtin_ia32_pause();
        }
    }
    if (spinning)
        ke_thread_unblock(spinning);
}

void ke_spin_lock_release(PKSPIN_LOCK lock, const char *routine, const void *at)
{
    ULONG_PTR owner = __atomic_load_n(lock, __ATOMIC_RELAXED), self = ke_spin_owner_self();

    if (owner == 0 && vf_enabled(VF_LOCKS))
        ke_bugcheck(0xC4, 0x1007, (ULONG_PTR)lock, 0, 0, at, "%s(0x%016llx): the spin lock is not held.", routine,
                    (unsigned long long)(ULONG_PTR)lock);
    if (owner && owner != self && vf_enabled(VF_LOCKS))
        ke_bugcheck(0xC4, 0x1004, (ULONG_PTR)lock, owner, self, at,
                    "%s(0x%016llx): the spin lock is held by another thread (0x%016llx), not this one "
                    "(0x%016llx).",
                    routine, (unsigned long long)(ULONG_PTR)lock, (unsigned long long)owner,
                    (unsigned long long)self);
    vf_lock_release(lock);
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* An IRQL rule of a spin lock routine broken: 0xC4/subcode, P2 the
 * current IRQL, P3 the lock (bug check 0xC4 reference), while the irql
 * group is on; else the routine goes on. */
static void ke_spin_lock_bad_irql(ULONG subcode, KIRQL irql, PKSPIN_LOCK lock, const char *routine,
                                  const char *rule, const void *at)
{
    if (vf_enabled(VF_IRQL))
        ke_bugcheck(0xC4, subcode, irql, (ULONG_PTR)lock, 0, at, "%s(0x%016llx) at %s: %s.", routine,
                (unsigned long long)(ULONG_PTR)lock, ke_irql_name(irql), rule);
}

/* Callers of the raising acquires must be at <= DISPATCH_LEVEL. Verifier
 * documents 0x42 for KeAcquireSpinLock; the in-stack queued form gets the
 * same subcode. */
static KIRQL ke_spin_lock_raise(PKSPIN_LOCK lock, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    if (irql > DISPATCH_LEVEL)
        ke_spin_lock_bad_irql(0x42, irql, lock, routine, "callers must be at <= DISPATCH_LEVEL", at);
    ke_irql_set_by(DISPATCH_LEVEL, at);
    return irql;
}

/* The AtDpcLevel forms require IRQL >= DISPATCH_LEVEL: 0x40 acquiring, 0x41
 * releasing. */
static void ke_spin_lock_require_dpc(ULONG subcode, PKSPIN_LOCK lock, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    if (irql < DISPATCH_LEVEL)
        ke_spin_lock_bad_irql(subcode, irql, lock, routine, "callers must be at >= DISPATCH_LEVEL", at);
}

/* Releasing with KeReleaseSpinLock at an IRQL other than DISPATCH_LEVEL is
 * 0xC4/0x32 (often a double release), then back to the caller's IRQL. */
static void ke_spin_lock_release_lower(PKSPIN_LOCK lock, KIRQL new_irql, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    if (irql != DISPATCH_LEVEL)
        ke_spin_lock_bad_irql(0x32, irql, lock, routine, "the IRQL must be DISPATCH_LEVEL", at);
    ke_spin_lock_release(lock, routine, at);
    ke_irql_lower_checked(new_irql, routine, at);
}

/* Sets the lock to the released state (WDK, KeInitializeSpinLock); any IRQL. */
VOID NTAPI KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    vf_lock_forget(SpinLock, sizeof *SpinLock);
    *SpinLock = 0;
}

/* Raises to DISPATCH_LEVEL, acquires, returns the old IRQL; caller at <=
 * DISPATCH_LEVEL (WDK, KeAcquireSpinLock / KeAcquireSpinLockRaiseToDpc). */
KIRQL NTAPI KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    const void *at = __builtin_return_address(0);
    KIRQL old = ke_spin_lock_raise(SpinLock, "KeAcquireSpinLock", at);
    ke_spin_lock_acquire(SpinLock, "KeAcquireSpinLock", at);
    return old;
}

/* Releases and restores NewIrql, the IRQL KeAcquireSpinLock returned;
 * caller at DISPATCH_LEVEL (WDK, KeReleaseSpinLock). */
VOID NTAPI KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    ke_spin_lock_release_lower(SpinLock, NewIrql, "KeReleaseSpinLock", __builtin_return_address(0));
}

/* Acquires without changing the IRQL; caller at >= DISPATCH_LEVEL (WDK,
 * KeAcquireSpinLockAtDpcLevel). */
VOID NTAPI KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    const void *at = __builtin_return_address(0);
    ke_spin_lock_require_dpc(0x40, SpinLock, "KeAcquireSpinLockAtDpcLevel", at);
    ke_spin_lock_acquire(SpinLock, "KeAcquireSpinLockAtDpcLevel", at);
}

/* Releases without changing the IRQL; caller at >= DISPATCH_LEVEL (WDK,
 * KeReleaseSpinLockFromDpcLevel). */
VOID NTAPI KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    const void *at = __builtin_return_address(0);
    ke_spin_lock_require_dpc(0x41, SpinLock, "KeReleaseSpinLockFromDpcLevel", at);
    ke_spin_lock_release(SpinLock, "KeReleaseSpinLockFromDpcLevel", at);
}

/* One attempt: TRUE and the lock held, or FALSE (also when this thread
 * holds it already, as the test-and-set on Windows finds it taken); caller
 * at >= DISPATCH_LEVEL, checked as for KeAcquireSpinLockAtDpcLevel (WDK,
 * KeTryToAcquireSpinLockAtDpcLevel). */
BOOLEAN FASTCALL KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    const void *at = __builtin_return_address(0);
    ULONG_PTR owner;
    ke_spin_lock_require_dpc(0x40, SpinLock, "KeTryToAcquireSpinLockAtDpcLevel", at);
    if (!ke_spin_lock_try(SpinLock, &owner))
        return FALSE;
    vf_lock_acquired_try(SpinLock, VF_LOCK_SPIN, at);
    return TRUE;
}

/* FALSE when the lock is currently held, TRUE otherwise; any IRQL (WDK,
 * KeTestSpinLock). */
BOOLEAN FASTCALL KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
    return __atomic_load_n(SpinLock, __ATOMIC_RELAXED) == 0 ? TRUE : FALSE;
}

/* Raises to DISPATCH_LEVEL and acquires, recording the lock and the old
 * IRQL in the caller's handle; caller at <= DISPATCH_LEVEL (WDK,
 * KeAcquireInStackQueuedSpinLock).
 * FIXME: not a queue: waiters are not served in FIFO order. */
VOID FASTCALL KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    const void *at = __builtin_return_address(0);
    KIRQL old = ke_spin_lock_raise(SpinLock, "KeAcquireInStackQueuedSpinLock", at);
    ke_spin_lock_acquire(SpinLock, "KeAcquireInStackQueuedSpinLock", at);
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = old;
}

/* Releases the handle's lock and restores its old IRQL; caller at
 * DISPATCH_LEVEL (WDK, KeReleaseInStackQueuedSpinLock). */
VOID FASTCALL KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    ke_spin_lock_release_lower(LockHandle->LockQueue.Lock, LockHandle->OldIrql, "KeReleaseInStackQueuedSpinLock",
                               __builtin_return_address(0));
}

/* Acquires without changing the IRQL; caller at >= DISPATCH_LEVEL (WDK,
 * KeAcquireInStackQueuedSpinLockAtDpcLevel). */
VOID FASTCALL KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    const void *at = __builtin_return_address(0);
    ke_spin_lock_require_dpc(0x40, SpinLock, "KeAcquireInStackQueuedSpinLockAtDpcLevel", at);
    ke_spin_lock_acquire(SpinLock, "KeAcquireInStackQueuedSpinLockAtDpcLevel", at);
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
}

/* Releases without changing the IRQL; caller at >= DISPATCH_LEVEL (WDK,
 * KeReleaseInStackQueuedSpinLockFromDpcLevel). */
VOID FASTCALL KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    const void *at = __builtin_return_address(0);
    PKSPIN_LOCK lock = LockHandle->LockQueue.Lock;
    ke_spin_lock_require_dpc(0x41, lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel", at);
    ke_spin_lock_release(lock, "KeReleaseInStackQueuedSpinLockFromDpcLevel", at);
}
