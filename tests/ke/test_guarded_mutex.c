/* tests/ke/test_guarded_mutex.c: guarded mutexes and regions: acquisition
 * inside a guarded region at an unchanged IRQL, KeTryToAcquireGuardedMutex,
 * the Unsafe forms, mutual exclusion between threads, the misuse reports;
 * KeEnterCriticalRegion/KeEnterGuardedRegion counts, KeAreApcsDisabled and
 * KeAreAllApcsDisabled, and the region reports (0xC4: 0x3E, 0x11A, 0x11B). */
#include "ktest.h"

#include <stdio.h>

#define SECONDS(n) ((LONGLONG)(n) * -10000000)
#define ITERATIONS 50000

static KGUARDED_MUTEX gm;

static void join(HANDLE handle)
{
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
}

/* Critical regions disable normal kernel APCs, guarded regions all of
 * them; both nest; APC_LEVEL disables all APCs too. */
KT_TEST(KeEnterCriticalRegion_and_guarded_region)
{
    KIRQL old;
    KT_FALSE(KeAreApcsDisabled());
    KT_FALSE(KeAreAllApcsDisabled());
    KeEnterCriticalRegion();
    KeEnterCriticalRegion();
    KT_TRUE(KeAreApcsDisabled());
    KT_FALSE(KeAreAllApcsDisabled());
    KeLeaveCriticalRegion();
    KT_TRUE(KeAreApcsDisabled());
    KeLeaveCriticalRegion();
    KT_FALSE(KeAreApcsDisabled());
    KeEnterGuardedRegion();
    KT_TRUE(KeAreApcsDisabled());
    KT_TRUE(KeAreAllApcsDisabled());
    KeLeaveGuardedRegion();
    KT_FALSE(KeAreAllApcsDisabled());
    KeRaiseIrql(APC_LEVEL, &old);
    KT_TRUE(KeAreAllApcsDisabled());
    KeLowerIrql(old);
}

static void leave_unentered(void *arg)
{
    (void)arg;
    KeLeaveCriticalRegion();
}

static void enter_at_dispatch(void *arg)
{
    KIRQL old;
    (void)arg;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeEnterCriticalRegion();
}

static void leave_at_dispatch(void *arg)
{
    KIRQL old;
    (void)arg;
    KeEnterCriticalRegion();
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeLeaveCriticalRegion();
}

static void leave_guarded_unentered(void *arg)
{
    (void)arg;
    KeLeaveGuardedRegion();
    printf("still %d\n", KeAreAllApcsDisabled());
}

/* Verifier: leaving a critical region the thread is not in is 0x3E;
 * entering or leaving above APC_LEVEL 0x11A/0x11B (P2 the IRQL). A guarded
 * region left without being entered is a warning. */
KT_TEST(KeLeaveCriticalRegion_misuse)
{
    int status;
    const char *out;
    KT_EXPECT_BUGCHECK(0xC4, 0x3E, leave_unentered, NULL);
    out = KT_EXPECT_BUGCHECK(0xC4, 0x11A, enter_at_dispatch, NULL);
    if (out)
        KT_CONTAINS(out, "(0x000000000000011A,0x0000000000000002,");
    KT_EXPECT_BUGCHECK(0xC4, 0x11B, leave_at_dispatch, NULL);
    out = kt_run_child(leave_guarded_unentered, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "warning: KeLeaveGuardedRegion called outside a guarded region");
    KT_CONTAINS(out, "still 0");
}

/* KeAcquireGuardedMutex keeps the IRQL and enters a guarded region until
 * the release. */
KT_TEST(KeAcquireGuardedMutex_guarded_region)
{
    KeInitializeGuardedMutex(&gm);
    KT_EQ_INT(gm.Count, FM_LOCK_BIT);
    KT_EQ_PTR(gm.Owner, NULL);
    KeAcquireGuardedMutex(&gm);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_TRUE(KeAreAllApcsDisabled());
    KT_EQ_PTR(gm.Owner, KeGetCurrentThread());
    KeReleaseGuardedMutex(&gm);
    KT_FALSE(KeAreAllApcsDisabled());
    KT_EQ_INT(gm.Count, FM_LOCK_BIT);
}

static volatile BOOLEAN tried, region_after;

static VOID NTAPI try_elsewhere(PVOID context)
{
    (void)context;
    tried = KeTryToAcquireGuardedMutex(&gm);
    region_after = KeAreAllApcsDisabled();
    if (tried)
        KeReleaseGuardedMutex(&gm);
}

/* KeTryToAcquireGuardedMutex: TRUE when free (in the region until the
 * release); FALSE while another thread owns it, and out of the region. */
KT_TEST(KeTryToAcquireGuardedMutex_free_and_held)
{
    HANDLE handle;
    KeInitializeGuardedMutex(&gm);
    KT_EQ_INT(KeTryToAcquireGuardedMutex(&gm), TRUE);
    KT_TRUE(KeAreAllApcsDisabled());
    tried = TRUE;
    region_after = TRUE;
    KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, try_elsewhere, NULL), STATUS_SUCCESS);
    join(handle);
    KT_EQ_INT(tried, FALSE);
    KT_EQ_INT(region_after, FALSE);
    KeReleaseGuardedMutex(&gm);
}

/* The Unsafe forms: no region of their own; the caller's guarded region
 * (or APC_LEVEL) makes them legal. */
KT_TEST(KeAcquireGuardedMutexUnsafe_in_guarded_region)
{
    KIRQL old;
    KeInitializeGuardedMutex(&gm);
    KeEnterGuardedRegion();
    KeAcquireGuardedMutexUnsafe(&gm);
    KT_EQ_PTR(gm.Owner, KeGetCurrentThread());
    KeReleaseGuardedMutexUnsafe(&gm);
    KeLeaveGuardedRegion();
    KeRaiseIrql(APC_LEVEL, &old);
    KeAcquireGuardedMutexUnsafe(&gm);
    KeReleaseGuardedMutexUnsafe(&gm);
    KeLowerIrql(old);
    KT_EQ_INT(gm.Count, FM_LOCK_BIT);
}

static volatile LONG counter;

static VOID NTAPI count_under_guarded_mutex(PVOID context)
{
    (void)context;
    for (int i = 0; i < ITERATIONS; i++) {
        KeAcquireGuardedMutex(&gm);
        LONG seen = counter;
        counter = seen + 1;
        KeReleaseGuardedMutex(&gm);
    }
}

KT_TEST(KeAcquireGuardedMutex_excludes)
{
    HANDLE a, b;
    KeInitializeGuardedMutex(&gm);
    counter = 0;
    KT_EQ_STATUS(PsCreateSystemThread(&a, 0, NULL, NULL, NULL, count_under_guarded_mutex, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(PsCreateSystemThread(&b, 0, NULL, NULL, NULL, count_under_guarded_mutex, NULL), STATUS_SUCCESS);
    join(a);
    join(b);
    KT_EQ_INT(counter, 2 * ITERATIONS);
}

static void acquire_twice(void *arg)
{
    (void)arg;
    KeInitializeGuardedMutex(&gm);
    KeAcquireGuardedMutex(&gm);
    KeAcquireGuardedMutex(&gm);
}

static void unsafe_without_region(void *arg)
{
    (void)arg;
    KeInitializeGuardedMutex(&gm);
    KeAcquireGuardedMutexUnsafe(&gm);
}

static void release_free(void *arg)
{
    (void)arg;
    KeInitializeGuardedMutex(&gm);
    KeReleaseGuardedMutex(&gm);
}

static void acquire_at_dispatch(void *arg)
{
    KIRQL old;
    (void)arg;
    KeInitializeGuardedMutex(&gm);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireGuardedMutex(&gm);
}

/* Recursion (0x1000), the Unsafe form with APCs enabled (0x39), a release
 * of a free mutex (0x1007), an acquire above APC_LEVEL (0x33). */
KT_TEST(KeGuardedMutex_misuse)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1000, acquire_twice, NULL);
    if (out)
        KT_CONTAINS(out, "KeAcquireGuardedMutex(0x");
    KT_EXPECT_BUGCHECK(0xC4, 0x39, unsafe_without_region, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_free, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x33, acquire_at_dispatch, NULL);
}
