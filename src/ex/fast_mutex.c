/* ex/fast_mutex.c: fast mutexes: ExAcquireFastMutex,
 * ExTryToAcquireFastMutex, ExReleaseFastMutex, ExAcquireFastMutexUnsafe,
 * ExReleaseFastMutexUnsafe (ExInitializeFastMutex is the WDK's inline, in
 * km_ex.h).
 *
 * The lock is ke/guarded_mutex.h's. ExAcquireFastMutex raises to
 * APC_LEVEL and keeps the caller's IRQL in OldIrql for the release; the
 * Unsafe forms change neither. Misuse is Driver Verifier's bug check 0xC4:
 * 0x33 acquiring above APC_LEVEL, 0x34 releasing at another IRQL than
 * APC_LEVEL, 0x39/0x3A the Unsafe forms outside APC_LEVEL with APCs
 * enabled, and its deadlock-detection codes for recursion (0x1000) and
 * releases by a thread that does not own the mutex (0x1004, 0x1007). The
 * IRQL rules are the verifier's irql group: without it the routine goes on
 * as on Windows without Verifier. */
#include "ke/guarded_mutex.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "verifier/verifier.h"

/* An IRQL rule broken: 0xC4/subcode, P2 the IRQL, P3 the mutex. NTAPI
 * and out of line, so the exported routines' fast paths call nothing of
 * another calling convention (which would cost them register saves). */
__attribute__((noinline)) static void NTAPI ex_fast_mutex_bad_irql(ULONG subcode, PFAST_MUTEX mutex,
                                                                  const char *routine, const char *rule, const void *at)
{
    KIRQL irql = ke_irql_get();
    if (!vf_enabled(VF_IRQL))
        return;
    ke_bugcheck(0xC4, subcode, irql, (ULONG_PTR)mutex, 0, at, "%s(0x%016llx) at %s: %s.", routine,
                (unsigned long long)(ULONG_PTR)mutex, ke_irql_name(irql), rule);
}

/* Callers of the raising acquires must be at IRQL <= APC_LEVEL: 0x33. */
static KIRQL ex_fast_mutex_raise(PFAST_MUTEX mutex, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    if (irql > APC_LEVEL)
        ex_fast_mutex_bad_irql(0x33, mutex, routine, "a fast mutex is acquired at IRQL <= APC_LEVEL only", at);
    ke_irql_set_by(APC_LEVEL, at);
    return irql;
}

/* Raises to APC_LEVEL and acquires, waiting while another thread owns the
 * mutex; caller at IRQL <= APC_LEVEL (WDK, ExAcquireFastMutex). */
NTKERNELAPI VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    const void *at = __builtin_return_address(0);
    KIRQL old = ex_fast_mutex_raise(FastMutex, "ExAcquireFastMutex", at);
    ke_gmutex_acquire(FastMutex, "ExAcquireFastMutex", at);
    FastMutex->OldIrql = old;
}

/* One attempt: TRUE with the mutex owned at APC_LEVEL, or FALSE at the
 * caller's IRQL; caller at IRQL <= APC_LEVEL (WDK,
 * ExTryToAcquireFastMutex). */
NTKERNELAPI BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    const void *at = __builtin_return_address(0);
    KIRQL old = ex_fast_mutex_raise(FastMutex, "ExTryToAcquireFastMutex", at);
    if (!ke_gmutex_try(FastMutex, at)) {
        ke_irql_set(old);
        return FALSE;
    }
    FastMutex->OldIrql = old;
    return TRUE;
}

/* Releases and returns to the IRQL the acquire found; caller at APC_LEVEL
 * (WDK, ExReleaseFastMutex). */
NTKERNELAPI VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    const void *at = __builtin_return_address(0);

    if (ke_irql_get() != APC_LEVEL)
        ex_fast_mutex_bad_irql(0x34, FastMutex, "ExReleaseFastMutex",
                               "a fast mutex is released at APC_LEVEL, the IRQL ExAcquireFastMutex left", at);
    /* Read before the release: the next owner overwrites it. */
    KIRQL old = (KIRQL)FastMutex->OldIrql;
    ke_gmutex_release(FastMutex, "ExReleaseFastMutex", at);
    ke_irql_set(old);
}

/* Acquires without raising: the caller is at APC_LEVEL, or below it in a
 * critical region (WDK, ExAcquireFastMutexUnsafe); else 0xC4/0x39. */
NTKERNELAPI VOID FASTCALL ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    ke_gmutex_acquire_unsafe(FastMutex, "ExAcquireFastMutexUnsafe", __builtin_return_address(0));
}

/* Releases what ExAcquireFastMutexUnsafe acquired, under the same rule
 * (WDK, ExReleaseFastMutexUnsafe); else 0xC4/0x3A. */
NTKERNELAPI VOID FASTCALL ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    ke_gmutex_release_unsafe(FastMutex, "ExReleaseFastMutexUnsafe", __builtin_return_address(0));
}
