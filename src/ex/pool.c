/* ex/pool.c: the pools: ExAllocatePool, ExAllocatePoolWithTag,
 * ExAllocatePoolWithQuotaTag, ExAllocatePoolWithTagPriority, ExFreePool,
 * ExFreePoolWithTag, ExFreePool2 (ExAllocatePool2/3: src/ex/pool_flags.c),
 * and the bugchecks of bad allocations and frees.
 *
 * Every block is tracked (tag, size, pool type, allocating return address)
 * by the pool's own allocator: slabs for blocks up to 32 KB
 * (src/ex/pool_slab.c), a span each above (src/ex/pool_large.c), on one
 * address-space reservation (src/ex/pool_arena.c); per-(tag, pool class)
 * counters in src/ex/pool_stats.c. Paged and nonpaged pool are one heap:
 * nothing is paged, and the IRQL rules are what tell them apart. */
#include "ex/pool_fast.h"

#include "ke/bugcheck.h"
#include "loader/symbols.h"
#include "verifier/verifier.h"

#include <stdio.h>
#include <string.h>

/* Windows x64's MmSystemRangeStart, for BAD_POOL_CALLER 0x40. */
#define EX_SYSTEM_RANGE_START 0xFFFF800000000000ULL

/* The POOL_TYPE modifier bits, which ExAllocatePoolWithTag & co strip. */
#define EX_POOL_TYPE_MODIFIERS \
    (POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_COLD_ALLOCATION | POOL_ZERO_ALLOCATION)

/* ------------------------------------------------------------------ */
/* Allocation */

/* Paged pool above APC_LEVEL, any pool above DISPATCH_LEVEL: with the
 * verifier's irql group Driver Verifier's 0xC4/0x01 (paged) or 0x02
 * (nonpaged), P2 the IRQL, P3 the type, P4 the size; without it Windows'
 * own BAD_POOL_CALLER 0x08 with the same parameters. */
EX_POOL_ABI void ex_bad_alloc_irql(ULONG type, SIZE_T size, const void *caller)
{
    bool verifier = vf_enabled(VF_IRQL);
    ke_bugcheck(verifier ? 0xC4 : BAD_POOL_CALLER, verifier ? ((type & 1) ? 0x01 : 0x02) : 0x08, ke_irql_get(), type,
                size, caller, "A pool allocation (%s, 0x%llx bytes) was made at %s; %s pool needs IRQL <= %s.",
                ex_pool_type_name(type) ? ex_pool_type_name(type) : "?", (unsigned long long)size,
                ke_irql_name(ke_irql_get()), (type & 1) ? "paged" : "nonpaged",
                (type & 1) ? "APC_LEVEL" : "DISPATCH_LEVEL");
}

EX_POOL_ABI void ex_zero_size_alloc(ULONG type, ULONG tag, const void *caller)
{
    char text[5];
    ke_bugcheck(0xC4, 0x00, ke_irql_get(), type, 0, caller,
                "A pool allocation of 0 bytes was requested (%s, tag '%s'): the size must not be zero.",
                ex_pool_type_name(type) ? ex_pool_type_name(type) : "?", ex_pool_tag_text(tag, text));
}

PVOID ex_pool_allocate(POOL_TYPE type, SIZE_T size, ULONG tag, const void *caller)
{
    return ex_pool_alloc_checked((ULONG)type & ~(ULONG)EX_POOL_TYPE_MODIFIERS, size, tag,
                                 (type & POOL_ZERO_ALLOCATION) != 0, caller);
}

void ex_pool_free(PVOID p, ULONG tag, const void *caller)
{
    ex_block_free(tag ? "ExFreePoolWithTag" : "ExFreePool", p, tag, caller);
}

/* ------------------------------------------------------------------ */
/* Bad frees */

const char *ex_pool_describe_block(const struct vf_block *b, char *out, size_t n)
{
    char where[384], freed[400] = "";
    const char *type = ex_pool_type_name(b->type);
    char tag[5];
    if (b->freed_at) {
        strcpy(freed, ", freed at ");
        ldr_describe_address(b->freed_at, true, freed + strlen(freed), sizeof freed - strlen(freed));
    }
    snprintf(out, n, "'%s' %s 0x%llx bytes allocated at %s%s", ex_pool_tag_text(b->tag, tag), type ? type : "?",
             (unsigned long long)b->size, ldr_describe_address(b->allocated_at, true, where, sizeof where), freed);
    return out;
}

struct vf_block ex_found_block(const struct ex_found *b)
{
    return (struct vf_block){ (const void *)b->addr, b->size, b->rec.tag, b->rec.type, b->rec.caller,
                              b->rec.state == EX_BLOCK_FREED ? b->rec.freed_by : NULL };
}

/* The block a bad free is about, noted for the report and described. */
static const char *ex_blame_block(const struct ex_found *b, char *out, size_t n)
{
    struct vf_block block = ex_found_block(b);
    /* The text says where it was freed on its own. */
    vf_report_note_block(&block);
    block.freed_at = NULL;
    return ex_pool_describe_block(&block, out, n);
}

/* Windows' first pool-header quadword for a freed block: BlockSize in
 * 16-byte units (header included) in bits 16-23, PoolType 0 (free), the tag
 * in the high half. BAD_POOL_CALLER 0x07 reports it. */
static ULONG_PTR ex_freed_header(const struct ex_found *b)
{
    ULONG64 units = ((ULONG64)b->size + 16 + 15) / 16;
    return ((ULONG64)b->rec.tag << 32) | ((units & 0xFF) << 16);
}

/* No block starts at addr: NULL, a pointer into a live block, or no pool
 * address at all. */
__attribute__((noreturn)) static void ex_bad_address(const char *routine, uintptr_t addr, const void *caller)
{
    char what[512];
    struct ex_found b;

    if (!addr)
        ke_bugcheck(BAD_POOL_CALLER, 0x40, 0, EX_SYSTEM_RANGE_START, 0, caller,
                    "%s(NULL): the address is not in system space; NULL is no pool allocation.", routine);
    if (ex_block_containing(addr, &b)) {
        ex_blame_block(&b, what, sizeof what);
        ke_bugcheck(BAD_POOL_CALLER, 0x99, addr, 0, 0, caller,
                    "%s(0x%llx): the address is 0x%llx bytes into the block at 0x%llx (%s); "
                    "free the address the allocation returned.",
                    routine, (unsigned long long)addr, (unsigned long long)(addr - b.addr),
                    (unsigned long long)b.addr, what);
    }
    ke_bugcheck(BAD_POOL_CALLER, 0x42, addr, 0, 0, caller,
                "%s(0x%llx): the address was never returned by a pool allocation (or was freed long ago).",
                routine, (unsigned long long)addr);
}

EX_POOL_ABI void ex_free_failed(const char *routine, uintptr_t addr, ULONG tag, const void *caller,
                                const struct ex_found *b)
{
    char what[512];

    if (!b)
        ex_bad_address(routine, addr, caller);
    ex_blame_block(b, what, sizeof what);
    if (b->rec.state == EX_BLOCK_FREED) {
        char freed_at[384];
        ke_bugcheck(BAD_POOL_CALLER, 0x07, 0, ex_freed_header(b), addr, caller,
                    "%s(0x%llx): the block was already freed at %s: %s.", routine, (unsigned long long)addr,
                    ldr_describe_address(b->rec.freed_by, true, freed_at, sizeof freed_at), what);
    }
    if (ex_tag_mismatch(b->rec.tag, tag))
        ke_bugcheck(BAD_POOL_CALLER, 0x0A, addr, b->rec.tag, tag, caller,
                    "%s(0x%llx, tag 0x%08X): the block's tag is 0x%08X: %s.", routine, (unsigned long long)addr,
                    (unsigned)tag, (unsigned)b->rec.tag, what);
    /* Freed above its IRQL: Driver Verifier's 0xC4/0x11 (paged) or 0x12
     * (nonpaged), else BAD_POOL_CALLER 0x09; P2 the IRQL, P3 the type, P4
     * the address. */
    bool verifier = vf_enabled(VF_IRQL);
    ke_bugcheck(verifier ? 0xC4 : BAD_POOL_CALLER, verifier ? ((b->rec.type & 1) ? 0x11 : 0x12) : 0x09, ke_irql_get(),
                b->rec.type, addr, caller,
                "%s(0x%llx) at %s: %s; %s pool is freed at IRQL <= %s.", routine, (unsigned long long)addr,
                ke_irql_name(ke_irql_get()), what, (b->rec.type & 1) ? "paged" : "nonpaged",
                (b->rec.type & 1) ? "APC_LEVEL" : "DISPATCH_LEVEL");
}

const char *ex_pool_type_name(ULONG type)
{
    static const struct { ULONG value; const char *name; } names[] = {
        { NonPagedPool, "NonPagedPool" },
        { PagedPool, "PagedPool" },
        { NonPagedPoolMustSucceed, "NonPagedPoolMustSucceed" },
        { DontUseThisType, "DontUseThisType" },
        { NonPagedPoolCacheAligned, "NonPagedPoolCacheAligned" },
        { PagedPoolCacheAligned, "PagedPoolCacheAligned" },
        { NonPagedPoolCacheAlignedMustS, "NonPagedPoolCacheAlignedMustS" },
        { MaxPoolType, "MaxPoolType" },
        { NonPagedPoolSession, "NonPagedPoolSession" },
        { PagedPoolSession, "PagedPoolSession" },
        { NonPagedPoolMustSucceedSession, "NonPagedPoolMustSucceedSession" },
        { DontUseThisTypeSession, "DontUseThisTypeSession" },
        { NonPagedPoolCacheAlignedSession, "NonPagedPoolCacheAlignedSession" },
        { PagedPoolCacheAlignedSession, "PagedPoolCacheAlignedSession" },
        { NonPagedPoolCacheAlignedMustSSession, "NonPagedPoolCacheAlignedMustSSession" },
        { NonPagedPoolNx, "NonPagedPoolNx" },
        { NonPagedPoolNxCacheAligned, "NonPagedPoolNxCacheAligned" },
        { NonPagedPoolSessionNx, "NonPagedPoolSessionNx" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].value == type)
            return names[i].name;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Exports: the fast paths are inline (src/ex/pool_fast.h), so
 * __builtin_return_address(0) is the driver's call site and no call level
 * is added. */

/* The POOL_TYPE routines: the modifiers are stripped, POOL_ZERO_ALLOCATION
 * zeroes; a failure raises STATUS_INSUFFICIENT_RESOURCES when `raise`. The
 * must-succeed types are gone: BAD_POOL_CALLER 0x9A (P2 type, P3 size, P4 tag). */
EX_POOL_COLD __attribute__((noreturn)) static void ex_must_succeed(POOL_TYPE type, SIZE_T size, ULONG tag,
                                                                   const void *caller)
{
    ke_bugcheck(BAD_POOL_CALLER, 0x9A, (ULONG)type, size, tag, caller,
                "Pool type %s (must succeed) is no longer supported.",
                ex_pool_type_name((ULONG)type & ~(ULONG)EX_POOL_TYPE_MODIFIERS));
}

EX_POOL_COLD __attribute__((noreturn)) static void ex_alloc_raise(const void *caller)
{
    ex_raise_status(STATUS_INSUFFICIENT_RESOURCES, caller, "The pool allocation could not be satisfied.");
}

EX_POOL_INLINE PVOID ex_alloc_type(POOL_TYPE type, SIZE_T size, ULONG tag, bool raise, const void *caller)
{
    ULONG base = (ULONG)type & ~(ULONG)EX_POOL_TYPE_MODIFIERS;
    if ((base & ~(ULONG)(NonPagedPoolSession | NonPagedPoolNx)) == NonPagedPoolMustSucceed ||
        (base & ~(ULONG)(NonPagedPoolSession | NonPagedPoolNx)) == NonPagedPoolCacheAlignedMustS)
        ex_must_succeed(type, size, tag, caller);
    if (__builtin_expect(!size, 0) && vf_enabled(VF_POOL_TRACKING))
        ex_zero_size_alloc(base, tag, caller);
    PVOID p = ex_pool_alloc_checked(base, size, tag, (type & POOL_ZERO_ALLOCATION) != 0, caller);
    if (!p && raise)
        ex_alloc_raise(caller);
    return p;
}

/* ExAllocatePoolWithTag with the tag 'enoN' ("None" in memory); obsolete
 * (WDK, ExAllocatePool). */
PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ex_alloc_type(PoolType, NumberOfBytes, 'enoN', (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0,
                         __builtin_return_address(0));
}

/* Returns NULL when the pool is exhausted unless PoolType has
 * POOL_RAISE_IF_ALLOCATION_FAILURE; POOL_ZERO_ALLOCATION zeroes; a page or more
 * is page-aligned, less is 16-byte aligned; paged pool at IRQL <= APC_LEVEL,
 * nonpaged at <= DISPATCH_LEVEL (WDK, ExAllocatePoolWithTag). */
PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc_type(PoolType, NumberOfBytes, Tag, (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0,
                         __builtin_return_address(0));
}

/* Raises an exception on failure unless PoolType has
 * POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, then returns NULL
 * (WDK, ExAllocatePoolWithQuotaTag). FIXME: no process quota is charged. */
PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc_type(PoolType, NumberOfBytes, Tag, !(PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE),
                         __builtin_return_address(0));
}

/* ExAllocatePoolWithTag with a priority for low-memory conditions
 * (WDK, ExAllocatePoolWithTagPriority). FIXME: Priority and its special-pool
 * variants are ignored; ntbox never runs low before its pool is exhausted. */
PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                          EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return ex_alloc_type(PoolType, NumberOfBytes, Tag, (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0,
                         __builtin_return_address(0));
}

/* Frees a block from any pool; a bad free is BAD_POOL_CALLER (WDK,
 * ExFreePool; bug check 0xC2). */
VOID NTAPI ExFreePool(PVOID P)
{
    ex_block_free("ExFreePool", P, 0, __builtin_return_address(0));
}

/* Tag must match the allocation's, PROTECTED_POOL aside, else
 * BAD_POOL_CALLER 0x0A (WDK, ExFreePoolWithTag; bug check 0xC2). */
VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    ex_block_free("ExFreePoolWithTag", P, Tag, __builtin_return_address(0));
}

/* Frees a block from ExAllocatePool2/3; Tag must match (WDK, ExFreePool2).
 * FIXME: secure-pool extended parameters are ignored. */
VOID NTAPI ExFreePool2(PVOID P, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount)
{
    (void)ExtendedParameters;
    (void)ExtendedParametersCount;
    ex_block_free("ExFreePool2", P, Tag, __builtin_return_address(0));
}
