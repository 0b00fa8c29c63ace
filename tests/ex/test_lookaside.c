/* tests/ex/test_lookaside.c: lookaside lists: ExInitializeNPagedLookasideList,
 * ExInitializePagedLookasideList and their Delete routines, the WDK's inline
 * ExAllocateFrom...List / ExFreeTo...List, ExInitializeLookasideListEx,
 * ExAllocateFromLookasideListEx, ExFreeToLookasideListEx,
 * ExFlushLookasideListEx, ExDeleteLookasideListEx; how entries show in the
 * pool (the list's tag, the driver's call site, leaks).
 * The pool's counters live for the whole process: each test uses its own tag. */
#include "ktest.h"

#include "ex/pool.h"
#include "ke/irql.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E
#define MINIMUM_DEPTH 4

/* The pool's counters of (tag, class), zero when the pair was never used. */
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

/* The live pool block at p, or one with address NULL. */
static struct ex_pool_block_info block_at(const void *p)
{
    struct ex_pool_block_info *blocks, found = { 0 };
    size_t n = ex_pool_live_blocks(&blocks);
    for (size_t i = 0; i < n; i++)
        if (blocks[i].address == p)
            found = blocks[i];
    free(blocks);
    return found;
}

static NPAGED_LOOKASIDE_LIST npaged;
static PAGED_LOOKASIDE_LIST paged;
static LOOKASIDE_LIST_EX ex_list;

/* "Zero-initializes the counters", sets Allocate and Free to
 * "ExAllocatePoolWithTag and ExFreePool", stores Size and Tag; the depth
 * starts at the system minimum (4), the maximum is 256. */
KT_TEST(ExInitializeNPagedLookasideList_defaults)
{
    memset(&npaged, 0xA5, sizeof npaged);
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, 0, 100, 'tfeD', 0);
    KT_EQ_INT(npaged.L.Depth, MINIMUM_DEPTH);
    KT_EQ_INT(npaged.L.MaximumDepth, 256);
    KT_EQ_INT(npaged.L.TotalAllocates, 0);
    KT_EQ_INT(npaged.L.AllocateMisses, 0);
    KT_EQ_INT(npaged.L.TotalFrees, 0);
    KT_EQ_INT(npaged.L.FreeMisses, 0);
    KT_EQ_INT(npaged.L.Type, NonPagedPool);
    KT_EQ_HEX(npaged.L.Tag, 'tfeD');
    KT_EQ_INT(npaged.L.Size, 100);
    KT_TRUE(npaged.L.Allocate == ExAllocatePoolWithTag);
    KT_TRUE(npaged.L.Free == ExFreePool);
    KT_EQ_INT(ExQueryDepthSList(&npaged.L.ListHead), 0);
    KT_EQ_PTR(RtlFirstEntrySList(&npaged.L.ListHead), NULL);
    ExDeleteNPagedLookasideList(&npaged);
}

/* Flags: POOL_NX_ALLOCATION and POOL_RAISE_IF_ALLOCATION_FAILURE go into
 * the nonpaged list's pool type; a paged list takes the raise flag and
 * ignores POOL_NX_ALLOCATION ("All pageable memory is allocated as NX"). */
KT_TEST(ExInitializeLookasideList_flags_into_pool_type)
{
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, POOL_NX_ALLOCATION, 32, 'galF', 0);
    KT_EQ_INT(npaged.L.Type, NonPagedPoolNx);
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, POOL_NX_ALLOCATION | POOL_RAISE_IF_ALLOCATION_FAILURE, 32,
                                    'galF', 0);
    KT_EQ_INT(npaged.L.Type, NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE);
    ExInitializePagedLookasideList(&paged, NULL, NULL, POOL_NX_ALLOCATION, 32, 'galF', 0);
    KT_EQ_INT(paged.L.Type, PagedPool);
    ExInitializePagedLookasideList(&paged, NULL, NULL, POOL_RAISE_IF_ALLOCATION_FAILURE, 32, 'galF', 0);
    KT_EQ_INT(paged.L.Type, PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE);
}

static void init_with_bad_arguments(void *arg)
{
    (void)arg;
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, 0x40000, 4, 'gsiM', 16);
    if (npaged.L.Type != NonPagedPool || npaged.L.Depth != MINIMUM_DEPTH)
        _exit(9);
}

/* Unknown Flags bits are dropped, a non-zero Depth ("Reserved. Must be
 * zero.") is ignored, a Size under LOOKASIDE_MINIMUM_BLOCK_SIZE is kept:
 * each is reported. */
KT_TEST(ExInitializeNPagedLookasideList_bad_arguments_warn)
{
    int status;
    const char *out = kt_run_child(init_with_bad_arguments, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "ntbox: warning: ExInitializeNPagedLookasideList at ");
    KT_CONTAINS(out, ": Flags 0x40000 has bits other than POOL_RAISE_IF_ALLOCATION_FAILURE and POOL_NX_ALLOCATION "
                     "(0x40000); they are ignored.\n");
    KT_CONTAINS(out, ": Depth is 16; the parameter is reserved and must be zero");
    KT_CONTAINS(out, ": Size 4 is less than LOOKASIDE_MINIMUM_BLOCK_SIZE (8)");
}

static void init_misaligned(void *arg)
{
    (void)arg;
    static unsigned char buf[sizeof(NPAGED_LOOKASIDE_LIST) + 16] __attribute__((aligned(16)));
    ExInitializeNPagedLookasideList((PNPAGED_LOOKASIDE_LIST)(buf + 8), NULL, NULL, 0, 32, 'ngiA', 0);
}

/* "On 64-bit platforms, this structure must be 16-byte aligned": its
 * SList head raises STATUS_DATATYPE_MISALIGNMENT. */
KT_TEST(ExInitializeNPagedLookasideList_misaligned_raises)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_DATATYPE_MISALIGNMENT,
                                         init_misaligned, NULL);
    KT_CONTAINS(out, "ExInitializeNPagedLookasideList(0x");
}

/* An empty list allocates from the pool (a miss); a freed entry is cached
 * until Depth entries are, and then "returned to nonpaged pool"; a cached
 * entry is handed out again, last freed first.
 *     after 6 frees: [list] -> e3 -> e2 -> e1 -> e0 (e4, e5 back to the pool) */
KT_TEST(ExAllocateFromNPagedLookasideList_caches_up_to_depth)
{
    void *e[6];
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, 0, 48, 'hcaC', 0);
    for (int i = 0; i < 6; i++) {
        e[i] = ExAllocateFromNPagedLookasideList(&npaged);
        KT_REQUIRE(KT_TRUE(e[i] != NULL));
        KT_EQ_HEX((uintptr_t)e[i] % 16, 0);
    }
    KT_EQ_INT(npaged.L.TotalAllocates, 6);
    KT_EQ_INT(npaged.L.AllocateMisses, 6);
    struct ex_pool_tag_row row = row_of('hcaC', EX_POOL_NONPAGED);
    KT_EQ_INT(row.allocs, 6);
    KT_EQ_INT(row.bytes, 6 * 48);

    for (int i = 0; i < 6; i++)
        ExFreeToNPagedLookasideList(&npaged, e[i]);
    KT_EQ_INT(npaged.L.TotalFrees, 6);
    KT_EQ_INT(npaged.L.FreeMisses, 2);
    KT_EQ_INT(ExQueryDepthSList(&npaged.L.ListHead), MINIMUM_DEPTH);
    row = row_of('hcaC', EX_POOL_NONPAGED);
    KT_EQ_INT(row.frees, 2);
    KT_EQ_INT(row.bytes, 4 * 48);

    KT_EQ_PTR(ExAllocateFromNPagedLookasideList(&npaged), e[3]);
    KT_EQ_PTR(ExAllocateFromNPagedLookasideList(&npaged), e[2]);
    KT_EQ_INT(npaged.L.TotalAllocates, 8);
    KT_EQ_INT(npaged.L.AllocateMisses, 6);
    KT_EQ_INT(row_of('hcaC', EX_POOL_NONPAGED).allocs, 6);
    ExFreeToNPagedLookasideList(&npaged, e[2]);
    ExFreeToNPagedLookasideList(&npaged, e[3]);
    ExDeleteNPagedLookasideList(&npaged);
}

/* Delete "frees any remaining entries": every allocation is balanced. */
KT_TEST(ExDeleteNPagedLookasideList_frees_cached_entries)
{
    void *e[3];
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, POOL_NX_ALLOCATION, 24, 'leDN', 0);
    for (int i = 0; i < 3; i++)
        e[i] = ExAllocateFromNPagedLookasideList(&npaged);
    for (int i = 0; i < 3; i++)
        ExFreeToNPagedLookasideList(&npaged, e[i]);
    struct ex_pool_tag_row row = row_of('leDN', EX_POOL_NONPAGED_NX);
    KT_EQ_INT(row.allocs - row.frees, 3);
    ExDeleteNPagedLookasideList(&npaged);
    row = row_of('leDN', EX_POOL_NONPAGED_NX);
    KT_EQ_INT(row.allocs, 3);
    KT_EQ_INT(row.frees, 3);
    KT_EQ_INT(row.bytes, 0);
    KT_EQ_PTR(block_at(e[0]).address, NULL);
}

/* The driver's Allocate gets (Type, Size, Tag) on a miss; its Free gets
 * the entries beyond Depth, and, at delete, the cached ones. */
static int custom_allocs, custom_frees;
static POOL_TYPE custom_type;
static SIZE_T custom_size;
static ULONG custom_tag;

static PVOID NTAPI custom_allocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    custom_allocs++;
    custom_type = PoolType;
    custom_size = NumberOfBytes;
    custom_tag = Tag;
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

static VOID NTAPI custom_free(PVOID Buffer)
{
    custom_frees++;
    ExFreePool(Buffer);
}

KT_TEST(ExInitializeNPagedLookasideList_custom_routines)
{
    void *e[5];
    custom_allocs = custom_frees = 0;
    ExInitializeNPagedLookasideList(&npaged, custom_allocate, custom_free, 0, 40, 'tsuC', 0);
    KT_TRUE(npaged.L.Allocate == custom_allocate);
    KT_TRUE(npaged.L.Free == custom_free);
    for (int i = 0; i < 5; i++)
        e[i] = ExAllocateFromNPagedLookasideList(&npaged);
    KT_EQ_INT(custom_allocs, 5);
    KT_EQ_INT(custom_type, NonPagedPool);
    KT_EQ_INT(custom_size, 40);
    KT_EQ_HEX(custom_tag, 'tsuC');
    for (int i = 0; i < 5; i++)
        ExFreeToNPagedLookasideList(&npaged, e[i]);
    KT_EQ_INT(custom_frees, 1);
    ExDeleteNPagedLookasideList(&npaged);
    KT_EQ_INT(custom_frees, 5);
    KT_EQ_INT(row_of('tsuC', EX_POOL_NONPAGED).bytes, 0);
}

/* The "driver" call sites of the allocations below live in a section of
 * their own, so the return address the pool records can be checked to lie
 * in them (the linker supplies the section's bounds). */
#define CALL_SITE __attribute__((noinline, section("kt_call_site")))
extern const char __start_kt_call_site[], __stop_kt_call_site[];

static bool from_call_site(const void *caller)
{
    return (const char *)caller > __start_kt_call_site && (const char *)caller <= __stop_kt_call_site;
}

CALL_SITE static void *allocate_here(PNPAGED_LOOKASIDE_LIST list)
{
    return ExAllocateFromNPagedLookasideList(list);
}

/* Entries are pool blocks with the list's tag, charged to the driver's
 * ExAllocateFromNPagedLookasideList; one cached in a list never deleted is
 * still a live block, as is one never freed back after the list is
 * deleted: both are leaks the unload report shows. */
KT_TEST(ExAllocateFromNPagedLookasideList_entries_are_tagged_pool_blocks)
{
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, 0, 56, 'kaeL', 0);
    void *kept = allocate_here(&npaged), *cached = allocate_here(&npaged);
    KT_REQUIRE(KT_TRUE(kept && cached));
    ExFreeToNPagedLookasideList(&npaged, cached);

    struct ex_pool_block_info b = block_at(cached);
    KT_EQ_PTR(b.address, cached);
    KT_EQ_HEX(b.tag, 'kaeL');
    KT_EQ_INT(b.size, 56);
    KT_EQ_INT(b.type, NonPagedPool);
    KT_TRUE(from_call_site(b.caller));

    ExDeleteNPagedLookasideList(&npaged);
    KT_EQ_PTR(block_at(cached).address, NULL);
    b = block_at(kept);
    KT_EQ_PTR(b.address, kept);
    KT_EQ_HEX(b.tag, 'kaeL');
    ExFreePoolWithTag(kept, 'kaeL');
}

/* The paged list: PagedPool entries, the same caching and counters. */
KT_TEST(ExAllocateFromPagedLookasideList_round_trip)
{
    void *e[5];
    ExInitializePagedLookasideList(&paged, NULL, NULL, 0, 200, 'gaPL', 0);
    KT_EQ_INT(paged.L.Type, PagedPool);
    KT_EQ_INT(paged.L.Depth, MINIMUM_DEPTH);
    KT_TRUE(paged.L.Allocate == ExAllocatePoolWithTag);
    for (int i = 0; i < 5; i++)
        e[i] = ExAllocateFromPagedLookasideList(&paged);
    for (int i = 0; i < 5; i++)
        ExFreeToPagedLookasideList(&paged, e[i]);
    KT_EQ_INT(paged.L.TotalAllocates, 5);
    KT_EQ_INT(paged.L.AllocateMisses, 5);
    KT_EQ_INT(paged.L.TotalFrees, 5);
    KT_EQ_INT(paged.L.FreeMisses, 1);
    struct ex_pool_tag_row row = row_of('gaPL', EX_POOL_PAGED);
    KT_EQ_INT(row.allocs, 5);
    KT_EQ_INT(row.frees, 1);
    KT_EQ_PTR(ExAllocateFromPagedLookasideList(&paged), e[3]);
    ExFreeToPagedLookasideList(&paged, e[3]);
    ExDeletePagedLookasideList(&paged);
    row = row_of('gaPL', EX_POOL_PAGED);
    KT_EQ_INT(row.frees, 5);
    KT_EQ_INT(row.bytes, 0);
}

static void paged_delete_at_dispatch(void *arg)
{
    (void)arg;
    ExInitializePagedLookasideList(&paged, NULL, NULL, 0, 32, 'psiD', 0);
    ExFreeToPagedLookasideList(&paged, ExAllocateFromPagedLookasideList(&paged));
    ke_irql_set(DISPATCH_LEVEL);
    ExDeletePagedLookasideList(&paged);
}

/* Paged entries are freed at IRQL <= APC_LEVEL: deleting a paged list at
 * DISPATCH_LEVEL frees paged pool there, Driver Verifier's 0xC4/0x11. */
KT_TEST(ExDeletePagedLookasideList_at_dispatch_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x11, paged_delete_at_dispatch, NULL);
}

/* ---- LOOKASIDE_LIST_EX ---- */

/* STATUS_SUCCESS; the list as the classic ones, the given pool type. */
KT_TEST(ExInitializeLookasideListEx_success)
{
    memset(&ex_list, 0xA5, sizeof ex_list);
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, NonPagedPoolNx, 0, 64, 'xEsL', 0),
                 STATUS_SUCCESS);
    KT_EQ_INT(ex_list.L.Type, NonPagedPoolNx);
    KT_EQ_INT(ex_list.L.Size, 64);
    KT_EQ_HEX(ex_list.L.Tag, 'xEsL');
    KT_EQ_INT(ex_list.L.Depth, MINIMUM_DEPTH);
    KT_EQ_INT(ex_list.L.MaximumDepth, 256);
    KT_EQ_INT(ex_list.L.TotalAllocates, 0);
    KT_EQ_INT(ex_list.L.FreeMisses, 0);
    KT_TRUE(ex_list.L.AllocateEx != NULL);
    KT_TRUE(ex_list.L.FreeEx != NULL);
    KT_EQ_INT(ExQueryDepthSList(&ex_list.L.ListHead), 0);
    ExDeleteLookasideListEx(&ex_list);
}

/* "STATUS_INVALID_PARAMETER_4: The PoolType parameter value is not
 * valid": not a POOL_TYPE value, a must-succeed type, modifier bits. */
KT_TEST(ExInitializeLookasideListEx_bad_pool_type)
{
    static const ULONG bad[] = { NonPagedPoolMustSucceed, DontUseThisType, NonPagedPoolCacheAlignedMustS,
                                 MaxPoolType, 8, NonPagedPoolMustSucceedSession,
                                 PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE, NonPagedPoolNx | POOL_ZERO_ALLOCATION,
                                 0xFFFFFFFF };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, (POOL_TYPE)bad[i], 0, 64, 'dbXE', 0),
                     STATUS_INVALID_PARAMETER_4);
    static const ULONG good[] = { NonPagedPool, PagedPool, NonPagedPoolCacheAligned, PagedPoolCacheAligned,
                                  NonPagedPoolSession, PagedPoolSession, NonPagedPoolNx,
                                  NonPagedPoolNxCacheAligned, NonPagedPoolSessionNx };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, (POOL_TYPE)good[i], 0, 64, 'dbXE', 0),
                     STATUS_SUCCESS);
}

/* "STATUS_INVALID_PARAMETER_5: The Flags parameter value is not valid":
 * unknown bits, or both flags ("mutually exclusive"). A bad PoolType is
 * reported first. */
KT_TEST(ExInitializeLookasideListEx_bad_flags)
{
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool, 3, 64, 'fbXE', 0),
                 STATUS_INVALID_PARAMETER_5);
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool, 4, 64, 'fbXE', 0),
                 STATUS_INVALID_PARAMETER_5);
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool, 0x80000001, 64, 'fbXE', 0),
                 STATUS_INVALID_PARAMETER_5);
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, MaxPoolType, 3, 64, 'fbXE', 0),
                 STATUS_INVALID_PARAMETER_4);
}

/* RAISE_ON_FAIL: "the PoolType parameter value is bitwise ORed with the
 * POOL_RAISE_IF_ALLOCATION_FAILURE flag bit"; FAIL_NO_RAISE: with
 * POOL_QUOTA_FAIL_INSTEAD_OF_RAISE. The allocation routine gets that type. */
static POOL_TYPE ex_custom_type;
static PLOOKASIDE_LIST_EX ex_custom_list;
static int ex_custom_allocs, ex_custom_frees;

static PVOID NTAPI ex_custom_allocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                      PLOOKASIDE_LIST_EX Lookaside)
{
    ex_custom_allocs++;
    ex_custom_type = PoolType;
    ex_custom_list = Lookaside;
    return ExAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, Tag);
}

static VOID NTAPI ex_custom_free(PVOID Buffer, PLOOKASIDE_LIST_EX Lookaside)
{
    ex_custom_frees++;
    ex_custom_list = Lookaside;
    ExFreePool(Buffer);
}

KT_TEST(ExInitializeLookasideListEx_flags_into_pool_type)
{
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool,
                                             EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL, 64, 'lfXE', 0),
                 STATUS_SUCCESS);
    KT_EQ_INT(ex_list.L.Type, PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE);
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, ex_custom_allocate, ex_custom_free, NonPagedPoolNx,
                                             EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE, 64, 'lfXE', 0),
                 STATUS_SUCCESS);
    KT_EQ_INT(ex_list.L.Type, NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE);
    ex_custom_allocs = 0;
    void *e = ExAllocateFromLookasideListEx(&ex_list);
    KT_REQUIRE(KT_TRUE(e != NULL));
    KT_EQ_INT(ex_custom_allocs, 1);
    KT_EQ_INT(ex_custom_type, NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE);
    KT_EQ_PTR(ex_custom_list, &ex_list);
    ExFreeToLookasideListEx(&ex_list, e);
    ExDeleteLookasideListEx(&ex_list);
}

static void fail_no_raise_default(void *arg)
{
    (void)arg;
    if (ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool, EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE, 64,
                                    'rnXE', 0) != STATUS_SUCCESS)
        _exit(9);
}

/* "If Allocate is NULL, set Flags to either zero or
 * EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL, but not to
 * EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE": reported. */
KT_TEST(ExInitializeLookasideListEx_fail_no_raise_default_warns)
{
    int status;
    const char *out = kt_run_child(fail_no_raise_default, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "ntbox: warning: ExInitializeLookasideListEx at ");
    KT_CONTAINS(out, ": EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE with the default allocation routine;");
}

CALL_SITE static void *allocate_ex_here(PLOOKASIDE_LIST_EX list)
{
    return ExAllocateFromLookasideListEx(list);
}

/* The default routines: pool blocks of the list's type, size and tag,
 * charged to the driver's ExAllocateFromLookasideListEx; caching up to
 * Depth as the classic lists do. */
KT_TEST(ExAllocateFromLookasideListEx_default_routines)
{
    void *e[6];
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool, 0, 72, 'fdXE', 0), STATUS_SUCCESS);
    for (int i = 0; i < 6; i++)
        e[i] = allocate_ex_here(&ex_list);
    struct ex_pool_block_info b = block_at(e[0]);
    KT_EQ_HEX(b.tag, 'fdXE');
    KT_EQ_INT(b.size, 72);
    KT_EQ_INT(b.type, PagedPool);
    KT_TRUE(from_call_site(b.caller));
    KT_EQ_INT(ex_list.L.TotalAllocates, 6);
    KT_EQ_INT(ex_list.L.AllocateMisses, 6);
    for (int i = 0; i < 6; i++)
        ExFreeToLookasideListEx(&ex_list, e[i]);
    KT_EQ_INT(ex_list.L.TotalFrees, 6);
    KT_EQ_INT(ex_list.L.FreeMisses, 2);
    KT_EQ_INT(ExQueryDepthSList(&ex_list.L.ListHead), MINIMUM_DEPTH);
    struct ex_pool_tag_row row = row_of('fdXE', EX_POOL_PAGED);
    KT_EQ_INT(row.allocs, 6);
    KT_EQ_INT(row.frees, 2);
    KT_EQ_PTR(ExAllocateFromLookasideListEx(&ex_list), e[3]);
    KT_EQ_INT(ex_list.L.AllocateMisses, 6);
    ExFreeToLookasideListEx(&ex_list, e[3]);
    ExDeleteLookasideListEx(&ex_list);
    row = row_of('fdXE', EX_POOL_PAGED);
    KT_EQ_INT(row.frees, 6);
    KT_EQ_INT(row.bytes, 0);
}

/* Flush: "On return from this routine, the lookaside list is empty and the
 * allocated storage for all its entries has been freed"; the list stays
 * usable. The driver's FreeEx gets each entry and the list. */
KT_TEST(ExFlushLookasideListEx_frees_entries)
{
    void *e[3];
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, ex_custom_allocate, ex_custom_free, NonPagedPoolNx, 0, 40,
                                             'lfXE', 0),
                 STATUS_SUCCESS);
    ex_custom_frees = 0;
    ex_custom_list = NULL;
    for (int i = 0; i < 3; i++)
        e[i] = ExAllocateFromLookasideListEx(&ex_list);
    for (int i = 0; i < 3; i++)
        ExFreeToLookasideListEx(&ex_list, e[i]);
    KT_EQ_INT(ex_custom_frees, 0);
    ExFlushLookasideListEx(&ex_list);
    KT_EQ_INT(ex_custom_frees, 3);
    KT_EQ_PTR(ex_custom_list, &ex_list);
    KT_EQ_INT(ExQueryDepthSList(&ex_list.L.ListHead), 0);
    KT_EQ_INT(row_of('lfXE', EX_POOL_NONPAGED_NX).bytes, 0);
    void *again = ExAllocateFromLookasideListEx(&ex_list);
    KT_REQUIRE(KT_TRUE(again != NULL));
    ExFreeToLookasideListEx(&ex_list, again);
    ExDeleteLookasideListEx(&ex_list);
    KT_EQ_INT(ex_custom_frees, 4);
}

/* Flush and delete with the default free return every cached block. */
KT_TEST(ExFlushLookasideListEx_default_free)
{
    KT_EQ_STATUS(ExInitializeLookasideListEx(&ex_list, NULL, NULL, NonPagedPool, 0, 16, 'dfXE', 0), STATUS_SUCCESS);
    void *a = ExAllocateFromLookasideListEx(&ex_list), *b = ExAllocateFromLookasideListEx(&ex_list);
    ExFreeToLookasideListEx(&ex_list, a);
    ExFreeToLookasideListEx(&ex_list, b);
    ExFlushLookasideListEx(&ex_list);
    KT_EQ_INT(row_of('dfXE', EX_POOL_NONPAGED).frees, 2);
    KT_EQ_PTR(block_at(a).address, NULL);
    ExFreeToLookasideListEx(&ex_list, ExAllocateFromLookasideListEx(&ex_list));
    ExDeleteLookasideListEx(&ex_list);
    struct ex_pool_tag_row row = row_of('dfXE', EX_POOL_NONPAGED);
    KT_EQ_INT(row.allocs, 3);
    KT_EQ_INT(row.frees, 3);
}

static void raise_on_fail(void *arg)
{
    (void)arg;
    ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool, EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL, 64,
                                'sRXE', 0);
    ex_list.L.AllocateEx(ex_list.L.Type, (SIZE_T)1 << 62, ex_list.L.Tag, &ex_list);
}

static void fail_without_raise(void *arg)
{
    (void)arg;
    ExInitializeLookasideListEx(&ex_list, NULL, NULL, PagedPool, 0, 64, 'sRXE', 0);
    if (ex_list.L.AllocateEx(ex_list.L.Type, (SIZE_T)1 << 62, ex_list.L.Tag, &ex_list) != NULL)
        _exit(9);
}

/* The default allocation routine under RAISE_ON_FAIL raises
 * STATUS_INSUFFICIENT_RESOURCES when the pool cannot satisfy it; without
 * the flag it returns NULL. */
KT_TEST(ExInitializeLookasideListEx_raise_on_fail)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES,
                                         raise_on_fail, NULL);
    KT_CONTAINS(out, "EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL");
    int status;
    kt_run_child(fail_without_raise, NULL, &status);
    KT_EQ_INT(status, 0);
}

/* Several threads share one list: no entry is handed to two threads at
 * once, and after the delete every block is back in the pool. */
#define LA_THREADS 4
#define LA_ROUNDS 20000
#define LA_HELD 6

static int la_collisions;

static void *la_worker(void *arg)
{
    uintptr_t me = (uintptr_t)arg;
    for (int i = 0; i < LA_ROUNDS; i++) {
        uintptr_t *held[LA_HELD];
        int n = 1 + i % LA_HELD;
        for (int k = 0; k < n; k++) {
            held[k] = ExAllocateFromNPagedLookasideList(&npaged);
            held[k][0] = me;
            held[k][2] = (uintptr_t)k;
        }
        for (int k = 0; k < n; k++) {
            if (held[k][0] != me || held[k][2] != (uintptr_t)k)
                __atomic_fetch_add(&la_collisions, 1, __ATOMIC_RELAXED);
            ExFreeToNPagedLookasideList(&npaged, held[k]);
        }
    }
    return NULL;
}

KT_TEST(ExAllocateFromNPagedLookasideList_threads)
{
    pthread_t threads[LA_THREADS];
    ExInitializeNPagedLookasideList(&npaged, NULL, NULL, 0, 32, 'rhTL', 0);
    for (uintptr_t t = 0; t < LA_THREADS; t++)
        pthread_create(&threads[t], NULL, la_worker, (void *)(t + 1));
    for (int t = 0; t < LA_THREADS; t++)
        pthread_join(threads[t], NULL);
    KT_EQ_INT(la_collisions, 0);
    ExDeleteNPagedLookasideList(&npaged);
    struct ex_pool_tag_row row = row_of('rhTL', EX_POOL_NONPAGED);
    KT_TRUE(row.allocs > 0);
    KT_EQ_INT(row.allocs, row.frees);
    KT_EQ_INT(row.bytes, 0);
}
