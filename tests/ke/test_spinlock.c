/* tests/ke/test_spinlock.c: executive and in-stack queued spin locks: IRQL
 * transitions, real mutual exclusion between threads, and the misuse Driver
 * Verifier reports (bug check 0xC4: 0x32, 0x40, 0x41, 0x42, 0x1000, 0x1004,
 * 0x1007). */
#include "ktest.h"

#include "ke/irql.h"
#include "verifier/verifier.h"

#include <pthread.h>
#include <stdio.h>

/* "KeInitializeSpinLock initializes a variable of type KSPIN_LOCK" to the
 * released state. */
KT_TEST(KeInitializeSpinLock_released)
{
    KSPIN_LOCK lock = (KSPIN_LOCK)-1;
    KeInitializeSpinLock(&lock);
    KT_EQ_HEX(lock, 0);
    KT_EQ_INT(KeTestSpinLock(&lock), TRUE);
}

/* KeAcquireSpinLock raises to DISPATCH_LEVEL and stores the old IRQL;
 * KeReleaseSpinLock releases and restores it. */
KT_TEST(KeAcquireSpinLock_raises_to_dispatch)
{
    KSPIN_LOCK lock;
    KIRQL old = 0xFF;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    KT_EQ_INT(old, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_FALSE(lock == 0);
    KT_EQ_INT(KeTestSpinLock(&lock), FALSE);
    KeReleaseSpinLock(&lock, old);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ_HEX(lock, 0);
}

/* Acquired at APC_LEVEL, the old IRQL is APC_LEVEL and comes back. */
KT_TEST(KeAcquireSpinLockRaiseToDpc_from_apc)
{
    KSPIN_LOCK lock = 0;
    KIRQL apc, old;
    KeRaiseIrql(APC_LEVEL, &apc);
    old = KeAcquireSpinLockRaiseToDpc(&lock);
    KT_EQ_INT(old, APC_LEVEL);
    KeReleaseSpinLock(&lock, old);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(apc);
}

/* The AtDpcLevel forms leave the IRQL alone. */
KT_TEST(KeAcquireSpinLockAtDpcLevel_keeps_irql)
{
    KSPIN_LOCK lock = 0;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KeAcquireSpinLockAtDpcLevel(&lock);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ_INT(KeTestSpinLock(&lock), FALSE);
    KeReleaseSpinLockFromDpcLevel(&lock);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ_INT(KeTestSpinLock(&lock), TRUE);
    KeLowerIrql(old);
}

/* "KeTryToAcquireSpinLockAtDpcLevel returns TRUE if it acquires the spin
 * lock; otherwise it returns FALSE." */
KT_TEST(KeTryToAcquireSpinLockAtDpcLevel_free_and_held)
{
    KSPIN_LOCK lock = 0;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KT_EQ_INT(KeTryToAcquireSpinLockAtDpcLevel(&lock), TRUE);
    KT_EQ_INT(KeTryToAcquireSpinLockAtDpcLevel(&lock), FALSE);
    KeReleaseSpinLockFromDpcLevel(&lock);
    KT_EQ_INT(KeTryToAcquireSpinLockAtDpcLevel(&lock), TRUE);
    KeReleaseSpinLockFromDpcLevel(&lock);
    KeLowerIrql(old);
}

/* In-stack queued: raises to DISPATCH_LEVEL, keeps the lock and old IRQL in
 * the handle, and the release restores that IRQL. */
KT_TEST(KeAcquireInStackQueuedSpinLock_round_trip)
{
    KSPIN_LOCK lock = 0;
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLock(&lock, &h);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ_INT(h.OldIrql, PASSIVE_LEVEL);
    KT_EQ_PTR(h.LockQueue.Lock, &lock);
    KT_EQ_INT(KeTestSpinLock(&lock), FALSE);
    KeReleaseInStackQueuedSpinLock(&h);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ_INT(KeTestSpinLock(&lock), TRUE);
}

KT_TEST(KeAcquireInStackQueuedSpinLockAtDpcLevel_keeps_irql)
{
    KSPIN_LOCK lock = 0;
    KLOCK_QUEUE_HANDLE h;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&lock, &h);
    KT_EQ_INT(KeTestSpinLock(&lock), FALSE);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&h);
    KT_EQ_INT(KeTestSpinLock(&lock), TRUE);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
}

/* Mutual exclusion: two threads x 200000 non-atomic increments, each under
 * the lock, must total exactly 400000. */
#define STRESS_ROUNDS 200000

static KSPIN_LOCK stress_lock;
static volatile long stress_counter;

static void *stress_spin(void *arg)
{
    bool queued = arg != NULL;
    for (int i = 0; i < STRESS_ROUNDS; i++) {
        KLOCK_QUEUE_HANDLE h;
        KIRQL old;
        if (queued)
            KeAcquireInStackQueuedSpinLock(&stress_lock, &h);
        else
            KeAcquireSpinLock(&stress_lock, &old);
        long v = stress_counter;
        stress_counter = v + 1;
        if (queued)
            KeReleaseInStackQueuedSpinLock(&h);
        else
            KeReleaseSpinLock(&stress_lock, old);
    }
    return NULL;
}

static void stress(void *arg)
{
    pthread_t t[2];
    stress_counter = 0;
    KeInitializeSpinLock(&stress_lock);
    for (int i = 0; i < 2; i++)
        KT_REQUIRE(KT_EQ_INT(pthread_create(&t[i], NULL, stress_spin, arg), 0));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    KT_EQ_INT(stress_counter, 2 * STRESS_ROUNDS);
    KT_EQ_HEX(stress_lock, 0);
}

KT_TEST(KeAcquireSpinLock_mutual_exclusion)
{
    stress(NULL);
}

KT_TEST(KeAcquireInStackQueuedSpinLock_mutual_exclusion)
{
    stress((void *)1);
}

/* Misuse, each in a child. */
static KSPIN_LOCK bad_lock;

static void acquire_twice(void *arg)
{
    KIRQL old;
    (void)arg;
    KeAcquireSpinLock(&bad_lock, &old);
    KeAcquireSpinLock(&bad_lock, &old);
}

static void release_unheld_at_dpc(void *arg)
{
    (void)arg;
    KeRaiseIrqlToDpcLevel();
    KeReleaseSpinLockFromDpcLevel(&bad_lock);
}

static void *hold_forever(void *arg)
{
    KIRQL old;
    (void)arg;
    KeAcquireSpinLock(&bad_lock, &old);
    return NULL;
}

static void release_other_threads(void *arg)
{
    pthread_t t;
    (void)arg;
    pthread_create(&t, NULL, hold_forever, NULL);
    pthread_join(t, NULL);
    KeRaiseIrqlToDpcLevel();
    KeReleaseSpinLockFromDpcLevel(&bad_lock);
}

static void release_twice(void *arg)
{
    KIRQL old;
    (void)arg;
    KeAcquireSpinLock(&bad_lock, &old);
    KeReleaseSpinLock(&bad_lock, old);
    KeReleaseSpinLock(&bad_lock, old);
}

static void acquire_above_dispatch(void *arg)
{
    KIRQL old;
    (void)arg;
    KfRaiseIrql(HIGH_LEVEL);
    KeAcquireSpinLock(&bad_lock, &old);
}

static void acquire_at_dpc_from_passive(void *arg)
{
    (void)arg;
    KeAcquireSpinLockAtDpcLevel(&bad_lock);
}

static void release_from_dpc_at_passive(void *arg)
{
    (void)arg;
    KeReleaseSpinLockFromDpcLevel(&bad_lock);
}

static void try_at_passive(void *arg)
{
    (void)arg;
    KeTryToAcquireSpinLockAtDpcLevel(&bad_lock);
}

static void queued_release_twice(void *arg)
{
    KLOCK_QUEUE_HANDLE h;
    (void)arg;
    KeAcquireInStackQueuedSpinLock(&bad_lock, &h);
    KeReleaseInStackQueuedSpinLock(&h);
    KeReleaseInStackQueuedSpinLock(&h);
}

/* Recursive acquisition deadlocks on Windows; Verifier's deadlock detection
 * reports it as 0xC4/0x1000 (self-deadlock), P2 the lock. */
KT_TEST(KeAcquireSpinLock_recursive_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1000, acquire_twice, NULL);
    if (out)
        KT_CONTAINS(out, "this thread already holds the spin lock");
}

/* Releasing a lock nobody holds: 0xC4/0x1007 (unacquired resource). */
KT_TEST(KeReleaseSpinLockFromDpcLevel_unheld_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_unheld_at_dpc, NULL);
}

/* Releasing another thread's lock: 0xC4/0x1004 (unexpected thread). */
KT_TEST(KeReleaseSpinLockFromDpcLevel_other_thread_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1004, release_other_threads, NULL);
    if (out)
        KT_CONTAINS(out, "held by another thread");
}

/* "KeReleaseSpinLock at an IRQL other than DISPATCH_LEVEL (This may be due
 * to a double-release of a spin lock.)": 0xC4/0x32, P2 IRQL, P3 the lock. */
KT_TEST(KeReleaseSpinLock_double_release_bugchecks)
{
    char params[64];
    snprintf(params, sizeof params, "(0x0000000000000032,0x0000000000000000,0x%016llX,",
             (unsigned long long)(ULONG_PTR)&bad_lock);
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x32, release_twice, NULL);
    if (out)
        KT_CONTAINS(out, params);
}

/* "The driver called KeAcquireSpinLock with IRQL > DISPATCH_LEVEL": 0x42. */
KT_TEST(KeAcquireSpinLock_above_dispatch_bugchecks)
{
    char params[64];
    snprintf(params, sizeof params, "(0x0000000000000042,0x000000000000000F,0x%016llX,",
             (unsigned long long)(ULONG_PTR)&bad_lock);
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x42, acquire_above_dispatch, NULL);
    if (out)
        KT_CONTAINS(out, params);
}

/* "KeAcquireSpinLockAtDpcLevel with IRQL < DISPATCH_LEVEL": 0x40. */
KT_TEST(KeAcquireSpinLockAtDpcLevel_at_passive_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x40, acquire_at_dpc_from_passive, NULL);
}

/* "KeReleaseSpinLockFromDpcLevel with IRQL < DISPATCH_LEVEL": 0x41. */
KT_TEST(KeReleaseSpinLockFromDpcLevel_at_passive_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x41, release_from_dpc_at_passive, NULL);
}

/* KeTryToAcquireSpinLockAtDpcLevel has the same IRQL rule: 0x40. */
KT_TEST(KeTryToAcquireSpinLockAtDpcLevel_at_passive_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x40, try_at_passive, NULL);
}

/* A second KeReleaseInStackQueuedSpinLock runs at PASSIVE_LEVEL: 0x32. */
KT_TEST(KeReleaseInStackQueuedSpinLock_double_release_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x32, queued_release_twice, NULL);
}

/* Without the verifier's locks group a release of a free lock leaves it
 * free; without its irql group the AtDpcLevel forms run at PASSIVE_LEVEL. */
KT_TEST(KeReleaseSpinLock_unverified)
{
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_LOCKS));
    KfRaiseIrql(DISPATCH_LEVEL);
    KeReleaseSpinLock(&lock, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_TRUE(KeTestSpinLock(&lock));
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_IRQL));
    KeAcquireSpinLockAtDpcLevel(&lock);
    KT_FALSE(KeTestSpinLock(&lock));
    KeReleaseSpinLockFromDpcLevel(&lock);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    vf_set_groups(VF_LIBRARY_DEFAULT);
    KT_TRUE(KeTestSpinLock(&lock));
}
