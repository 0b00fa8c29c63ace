/* ex/rw_spinlock.c: reader/writer spin locks (EX_SPIN_LOCK):
 * ExAcquireSpinLockShared, ExReleaseSpinLockShared,
 * ExAcquireSpinLockSharedAtDpcLevel, ExReleaseSpinLockSharedFromDpcLevel,
 * ExAcquireSpinLockExclusive, ExReleaseSpinLockExclusive,
 * ExAcquireSpinLockExclusiveAtDpcLevel,
 * ExReleaseSpinLockExclusiveFromDpcLevel,
 * ExTryConvertSharedSpinLockExclusive, ExTryAcquireSpinLockSharedAtDpcLevel,
 * ExTryAcquireSpinLockExclusiveAtDpcLevel.
 *
 * The 32-bit word: bit 31 is the writer, bits 0-29 count the readers. A
 * writer sets bit 31 as soon as no other writer has it, which keeps new
 * readers out, then waits for the readers inside to leave; readers enter
 * while bit 31 is clear. Real mutual exclusion between host threads.
 *
 * Surprise: Windows cannot tell who holds an EX_SPIN_LOCK, so a thread
 * acquiring a lock it already holds spins forever. ntbox remembers the locks
 * each thread holds and, instead of spinning on one of them, stops with
 * Driver Verifier's self-deadlock report (0xC4/0x1000); releasing a lock
 * that nobody holds in that mode is 0xC4/0x1007 while the verifier's locks
 * group is on; without it such a release leaves the free lock free. */
#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "verifier/lock_order.h"
#include "verifier/verifier.h"

#include <sched.h>
#include <stdbool.h>

#define EX_RW_WRITER 0x80000000u
#define EX_RW_READERS 0x3FFFFFFFu

/* After this many pause-spins a waiter yields: the holder is a host thread
 * that may be preempted, not a processor at DISPATCH_LEVEL. */
#define EX_RW_YIELD_AFTER 1024

/* The locks this thread holds, in either mode. Beyond the capacity, locks
 * are not remembered: their self-deadlocks would spin as on Windows. */
#define EX_RW_HELD_MAX 16
static __thread const volatile LONG *ex_rw_held[EX_RW_HELD_MAX];
static __thread unsigned ex_rw_held_count;

static void ex_rw_remember(PEX_SPIN_LOCK lock)
{
    if (ex_rw_held_count < EX_RW_HELD_MAX)
        ex_rw_held[ex_rw_held_count++] = lock;
}

static void ex_rw_forget(PEX_SPIN_LOCK lock)
{
    vf_lock_release(lock);
    for (unsigned i = ex_rw_held_count; i-- > 0;)
        if (ex_rw_held[i] == lock) {
            ex_rw_held[i] = ex_rw_held[--ex_rw_held_count];
            return;
        }
}

static bool ex_rw_held_here(PEX_SPIN_LOCK lock)
{
    for (unsigned i = 0; i < ex_rw_held_count; i++)
        if (ex_rw_held[i] == lock)
            return true;
    return false;
}

/* Waits while any of `busy` bits is set in the lock. A thread that holds
 * the lock itself would wait forever: that is the self-deadlock report. */
static void ex_rw_wait(PEX_SPIN_LOCK lock, ULONG busy, const char *routine, const void *at)
{
    if (ex_rw_held_here(lock))
        ke_bugcheck(0xC4, 0x1000, (ULONG_PTR)lock, 0, 0, at,
                    "%s(0x%016llx): this thread already holds the spin lock (0x%08X); on Windows it would spin "
                    "forever (self-deadlock).",
                    routine, (unsigned long long)(ULONG_PTR)lock, (unsigned)*lock);
    for (unsigned spins = 0; (ULONG)__atomic_load_n(lock, __ATOMIC_RELAXED) & busy; spins++) {
        if (spins >= EX_RW_YIELD_AFTER)
            sched_yield();
        else
            __builtin_ia32_pause();
    }
}

/* One attempt at entering as a reader: fails only while a writer is in or
 * waiting; another reader's concurrent entry is retried. */
static bool ex_rw_try_shared(PEX_SPIN_LOCK lock)
{
    LONG old = __atomic_load_n(lock, __ATOMIC_RELAXED);
    while (!((ULONG)old & EX_RW_WRITER))
        if (__atomic_compare_exchange_n(lock, &old, old + 1, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return true;
    return false;
}

static void ex_rw_acquire_shared(PEX_SPIN_LOCK lock, const char *routine, const void *at)
{
    vf_lock_acquire(lock, VF_LOCK_RW_SPIN, at);
    while (!ex_rw_try_shared(lock))
        ex_rw_wait(lock, EX_RW_WRITER, routine, at);
    ex_rw_remember(lock);
}

static void ex_rw_acquire_exclusive(PEX_SPIN_LOCK lock, const char *routine, const void *at)
{
    vf_lock_acquire(lock, VF_LOCK_RW_SPIN, at);
    for (;;) {
        LONG old = __atomic_load_n(lock, __ATOMIC_RELAXED);
        if (!((ULONG)old & EX_RW_WRITER) &&
            __atomic_compare_exchange_n(lock, &old, (LONG)((ULONG)old | EX_RW_WRITER), false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            break;
        ex_rw_wait(lock, EX_RW_WRITER, routine, at);
    }
    if ((ULONG)__atomic_load_n(lock, __ATOMIC_ACQUIRE) & EX_RW_READERS)
        ex_rw_wait(lock, EX_RW_READERS, routine, at);
    ex_rw_remember(lock);
}

__attribute__((cold)) static void ex_rw_not_held(PEX_SPIN_LOCK lock, const char *mode, const char *routine,
                                                 const void *at)
{
    if (vf_enabled(VF_LOCKS))
        ke_bugcheck(0xC4, 0x1007, (ULONG_PTR)lock, 0, 0, at, "%s(0x%016llx): the spin lock is not held %s (0x%08X).",
                    routine, (unsigned long long)(ULONG_PTR)lock, mode, (unsigned)*lock);
}

static void ex_rw_release_shared(PEX_SPIN_LOCK lock, const char *routine, const void *at)
{
    LONG old = __atomic_load_n(lock, __ATOMIC_RELAXED);
    do {
        if (!((ULONG)old & EX_RW_READERS)) {
            ex_rw_not_held(lock, "shared", routine, at);
            return;
        }
    } while (!__atomic_compare_exchange_n(lock, &old, old - 1, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    ex_rw_forget(lock);
}

/* While the writer bit is set no reader enters, so the word is exactly the
 * writer bit. */
static void ex_rw_release_exclusive(PEX_SPIN_LOCK lock, const char *routine, const void *at)
{
    if (!((ULONG)__atomic_load_n(lock, __ATOMIC_RELAXED) & EX_RW_WRITER)) {
        ex_rw_not_held(lock, "exclusive", routine, at);
        return;
    }
    __atomic_and_fetch(lock, (LONG)~EX_RW_WRITER, __ATOMIC_RELEASE);
    ex_rw_forget(lock);
}

/* The raising acquire: to DISPATCH_LEVEL (from above it is the
 * raise-to-lower Driver Verifier reports for KeRaiseIrql, 0xC4/0x30), then
 * the lock; returns the old IRQL. */
static KIRQL ex_rw_raise_and_acquire(PEX_SPIN_LOCK lock, bool exclusive, const char *routine, const void *at)
{
    KIRQL old = ke_irql_raise_checked(DISPATCH_LEVEL, routine, at);
    (exclusive ? ex_rw_acquire_exclusive : ex_rw_acquire_shared)(lock, routine, at);
    return old;
}

/* The lowering release: the lock, then back to old_irql (0xC4/0x31 if
 * that would raise). */
static void ex_rw_release_and_lower(PEX_SPIN_LOCK lock, bool exclusive, KIRQL old_irql, const char *routine,
                                    const void *at)
{
    (exclusive ? ex_rw_release_exclusive : ex_rw_release_shared)(lock, routine, at);
    ke_irql_lower_checked(old_irql, routine, at);
}

/* Raises to DISPATCH_LEVEL, acquires for shared access, returns the old
 * IRQL; caller at <= DISPATCH_LEVEL (WDK, ExAcquireSpinLockShared). */
KIRQL NTAPI ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock)
{
    return ex_rw_raise_and_acquire(SpinLock, false, "ExAcquireSpinLockShared", __builtin_return_address(0));
}

/* Releases shared access and lowers to OldIrql, the IRQL the acquire
 * returned; caller at DISPATCH_LEVEL (WDK, ExReleaseSpinLockShared). */
VOID NTAPI ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    ex_rw_release_and_lower(SpinLock, false, OldIrql, "ExReleaseSpinLockShared", __builtin_return_address(0));
}

/* Acquires for shared access without changing the IRQL; caller at >=
 * DISPATCH_LEVEL (WDK, ExAcquireSpinLockSharedAtDpcLevel). */
VOID NTAPI ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ex_rw_acquire_shared(SpinLock, "ExAcquireSpinLockSharedAtDpcLevel", __builtin_return_address(0));
}

/* Releases shared access without changing the IRQL; caller at >=
 * DISPATCH_LEVEL (WDK, ExReleaseSpinLockSharedFromDpcLevel). */
VOID NTAPI ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ex_rw_release_shared(SpinLock, "ExReleaseSpinLockSharedFromDpcLevel", __builtin_return_address(0));
}

/* Raises to DISPATCH_LEVEL, acquires for exclusive access, returns the old
 * IRQL; caller at <= DISPATCH_LEVEL (WDK, ExAcquireSpinLockExclusive). */
KIRQL NTAPI ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
    return ex_rw_raise_and_acquire(SpinLock, true, "ExAcquireSpinLockExclusive", __builtin_return_address(0));
}

/* Releases exclusive access and lowers to OldIrql; caller at
 * DISPATCH_LEVEL (WDK, ExReleaseSpinLockExclusive). */
VOID NTAPI ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    ex_rw_release_and_lower(SpinLock, true, OldIrql, "ExReleaseSpinLockExclusive", __builtin_return_address(0));
}

/* Acquires for exclusive access without changing the IRQL; caller at >=
 * DISPATCH_LEVEL (WDK, ExAcquireSpinLockExclusiveAtDpcLevel). */
VOID NTAPI ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ex_rw_acquire_exclusive(SpinLock, "ExAcquireSpinLockExclusiveAtDpcLevel", __builtin_return_address(0));
}

/* Releases exclusive access without changing the IRQL; caller at >=
 * DISPATCH_LEVEL (WDK, ExReleaseSpinLockExclusiveFromDpcLevel). */
VOID NTAPI ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ex_rw_release_exclusive(SpinLock, "ExReleaseSpinLockExclusiveFromDpcLevel", __builtin_return_address(0));
}

/* The caller holds the lock shared: TRUE and the lock held exclusive when
 * it is the only reader and no writer waits, else FALSE with the shared
 * hold unchanged; caller at DISPATCH_LEVEL (WDK,
 * ExTryConvertSharedSpinLockExclusive). */
LOGICAL NTAPI ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
    LONG one_reader = 1;
    return __atomic_compare_exchange_n(SpinLock, &one_reader, (LONG)EX_RW_WRITER, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

/* One attempt: TRUE and shared access, or FALSE while a writer holds or
 * waits for the lock; caller at >= DISPATCH_LEVEL (WDK,
 * ExTryAcquireSpinLockSharedAtDpcLevel). */
LOGICAL NTAPI ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    if (!ex_rw_try_shared(SpinLock))
        return FALSE;
    ex_rw_remember(SpinLock);
    vf_lock_acquired_try(SpinLock, VF_LOCK_RW_SPIN, __builtin_return_address(0));
    return TRUE;
}

/* One attempt: TRUE and exclusive access when the lock is free, else FALSE;
 * caller at >= DISPATCH_LEVEL (WDK, ExTryAcquireSpinLockExclusiveAtDpcLevel). */
LOGICAL NTAPI ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    LONG free_lock = 0;
    if (!__atomic_compare_exchange_n(SpinLock, &free_lock, (LONG)EX_RW_WRITER, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        return FALSE;
    ex_rw_remember(SpinLock);
    vf_lock_acquired_try(SpinLock, VF_LOCK_RW_SPIN, __builtin_return_address(0));
    return TRUE;
}
