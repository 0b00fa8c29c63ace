/* tests/ex/test_rw_spinlock.c: reader/writer spin locks (EX_SPIN_LOCK):
 * shared and exclusive acquisition with and without the raise to
 * DISPATCH_LEVEL, the Try and convert forms, real exclusion between threads,
 * and the misuse reported as Driver Verifier's deadlock detection does
 * (bug check 0xC4: 0x1000 self-deadlock, 0x1007 release of a lock not
 * held) or as KeRaiseIrql's (0x30). */
#include "ktest.h"

#include "ke/irql.h"
#include "verifier/verifier.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define WRITER 0x80000000u

/* Waits (yielding, never sleeping) until *word has `bits` set, or gives up
 * after a bound far beyond any healthy wait, so a broken lock fails the
 * test instead of hanging it. */
static bool wait_bits(const volatile void *word, unsigned bits)
{
    for (long spins = 0; spins < 50000000; spins++) {
        if (__atomic_load_n((const volatile unsigned *)word, __ATOMIC_ACQUIRE) & bits)
            return true;
        sched_yield();
    }
    return false;
}

/* Raises to DISPATCH_LEVEL and "returns the original (on-entry) IRQL";
 * the release "restores the IRQL to the original value". */
KT_TEST(ExAcquireSpinLockShared_raises_to_dispatch)
{
    EX_SPIN_LOCK lock = 0;
    KIRQL old = ExAcquireSpinLockShared(&lock);
    KT_EQ_INT(old, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ_HEX((ULONG)lock, 1);
    ExReleaseSpinLockShared(&lock, old);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ_HEX((ULONG)lock, 0);
}

KT_TEST(ExAcquireSpinLockExclusive_raises_to_dispatch)
{
    EX_SPIN_LOCK lock = 0;
    KIRQL apc, old;
    KeRaiseIrql(APC_LEVEL, &apc);
    old = ExAcquireSpinLockExclusive(&lock);
    KT_EQ_INT(old, APC_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ_HEX((ULONG)lock, WRITER);
    ExReleaseSpinLockExclusive(&lock, old);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KT_EQ_HEX((ULONG)lock, 0);
    KeLowerIrql(apc);
}

/* The AtDpcLevel forms "do not change the IRQL". */
KT_TEST(ExAcquireSpinLockAtDpcLevel_forms_keep_irql)
{
    EX_SPIN_LOCK lock = 0;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    ExAcquireSpinLockSharedAtDpcLevel(&lock);
    KT_EQ_HEX((ULONG)lock, 1);
    ExReleaseSpinLockSharedFromDpcLevel(&lock);
    ExAcquireSpinLockExclusiveAtDpcLevel(&lock);
    KT_EQ_HEX((ULONG)lock, WRITER);
    ExReleaseSpinLockExclusiveFromDpcLevel(&lock);
    KT_EQ_HEX((ULONG)lock, 0);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
}

/* A writer excludes everyone: both Try forms fail while it holds the lock. */
KT_TEST(ExTryAcquireSpinLock_against_writer)
{
    EX_SPIN_LOCK lock = 0;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KT_EQ_INT(ExTryAcquireSpinLockExclusiveAtDpcLevel(&lock), TRUE);
    KT_EQ_HEX((ULONG)lock, WRITER);
    KT_EQ_INT(ExTryAcquireSpinLockExclusiveAtDpcLevel(&lock), FALSE);
    KT_EQ_INT(ExTryAcquireSpinLockSharedAtDpcLevel(&lock), FALSE);
    KT_EQ_HEX((ULONG)lock, WRITER);
    ExReleaseSpinLockExclusiveFromDpcLevel(&lock);
    KT_EQ_INT(ExTryAcquireSpinLockSharedAtDpcLevel(&lock), TRUE);
    KT_EQ_HEX((ULONG)lock, 1);
    KT_EQ_INT(ExTryAcquireSpinLockExclusiveAtDpcLevel(&lock), FALSE);
    ExReleaseSpinLockSharedFromDpcLevel(&lock);
    KeLowerIrql(old);
}

/* Readers share: another thread enters while this one holds the lock
 * shared, but cannot take it exclusive. */
static EX_SPIN_LOCK shared_lock;
static LOGICAL other_shared, other_exclusive;

static void *other_thread_tries(void *arg)
{
    (void)arg;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    other_exclusive = ExTryAcquireSpinLockExclusiveAtDpcLevel(&shared_lock);
    other_shared = ExTryAcquireSpinLockSharedAtDpcLevel(&shared_lock);
    if (other_shared)
        ExReleaseSpinLockSharedFromDpcLevel(&shared_lock);
    KeLowerIrql(old);
    return NULL;
}

KT_TEST(ExAcquireSpinLockShared_readers_share)
{
    pthread_t t;
    shared_lock = 0;
    KIRQL old = ExAcquireSpinLockShared(&shared_lock);
    pthread_create(&t, NULL, other_thread_tries, NULL);
    pthread_join(t, NULL);
    KT_EQ_INT(other_shared, TRUE);
    KT_EQ_INT(other_exclusive, FALSE);
    KT_EQ_HEX((ULONG)shared_lock, 1);
    ExReleaseSpinLockShared(&shared_lock, old);
}

/* Converts "from acquired for shared access to exclusive access" when the
 * caller is the only reader; fails, leaving the shared hold, otherwise. */
static void *hold_shared_briefly(void *arg)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    ExAcquireSpinLockSharedAtDpcLevel(&shared_lock);
    __atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
    wait_bits(arg, 2);
    ExReleaseSpinLockSharedFromDpcLevel(&shared_lock);
    KeLowerIrql(old);
    return NULL;
}

KT_TEST(ExTryConvertSharedSpinLockExclusive_only_reader)
{
    pthread_t t;
    int step = 0;
    shared_lock = 0;
    KIRQL old = ExAcquireSpinLockShared(&shared_lock);
    pthread_create(&t, NULL, hold_shared_briefly, &step);
    KT_TRUE(wait_bits(&step, 1));
    KT_EQ_INT(ExTryConvertSharedSpinLockExclusive(&shared_lock), FALSE);
    KT_EQ_HEX((ULONG)shared_lock, 2);
    __atomic_store_n(&step, 3, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    KT_EQ_INT(ExTryConvertSharedSpinLockExclusive(&shared_lock), TRUE);
    KT_EQ_HEX((ULONG)shared_lock, WRITER);
    ExReleaseSpinLockExclusive(&shared_lock, old);
    KT_EQ_HEX((ULONG)shared_lock, 0);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* A waiting writer keeps new readers out, so readers cannot starve it. */
static void *writer_waits(void *arg)
{
    (void)arg;
    KIRQL old = ExAcquireSpinLockExclusive(&shared_lock);
    ExReleaseSpinLockExclusive(&shared_lock, old);
    return NULL;
}

KT_TEST(ExAcquireSpinLockExclusive_waiting_writer_blocks_readers)
{
    pthread_t t;
    shared_lock = 0;
    KIRQL old = ExAcquireSpinLockShared(&shared_lock);
    pthread_create(&t, NULL, writer_waits, NULL);
    KT_TRUE(wait_bits(&shared_lock, WRITER));
    KT_EQ_HEX((ULONG)shared_lock, WRITER | 1);
    KT_EQ_INT(ExTryAcquireSpinLockSharedAtDpcLevel(&shared_lock), FALSE);
    KT_EQ_INT(ExTryConvertSharedSpinLockExclusive(&shared_lock), FALSE);
    ExReleaseSpinLockShared(&shared_lock, old);
    pthread_join(t, NULL);
    KT_EQ_HEX((ULONG)shared_lock, 0);
}

/* Mutual exclusion: writers do non-atomic read-modify-writes of a pair
 * that readers check under the shared lock; without the lock, increments
 * are lost and readers see half-written pairs. */
#define RW_WRITERS 2
#define RW_READERS 2
#define RW_ROUNDS 100000

static EX_SPIN_LOCK rw_lock;
static volatile long rw_a, rw_b;
static int rw_torn;

static void *rw_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < RW_ROUNDS; i++) {
        KIRQL old = ExAcquireSpinLockExclusive(&rw_lock);
        long a = rw_a;
        rw_a = a + 1;
        rw_b = -(a + 1);
        ExReleaseSpinLockExclusive(&rw_lock, old);
    }
    return NULL;
}

static void *rw_reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < RW_ROUNDS; i++) {
        KIRQL old = ExAcquireSpinLockShared(&rw_lock);
        if (rw_a != -rw_b)
            __atomic_fetch_add(&rw_torn, 1, __ATOMIC_RELAXED);
        ExReleaseSpinLockShared(&rw_lock, old);
    }
    return NULL;
}

KT_TEST(ExAcquireSpinLockExclusive_threads_exclude)
{
    pthread_t threads[RW_WRITERS + RW_READERS];
    for (int i = 0; i < RW_WRITERS; i++)
        pthread_create(&threads[i], NULL, rw_writer, NULL);
    for (int i = 0; i < RW_READERS; i++)
        pthread_create(&threads[RW_WRITERS + i], NULL, rw_reader, NULL);
    for (int i = 0; i < RW_WRITERS + RW_READERS; i++)
        pthread_join(threads[i], NULL);
    KT_EQ_INT(rw_a, RW_WRITERS * RW_ROUNDS);
    KT_EQ_INT(rw_b, -(long)RW_WRITERS * RW_ROUNDS);
    KT_EQ_INT(rw_torn, 0);
    KT_EQ_HEX((ULONG)rw_lock, 0);
}

/* ---- misuse ---- */

static EX_SPIN_LOCK misuse_lock;

static void exclusive_twice(void *arg)
{
    (void)arg;
    ExAcquireSpinLockExclusive(&misuse_lock);
    ExAcquireSpinLockExclusive(&misuse_lock);
}

static void shared_then_exclusive(void *arg)
{
    (void)arg;
    ExAcquireSpinLockShared(&misuse_lock);
    ExAcquireSpinLockExclusiveAtDpcLevel(&misuse_lock);
}

static void exclusive_then_shared(void *arg)
{
    (void)arg;
    ExAcquireSpinLockExclusive(&misuse_lock);
    ExAcquireSpinLockSharedAtDpcLevel(&misuse_lock);
}

/* "Recursive acquisition of a spin lock causes deadlock and is not
 * allowed": where Windows spins forever, ntbox reports Driver Verifier's
 * self-deadlock, 0xC4/0x1000 with P2 the lock. */
KT_TEST(ExAcquireSpinLock_recursive_is_self_deadlock)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1000, exclusive_twice, NULL);
    KT_CONTAINS(out, "ExAcquireSpinLockExclusive(0x");
    KT_CONTAINS(out, "this thread already holds the spin lock (0x80000000)");
    out = KT_EXPECT_BUGCHECK(0xC4, 0x1000, shared_then_exclusive, NULL);
    KT_CONTAINS(out, "ExAcquireSpinLockExclusiveAtDpcLevel(0x");
    out = KT_EXPECT_BUGCHECK(0xC4, 0x1000, exclusive_then_shared, NULL);
    KT_CONTAINS(out, "ExAcquireSpinLockSharedAtDpcLevel(0x");
}

static void release_shared_free(void *arg)
{
    (void)arg;
    ExReleaseSpinLockSharedFromDpcLevel(&misuse_lock);
}

static void release_exclusive_shared(void *arg)
{
    (void)arg;
    KIRQL old = ExAcquireSpinLockShared(&misuse_lock);
    ExReleaseSpinLockExclusive(&misuse_lock, old);
}

/* Releasing a lock not held in that mode: 0xC4/0x1007. */
KT_TEST(ExReleaseSpinLock_not_held)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_shared_free, NULL);
    KT_CONTAINS(out, "ExReleaseSpinLockSharedFromDpcLevel(0x");
    KT_CONTAINS(out, "the spin lock is not held shared (0x00000000)");
    out = KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_exclusive_shared, NULL);
    KT_CONTAINS(out, "the spin lock is not held exclusive (0x00000001)");
}

static void acquire_at_high(void *arg)
{
    (void)arg;
    ke_irql_set(HIGH_LEVEL);
    ExAcquireSpinLockShared(&misuse_lock);
}

/* Callers must be at <= DISPATCH_LEVEL: the raise from above it is the
 * raise-to-lower that Driver Verifier reports as 0xC4/0x30. */
KT_TEST(ExAcquireSpinLockShared_above_dispatch)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x30, acquire_at_high, NULL);
    KT_CONTAINS(out, "ExAcquireSpinLockShared(DISPATCH_LEVEL) at HIGH_LEVEL");
}

/* Without the verifier's locks group a release of a free lock, in either
 * mode, leaves it free. */
KT_TEST(ExReleaseSpinLock_unverified)
{
    EX_SPIN_LOCK lock = 0;
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_LOCKS));
    ExReleaseSpinLockExclusiveFromDpcLevel(&lock);
    ExReleaseSpinLockSharedFromDpcLevel(&lock);
    vf_set_groups(VF_LIBRARY_DEFAULT);
    KT_EQ_HEX((ULONG)lock, 0);
    KIRQL old = ExAcquireSpinLockExclusive(&lock);
    ExReleaseSpinLockExclusive(&lock, old);
    KT_EQ_HEX((ULONG)lock, 0);
}
