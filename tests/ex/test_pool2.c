/* tests/ex/test_pool2.c: ExAllocatePool2, ExAllocatePool3 and ExFreePool2:
 * POOL_FLAGS validity, zeroing, raising, extended parameters, and the
 * warning ntbox prints when a driver passes a POOL_TYPE where POOL_FLAGS
 * belong (the seed sample's ExAllocatePool2(PagedPool, ...)). */
#include "ktest.h"

#include "ex/pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define BAD_POOL_CALLER 0xC2
#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E
#define TOO_BIG ((SIZE_T)1 << 62)

/* The child exits 0 when ExAllocatePool2(*flags, 16, 'galF') returned NULL,
 * 9 when it returned memory. */
static void alloc2_in_child(void *arg)
{
    const POOL_FLAGS *flags = arg;
    if (ExAllocatePool2(*flags, 16, 'galF'))
        _exit(9);
}

/* Runs ExAllocatePool2(flags, 16, 'galF') in a child; true when it returned
 * NULL. *out: what it printed. */
static bool alloc2_fails(POOL_FLAGS flags, const char **out)
{
    int status;
    *out = kt_run_child(alloc2_in_child, &flags, &status);
    return status == 0;
}

static void alloc2_tag0_in_child(void *arg)
{
    (void)arg;
    if (ExAllocatePool2(POOL_FLAG_PAGED, 16, 0))
        _exit(9);
}

static void alloc3_null_params_in_child(void *arg)
{
    (void)arg;
    if (ExAllocatePool3(POOL_FLAG_PAGED, 16, '3loP', NULL, 3))
        _exit(9);
}

/* The POOL_TYPE the live block at p was recorded with, or -1. */
static long type_of_block(const void *p)
{
    struct ex_pool_block_info *blocks;
    long type = -1;
    size_t n = ex_pool_live_blocks(&blocks);
    for (size_t i = 0; i < n; i++)
        if (blocks[i].address == p)
            type = blocks[i].type;
    free(blocks);
    return type;
}

/* "Exactly one" pool type flag; unknown or reserved required (low 32) bits
 * fail: "invalid POOL_FLAGS" make ExAllocatePool2 return NULL. */
KT_TEST(ExAllocatePool2_invalid_flags_return_null)
{
    static const POOL_FLAGS invalid[] = {
        0, POOL_FLAG_USE_QUOTA, POOL_FLAG_UNINITIALIZED, POOL_FLAG_SESSION, POOL_FLAG_CACHE_ALIGNED,
        POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_CACHE_ALIGNED,
        POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED,
        POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED,
        POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED,
        POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED1, POOL_FLAG_PAGED | POOL_FLAG_RESERVED2,
        POOL_FLAG_PAGED | POOL_FLAG_RESERVED3, POOL_FLAG_PAGED | 0x800, POOL_FLAG_NON_PAGED | 0x80000000ULL,
        POOL_FLAG_SPECIAL_POOL,
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        const char *out;
        if (!alloc2_fails(invalid[i], &out))
            kt_fail(__FILE__, __LINE__, "flags 0x%llx were accepted", (unsigned long long)invalid[i]);
        KT_CONTAINS(out, "ntbox: warning: ExAllocatePool2 at ");
    }
}

/* Each pool type flag alone, with any of the other required flags, or with
 * unknown optional (high 32) bits, which "are ignored": valid. The block is
 * recorded as the POOL_TYPE it stands for. */
KT_TEST(ExAllocatePool2_valid_flags)
{
    static const struct { POOL_FLAGS flags; long type; } valid[] = {
        { POOL_FLAG_NON_PAGED, NonPagedPoolNx },
        { POOL_FLAG_NON_PAGED_EXECUTE, NonPagedPool },
        { POOL_FLAG_PAGED, PagedPool },
        { POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED, PagedPoolCacheAligned },
        { POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, NonPagedPoolNxCacheAligned },
        { POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED, NonPagedPoolNx },
        { POOL_FLAG_PAGED | POOL_FLAG_RAISE_ON_FAILURE, PagedPool },
        { POOL_FLAG_PAGED | POOL_FLAG_SPECIAL_POOL, PagedPool },
        { POOL_FLAG_NON_PAGED | (1ULL << 40) | POOL_FLAG_OPTIONAL_END, NonPagedPoolNx },
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        void *p = ExAllocatePool2(valid[i].flags, 24, 'dilV');
        if (!KT_TRUE(p != NULL))
            continue;
        if (valid[i].flags & POOL_FLAG_CACHE_ALIGNED)
            KT_EQ_HEX((uintptr_t)p % 64, 0);
        KT_EQ_INT(type_of_block(p), valid[i].type);
        ExFreePool(p);
    }
}

/* "A value of 0 for Tag is invalid": NULL, with its own warning. */
KT_TEST(ExAllocatePool2_tag_zero)
{
    int status;
    const char *out = kt_run_child(alloc2_tag0_in_child, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "ntbox: warning: ExAllocatePool2 at ");
    KT_CONTAINS(out, ": Tag is 0, so it returns NULL; a pool tag is a non-zero literal of one to four characters, "
                     "such as '1gaT'.\n");
}

/* "Memory is initialized to zero unless POOL_FLAG_UNINITIALIZED is
 * specified." */
KT_TEST(ExAllocatePool2_zeroes)
{
    for (SIZE_T size = 8; size <= 8192; size *= 4) {
        /* A full quarantine of dirty blocks: its oldest is handed out next. */
        void *junk[EX_POOL_QUARANTINE_BLOCKS];
        for (size_t i = 0; i < EX_POOL_QUARANTINE_BLOCKS; i++)
            memset(junk[i] = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED, size, 'knuJ'), 0xAA, size);
        for (size_t i = 0; i < EX_POOL_QUARANTINE_BLOCKS; i++)
            ExFreePool(junk[i]);
        unsigned char *p = ExAllocatePool2(POOL_FLAG_PAGED, size, 'oreZ');
        KT_REQUIRE(KT_TRUE(p != NULL));
        size_t nonzero = 0;
        for (SIZE_T i = 0; i < size; i++)
            nonzero += p[i] != 0;
        KT_EQ_INT(nonzero, 0);
        ExFreePoolWithTag(p, 'oreZ');
    }
    void *u = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, 64, 'oreZ');
    KT_TRUE(u != NULL);
    ExFreePool(u);
    /* A block larger than the slabs' is zeroed as well. */
    unsigned char *big = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100000, 'oreZ');
    KT_REQUIRE(KT_TRUE(big != NULL));
    KT_EQ_INT(big[0] | big[50000] | big[99999], 0);
    ExFreePool(big);
}

/* Insufficient memory: NULL by default. */
KT_TEST(ExAllocatePool2_impossible_size_returns_null)
{
    KT_EQ_PTR(ExAllocatePool2(POOL_FLAG_NON_PAGED, TOO_BIG, 'giB2'), NULL);
    KT_EQ_PTR(ExAllocatePool2(POOL_FLAG_PAGED, (SIZE_T)-1, 'giB2'), NULL);
}

static void raise_too_big(void *arg)
{
    (void)arg;
    ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_RAISE_ON_FAILURE, TOO_BIG, 'esiR');
}

static void raise_bad_flags(void *arg)
{
    (void)arg;
    ExAllocatePool2(POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE, 16, 'esiR');
}

/* "If POOL_FLAG_RAISE_ON_FAILURE is specified, the function raises an
 * exception" for every NULL case; unhandled, bug check 0x7E. */
KT_TEST(ExAllocatePool2_raise_on_failure)
{
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES, raise_too_big,
                       NULL);
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES,
                                         raise_bad_flags, NULL);
    KT_CONTAINS(out, ": Flags 0x28 (POOL_FLAG_CACHE_ALIGNED|POOL_FLAG_RAISE_ON_FAILURE) name no pool type, so it "
                     "raises STATUS_INSUFFICIENT_RESOURCES.\n");
}

/* The seed's mistake: ExAllocatePool2(PagedPool, ...). The warning names the
 * call site, decodes the flags, says why it fails and how to fix it. */
KT_TEST(ExAllocatePool2_pool_type_mixup_warning)
{
    static const struct { POOL_FLAGS flags; const char *text; } cases[] = {
        { PagedPool, ": Flags 0x1 (POOL_FLAG_USE_QUOTA) name no pool type, so it returns NULL. 0x1 is PagedPool, "
                     "a POOL_TYPE: ExAllocatePool2 takes POOL_FLAGS; use POOL_FLAG_PAGED (0x100).\n" },
        { NonPagedPool, ": Flags 0x0 (no flags) name no pool type, so it returns NULL. 0x0 is NonPagedPool, "
                        "a POOL_TYPE: ExAllocatePool2 takes POOL_FLAGS; use POOL_FLAG_NON_PAGED (0x40).\n" },
        { NonPagedPoolNx, ": Flags 0x200 (POOL_FLAG_RESERVED2) name no pool type, so it returns NULL. 0x200 is "
                          "NonPagedPoolNx, a POOL_TYPE: ExAllocatePool2 takes POOL_FLAGS; use POOL_FLAG_NON_PAGED "
                          "(0x40).\n" },
        { PagedPoolCacheAligned, ": Flags 0x5 (POOL_FLAG_USE_QUOTA|POOL_FLAG_SESSION) name no pool type, so it "
                                 "returns NULL. 0x5 is PagedPoolCacheAligned, a POOL_TYPE: ExAllocatePool2 takes "
                                 "POOL_FLAGS; use POOL_FLAG_CACHE_ALIGNED|POOL_FLAG_PAGED (0x108).\n" },
        { NonPagedPoolSessionNx, ": Flags 0x220 (POOL_FLAG_RAISE_ON_FAILURE|POOL_FLAG_RESERVED2) name no pool type, "
                                 "so it raises STATUS_INSUFFICIENT_RESOURCES. 0x220 is NonPagedPoolSessionNx, a "
                                 "POOL_TYPE: ExAllocatePool2 takes POOL_FLAGS; use "
                                 "POOL_FLAG_SESSION|POOL_FLAG_NON_PAGED (0x44).\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *out;
        alloc2_fails(cases[i].flags, &out);
        KT_CONTAINS(out, "ntbox: warning: ExAllocatePool2 at ");
        KT_CONTAINS(out, cases[i].text);
    }
}

/* Flags that are no POOL_TYPE get the reason alone. */
KT_TEST(ExAllocatePool2_invalid_flags_warning)
{
    const char *out;
    KT_TRUE(alloc2_fails(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, &out));
    KT_CONTAINS(out, ": Flags 0x140 (POOL_FLAG_NON_PAGED|POOL_FLAG_PAGED) name more than one pool type, so it "
                     "returns NULL.\n");
    KT_TRUE(alloc2_fails(POOL_FLAG_NON_PAGED | 0x800, &out));
    KT_CONTAINS(out, ": Flags 0x840 (POOL_FLAG_NON_PAGED|0x800) hold required bits that are reserved or unknown, "
                     "so it returns NULL.\n");
    KT_TRUE(alloc2_fails(POOL_FLAG_PAGED | POOL_FLAG_RESERVED1, &out));
    KT_CONTAINS(out, ": Flags 0x110 (POOL_FLAG_RESERVED1|POOL_FLAG_PAGED) hold required bits that are reserved or "
                     "unknown, so it returns NULL.\n");
}

/* ExAllocatePool3 with a valid priority parameter behaves as ExAllocatePool2;
 * a NUMA-node preference is met on one node. */
KT_TEST(ExAllocatePool3_valid_parameters)
{
    POOL_EXTENDED_PARAMETER params[2];
    memset(params, 0, sizeof params);
    params[0].Type = PoolExtendedParameterPriority;
    params[0].Priority = HighPoolPrioritySpecialPoolUnderrun;
    params[1].Type = PoolExtendedParameterNumaNode;
    params[1].PreferredNode = 0;
    unsigned char *p = ExAllocatePool3(POOL_FLAG_NON_PAGED, 48, '3loP', params, 2);
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_EQ_INT(p[0] | p[47], 0);
    KT_EQ_INT(type_of_block(p), NonPagedPoolNx);
    ExFreePool2(p, '3loP', NULL, 0);
    p = ExAllocatePool3(POOL_FLAG_PAGED, 8, '3loP', NULL, 0);
    KT_TRUE(p != NULL);
    ExFreePool(p);
}

static POOL_EXTENDED_PARAMETER pool3_param;
static ULONG pool3_count = 1;

static void alloc3_in_child(void *arg)
{
    (void)arg;
    if (ExAllocatePool3(POOL_FLAG_PAGED, 16, '3loP', pool3_count ? &pool3_param : NULL, pool3_count))
        _exit(9);
}

/* Returns the child's exit status: 0 for NULL, 9 for memory. */
static int alloc3_status(ULONG type, ULONG optional, ULONG64 value, const char **out)
{
    int status;
    memset(&pool3_param, 0, sizeof pool3_param);
    pool3_param.Type = type;
    pool3_param.Optional = optional;
    pool3_param.Reserved2 = value;
    *out = kt_run_child(alloc3_in_child, NULL, &status);
    return status;
}

/* "Invalid POOL_EXTENDED_PARAMETER structures" make it return NULL; an
 * optional parameter that is not valid "is ignored". */
KT_TEST(ExAllocatePool3_invalid_parameters)
{
    const char *out;
    KT_EQ_INT(alloc3_status(PoolExtendedParameterPriority, 0, 7, &out), 0);
    KT_CONTAINS(out, "ExtendedParameters[0] (Type 1) is not valid, so it fails.");
    KT_EQ_INT(alloc3_status(PoolExtendedParameterPriority, 1, 7, &out), 9);
    KT_EQ_INT(alloc3_status(PoolExtendedParameterInvalidType, 0, 0, &out), 0);
    KT_EQ_INT(alloc3_status(PoolExtendedParameterMax, 0, 0, &out), 0);
    KT_EQ_INT(alloc3_status(200, 1, 0, &out), 9);
    KT_EQ_INT(alloc3_status(PoolExtendedParameterPriority, 0, NormalPoolPrioritySpecialPoolOverrun, &out), 9);
    pool3_count = 0;
    KT_EQ_INT(alloc3_status(PoolExtendedParameterInvalidType, 0, 0, &out), 9);
    pool3_count = 3;
    memset(&pool3_param, 0, sizeof pool3_param);
    int status;
    out = kt_run_child(alloc3_null_params_in_child, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "ExtendedParameters is NULL with ExtendedParametersCount 3, so it fails.");
    pool3_count = 1;
}

static void free2_wrong_tag(void *arg)
{
    ExFreePool2(arg, 'gnrW', NULL, 0);
}

/* ExFreePool2's Tag must match the allocation's: else 0xC2/0x0A. */
KT_TEST(ExFreePool2_wrong_tag)
{
    void *p = ExAllocatePool2(POOL_FLAG_PAGED, 16, '2erF');
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x0A, free2_wrong_tag, p);
    ExFreePool2(p, '2erF', NULL, 0);
}

static void alloc3_raise_in_child(void *arg)
{
    (void)arg;
    POOL_EXTENDED_PARAMETER bad;
    memset(&bad, 0, sizeof bad);
    bad.Type = PoolExtendedParameterInvalidType;
    ExAllocatePool3(POOL_FLAG_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 16, '3loP', &bad, 1);
}

/* Invalid extended parameters with POOL_FLAG_RAISE_ON_FAILURE raise too. */
KT_TEST(ExAllocatePool3_raise_on_invalid_parameters)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES,
                                         alloc3_raise_in_child, NULL);
    KT_CONTAINS(out, "ExtendedParameters[0] (Type 0) is not valid, so it fails.");
}
