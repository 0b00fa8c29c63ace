/* tests/verifier/test_lock_order.c: deadlock detection: two locks taken in
 * both orders (or a longer cycle) is bug check 0xC4/0x1001, P2 the lock
 * being acquired, found from the orders alone, one thread after the other,
 * with no deadlock happening; a consistent order, a try, recursion, a lock
 * initialized again or freed, and the group switched off are not. Each
 * test has locks of its own: the graph lives as long as the process. */
#include "ktest.h"

#include "verifier/lock_order.h"

#include <stdint.h>
#include <stdio.h>

#define ORDER_TAG 'drOL'

/* "(0x0000000000001001,0x<lock>," as the STOP line shows P1 and P2. */
static const char *stop_params(const void *lock)
{
    static char text[64];
    snprintf(text, sizeof text, "(0x0000000000001001,0x%016llX,", (unsigned long long)(uintptr_t)lock);
    return text;
}

static void spin_pair(PKSPIN_LOCK outer, PKSPIN_LOCK inner)
{
    KIRQL old;
    KeAcquireSpinLock(outer, &old);
    KeAcquireSpinLockAtDpcLevel(inner);
    KeReleaseSpinLockFromDpcLevel(inner);
    KeReleaseSpinLock(outer, old);
}

/* before: A held, B taken (A -> B); now: B held, A taken. */
static KSPIN_LOCK inv_a, inv_b;

static void spin_inverted(void *arg)
{
    (void)arg;
    KeInitializeSpinLock(&inv_a);
    KeInitializeSpinLock(&inv_b);
    spin_pair(&inv_a, &inv_b);
    spin_pair(&inv_b, &inv_a);
}

KT_TEST(spin_locks_inverted_0x1001)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1001, spin_inverted, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, stop_params(&inv_a));
    KT_CONTAINS(out, "DRIVER_VERIFIER_DETECTED_VIOLATION");
    KT_CONTAINS(out, "Lock order inversion (a potential deadlock): this thread acquires spin lock ");
    KT_CONTAINS(out, "Earlier (thread ");
    KT_CONTAINS(out, "Now (thread ");
}

/* The same order every time is fine, as are the two locks alone. */
static KSPIN_LOCK same_a, same_b;

KT_TEST(spin_locks_same_order_pass)
{
    KIRQL old;
    KeInitializeSpinLock(&same_a);
    KeInitializeSpinLock(&same_b);
    for (int i = 0; i < 3; i++)
        spin_pair(&same_a, &same_b);
    KeAcquireSpinLock(&same_b, &old);
    KeReleaseSpinLock(&same_b, old);
    KeAcquireSpinLock(&same_a, &old);
    KeReleaseSpinLock(&same_a, old);
    KT_EQ_INT(vf_lock_held.count, 0);
}

/* A -> B, B -> C, then C -> A closes a cycle of three. */
static KSPIN_LOCK cyc_a, cyc_b, cyc_c;

static void spin_cycle(void *arg)
{
    (void)arg;
    KeInitializeSpinLock(&cyc_a);
    KeInitializeSpinLock(&cyc_b);
    KeInitializeSpinLock(&cyc_c);
    spin_pair(&cyc_a, &cyc_b);
    spin_pair(&cyc_b, &cyc_c);
    spin_pair(&cyc_c, &cyc_a);
}

KT_TEST(three_lock_cycle_0x1001)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1001, spin_cycle, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, stop_params(&cyc_a));
}

/* A try cannot deadlock: holding A, B taken by a try adds no A -> B, so B
 * then A is the first order seen. */
static KSPIN_LOCK try_a, try_b;

KT_TEST(try_acquire_orders_nothing)
{
    KIRQL old;
    KeInitializeSpinLock(&try_a);
    KeInitializeSpinLock(&try_b);
    KeAcquireSpinLock(&try_a, &old);
    KT_EQ_INT(KeTryToAcquireSpinLockAtDpcLevel(&try_b), TRUE);
    KeReleaseSpinLockFromDpcLevel(&try_b);
    KeReleaseSpinLock(&try_a, old);
    spin_pair(&try_b, &try_a);
    KT_EQ_INT(vf_lock_held.count, 0);
}

/* KeInitializeSpinLock makes a new lock of the address: its old orders go. */
static KSPIN_LOCK init_a, init_b;

KT_TEST(reinitialized_lock_forgets_order)
{
    KeInitializeSpinLock(&init_a);
    KeInitializeSpinLock(&init_b);
    spin_pair(&init_a, &init_b);
    KeInitializeSpinLock(&init_a);
    spin_pair(&init_b, &init_a);
    KT_EQ_INT(vf_lock_held.count, 0);
}

/* Freeing the pool block that holds a lock forgets the lock's edges. */
static KSPIN_LOCK pool_b;

KT_TEST(freed_lock_forgets_order)
{
    unsigned before = vf_lock_edges_used;
    PKSPIN_LOCK a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, ORDER_TAG);
    KT_REQUIRE(KT_TRUE(a != NULL));
    KeInitializeSpinLock(a + 3);
    KeInitializeSpinLock(&pool_b);
    spin_pair(a + 3, &pool_b);
    KT_EQ_INT(vf_lock_edges_used, before + 1);
    ExFreePoolWithTag(a, ORDER_TAG);
    KT_EQ_INT(vf_lock_edges_used, before);
}

/* With the deadlock group off nothing is recorded or reported. */
static KSPIN_LOCK off_a, off_b;

static void spin_inverted_group_off(void *arg)
{
    (void)arg;
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_DEADLOCK));
    KeInitializeSpinLock(&off_a);
    KeInitializeSpinLock(&off_b);
    spin_pair(&off_a, &off_b);
    spin_pair(&off_b, &off_a);
    printf("no report\n");
}

KT_TEST(group_off_reports_nothing)
{
    int status = -1;
    const char *out = kt_run_child(spin_inverted_group_off, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "no report");
}

/* Fast mutexes, each order from its own system thread, run one after the
 * other. */
static FAST_MUTEX fm_a, fm_b;

static VOID NTAPI fm_pair(PVOID context)
{
    PFAST_MUTEX *order = context;
    ExAcquireFastMutex(order[0]);
    ExAcquireFastMutex(order[1]);
    ExReleaseFastMutex(order[1]);
    ExReleaseFastMutex(order[0]);
}

static void run_thread(PKSTART_ROUTINE routine, PVOID context)
{
    HANDLE thread;
    if (!NT_SUCCESS(PsCreateSystemThread(&thread, SYNCHRONIZE, NULL, NULL, NULL, routine, context)))
        return;
    ZwWaitForSingleObject(thread, FALSE, NULL);
    ZwClose(thread);
}

static void fast_mutexes_inverted(void *arg)
{
    PFAST_MUTEX ab[2] = { &fm_a, &fm_b }, ba[2] = { &fm_b, &fm_a };
    (void)arg;
    ExInitializeFastMutex(&fm_a);
    ExInitializeFastMutex(&fm_b);
    run_thread(fm_pair, ab);
    run_thread(fm_pair, ba);
}

KT_TEST(fast_mutexes_inverted_in_two_threads_0x1001)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1001, fast_mutexes_inverted, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, stop_params(&fm_a));
    KT_CONTAINS(out, "while it holds fast mutex ");
}

/* KMUTEXes: the wait acquires; a timed-out wait holds nothing. */
static KMUTEX km_a, km_b;

static void kmutex_pair(PKMUTEX outer, PKMUTEX inner)
{
    KeWaitForSingleObject(outer, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(inner, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(inner, FALSE);
    KeReleaseMutex(outer, FALSE);
}

static void kmutexes_inverted(void *arg)
{
    (void)arg;
    KeInitializeMutex(&km_a, 0);
    KeInitializeMutex(&km_b, 0);
    kmutex_pair(&km_a, &km_b);
    kmutex_pair(&km_b, &km_a);
}

KT_TEST(kmutexes_inverted_0x1001)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1001, kmutexes_inverted, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, stop_params(&km_a));
    KT_CONTAINS(out, "acquires mutex ");
}

/* Recursion on a KMUTEX orders nothing; every acquisition is released. */
static KMUTEX rec_a;

KT_TEST(kmutex_recursion_orders_nothing)
{
    KeInitializeMutex(&rec_a, 0);
    kmutex_pair(&rec_a, &rec_a);
    KT_EQ_INT(vf_lock_held.count, 0);
}

/* Push locks, reader/writer spin locks and resources. */
static EX_PUSH_LOCK push_a;
static EX_SPIN_LOCK rw_a;
static KSPIN_LOCK other_b;
static ERESOURCE res_a, res_b;

static void push_locks_inverted(void *arg)
{
    static KGUARDED_MUTEX gm;
    (void)arg;
    ExInitializePushLock(&push_a);
    KeInitializeGuardedMutex(&gm);
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&push_a);
    KeAcquireGuardedMutex(&gm);
    KeReleaseGuardedMutex(&gm);
    ExReleasePushLockExclusive(&push_a);
    KeAcquireGuardedMutex(&gm);
    ExAcquirePushLockShared(&push_a);
}

KT_TEST(push_lock_inverted_0x1001)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1001, push_locks_inverted, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, stop_params(&push_a));
    KT_CONTAINS(out, "acquires push lock ");
}

static void rw_spin_inverted(void *arg)
{
    KIRQL old;
    (void)arg;
    rw_a = 0;
    KeInitializeSpinLock(&other_b);
    old = ExAcquireSpinLockExclusive(&rw_a);
    KeAcquireSpinLockAtDpcLevel(&other_b);
    KeReleaseSpinLockFromDpcLevel(&other_b);
    ExReleaseSpinLockExclusive(&rw_a, old);
    KeAcquireSpinLock(&other_b, &old);
    ExAcquireSpinLockSharedAtDpcLevel(&rw_a);
}

KT_TEST(rw_spin_lock_inverted_0x1001)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1001, rw_spin_inverted, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, stop_params((const void *)&rw_a));
    KT_CONTAINS(out, "acquires reader/writer spin lock ");
}

/* Shared or exclusive, an inversion is one: a waiting writer blocks new
 * readers. */
static void resources_inverted(void *arg)
{
    (void)arg;
    ExInitializeResourceLite(&res_a);
    ExInitializeResourceLite(&res_b);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&res_b, TRUE);
    ExAcquireResourceSharedLite(&res_a, TRUE);
    ExReleaseResourceLite(&res_a);
    ExReleaseResourceLite(&res_b);
    ExAcquireResourceSharedLite(&res_a, TRUE);
    ExAcquireResourceExclusiveLite(&res_b, TRUE);
}

KT_TEST(resources_inverted_0x1001)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1001, resources_inverted, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, stop_params(&res_b));
    KT_CONTAINS(out, "acquires ERESOURCE ");
    KT_CONTAINS(out, "while it holds ERESOURCE ");
}
