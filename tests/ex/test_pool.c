/* tests/ex/test_pool.c: ExAllocatePool, ExAllocatePoolWithTag,
 * ExAllocatePoolWithQuotaTag, ExAllocatePoolWithTagPriority, the WDK's inline
 * ExAllocatePool*Zero/Uninitialized helpers, ExFreePool, ExFreePoolWithTag,
 * and the bad frees Windows stops with BAD_POOL_CALLER (bug check 0xC2).
 * The pool's counters live for the whole process: each test uses its own tag. */
#include "ktest.h"

#include "ex/pool.h"
#include "ke/irql.h"
#include "verifier/verifier.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BAD_POOL_CALLER 0xC2
#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

/* The counters of (tag, class), zero when the pair was never used. */
static struct ex_pool_tag_row row_of(ULONG tag, enum ex_pool_class pool_class)
{
    struct ex_pool_tag_row *rows, found = { tag, pool_class, 0, 0, 0 };
    size_t n = ex_pool_tag_rows(&rows);
    for (size_t i = 0; i < n; i++)
        if (rows[i].tag == tag && rows[i].pool_class == pool_class)
            found = rows[i];
    free(rows);
    return found;
}

static bool all_bytes(const void *p, unsigned char value, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != value)
            return false;
    return true;
}

/* Leaves this thread's next pool block of n bytes dirty (0xAA), so zeroing
 * is observable: a full quarantine of freed, dirtied blocks of that size
 * hands its oldest out next. */
static void dirty_pool(size_t n)
{
    void *blocks[EX_POOL_QUARANTINE_BLOCKS];
    for (size_t i = 0; i < EX_POOL_QUARANTINE_BLOCKS; i++) {
        blocks[i] = ExAllocatePoolWithTag(NonPagedPoolNx, n, 'ytiD');
        memset(blocks[i], 0xAA, n);
    }
    for (size_t i = 0; i < EX_POOL_QUARANTINE_BLOCKS; i++)
        ExFreePool(blocks[i]);
}

/* "Memory allocations of less than PAGE_SIZE ... are aligned on ... 16-byte
 * boundaries on 64-bit systems"; "if NumberOfBytes is PAGE_SIZE or greater, a
 * page-aligned buffer is allocated". */
KT_TEST(ExAllocatePoolWithTag_alignment)
{
    static const SIZE_T sizes[] = { 1, 8, 15, 16, 17, 100, 4095, 4096, 5000, 65536 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = ExAllocatePoolWithTag(NonPagedPoolNx, sizes[i], 'nlA1');
        KT_REQUIRE(KT_TRUE(p != NULL));
        KT_EQ_HEX((uintptr_t)p % (sizes[i] >= 4096 ? 4096 : 16), 0);
        memset(p, 0x5A, sizes[i]);
        ExFreePoolWithTag(p, 'nlA1');
    }
}

/* The cache-aligned types align on the processor cache line (64 bytes). */
KT_TEST(ExAllocatePoolWithTag_cache_aligned)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolCacheAligned, 40, 'nlA2');
    void *q = ExAllocatePoolWithTag(PagedPoolCacheAligned, 40, 'nlA2');
    KT_REQUIRE(KT_TRUE(p && q));
    KT_EQ_HEX((uintptr_t)p % 64, 0);
    KT_EQ_HEX((uintptr_t)q % 64, 0);
    ExFreePool(p);
    ExFreePool(q);
}

/* The blocks dirty_pool leaves are what the next allocation gets: without
 * POOL_ZERO_ALLOCATION, "the contents of the allocated memory are not
 * initialized" (so the zeroing tests below show something). */
KT_TEST(ExAllocatePoolWithTag_does_not_zero)
{
    dirty_pool(200);
    unsigned char *p = ExAllocatePoolWithTag(PagedPool, 200, 'oreZ');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_TRUE(all_bytes(p, 0xAA, 200));
    ExFreePool(p);
}

/* ExAllocatePoolZero is ExAllocatePoolWithTag with POOL_ZERO_ALLOCATION:
 * the block is zeroed. */
KT_TEST(ExAllocatePoolZero_zeroes)
{
    dirty_pool(200);
    unsigned char *p = ExAllocatePoolZero(PagedPool, 200, 'oreZ');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_TRUE(all_bytes(p, 0, 200));
    ExFreePoolWithTag(p, 'oreZ');
    dirty_pool(300);
    p = ExAllocatePoolWithTag((POOL_TYPE)(NonPagedPoolNx | POOL_ZERO_ALLOCATION), 300, 'oreZ');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_TRUE(all_bytes(p, 0, 300));
    ExFreePoolWithTag(p, 'oreZ');
}

/* ExAllocatePoolQuotaZero and ExAllocatePoolPriorityZero zero too; the
 * Uninitialized helpers allocate the same block without zeroing. */
KT_TEST(ExAllocatePool_inline_helpers)
{
    dirty_pool(72);
    unsigned char *q = ExAllocatePoolQuotaZero(PagedPool, 72, 'pleH');
    KT_REQUIRE(KT_TRUE(q != NULL));
    KT_TRUE(all_bytes(q, 0, 72));
    dirty_pool(88);
    unsigned char *r = ExAllocatePoolPriorityZero(NonPagedPoolNx, 88, 'pleH', NormalPoolPriority);
    KT_REQUIRE(KT_TRUE(r != NULL));
    KT_TRUE(all_bytes(r, 0, 88));
    void *u = ExAllocatePoolUninitialized(PagedPool, 10, 'pleH');
    void *v = ExAllocatePoolQuotaUninitialized(PagedPool, 10, 'pleH');
    void *w = ExAllocatePoolPriorityUninitialized(PagedPool, 10, 'pleH', HighPoolPriority);
    KT_REQUIRE(KT_TRUE(u && v && w));
    struct ex_pool_tag_row paged = row_of('pleH', EX_POOL_PAGED), nx = row_of('pleH', EX_POOL_NONPAGED_NX);
    KT_EQ_INT(paged.allocs, 4);
    KT_EQ_INT(paged.bytes, 72 + 30);
    KT_EQ_INT(nx.allocs, 1);
    KT_EQ_INT(nx.bytes, 88);
    ExFreePool(q);
    ExFreePool(r);
    ExFreePool(u);
    ExFreePool(v);
    ExFreePool(w);
}

/* "ExAllocatePool calls ExAllocatePoolWithTag using the tag enoN"; the
 * blocks are counted under "None". */
KT_TEST(ExAllocatePool_tag_None)
{
    struct ex_pool_tag_row before = row_of('enoN', EX_POOL_PAGED);
    void *p = ExAllocatePool(PagedPool, 0x58);
    KT_REQUIRE(KT_TRUE(p != NULL));
    struct ex_pool_tag_row after = row_of('enoN', EX_POOL_PAGED);
    KT_EQ_INT(after.allocs - before.allocs, 1);
    KT_EQ_INT(after.bytes - before.bytes, 0x58);
    ExFreePoolWithTag(p, 'enoN');
    KT_EQ_INT(row_of('enoN', EX_POOL_PAGED).frees - before.frees, 1);
}

/* Allocs, frees and outstanding bytes are counted per (tag, pool), and
 * PagedPool, NonPagedPool and NonPagedPoolNx apart. */
KT_TEST(ExAllocatePoolWithTag_counts_per_tag_and_pool)
{
    void *a = ExAllocatePoolWithTag(PagedPool, 100, 'tnuC');
    void *b = ExAllocatePoolWithTag(PagedPool, 28, 'tnuC');
    void *c = ExAllocatePoolWithTag(NonPagedPool, 7, 'tnuC');
    void *d = ExAllocatePoolWithTag(NonPagedPoolNx, 9, 'tnuC');
    KT_REQUIRE(KT_TRUE(a && b && c && d));
    ExFreePoolWithTag(a, 'tnuC');
    struct ex_pool_tag_row paged = row_of('tnuC', EX_POOL_PAGED);
    struct ex_pool_tag_row nonp = row_of('tnuC', EX_POOL_NONPAGED);
    struct ex_pool_tag_row nx = row_of('tnuC', EX_POOL_NONPAGED_NX);
    KT_EQ_INT(paged.allocs, 2);
    KT_EQ_INT(paged.frees, 1);
    KT_EQ_INT(paged.bytes, 28);
    KT_EQ_INT(nonp.allocs, 1);
    KT_EQ_INT(nonp.bytes, 7);
    KT_EQ_INT(nx.allocs, 1);
    KT_EQ_INT(nx.bytes, 9);
    ExFreePool(b);
    ExFreePool(c);
    ExFreePool(d);
    KT_EQ_INT(row_of('tnuC', EX_POOL_PAGED).bytes, 0);
    KT_EQ_INT(row_of('tnuC', EX_POOL_NONPAGED_NX).frees, 1);
}

/* A size the machine cannot hold fails with NULL, cleanly, and is not
 * counted. */
KT_TEST(ExAllocatePoolWithTag_impossible_size_returns_null)
{
    static const SIZE_T sizes[] = { (SIZE_T)-1, (SIZE_T)-16, (SIZE_T)1 << 62, (SIZE_T)1 << 50 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        KT_EQ_PTR(ExAllocatePoolWithTag(NonPagedPoolNx, sizes[i], 'guH1'), NULL);
        KT_EQ_PTR(ExAllocatePoolZero(PagedPool, sizes[i], 'guH1'), NULL);
        KT_EQ_PTR(ExAllocatePoolWithQuotaTag((POOL_TYPE)(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), sizes[i],
                                             'guH1'),
                  NULL);
    }
    KT_EQ_INT(row_of('guH1', EX_POOL_PAGED).allocs, 0);
    KT_EQ_INT(row_of('guH1', EX_POOL_NONPAGED_NX).allocs, 0);
}

static void quota_huge(void *arg)
{
    (void)arg;
    ExAllocatePoolWithQuotaTag(PagedPool, (SIZE_T)-1, 'atoQ');
}

/* "If the request cannot be satisfied, ExAllocatePoolWithQuotaTag raises an
 * exception unless POOL_QUOTA_FAIL_INSTEAD_OF_RAISE is specified": unhandled,
 * that is bug check 0x7E with P1 = STATUS_INSUFFICIENT_RESOURCES. */
KT_TEST(ExAllocatePoolWithQuotaTag_raises_on_failure)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES,
                                         quota_huge, NULL);
    KT_CONTAINS(out, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED");
}

/* With POOL_QUOTA_FAIL_INSTEAD_OF_RAISE it returns NULL; a satisfiable
 * request returns a tracked block. */
KT_TEST(ExAllocatePoolWithQuotaTag_fail_instead_of_raise)
{
    KT_EQ_PTR(ExAllocatePoolWithQuotaTag((POOL_TYPE)(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE),
                                         (SIZE_T)1 << 62, 'atoQ'),
              NULL);
    void *p = ExAllocatePoolWithQuotaTag(PagedPool, 33, 'atoQ');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_EQ_INT(row_of('atoQ', EX_POOL_PAGED).bytes, 33);
    ExFreePoolWithTag(p, 'atoQ');
}

static void raise_if_failure(void *arg)
{
    (void)arg;
    ExAllocatePoolWithTag((POOL_TYPE)(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE), (SIZE_T)1 << 62, 'esiR');
}

/* POOL_RAISE_IF_ALLOCATION_FAILURE: a failure raises instead of returning
 * NULL. */
KT_TEST(ExAllocatePoolWithTag_raise_if_allocation_failure)
{
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES, raise_if_failure,
                       NULL);
    void *p = ExAllocatePoolWithTag((POOL_TYPE)(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE), 16, 'esiR');
    KT_REQUIRE(KT_TRUE(p != NULL));
    ExFreePool(p);
}

static void must_succeed(void *arg)
{
    (void)arg;
    ExAllocatePoolWithTag(NonPagedPoolMustSucceed, 16, 'tsuM');
}

/* "The current thread marked an allocation request MUST_SUCCEED (this pool
 * type is no longer supported)": 0xC2/0x9A, P2 type, P3 size, P4 tag. */
KT_TEST(ExAllocatePoolWithTag_must_succeed)
{
    const char *out = KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x9A, must_succeed, NULL);
    KT_CONTAINS(out, "(0x000000000000009A,0x0000000000000002,0x0000000000000010,0x000000007473754D)");
}

static void paged_at_dispatch(void *arg)
{
    (void)arg;
    ke_irql_set(DISPATCH_LEVEL);
    ExAllocatePoolWithTag(PagedPool, 24, 'lqrI');
}

static void nonpaged_at_clock_level(void *arg)
{
    (void)arg;
    ke_irql_set(CLOCK_LEVEL);
    ExAllocatePoolWithTag(NonPagedPoolNx, 40, 'lqrI');
}

/* The same without the irql group, as on Windows without Driver Verifier. */
static void paged_at_dispatch_unverified(void *arg)
{
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_IRQL));
    paged_at_dispatch(arg);
}

/* Paged pool is allocated at IRQL <= APC_LEVEL: else Driver Verifier's
 * 0xC4/0x01, or without it 0xC2/0x08; P2 the IRQL, P3 the pool type, P4
 * the size. Nonpaged pool above DISPATCH_LEVEL is 0xC4/0x02. */
KT_TEST(ExAllocatePoolWithTag_paged_at_dispatch_level)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x01, paged_at_dispatch, NULL);
    KT_CONTAINS(out, "(0x0000000000000001,0x0000000000000002,0x0000000000000001,0x0000000000000018)");
    out = KT_EXPECT_BUGCHECK(0xC4, 0x02, nonpaged_at_clock_level, NULL);
    KT_CONTAINS(out, "(0x0000000000000002,0x000000000000000D,0x0000000000000200,0x0000000000000028)");
    out = KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x08, paged_at_dispatch_unverified, NULL);
    KT_CONTAINS(out, "(0x0000000000000008,0x0000000000000002,0x0000000000000001,0x0000000000000018)");
    ke_irql_set(DISPATCH_LEVEL);
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 24, 'lqrI');
    ke_irql_set(PASSIVE_LEVEL);
    KT_TRUE(p != NULL);
    ExFreePool(p);
}

static void *volatile freed_block;

static void double_free(void *arg)
{
    (void)arg;
    freed_block = ExAllocatePoolWithTag(PagedPool, 0x30, 'lbuD');
    ExFreePoolWithTag(freed_block, 'lbuD');
    ExFreePoolWithTag(freed_block, 'lbuD');
}

/* "The current thread attempted to free the pool, which was already freed":
 * 0xC2/0x07, P3 the pool header (tag high, block size in 16-byte units),
 * P4 the address. */
KT_TEST(ExFreePoolWithTag_double_free)
{
    char stop[160];
    const char *out = KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x07, double_free, NULL);
    KT_REQUIRE(out);
    void *p;
    KT_REQUIRE(sscanf(strstr(out, "ExFreePoolWithTag(0x"), "ExFreePoolWithTag(%p", &p) == 1);
    snprintf(stop, sizeof stop, "(0x0000000000000007,0x0000000000000000,0x6C62754400040000,0x%016llX)",
             (unsigned long long)(uintptr_t)p);
    KT_CONTAINS(out, stop);
    KT_CONTAINS(out, "): the block was already freed at ");
    KT_CONTAINS(out, ": 'Dubl' PagedPool 0x30 bytes allocated at ");
}

static void free_wild(void *arg)
{
    ExFreePool(arg);
}

/* "The current thread attempted to free a virtual address that was never in
 * any pool": 0xC2/0x42, P2 the address. A stack or malloc address is caught
 * without reading in front of it. */
KT_TEST(ExFreePool_not_a_pool_address)
{
    char local[32], stop[96];
    snprintf(stop, sizeof stop, "(0x0000000000000042,0x%016llX,0x0000000000000000,0x0000000000000000)",
             (unsigned long long)(uintptr_t)local);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x42, free_wild, local), stop);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x42, free_wild, (void *)(uintptr_t)0x10);
    void *m = malloc(64);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x42, free_wild, m);
    free(m);
}

/* A pointer into the middle of a block is no pool address either: 0xC2/0x99
 * ("free pool with an invalid address"), the report naming the block. */
KT_TEST(ExFreePool_interior_pointer)
{
    char *p = ExAllocatePoolWithTag(NonPagedPoolNx, 0x40, 'rtnI');
    KT_REQUIRE(KT_TRUE(p != NULL));
    const char *out = KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x99, free_wild, p + 8);
    KT_CONTAINS(out, "the address is 0x8 bytes into the block at ");
    KT_CONTAINS(out, "('Intr' NonPagedPoolNx 0x40 bytes allocated at ");
    ExFreePool(p);
}

/* ExFreePool(NULL): NULL lies below the system address range: 0xC2/0x40, P3
 * the start of system space. */
KT_TEST(ExFreePool_null)
{
    const char *out = KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x40, free_wild, NULL);
    KT_CONTAINS(out, "(0x0000000000000040,0x0000000000000000,0xFFFF800000000000,0x0000000000000000)");
}

static void free_wrong_tag(void *arg)
{
    ExFreePoolWithTag(arg, 'gnrW');
}

/* "The current thread attempted to free pool memory by using the wrong tag":
 * 0xC2/0x0A, P2 the address, P3 the allocator's tag, P4 the tag given. */
KT_TEST(ExFreePoolWithTag_wrong_tag)
{
    char stop[96];
    void *p = ExAllocatePoolWithTag(PagedPool, 16, 'thgR');
    KT_REQUIRE(KT_TRUE(p != NULL));
    snprintf(stop, sizeof stop, "(0x000000000000000A,0x%016llX,0x0000000074686752,0x00000000676E7257)",
             (unsigned long long)(uintptr_t)p);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x0A, free_wrong_tag, p), stop);
    ExFreePoolWithTag(p, 'thgR');
}

/* The tag comparison ignores PROTECTED_POOL, in either direction; ExFreePool
 * checks no tag. */
KT_TEST(ExFreePoolWithTag_protected_pool_bit_ignored)
{
    void *p = ExAllocatePoolWithTag(PagedPool, 16, 'torP' | PROTECTED_POOL);
    void *q = ExAllocatePoolWithTag(PagedPool, 16, 'torP');
    KT_REQUIRE(KT_TRUE(p && q));
    ExFreePoolWithTag(p, 'torP');
    ExFreePoolWithTag(q, 'torP' | PROTECTED_POOL);
    KT_EQ_INT(row_of('torP', EX_POOL_PAGED).allocs, 2);
    KT_EQ_INT(row_of('torP', EX_POOL_PAGED).frees, 2);
}

static void free_paged_at_dispatch(void *arg)
{
    ke_irql_set(DISPATCH_LEVEL);
    ExFreePool(arg);
}

static void free_paged_at_dispatch_unverified(void *arg)
{
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_IRQL));
    free_paged_at_dispatch(arg);
}

/* Paged pool is freed at IRQL <= APC_LEVEL: else Driver Verifier's
 * 0xC4/0x11, or without it 0xC2/0x09; P2 the IRQL, P3 the pool type, P4
 * the address. */
KT_TEST(ExFreePool_paged_at_dispatch_level)
{
    char stop[96];
    void *p = ExAllocatePoolWithTag(PagedPool, 16, 'lqrF');
    KT_REQUIRE(KT_TRUE(p != NULL));
    snprintf(stop, sizeof stop, "(0x0000000000000011,0x0000000000000002,0x0000000000000001,0x%016llX)",
             (unsigned long long)(uintptr_t)p);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(0xC4, 0x11, free_paged_at_dispatch, p), stop);
    snprintf(stop, sizeof stop, "(0x0000000000000009,0x0000000000000002,0x0000000000000001,0x%016llX)",
             (unsigned long long)(uintptr_t)p);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x09, free_paged_at_dispatch_unverified, p), stop);
    ExFreePool(p);
}

#define STRESS_ROUNDS 20000
#define STRESS_LIVE 64

/* Each thread allocates and frees in its own pattern, under a shared tag and
 * a tag of its own, keeping up to STRESS_LIVE blocks alive. */
static void *stress_thread(void *arg)
{
    ULONG own = (ULONG)(uintptr_t)arg;
    void *live[STRESS_LIVE] = { 0 };
    for (unsigned i = 0; i < STRESS_ROUNDS; i++) {
        unsigned k = (i * 7919u) % STRESS_LIVE;
        if (live[k])
            ExFreePool(live[k]);
        live[k] = ExAllocatePoolWithTag(i & 1 ? PagedPool : NonPagedPoolNx, 1 + i % 200, i & 2 ? own : 'rtS2');
    }
    for (unsigned k = 0; k < STRESS_LIVE; k += 2)
        if (live[k])
            ExFreePool(live[k]);
    return NULL;
}

static LONG64 expected_bytes(unsigned thread_rounds, bool own, bool paged, LONG64 *allocs)
{
    /* Replays stress_thread: what stays allocated at the end. */
    SIZE_T size[STRESS_LIVE] = { 0 };
    bool match[STRESS_LIVE] = { 0 };
    LONG64 bytes = 0;
    *allocs = 0;
    for (unsigned i = 0; i < thread_rounds; i++) {
        unsigned k = (i * 7919u) % STRESS_LIVE;
        bool m = (((i & 2) != 0) == own) && (((i & 1) != 0) == paged);
        match[k] = m;
        size[k] = 1 + i % 200;
        *allocs += m;
    }
    for (unsigned k = 1; k < STRESS_LIVE; k += 2)
        if (match[k])
            bytes += (LONG64)size[k];
    return bytes;
}

/* Two threads allocating and freeing at once: every count and byte total is
 * exact afterwards. */
KT_TEST(ExAllocatePoolWithTag_two_threads_exact)
{
    pthread_t t[2];
    size_t live_before = ex_pool_outstanding(NULL);
    pthread_create(&t[0], NULL, stress_thread, (void *)(uintptr_t)'AtS1');
    pthread_create(&t[1], NULL, stress_thread, (void *)(uintptr_t)'BtS1');
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);

    LONG64 allocs, bytes;
    bytes = expected_bytes(STRESS_ROUNDS, true, true, &allocs);
    KT_EQ_INT(row_of('AtS1', EX_POOL_PAGED).allocs, allocs);
    KT_EQ_INT(row_of('AtS1', EX_POOL_PAGED).bytes, bytes);
    KT_EQ_INT(row_of('BtS1', EX_POOL_PAGED).bytes, bytes);
    bytes = expected_bytes(STRESS_ROUNDS, false, false, &allocs);
    KT_EQ_INT(row_of('rtS2', EX_POOL_NONPAGED_NX).allocs, 2 * allocs);
    KT_EQ_INT(row_of('rtS2', EX_POOL_NONPAGED_NX).bytes, 2 * bytes);
    bytes = expected_bytes(STRESS_ROUNDS, false, true, &allocs);
    KT_EQ_INT(row_of('rtS2', EX_POOL_PAGED).bytes, 2 * bytes);
    KT_EQ_INT(ex_pool_outstanding(NULL) - live_before, STRESS_LIVE); /* 32 per thread */
}

#define SWAP_SLOTS 128
static void *volatile swap_slots[SWAP_SLOTS];

/* Each thread puts its new block in a shared slot and frees whatever was
 * there, so about half the frees release the other thread's blocks. */
static void *swap_thread(void *arg)
{
    ULONG tag = (ULONG)(uintptr_t)arg;
    for (unsigned i = 0; i < STRESS_ROUNDS; i++) {
        void *p = ExAllocatePoolWithTag(PagedPool, 8 + i % 64, tag);
        void *old = __atomic_exchange_n(&swap_slots[(i * 31u + tag) % SWAP_SLOTS], p, __ATOMIC_ACQ_REL);
        if (old)
            ExFreePool(old);
    }
    return NULL;
}

/* Blocks freed on another thread than the one that allocated them: every
 * free is found and counted, nothing is lost or counted twice. */
KT_TEST(ExFreePool_cross_thread_exact)
{
    pthread_t t[2];
    size_t live_before = ex_pool_outstanding(NULL);
    pthread_create(&t[0], NULL, swap_thread, (void *)(uintptr_t)'AwS3');
    pthread_create(&t[1], NULL, swap_thread, (void *)(uintptr_t)'BwS3');
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    KT_EQ_INT(ex_pool_outstanding(NULL) - live_before, SWAP_SLOTS);
    for (unsigned k = 0; k < SWAP_SLOTS; k++)
        ExFreePool(swap_slots[k]);
    LONG64 bytes = 0;
    for (unsigned i = 0; i < STRESS_ROUNDS; i++)
        bytes += 8 + i % 64;
    struct ex_pool_tag_row a = row_of('AwS3', EX_POOL_PAGED), b = row_of('BwS3', EX_POOL_PAGED);
    KT_EQ_INT(a.allocs, STRESS_ROUNDS);
    KT_EQ_INT(b.allocs, STRESS_ROUNDS);
    KT_EQ_INT(a.frees, STRESS_ROUNDS);
    KT_EQ_INT(b.frees, STRESS_ROUNDS);
    KT_EQ_INT(a.bytes, 0);
    KT_EQ_INT(b.bytes, 0);
    KT_EQ_INT(ex_pool_outstanding(NULL), live_before);
}
