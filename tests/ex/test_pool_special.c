/* tests/ex/test_pool_special.c: special pool (src/ex/pool_special.c), the
 * pool's third path while Driver Verifier's special-pool group is on: a
 * block under a page alone at the end of its page, a guard page after it,
 * the slack patterned and checked at free, freed pages inaccessible. The
 * faults it turns into bugchecks: 0xD6 past the end, 0xD5 after the free,
 * 0xC1 for a corrupted slack. Each test turns the group on and back off. */
#include "ktest.h"

#include "ex/pool_internal.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BAD_POOL_CALLER 0xC2
#define SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION 0xC1
#define DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL 0xD5
#define DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION 0xD6
#define PATTERN 0xAB

static void special_on(void)
{
    vf_set_groups(VF_ALL);
}

static void special_off(void)
{
    vf_set_groups(VF_LIBRARY_DEFAULT);
}

static bool all_bytes(const void *p, unsigned char value, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != value)
            return false;
    return true;
}

/* "The highest possible address that allows the allocation to fit on the
 * page is returned", on the pool's 16-byte alignment (64 for the
 * cache-aligned types): the block ends where its page ends, or up to 15
 * (63) bytes before; the bytes before it on the page hold a pattern, as
 * does the block itself unless it is zeroed. */
KT_TEST(special_pool_block_at_end_of_page)
{
    static const SIZE_T sizes[] = { 1, 10, 16, 64, 100, 4000, 4080, 4095 };
    special_on();
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        SIZE_T span = (sizes[i] + 15) & ~(SIZE_T)15;
        unsigned char *p = ExAllocatePoolWithTag(PagedPool, sizes[i], 'dnEP');
        KT_REQUIRE(KT_TRUE(p != NULL));
        KT_TRUE(ex_in_special((uintptr_t)p));
        KT_EQ_HEX(((uintptr_t)p + span) % PAGE_SIZE, 0);
        KT_TRUE(all_bytes(p - ((uintptr_t)p % PAGE_SIZE), PATTERN, (uintptr_t)p % PAGE_SIZE));
        KT_TRUE(all_bytes(p, PATTERN, span));
        memset(p, 0x11, sizes[i]);
        ExFreePoolWithTag(p, 'dnEP');
    }
    unsigned char *aligned = ExAllocatePoolWithTag(NonPagedPoolCacheAligned, 100, 'dnEP');
    KT_REQUIRE(KT_TRUE(aligned != NULL));
    KT_EQ_HEX((uintptr_t)aligned % 64, 0);
    KT_EQ_HEX(((uintptr_t)aligned + 128) % PAGE_SIZE, 0);
    ExFreePool(aligned);
    unsigned char *zeroed = ExAllocatePoolZero(NonPagedPoolNx, 40, 'dnEP');
    KT_REQUIRE(KT_TRUE(zeroed != NULL));
    KT_TRUE(all_bytes(zeroed, 0, 40));
    KT_TRUE(all_bytes(zeroed + 40, PATTERN, 8));
    ExFreePool(zeroed);
    special_off();
}

/* Special pool is for allocations under a page: from a page up, blocks are
 * page-aligned as ever, from the standard pool. With the group off, small
 * blocks come from the slabs. */
KT_TEST(special_pool_only_under_a_page)
{
    special_on();
    void *page = ExAllocatePoolWithTag(NonPagedPoolNx, PAGE_SIZE, 'gpSP');
    KT_REQUIRE(KT_TRUE(page != NULL));
    KT_FALSE(ex_in_special((uintptr_t)page));
    KT_EQ_HEX((uintptr_t)page % PAGE_SIZE, 0);
    ExFreePool(page);
    special_off();
    void *small = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'gpSP');
    KT_REQUIRE(KT_TRUE(small != NULL));
    KT_FALSE(ex_in_special((uintptr_t)small));
    ExFreePool(small);
}

/* "Freed special-pool pages ... kept unreused for a while": the next block
 * of the same size gets another slot. */
KT_TEST(special_pool_freed_slot_not_reused_at_once)
{
    special_on();
    void *first = ExAllocatePoolWithTag(NonPagedPoolNx, 48, 'esRP');
    KT_REQUIRE(KT_TRUE(first != NULL));
    ExFreePool(first);
    void *second = ExAllocatePoolWithTag(NonPagedPoolNx, 48, 'esRP');
    KT_REQUIRE(KT_TRUE(second != NULL));
    KT_TRUE(second != first);
    ExFreePool(second);
    special_off();
}

/* Once EX_SPECIAL_QUARANTINE freed slots wait, the oldest is reused; its
 * page, the freed block's bytes included, holds the pattern again. */
KT_TEST(special_pool_slot_reused_after_quarantine)
{
    special_on();
    unsigned char *first = ExAllocatePoolWithTag(NonPagedPoolNx, 100, 'esRP');
    KT_REQUIRE(KT_TRUE(first != NULL));
    uintptr_t page = (uintptr_t)first & ~(uintptr_t)(PAGE_SIZE - 1);
    memset(first, 0x11, 100);
    ExFreePool(first);
    unsigned char *again = NULL;
    for (unsigned i = 0; i < 2 * EX_SPECIAL_QUARANTINE && !again; i++) {
        unsigned char *p = ExAllocatePoolWithTag(NonPagedPoolNx, 48, 'esRP');
        KT_REQUIRE(KT_TRUE(p != NULL));
        if (((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1)) == page)
            again = p;
        else
            ExFreePool(p);
    }
    KT_REQUIRE(KT_TRUE(again != NULL));
    KT_TRUE(all_bytes((const void *)page, PATTERN, PAGE_SIZE));
    ExFreePool(again);
    special_off();
}

/* Special-pool blocks are pool blocks to the rest of ntbox: counted in the
 * poolmon table, listed as outstanding, owned by the pool. */
KT_TEST(special_pool_blocks_are_tracked)
{
    special_on();
    size_t before = ex_pool_outstanding(NULL);
    void *p = ExAllocatePoolWithTag(PagedPool, 24, 'krTP');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_TRUE(ex_pool_owns_address(p));
    KT_EQ_INT(ex_pool_outstanding(NULL), before + 1);
    char *text = NULL;
    ex_pool_outstanding(&text);
    KT_CONTAINS(text, "'PTrk' PagedPool 0x18 bytes at ");
    free(text);
    ExFreePoolWithTag(p, 'krTP');
    KT_EQ_INT(ex_pool_outstanding(NULL), before);

    struct ex_pool_tag_row *rows;
    size_t n = ex_pool_tag_rows(&rows);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        if (rows[i].tag == 'krTP' && rows[i].pool_class == EX_POOL_PAGED) {
            found = true;
            KT_EQ_INT(rows[i].allocs, 1);
            KT_EQ_INT(rows[i].frees, 1);
            KT_EQ_INT(rows[i].bytes, 0);
        }
    KT_TRUE(found);
    free(rows);
    special_off();
}

/* What the fault handler asks: the guard page after a block (live or
 * freed) is "beyond the end", a freed block's page "freed"; anything else
 * is nothing special pool explains. */
KT_TEST(ex_pool_classify_fault_guard_and_freed)
{
    struct vf_block block;
    int local;
    special_on();
    unsigned char *p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, 'slCP');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_EQ_INT(ex_pool_classify_fault(p + 32, &block), EX_POOL_FAULT_BEYOND_END);
    KT_EQ_PTR(block.address, p);
    KT_EQ_INT(block.size, 32);
    KT_EQ_HEX(block.tag, 'slCP');
    KT_EQ_INT(block.type, NonPagedPoolNx);
    KT_EQ_PTR(block.freed_at, NULL);
    KT_EQ_INT(ex_pool_classify_fault(p, &block), EX_POOL_FAULT_NONE);
    ExFreePool(p);
    KT_EQ_INT(ex_pool_classify_fault(p + 4, &block), EX_POOL_FAULT_FREED);
    KT_EQ_PTR(block.address, p);
    KT_TRUE(block.freed_at != NULL);
    KT_EQ_INT(ex_pool_classify_fault(&local, &block), EX_POOL_FAULT_NONE);
    KT_EQ_INT(ex_pool_classify_fault(NULL, &block), EX_POOL_FAULT_NONE);
    special_off();
}

struct touch {
    SIZE_T size;
    long offset; /* from the block's start */
    bool write;
    bool free_first;
    unsigned char *block;
};

static void touch(void *arg)
{
    struct touch *t = arg;
    special_on();
    t->block = ExAllocatePoolWithTag(NonPagedPoolNx, t->size, 'huoT');
    printf("block %p\n", (void *)t->block);
    fflush(stdout);
    if (t->free_first)
        ExFreePoolWithTag(t->block, 'huoT');
    volatile unsigned char *at = t->block + t->offset;
    if (t->write)
        *at = 1;
    else
        (void)*at;
    if (!t->free_first)
        ExFreePoolWithTag(t->block, 'huoT');
}

/* The block the child allocated, from its "block 0x..." line. */
static uintptr_t child_block(const char *out)
{
    void *p = NULL;
    const char *line = out ? strstr(out, "block ") : NULL;
    if (!line || sscanf(line, "block %p", &p) != 1)
        return 0;
    return (uintptr_t)p;
}

static const char *expect_touch(ULONG code, struct touch *t, ULONG_PTR expected_p2, ULONG_PTR expected_p4)
{
    char stop[160];
    int status;
    const char *out = kt_run_child(touch, t, &status);
    uintptr_t block = child_block(out);
    KT_EQ_INT(status, 3);
    if (code == SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION)
        snprintf(stop, sizeof stop, "*** STOP: 0x%08X (0x%016llX,0x%016llX,0x0000000000000000,0x%016llX)", code,
                 (unsigned long long)block, (unsigned long long)(block + t->offset), (unsigned long long)expected_p4);
    else
        snprintf(stop, sizeof stop, "*** STOP: 0x%08X (0x%016llX,0x%016llX,", code,
                 (unsigned long long)(block + t->offset), (unsigned long long)expected_p2);
    KT_CONTAINS(out, stop);
    return out;
}

/* "If the driver attempts to access memory after the end of the
 * allocation, Driver Verifier will detect this immediately": 0xD6, P1 the
 * address, P2 0 read / 1 write, P3 the instruction, P4 0. */
KT_TEST(special_pool_overrun_faults_at_once)
{
    struct touch write = { 64, 64, true, false, NULL };
    const char *out = expect_touch(DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION, &write, 1, 0);
    KT_CONTAINS(out, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION");
    KT_CONTAINS(out, ", 0 bytes past the end of the special-pool block at ");
    KT_CONTAINS(out, "('Touh' NonPagedPoolNx 0x40 bytes allocated at ");
    struct touch read = { 100, 120, false, false, NULL };
    out = expect_touch(DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION, &read, 0, 0);
    KT_CONTAINS(out, "The driver faulted reading ");
    KT_CONTAINS(out, ", 20 bytes past the end of the special-pool block at ");
}

/* "If the driver reads or writes to the buffer after freeing it": 0xD5,
 * P1 the address, P2 0 read / 1 write. */
KT_TEST(special_pool_use_after_free_faults)
{
    struct touch read = { 40, 8, false, true, NULL };
    const char *out = expect_touch(DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, &read, 0, 0);
    KT_CONTAINS(out, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL");
    KT_CONTAINS(out, "after it was freed ('Touh' NonPagedPoolNx 0x28 bytes allocated at ");
    KT_CONTAINS(out, ", freed at ");
    struct touch write = { 40, 0, true, true, NULL };
    expect_touch(DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, &write, 1, 0);
}

/* A write into the slack the alignment leaves after the block, or into the
 * bytes before it, is found at free: 0xC1, P1 the block, P2 the first
 * corrupted byte, P3 0, P4 0x24 after the end, 0x23 before the start. */
KT_TEST(special_pool_slack_checked_at_free)
{
    struct touch after = { 10, 12, true, false, NULL };
    const char *out = expect_touch(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, &after, 0, 0x24);
    KT_CONTAINS(out, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION");
    KT_CONTAINS(out, "the special-pool page's slack after the block was overwritten");
    KT_CONTAINS(out, ", 2 bytes past the block's end, is 0x01, not the pattern 0xAB: 'Touh' NonPagedPoolNx 0xa bytes");
    struct touch before = { 16, -100, true, false, NULL };
    out = expect_touch(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, &before, 0, 0x23);
    KT_CONTAINS(out, "100 bytes before the block");
}

static unsigned char *volatile bad_block;

static void free_twice(void *arg)
{
    (void)arg;
    special_on();
    bad_block = ExAllocatePoolWithTag(PagedPool, 0x30, 'lbDP');
    printf("block %p\n", (void *)bad_block);
    ExFreePoolWithTag(bad_block, 'lbDP');
    ExFreePoolWithTag(bad_block, 'lbDP');
}

static void free_inside(void *arg)
{
    (void)arg;
    special_on();
    bad_block = ExAllocatePoolWithTag(PagedPool, 0x30, 'lbDP');
    ExFreePool(bad_block + 8);
}

static void free_wrong_tag(void *arg)
{
    (void)arg;
    special_on();
    bad_block = ExAllocatePoolWithTag(PagedPool, 0x30, 'lbDP');
    ExFreePoolWithTag(bad_block, 'XXXX');
}

/* The bad frees are BAD_POOL_CALLER, as for any block: 0x07 a double free
 * (P3 the pool header, tag and size in 16-byte units; P4 the address),
 * 0x99 an address inside a block, 0x0A another tag. */
KT_TEST(special_pool_bad_frees)
{
    char stop[128];
    const char *out = KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x07, free_twice, NULL);
    snprintf(stop, sizeof stop, "(0x0000000000000007,0x0000000000000000,0x6C62445000040000,0x%016llX)",
             (unsigned long long)child_block(out));
    KT_CONTAINS(out, stop);
    KT_CONTAINS(KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x99, free_inside, NULL),
                "bytes into the block at ");
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x0A, free_wrong_tag, NULL);
}
