/* ex/push_lock.c: push locks: ExInitializePushLock,
 * ExAcquirePushLockExclusiveEx, ExAcquirePushLockSharedEx,
 * ExTryAcquirePushLockExclusiveEx, ExTryAcquirePushLockSharedEx,
 * ExReleasePushLockExclusiveEx, ExReleasePushLockSharedEx,
 * ExReleasePushLockEx (the WDK's ExAcquirePushLockExclusive & co. are
 * macros over them).
 *
 * The lock is its one pointer-sized word, as on Windows: Locked (bit 0)
 * for an exclusive owner, Waiting (bit 1) when someone sleeps on it, and
 * the shared owners counted from bit 4. Waiters sleep on a futex on the
 * word's low half (x64 is little-endian; the count never reaches the high
 * half) and are all woken when the lock is free again, to compete anew:
 * like Windows', the lock is not fair. There is no owner, so recursion
 * hangs as on Windows. Checks: Driver Verifier's 0xC4/0xEA and 0xEB (a
 * push lock acquired or released with normal kernel APCs enabled), and
 * 0x1007 for releasing a push lock that is not held that way. */
#include "ke/dispatcher.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "verifier/lock_order.h"

#include <limits.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EX_PUSH_LOCK_LOCKED 0x1
#define EX_PUSH_LOCK_WAITING 0x2
#define EX_PUSH_LOCK_SHARE 0x10

static ULONG_PTR ex_load(PEX_PUSH_LOCK lock)
{
    return __atomic_load_n(&lock->Value, __ATOMIC_RELAXED);
}

static bool ex_cas(PEX_PUSH_LOCK lock, ULONG_PTR old, ULONG_PTR new)
{
    return __atomic_compare_exchange_n(&lock->Value, &old, new, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* Sleeps while the word still reads `seen` (with Waiting set). */
static void ex_sleep(PEX_PUSH_LOCK lock, ULONG_PTR seen)
{
    syscall(SYS_futex, (int *)&lock->Value, FUTEX_WAIT_PRIVATE, (int)(ULONG)seen, NULL, NULL, 0);
}

static void ex_wake_all(PEX_PUSH_LOCK lock)
{
    syscall(SYS_futex, (int *)&lock->Value, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Push locks need normal kernel APCs disabled (WDK, ExInitializePushLock's
 * family): 0xC4/0xEA acquiring, 0xEB releasing, P2 the IRQL, P3 the APC
 * disable count, P4 the lock. */
static void ex_push_lock_check_apcs(ULONG subcode, PEX_PUSH_LOCK lock, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    struct ke_thread *self = ke_thread_current();

    if (irql >= APC_LEVEL || self->kernel_apc_disable || self->special_apc_disable)
        return;
    ke_bugcheck(0xC4, subcode, irql, (ULONG_PTR)(LONG)self->kernel_apc_disable, (ULONG_PTR)lock, at,
                "%s(0x%016llx) with normal kernel APCs enabled: call KeEnterCriticalRegion first.", routine,
                (unsigned long long)(ULONG_PTR)lock);
}

/* Attempts at a free (exclusive) or not exclusively held (shared) lock,
 * repeated while only a race fails them; on failure *seen is a value that
 * shows the lock held, so a waiter sets Waiting only on a held lock. */
static bool ex_try_exclusive(PEX_PUSH_LOCK lock, ULONG_PTR *seen)
{
    ULONG_PTR value = ex_load(lock);
    while (!(value & ~(ULONG_PTR)EX_PUSH_LOCK_WAITING))
        if (__atomic_compare_exchange_n(&lock->Value, &value, value | EX_PUSH_LOCK_LOCKED, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return true;
    *seen = value;
    return false;
}

static bool ex_try_shared(PEX_PUSH_LOCK lock, ULONG_PTR *seen)
{
    ULONG_PTR value = ex_load(lock);
    /* Behind a waiting writer, readers wait too, so writers get in. */
    while (!(value & (EX_PUSH_LOCK_LOCKED | EX_PUSH_LOCK_WAITING)))
        if (__atomic_compare_exchange_n(&lock->Value, &value, value + EX_PUSH_LOCK_SHARE, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return true;
    *seen = value;
    return false;
}

/* Takes the lock with try, sleeping between attempts once Waiting is set. */
static void ex_acquire(PEX_PUSH_LOCK lock, bool (*try)(PEX_PUSH_LOCK, ULONG_PTR *), const char *routine,
                       const void *at)
{
    struct ke_thread *self = NULL;
    ULONG_PTR seen;

    vf_lock_acquire(lock, VF_LOCK_PUSH, at);
    while (!try(lock, &seen)) {
        if (!(seen & EX_PUSH_LOCK_WAITING) && !ex_cas(lock, seen, seen | EX_PUSH_LOCK_WAITING))
            continue;
        if (!self) {
            self = ke_thread_current();
            ke_thread_block(self, KE_WAIT_PUSH_LOCK, routine, lock, at);
        }
        ex_sleep(lock, seen | EX_PUSH_LOCK_WAITING);
    }
    if (self)
        ke_thread_unblock(self);
}

static void ex_release_exclusive(PEX_PUSH_LOCK lock, const char *routine, const void *at)
{
    ULONG_PTR value = ex_load(lock);

    if (!(value & EX_PUSH_LOCK_LOCKED))
        ke_bugcheck(0xC4, 0x1007, (ULONG_PTR)lock, 0, 0, at,
                    "%s(0x%016llx): the push lock is not held exclusively (value 0x%llx).", routine,
                    (unsigned long long)(ULONG_PTR)lock, (unsigned long long)value);
    vf_lock_release(lock);
    if (__atomic_exchange_n(&lock->Value, 0, __ATOMIC_RELEASE) & EX_PUSH_LOCK_WAITING)
        ex_wake_all(lock);
}

static void ex_release_shared(PEX_PUSH_LOCK lock, const char *routine, const void *at)
{
    vf_lock_release(lock);
    for (;;) {
        ULONG_PTR value = ex_load(lock), new = value - EX_PUSH_LOCK_SHARE;
        bool wake = false;

        if ((value & EX_PUSH_LOCK_LOCKED) || value < EX_PUSH_LOCK_SHARE)
            ke_bugcheck(0xC4, 0x1007, (ULONG_PTR)lock, 0, 0, at,
                        "%s(0x%016llx): the push lock is not held shared (value 0x%llx).", routine,
                        (unsigned long long)(ULONG_PTR)lock, (unsigned long long)value);
        if (new < EX_PUSH_LOCK_SHARE && (new & EX_PUSH_LOCK_WAITING)) {
            new &= ~(ULONG_PTR)EX_PUSH_LOCK_WAITING;
            wake = true;
        }
        if (ex_cas(lock, value, new)) {
            if (wake)
                ex_wake_all(lock);
            return;
        }
    }
}

/* Sets the lock free (WDK, ExInitializePushLock); any IRQL. */
NTKERNELAPI VOID NTAPI ExInitializePushLock(PEX_PUSH_LOCK PushLock)
{
    vf_lock_forget(PushLock, sizeof *PushLock);
    PushLock->Value = 0;
}

/* Exclusive access, waiting while anyone holds it; IRQL <= APC_LEVEL,
 * APCs disabled (WDK, ExAcquirePushLockExclusive). */
NTKERNELAPI VOID FASTCALL ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    const void *at = __builtin_return_address(0);
    ex_push_lock_check_apcs(0xEA, PushLock, "ExAcquirePushLockExclusive", at);
    ex_acquire(PushLock, ex_try_exclusive, "ExAcquirePushLockExclusive", at);
}

/* Shared access, waiting while a thread holds it exclusively or waits for
 * it; IRQL <= APC_LEVEL, APCs disabled (WDK, ExAcquirePushLockShared). */
NTKERNELAPI VOID FASTCALL ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    const void *at = __builtin_return_address(0);
    ex_push_lock_check_apcs(0xEA, PushLock, "ExAcquirePushLockShared", at);
    ex_acquire(PushLock, ex_try_shared, "ExAcquirePushLockShared", at);
}

/* A try's answer; a lock it took is held from now on. */
static BOOLEAN ex_tried(PEX_PUSH_LOCK lock, bool taken, const void *at)
{
    if (taken)
        vf_lock_acquired_try(lock, VF_LOCK_PUSH, at);
    return taken;
}

/* One attempt at exclusive access: TRUE and held, or FALSE (WDK,
 * ExTryAcquirePushLockExclusive). */
NTKERNELAPI BOOLEAN FASTCALL ExTryAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    const void *at = __builtin_return_address(0);
    ULONG_PTR seen;
    (void)Flags;
    ex_push_lock_check_apcs(0xEA, PushLock, "ExTryAcquirePushLockExclusive", at);
    return ex_tried(PushLock, ex_try_exclusive(PushLock, &seen), at);
}

/* One attempt at shared access: TRUE and held, or FALSE (WDK,
 * ExTryAcquirePushLockShared). */
NTKERNELAPI BOOLEAN FASTCALL ExTryAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    const void *at = __builtin_return_address(0);
    ULONG_PTR seen;
    (void)Flags;
    ex_push_lock_check_apcs(0xEA, PushLock, "ExTryAcquirePushLockShared", at);
    return ex_tried(PushLock, ex_try_shared(PushLock, &seen), at);
}

/* Releases exclusive access and wakes the waiters (WDK,
 * ExReleasePushLockExclusive). */
NTKERNELAPI VOID FASTCALL ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    const void *at = __builtin_return_address(0);
    (void)Flags;
    ex_push_lock_check_apcs(0xEB, PushLock, "ExReleasePushLockExclusive", at);
    ex_release_exclusive(PushLock, "ExReleasePushLockExclusive", at);
}

/* Releases one shared access; the last wakes the waiters (WDK,
 * ExReleasePushLockShared). */
NTKERNELAPI VOID FASTCALL ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    const void *at = __builtin_return_address(0);
    (void)Flags;
    ex_push_lock_check_apcs(0xEB, PushLock, "ExReleasePushLockShared", at);
    ex_release_shared(PushLock, "ExReleasePushLockShared", at);
}

/* Releases whichever access the lock is held with (WDK,
 * ExReleasePushLock). */
NTKERNELAPI VOID FASTCALL ExReleasePushLockEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    const void *at = __builtin_return_address(0);
    (void)Flags;
    ex_push_lock_check_apcs(0xEB, PushLock, "ExReleasePushLock", at);
    if (ex_load(PushLock) & EX_PUSH_LOCK_LOCKED)
        ex_release_exclusive(PushLock, "ExReleasePushLock", at);
    else
        ex_release_shared(PushLock, "ExReleasePushLock", at);
}
