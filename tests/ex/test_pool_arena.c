/* tests/ex/test_pool_arena.c: the pool's own allocator (src/ex/pool_arena.c,
 * pool_slab.c, pool_large.c): ex_pool_owns_address, blocks of every size
 * class and above, the quarantine that keeps double frees recognisable,
 * large blocks' guard pages, bad frees of slab and large blocks, and slabs
 * surviving the threads that made them. */
#include "ktest.h"

#include "ex/pool_fast.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BAD_POOL_CALLER 0xC2
#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E
#define Q EX_POOL_QUARANTINE_BLOCKS

static int in_data_segment;

/* Pool blocks, live or freed, and any byte of them are pool addresses;
 * the stack, malloc's heap, the image's data and NULL are not. */
KT_TEST(ex_pool_owns_address_pool_and_not)
{
    char local[16];
    char *small = ExAllocatePoolWithTag(NonPagedPoolNx, 40, 'nwO1');
    char *large = ExAllocatePoolWithTag(PagedPool, 200000, 'nwO1');
    void *heap = malloc(40);
    KT_REQUIRE(KT_TRUE(small && large && heap));
    KT_TRUE(ex_pool_owns_address(small));
    KT_TRUE(ex_pool_owns_address(small + 39));
    KT_TRUE(ex_pool_owns_address(large));
    KT_TRUE(ex_pool_owns_address(large + 199999));
    KT_FALSE(ex_pool_owns_address(local));
    KT_FALSE(ex_pool_owns_address(heap));
    KT_FALSE(ex_pool_owns_address(&in_data_segment));
    KT_FALSE(ex_pool_owns_address(NULL));
    KT_FALSE(ex_pool_owns_address((void *)(uintptr_t)-1));
    ExFreePool(small);
    ExFreePool(large);
    KT_TRUE(ex_pool_owns_address(small));
    KT_TRUE(ex_pool_owns_address(large));
    free(heap);
}

/* Blocks of every size class, its neighbours and sizes past the largest
 * class hold their whole size without touching one another, aligned as
 * Windows aligns them (16 bytes below a page, pages from a page up). */
KT_TEST(ExAllocatePoolWithTag_every_size_class)
{
    enum { N = 64 };
    SIZE_T sizes[N];
    unsigned char *blocks[N];
    size_t n = 0;
    for (SIZE_T size = 16; size <= 65536 && n + 3 <= N; size += size / 4 > 16 ? size / 4 : 16) {
        sizes[n++] = size - 1;
        sizes[n++] = size;
        sizes[n++] = size + 1;
    }
    size_t before = ex_pool_outstanding(NULL);
    for (size_t i = 0; i < n; i++) {
        blocks[i] = ExAllocatePoolWithTag(NonPagedPoolNx, sizes[i], 'zsE1');
        KT_REQUIRE(KT_TRUE(blocks[i] != NULL));
        KT_EQ_HEX((uintptr_t)blocks[i] % (sizes[i] >= 4096 ? 4096 : 16), 0);
        memset(blocks[i], (int)i, sizes[i]);
    }
    KT_EQ_INT(ex_pool_outstanding(NULL) - before, n);
    for (size_t i = 0; i < n; i++) {
        size_t wrong = 0;
        for (SIZE_T j = 0; j < sizes[i]; j++)
            wrong += blocks[i][j] != (unsigned char)i;
        if (wrong)
            kt_fail(__FILE__, __LINE__, "block %zu (0x%llx bytes) has %zu overwritten bytes", i,
                    (unsigned long long)sizes[i], wrong);
        ExFreePoolWithTag(blocks[i], 'zsE1');
    }
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
}

/* The cache-aligned types align every size on the cache line (64 bytes). */
KT_TEST(ExAllocatePoolWithTag_cache_aligned_every_size)
{
    for (SIZE_T size = 1; size < 40000; size += size < 600 ? 13 : 997) {
        void *p = ExAllocatePoolWithTag(PagedPoolCacheAligned, size, 'nlAC');
        KT_REQUIRE(KT_TRUE(p != NULL));
        if ((uintptr_t)p % 64)
            kt_fail(__FILE__, __LINE__, "0x%llx bytes at %p", (unsigned long long)size, p);
        ExFreePool(p);
    }
}

/* Frees a block x of size, then Q - 2 others of its size class, from an
 * empty quarantine (Q blocks freed fill it, Q allocated take them back);
 * returns x. others[Q - 2] and others[Q - 1] stay allocated. */
static void *free_then_others(SIZE_T size, ULONG tag, void *others[Q])
{
    for (int i = 0; i < Q; i++)
        others[i] = ExAllocatePoolWithTag(PagedPool, size, tag);
    for (int i = 0; i < Q; i++)
        ExFreePool(others[i]);
    for (int i = 0; i < Q; i++)
        others[i] = ExAllocatePoolWithTag(PagedPool, size, tag);
    void *x = ExAllocatePoolWithTag(PagedPool, size, tag);
    ExFreePool(x);
    for (int i = 0; i < Q - 2; i++)
        ExFreePool(others[i]);
    return x;
}

/* A freed block comes back only once Q - 1 more blocks of its size class
 * were freed after it; then it is the first one handed out. */
KT_TEST(ExFreePool_quarantine_delays_reuse)
{
    void *others[Q];
    void *x = free_then_others(2900, 'rauQ', others);
    void *y = ExAllocatePoolWithTag(PagedPool, 2900, 'rauQ');
    KT_TRUE(y != x);
    ExFreePool(others[Q - 2]);
    void *z = ExAllocatePoolWithTag(PagedPool, 2900, 'rauQ');
    KT_EQ_PTR(z, x);
    ExFreePool(y);
    ExFreePool(z);
    ExFreePool(others[Q - 1]);
}

static void double_free_late(void *arg)
{
    (void)arg;
    void *others[Q];
    ExFreePoolWithTag(free_then_others(700, 'etaL', others), 'etaL');
}

/* A double free is recognised however many frees came between, as long as
 * the block was not handed out again: 0xC2/0x07. */
KT_TEST(ExFreePool_double_free_after_other_frees)
{
    const char *out = KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x07, double_free_late, NULL);
    KT_CONTAINS(out, "): the block was already freed at ");
    KT_CONTAINS(out, ": 'Late' PagedPool 0x2bc bytes allocated at ");
}

static void *volatile shared_block;

static void *free_on_thread(void *arg)
{
    (void)arg;
    ExFreePool(shared_block);
    return NULL;
}

static void free_shared_again(void *arg)
{
    (void)arg;
    ExFreePool(shared_block);
}

/* A block freed on another thread is recognised as freed here too. */
KT_TEST(ExFreePool_double_free_across_threads)
{
    pthread_t t;
    shared_block = ExAllocatePoolWithTag(NonPagedPoolNx, 24, 'hTx2');
    KT_REQUIRE(KT_TRUE(shared_block != NULL));
    pthread_create(&t, NULL, free_on_thread, NULL);
    pthread_join(t, NULL);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x07, free_shared_again, NULL), "'2xTh' NonPagedPoolNx 0x18 ");
}

static void free_at(void *arg)
{
    ExFreePool(arg);
}

/* Within a slab: the slack after a block's requested size and the slab's
 * own header are no pool allocation (0x42), a byte inside the block is
 * (0x99), and so is a pointer into a freed block not (0x42). */
KT_TEST(ExFreePool_bad_addresses_in_a_slab)
{
    char *p = ExAllocatePoolWithTag(NonPagedPoolNx, 20, 'balS');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x42, free_at, p + 24);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x42, free_at, (void *)((uintptr_t)p & ~(uintptr_t)(EX_UNIT_SIZE - 1)));
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x99, free_at, p + 19), "the address is 0x13 bytes into ");
    ExFreePool(p);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x42, free_at, p + 8);
}

static void *volatile large_block;

static void free_large_twice(void *arg)
{
    (void)arg;
    ExFreePoolWithTag(large_block, 'egrL');
    ExFreePoolWithTag(large_block, 'egrL');
}

static void free_large_wrong_tag(void *arg)
{
    (void)arg;
    ExFreePoolWithTag(large_block, 'gnrW');
}

static void touch_freed_large(void *arg)
{
    (void)arg;
    ExFreePool(large_block);
    ((volatile char *)large_block)[100] = 1;
}

/* A block larger than the slabs' is checked the same way: double free
 * (0x07, its header in P3), wrong tag (0x0A), interior pointer (0x99),
 * pointer past it (0x42); and a freed one is gone: touching it faults. */
KT_TEST(ExFreePool_large_block_checks)
{
    char stop[128];
    large_block = ExAllocatePoolWithTag(PagedPool, 0x30000, 'egrL');
    KT_REQUIRE(KT_TRUE(large_block != NULL));
    snprintf(stop, sizeof stop, "(0x0000000000000007,0x0000000000000000,0x6567724C00010000,0x%016llX)",
             (unsigned long long)(uintptr_t)large_block);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x07, free_large_twice, NULL), stop);
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x0A, free_large_wrong_tag, NULL);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x99, free_at, (char *)large_block + 0x2FFFF),
                "'Lrge' PagedPool 0x30000 bytes allocated at ");
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x42, free_at, (char *)large_block + 0x30000);
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, touch_freed_large, NULL);
    ExFreePoolWithTag(large_block, 'egrL');
}

static void overrun_large(void *arg)
{
    (void)arg;
    ((volatile char *)large_block)[0x30000 + 4096] = 1;
}

/* Past the last page of a large block the span is inaccessible. */
KT_TEST(ExAllocatePoolWithTag_large_block_overrun_faults)
{
    large_block = ExAllocatePoolWithTag(PagedPool, 0x30000, 'egrL');
    KT_REQUIRE(KT_TRUE(large_block != NULL));
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, overrun_large, NULL);
    ExFreePool(large_block);
}

/* Large blocks freed and allocated again reuse their spans; counts stay
 * exact. */
KT_TEST(ExAllocatePoolWithTag_large_blocks_reused)
{
    size_t before = ex_pool_outstanding(NULL);
    for (int round = 0; round < 200; round++) {
        void *a = ExAllocatePoolWithTag(NonPagedPoolNx, 40000 + (SIZE_T)round * 1000, 'esuR');
        void *b = ExAllocatePoolZero(NonPagedPoolNx, 1 << 20, 'esuR');
        KT_REQUIRE(KT_TRUE(a && b));
        KT_EQ_INT(((unsigned char *)b)[(1 << 20) - 1], 0);
        memset(b, 0x55, 1 << 20);
        ExFreePool(a);
        ExFreePool(b);
    }
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
    struct ex_pool_tag_row *rows;
    size_t n = ex_pool_tag_rows(&rows);
    for (size_t i = 0; i < n; i++)
        if (rows[i].tag == 'esuR') {
            KT_EQ_INT(rows[i].allocs, 400);
            KT_EQ_INT(rows[i].frees, 400);
            KT_EQ_INT(rows[i].bytes, 0);
        }
    free(rows);
}

#define SHORT_THREADS 40
#define SHORT_BLOCKS 300

static void *short_lived(void *arg)
{
    void **kept = arg;
    void *blocks[SHORT_BLOCKS];
    for (int i = 0; i < SHORT_BLOCKS; i++)
        blocks[i] = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'trhS');
    for (int i = 1; i < SHORT_BLOCKS; i++)
        ExFreePool(blocks[i]);
    *kept = blocks[0];
    return NULL;
}

/* A thread's slabs outlive it: its blocks stay valid and are freed from
 * another thread, and the next threads take its slabs over rather than
 * carving new ones. */
KT_TEST(ExAllocatePoolWithTag_slabs_outlive_threads)
{
    void *kept[SHORT_THREADS];
    size_t before = ex_pool_outstanding(NULL);
    SIZE_T top = __atomic_load_n(&ex_slab_top, __ATOMIC_ACQUIRE);
    for (int i = 0; i < SHORT_THREADS; i++) {
        pthread_t t;
        pthread_create(&t, NULL, short_lived, &kept[i]);
        pthread_join(t, NULL);
    }
    KT_EQ_INT(ex_pool_outstanding(NULL) - before, SHORT_THREADS);
    KT_TRUE(__atomic_load_n(&ex_slab_top, __ATOMIC_ACQUIRE) - top <= 2 * EX_UNIT_SIZE);
    for (int i = 0; i < SHORT_THREADS; i++)
        ExFreePoolWithTag(kept[i], 'trhS');
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
}
