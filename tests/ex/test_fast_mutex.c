/* tests/ex/test_fast_mutex.c: fast mutexes: ExInitializeFastMutex's state,
 * ExAcquireFastMutex raising to APC_LEVEL and ExReleaseFastMutex restoring
 * the caller's IRQL, ExTryToAcquireFastMutex, the Unsafe forms, contention
 * between threads (a counter that loses no update), and the misuse Driver
 * Verifier reports (0xC4: 0x33, 0x34, 0x39, 0x3A, 0x1000, 0x1004, 0x1007). */
#include "ktest.h"

#include "ke/irql.h"
#include "verifier/verifier.h"

#define SECONDS(n) ((LONGLONG)(n) * -10000000)
#define ITERATIONS 50000

static FAST_MUTEX fm;

static void join(HANDLE handle)
{
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
}

/* The WDK's ExInitializeFastMutex: Count FM_LOCK_BIT (free), no owner, no
 * contention, a synchronization event not signalled. */
KT_TEST(ExInitializeFastMutex_free)
{
    memset(&fm, 0xCC, sizeof fm);
    ExInitializeFastMutex(&fm);
    KT_EQ_INT(fm.Count, FM_LOCK_BIT);
    KT_EQ_PTR(fm.Owner, NULL);
    KT_EQ_INT(fm.Contention, 0);
    KT_EQ_INT(fm.Event.Header.Type, SynchronizationEvent);
    KT_EQ_INT(fm.Event.Header.SignalState, 0);
}

/* "ExAcquireFastMutex ... raises the IRQL to APC_LEVEL"; the release
 * "restores the original IRQL". */
KT_TEST(ExAcquireFastMutex_raises_to_apc)
{
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutex(&fm);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KT_EQ_PTR(fm.Owner, KeGetCurrentThread());
    KT_EQ_INT(fm.Count, 0);
    KT_EQ_INT(fm.OldIrql, PASSIVE_LEVEL);
    ExReleaseFastMutex(&fm);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ_PTR(fm.Owner, NULL);
    KT_EQ_INT(fm.Count, FM_LOCK_BIT);
}

/* Acquired at APC_LEVEL, the release stays at APC_LEVEL. */
KT_TEST(ExAcquireFastMutex_from_apc_level)
{
    KIRQL old;
    ExInitializeFastMutex(&fm);
    KeRaiseIrql(APC_LEVEL, &old);
    ExAcquireFastMutex(&fm);
    KT_EQ_INT(fm.OldIrql, APC_LEVEL);
    ExReleaseFastMutex(&fm);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(old);
}

static volatile BOOLEAN tried;

static VOID NTAPI try_elsewhere(PVOID context)
{
    (void)context;
    tried = ExTryToAcquireFastMutex(&fm);
    if (tried)
        ExReleaseFastMutex(&fm);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* ExTryToAcquireFastMutex: TRUE with the mutex at APC_LEVEL when free;
 * FALSE, and the IRQL unchanged, while another thread holds it. */
KT_TEST(ExTryToAcquireFastMutex_free_and_held)
{
    HANDLE handle;
    ExInitializeFastMutex(&fm);
    KT_EQ_INT(ExTryToAcquireFastMutex(&fm), TRUE);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    tried = TRUE;
    KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, try_elsewhere, NULL), STATUS_SUCCESS);
    join(handle);
    KT_EQ_INT(tried, FALSE);
    ExReleaseFastMutex(&fm);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* The Unsafe forms leave the IRQL alone; a critical region allows them at
 * PASSIVE_LEVEL. */
KT_TEST(ExAcquireFastMutexUnsafe_in_critical_region)
{
    ExInitializeFastMutex(&fm);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&fm);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ_PTR(fm.Owner, KeGetCurrentThread());
    ExReleaseFastMutexUnsafe(&fm);
    KeLeaveCriticalRegion();
    KT_EQ_INT(fm.Count, FM_LOCK_BIT);
}

static volatile LONG counter;

static VOID NTAPI count_under_fast_mutex(PVOID context)
{
    (void)context;
    for (int i = 0; i < ITERATIONS; i++) {
        ExAcquireFastMutex(&fm);
        LONG seen = counter;
        counter = seen + 1;
        ExReleaseFastMutex(&fm);
    }
}

/* Two threads' read-modify-write under the fast mutex lose no update, and
 * the waits were counted as contention. */
KT_TEST(ExAcquireFastMutex_excludes)
{
    HANDLE a, b;
    ExInitializeFastMutex(&fm);
    counter = 0;
    KT_EQ_STATUS(PsCreateSystemThread(&a, 0, NULL, NULL, NULL, count_under_fast_mutex, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(PsCreateSystemThread(&b, 0, NULL, NULL, NULL, count_under_fast_mutex, NULL), STATUS_SUCCESS);
    join(a);
    join(b);
    KT_EQ_INT(counter, 2 * ITERATIONS);
    KT_EQ_INT(fm.Count, FM_LOCK_BIT);
    KT_EQ_PTR(fm.Owner, NULL);
}

static void acquire_twice(void *arg)
{
    (void)arg;
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutex(&fm);
    ExAcquireFastMutex(&fm);
}

static void acquire_at_dispatch(void *arg)
{
    KIRQL old;
    (void)arg;
    ExInitializeFastMutex(&fm);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExAcquireFastMutex(&fm);
}

static void release_at_passive(void *arg)
{
    (void)arg;
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutex(&fm);
    KeLowerIrql(PASSIVE_LEVEL);
    ExReleaseFastMutex(&fm);
}

static void release_unowned(void *arg)
{
    KIRQL old;
    (void)arg;
    ExInitializeFastMutex(&fm);
    KeRaiseIrql(APC_LEVEL, &old);
    ExReleaseFastMutex(&fm);
}

static KEVENT never;

/* Holds the mutex until the run ends (the test's child process stops). */
static VOID NTAPI hold(PVOID context)
{
    ExAcquireFastMutex(&fm);
    KeSetEvent(context, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, NULL);
}

static void release_owned_elsewhere(void *arg)
{
    static KEVENT held;
    HANDLE handle;
    KIRQL old;
    (void)arg;
    ExInitializeFastMutex(&fm);
    KeInitializeEvent(&held, SynchronizationEvent, FALSE);
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, hold, &held);
    KeWaitForSingleObject(&held, Executive, KernelMode, FALSE, NULL);
    KeRaiseIrql(APC_LEVEL, &old);
    ExReleaseFastMutex(&fm);
}

static void unsafe_at_passive(void *arg)
{
    (void)arg;
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutexUnsafe(&fm);
}

static void release_unsafe_at_passive(void *arg)
{
    (void)arg;
    ExInitializeFastMutex(&fm);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&fm);
    KeLeaveCriticalRegion();
    ExReleaseFastMutexUnsafe(&fm);
}

/* Recursion self-deadlocks on Windows: reported as Verifier's deadlock
 * detection (0xC4/0x1000, P2 the mutex) naming both acquisitions. */
KT_TEST(ExAcquireFastMutex_recursive)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1000, acquire_twice, NULL);
    if (out) {
        KT_CONTAINS(out, "ExAcquireFastMutex(0x");
        KT_CONTAINS(out, "this thread already owns the mutex (acquired at 0x");
        KT_CONTAINS(out, "acquiring it again (the call returning to 0x");
    }
}

/* IRQL rules: acquire at <= APC_LEVEL (0x33, P2 the IRQL, P3 the mutex),
 * release at APC_LEVEL (0x34); the Unsafe forms at APC_LEVEL or in a
 * critical region (0x39, 0x3A). */
KT_TEST(ExFastMutex_irql_rules)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x33, acquire_at_dispatch, NULL);
    if (out)
        KT_CONTAINS(out, "(0x0000000000000033,0x0000000000000002,");
    KT_EXPECT_BUGCHECK(0xC4, 0x34, release_at_passive, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x39, unsafe_at_passive, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x3A, release_unsafe_at_passive, NULL);
}

/* Releasing a mutex that is free (0x1007) or another thread's (0x1004). */
KT_TEST(ExReleaseFastMutex_not_owner)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_unowned, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x1004, release_owned_elsewhere, NULL);
}

/* Without the verifier's irql group a fast mutex acquired at
 * DISPATCH_LEVEL (uncontended) is taken, at APC_LEVEL as always. */
KT_TEST(ExAcquireFastMutex_unverified)
{
    FAST_MUTEX mutex;
    ExInitializeFastMutex(&mutex);
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_IRQL));
    KfRaiseIrql(DISPATCH_LEVEL);
    ExAcquireFastMutex(&mutex);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&mutex);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
    vf_set_groups(VF_LIBRARY_DEFAULT);
}
