/* tests/ex/test_slist.c: sequenced singly linked lists: InitializeSListHead,
 * InterlockedPushEntrySList / InterlockedPopEntrySList /
 * InterlockedFlushSList and their ExInterlocked forms, ExQueryDepthSList,
 * QueryDepthSList, RtlFirstEntrySList; the header layout (Depth, Sequence,
 * first entry), misalignment, and lock-free use by several threads. */
#include "ktest.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

/* A driver's entry: the SLIST_ENTRY first, 16-byte aligned by its type. */
struct item {
    SLIST_ENTRY link;
    int value;
    int in_use; /* the multi-threaded tests: popped by exactly one thread */
};

/* "InitializeSListHead initializes ... an empty list": Depth 0, Sequence
 * 0, no first entry, whatever the header held before. */
KT_TEST(InitializeSListHead_empty)
{
    SLIST_HEADER head;
    memset(&head, 0xA5, sizeof head);
    InitializeSListHead(&head);
    KT_EQ_HEX(head.Alignment, 0);
    KT_EQ_HEX(head.Region, 0);
    KT_EQ_INT(ExQueryDepthSList(&head), 0);
    KT_EQ_INT(QueryDepthSList(&head), 0);
    KT_EQ_PTR(RtlFirstEntrySList(&head), NULL);
    KT_EQ_PTR(InterlockedPopEntrySList(&head), NULL);
    ExInitializeSListHead(&head);
    KT_EQ_HEX(head.Alignment, 0);
}

/* Push "returns a pointer to the first SLIST_ENTRY structure that was an
 * entry on the list; otherwise, it returns NULL".
 *     after: [head] -> b -> a */
KT_TEST(InterlockedPushEntrySList_returns_previous_first)
{
    SLIST_HEADER head;
    struct item a = { .value = 1 }, b = { .value = 2 };
    InitializeSListHead(&head);
    KT_EQ_PTR(InterlockedPushEntrySList(&head, &a.link), NULL);
    KT_EQ_PTR(InterlockedPushEntrySList(&head, &b.link), &a.link);
    KT_EQ_PTR(b.link.Next, &a.link);
    KT_EQ_PTR(a.link.Next, NULL);
    KT_EQ_PTR(RtlFirstEntrySList(&head), &b.link);
    KT_EQ_INT(ExQueryDepthSList(&head), 2);
    KT_EQ_INT(QueryDepthSList(&head), 2);
}

/* Pop "returns a pointer to the first entry removed from the list, or NULL
 * if the list was empty": last in, first out. */
KT_TEST(InterlockedPopEntrySList_lifo)
{
    SLIST_HEADER head;
    struct item a, b, c;
    InitializeSListHead(&head);
    InterlockedPushEntrySList(&head, &a.link);
    InterlockedPushEntrySList(&head, &b.link);
    InterlockedPushEntrySList(&head, &c.link);
    KT_EQ_PTR(InterlockedPopEntrySList(&head), &c.link);
    KT_EQ_INT(ExQueryDepthSList(&head), 2);
    KT_EQ_PTR(RtlFirstEntrySList(&head), &b.link);
    KT_EQ_PTR(InterlockedPopEntrySList(&head), &b.link);
    KT_EQ_PTR(InterlockedPopEntrySList(&head), &a.link);
    KT_EQ_INT(ExQueryDepthSList(&head), 0);
    KT_EQ_PTR(InterlockedPopEntrySList(&head), NULL);
    KT_EQ_INT(ExQueryDepthSList(&head), 0);
    KT_EQ_PTR(RtlFirstEntrySList(&head), NULL);
}

/* Flush "removes all entries" and returns the former first one, the rest
 * following through Next; NULL for an empty list. */
KT_TEST(InterlockedFlushSList_takes_all)
{
    SLIST_HEADER head;
    struct item a, b;
    InitializeSListHead(&head);
    KT_EQ_PTR(InterlockedFlushSList(&head), NULL);
    InterlockedPushEntrySList(&head, &a.link);
    InterlockedPushEntrySList(&head, &b.link);
    PSLIST_ENTRY all = InterlockedFlushSList(&head);
    KT_EQ_PTR(all, &b.link);
    KT_EQ_PTR(all->Next, &a.link);
    KT_EQ_PTR(all->Next->Next, NULL);
    KT_EQ_INT(ExQueryDepthSList(&head), 0);
    KT_EQ_PTR(RtlFirstEntrySList(&head), NULL);
    KT_EQ_PTR(InterlockedPopEntrySList(&head), NULL);
    KT_EQ_PTR(InterlockedPushEntrySList(&head, &a.link), NULL);
}

/* On x64 the ExInterlocked forms take a spin lock they ignore: the same
 * results, and the lock is never touched. */
KT_TEST(ExInterlockedPushEntrySList_ignores_lock)
{
    SLIST_HEADER head;
    KSPIN_LOCK lock = 0x1234;
    struct item a, b;
    InitializeSListHead(&head);
    KT_EQ_PTR(ExInterlockedPushEntrySList(&head, &a.link, &lock), NULL);
    KT_EQ_PTR(ExInterlockedPushEntrySList(&head, &b.link, &lock), &a.link);
    KT_EQ_PTR(ExInterlockedPopEntrySList(&head, &lock), &b.link);
    KT_EQ_PTR(ExInterlockedFlushSList(&head), &a.link);
    KT_EQ_PTR(ExInterlockedPopEntrySList(&head, NULL), NULL);
    KT_EQ_HEX(lock, 0x1234);
}

/* The x64 header: Depth in bits 0-15, Sequence in 16-63 of the first
 * quadword; every push advances Sequence (what defeats ABA); the second
 * quadword holds the first entry (NextEntry, the address >> 4). */
KT_TEST(SLIST_HEADER_x64_layout)
{
    SLIST_HEADER head;
    struct item a, b;
    InitializeSListHead(&head);
    InterlockedPushEntrySList(&head, &a.link);
    KT_EQ_INT(head.HeaderX64.Depth, 1);
    KT_EQ_INT(head.HeaderX64.Sequence, 1);
    KT_EQ_HEX(head.HeaderX64.NextEntry << 4, (uintptr_t)&a.link);
    KT_EQ_HEX(head.Region, (uintptr_t)&a.link);
    InterlockedPushEntrySList(&head, &b.link);
    KT_EQ_INT(head.HeaderX64.Depth, 2);
    KT_EQ_INT(head.HeaderX64.Sequence, 2);
    KT_EQ_HEX(head.Alignment, 0x20002);
    InterlockedPopEntrySList(&head);
    KT_EQ_INT(head.HeaderX64.Depth, 1);
    KT_EQ_HEX(head.HeaderX64.NextEntry << 4, (uintptr_t)&a.link);
    InterlockedPushEntrySList(&head, &b.link);
    KT_EQ_INT(head.HeaderX64.Sequence, 3);
}

/* Depth is 16 bits: QueryDepthSList reads it straight from the header. */
KT_TEST(QueryDepthSList_reads_depth_field)
{
    enum { N = 300 };
    static struct item items[N];
    SLIST_HEADER head;
    InitializeSListHead(&head);
    for (int i = 0; i < N; i++)
        InterlockedPushEntrySList(&head, &items[i].link);
    KT_EQ_INT(QueryDepthSList(&head), N);
    KT_EQ_INT(ExQueryDepthSList(&head), N);
    KT_EQ_INT(head.Alignment & 0xFFFF, N);
}

static void init_misaligned(void *arg)
{
    (void)arg;
    static unsigned char buf[64] __attribute__((aligned(16)));
    InitializeSListHead((PSLIST_HEADER)(buf + 8));
}

/* An SLIST_HEADER must be 16-byte aligned; the WDK's InitializeSListHead
 * raises STATUS_DATATYPE_MISALIGNMENT for one that is not (unhandled: bug
 * check 0x7E, P1 the status). */
KT_TEST(InitializeSListHead_misaligned_raises)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_DATATYPE_MISALIGNMENT,
                                         init_misaligned, NULL);
    KT_CONTAINS(out, "InitializeSListHead(0x");
    KT_CONTAINS(out, "): the SLIST_HEADER is not 16-byte aligned.");
}

static void push_misaligned_header(void *arg)
{
    (void)arg;
    static unsigned char buf[64] __attribute__((aligned(16)));
    static struct item a;
    InterlockedPushEntrySList((PSLIST_HEADER)(buf + 8), &a.link);
}

/* cmpxchg16b faults (#GP) on a header that is not 16-byte aligned: an
 * access violation in the caller. */
KT_TEST(InterlockedPushEntrySList_misaligned_header_faults)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION,
                                         push_misaligned_header, NULL);
    KT_CONTAINS(out, "InterlockedPushEntrySList(0x");
    KT_CONTAINS(out, "cmpxchg16b faults on it (#GP)");
}

static void push_pop_misaligned_entry(void *arg)
{
    (void)arg;
    static unsigned char buf[64] __attribute__((aligned(16)));
    SLIST_HEADER head;
    PSLIST_ENTRY entry = (PSLIST_ENTRY)(buf + 8);
    InitializeSListHead(&head);
    InterlockedPushEntrySList(&head, entry);
    if (InterlockedPopEntrySList(&head) != entry)
        _exit(9);
}

/* Entries must be MEMORY_ALLOCATION_ALIGNMENT-aligned: a misaligned one is
 * reported (Windows would lose its low address bits); ntbox keeps it. */
KT_TEST(InterlockedPushEntrySList_misaligned_entry_warns)
{
    int status;
    const char *out = kt_run_child(push_pop_misaligned_entry, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "ntbox: warning: InterlockedPushEntrySList at ");
    KT_CONTAINS(out, " is not 16-byte aligned; Windows keeps only address bits 4-63 of the first entry");
}

/* Lock-free under contention: threads pop an entry, check that no other
 * thread holds it, and push it back, the pattern that loses or duplicates
 * entries when ABA is not prevented. Afterwards every entry is on the list
 * exactly once. */
#define STRESS_THREADS 4
#define STRESS_ITEMS 8
#define STRESS_ROUNDS 200000

static SLIST_HEADER stress_head;
static struct item stress_items[STRESS_ITEMS];
static int stress_collisions;
static pthread_barrier_t stress_start;

static void *stress_pop_push(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&stress_start);
    for (int i = 0; i < STRESS_ROUNDS; i++) {
        struct item *it = (struct item *)InterlockedPopEntrySList(&stress_head);
        if (!it)
            continue;
        if (__atomic_fetch_add(&it->in_use, 1, __ATOMIC_RELAXED) != 0)
            __atomic_fetch_add(&stress_collisions, 1, __ATOMIC_RELAXED);
        it->value++;
        __atomic_fetch_sub(&it->in_use, 1, __ATOMIC_RELAXED);
        InterlockedPushEntrySList(&stress_head, &it->link);
    }
    return NULL;
}

KT_TEST(InterlockedPopEntrySList_threads_lose_nothing)
{
    pthread_t threads[STRESS_THREADS];
    InitializeSListHead(&stress_head);
    pthread_barrier_init(&stress_start, NULL, STRESS_THREADS);
    for (int i = 0; i < STRESS_ITEMS; i++)
        InterlockedPushEntrySList(&stress_head, &stress_items[i].link);
    for (int t = 0; t < STRESS_THREADS; t++)
        pthread_create(&threads[t], NULL, stress_pop_push, NULL);
    for (int t = 0; t < STRESS_THREADS; t++)
        pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&stress_start);

    KT_EQ_INT(stress_collisions, 0);
    KT_EQ_INT(ExQueryDepthSList(&stress_head), STRESS_ITEMS);
    int seen[STRESS_ITEMS] = { 0 }, count = 0;
    long long total = 0;
    for (PSLIST_ENTRY e = InterlockedFlushSList(&stress_head); e && count <= STRESS_ITEMS; e = e->Next, count++) {
        struct item *it = (struct item *)e;
        seen[it - stress_items]++;
        total += it->value;
    }
    KT_EQ_INT(count, STRESS_ITEMS);
    for (int i = 0; i < STRESS_ITEMS; i++)
        KT_EQ_INT(seen[i], 1);
    /* Every pop that found an entry pushed it back once: the increments add
     * up to at most every round of every thread. */
    KT_TRUE(total > 0 && total <= (long long)STRESS_THREADS * STRESS_ROUNDS);
}

/* Producers push distinct entries while consumers pop and flush: every
 * entry comes out exactly once. */
#define PC_PER_PRODUCER 20000

static SLIST_HEADER pc_head;
static struct item *pc_items;
static int *pc_seen;
static int pc_producers_done;

static void *pc_produce(void *arg)
{
    struct item *base = pc_items + (intptr_t)arg * PC_PER_PRODUCER;
    for (int i = 0; i < PC_PER_PRODUCER; i++)
        InterlockedPushEntrySList(&pc_head, &base[i].link);
    __atomic_fetch_add(&pc_producers_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void pc_take(PSLIST_ENTRY e)
{
    for (; e; e = e->Next)
        __atomic_fetch_add(&pc_seen[(struct item *)e - pc_items], 1, __ATOMIC_RELAXED);
}

static void *pc_consume(void *arg)
{
    for (unsigned n = 0;; n++) {
        bool done = __atomic_load_n(&pc_producers_done, __ATOMIC_ACQUIRE) == 2;
        PSLIST_ENTRY e;
        if (arg && n % 64 == 0) {
            e = InterlockedFlushSList(&pc_head);
            pc_take(e);
        } else if ((e = InterlockedPopEntrySList(&pc_head)) != NULL) {
            e->Next = NULL;
            pc_take(e);
        }
        if (!e && done)
            return NULL;
    }
}

KT_TEST(InterlockedPushEntrySList_producers_and_consumers)
{
    pthread_t threads[4];
    pc_items = aligned_alloc(16, 2 * PC_PER_PRODUCER * sizeof *pc_items);
    pc_seen = calloc(2 * PC_PER_PRODUCER, sizeof *pc_seen);
    KT_REQUIRE(KT_TRUE(pc_items && pc_seen));
    InitializeSListHead(&pc_head);
    pthread_create(&threads[0], NULL, pc_produce, (void *)0);
    pthread_create(&threads[1], NULL, pc_produce, (void *)1);
    pthread_create(&threads[2], NULL, pc_consume, NULL);
    pthread_create(&threads[3], NULL, pc_consume, (void *)1);
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    int bad = 0;
    for (int i = 0; i < 2 * PC_PER_PRODUCER; i++)
        bad += pc_seen[i] != 1;
    KT_EQ_INT(bad, 0);
    KT_EQ_INT(ExQueryDepthSList(&pc_head), 0);
    free(pc_items);
    free(pc_seen);
}
