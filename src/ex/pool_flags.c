/* ex/pool_flags.c: ExAllocatePool2 and ExAllocatePool3: POOL_FLAGS and
 * the extended parameters, checked as the WDK documents them, and the
 * warning ntbox prints for each argument Windows would reject (the common
 * mistake: a POOL_TYPE passed where POOL_FLAGS belong). */
#include "ex/pool_fast.h"

#include "base/diag.h"
#include "loader/symbols.h"

#include <stdio.h>

#define EX_FLAGS_POOL_TYPES (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED)
#define EX_FLAGS_ACCEPTED                                                                             \
    (POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION | POOL_FLAG_CACHE_ALIGNED | \
     POOL_FLAG_RAISE_ON_FAILURE | EX_FLAGS_POOL_TYPES)
#define EX_FLAGS_REQUIRED 0x00000000FFFFFFFFULL

/* "POOL_FLAG_USE_QUOTA|POOL_FLAG_PAGED|0x10000", or "no flags". */
static const char *ex_flags_text(POOL_FLAGS flags, char *out, size_t n)
{
    static const char *const names[] = {
        "POOL_FLAG_USE_QUOTA", "POOL_FLAG_UNINITIALIZED", "POOL_FLAG_SESSION", "POOL_FLAG_CACHE_ALIGNED",
        "POOL_FLAG_RESERVED1", "POOL_FLAG_RAISE_ON_FAILURE", "POOL_FLAG_NON_PAGED", "POOL_FLAG_NON_PAGED_EXECUTE",
        "POOL_FLAG_PAGED", "POOL_FLAG_RESERVED2", "POOL_FLAG_RESERVED3",
    };
    size_t used = 0;
    out[0] = 0;
    for (unsigned bit = 0; bit < sizeof names / sizeof names[0]; bit++)
        if (flags & (1ULL << bit))
            used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s", used ? "|" : "", names[bit]);
    if (flags & POOL_FLAG_SPECIAL_POOL)
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%sPOOL_FLAG_SPECIAL_POOL", used ? "|" : "");
    POOL_FLAGS rest = flags & ~(POOL_FLAG_SPECIAL_POOL | ((1ULL << (sizeof names / sizeof names[0])) - 1));
    if (rest)
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s0x%llx", used ? "|" : "",
                                 (unsigned long long)rest);
    if (!flags)
        snprintf(out, n, "no flags");
    return out;
}

/* Why flags are no valid POOL_FLAGS ("name no pool type"), or NULL. */
static const char *ex_flags_problem(POOL_FLAGS flags)
{
    POOL_FLAGS types = flags & EX_FLAGS_POOL_TYPES;
    if (!types)
        return "name no pool type";
    if (types & (types - 1))
        return "name more than one pool type";
    if (flags & EX_FLAGS_REQUIRED & ~EX_FLAGS_ACCEPTED)
        return "hold required bits that are reserved or unknown";
    return NULL;
}

/* The POOL_FLAGS a driver meant when it passed a POOL_TYPE (Microsoft's
 * "Updating deprecated ExAllocatePool calls" table). */
static POOL_FLAGS ex_flags_for_type(ULONG type)
{
    POOL_FLAGS flags = (type & 1) ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED;
    if (type & 4)
        flags |= POOL_FLAG_CACHE_ALIGNED;
    if (type & 32)
        flags |= POOL_FLAG_SESSION;
    return flags;
}

/* One line per rejected argument of ExAllocatePool2/3, naming the call site,
 * the value, why, and for a POOL_TYPE passed as flags, the fix. */
EX_POOL_COLD static void ex_warn_flags(const char *routine, POOL_FLAGS flags, ULONG tag, const char *problem,
                                       const void *caller)
{
    char where[256], text[256], fix[256], mixup[512] = "";
    const char *outcome = (flags & POOL_FLAG_RAISE_ON_FAILURE) ? "raises STATUS_INSUFFICIENT_RESOURCES"
                                                               : "returns NULL";
    ldr_source_line(caller, true, where, sizeof where);
    if (problem) {
        const char *type = flags <= 0xFFFFFFFFULL ? ex_pool_type_name((ULONG)flags) : NULL;
        if (type) {
            POOL_FLAGS meant = ex_flags_for_type((ULONG)flags);
            snprintf(mixup, sizeof mixup, " 0x%llx is %s, a POOL_TYPE: %s takes POOL_FLAGS; use %s (0x%llx).",
                     (unsigned long long)flags, type, routine, ex_flags_text(meant, fix, sizeof fix),
                     (unsigned long long)meant);
        }
        diag_warn("%s at %s: Flags 0x%llx (%s) %s, so it %s.%s", routine, where, (unsigned long long)flags,
                  ex_flags_text(flags, text, sizeof text), problem, outcome, mixup);
    }
    if (!tag)
        diag_warn("%s at %s: Tag is 0, so it %s; a pool tag is a non-zero literal of one to four characters, "
                  "such as '1gaT'.",
                  routine, where, outcome);
}

/* The POOL_TYPE that valid flags allocate from, as recorded and reported. */
static ULONG ex_type_for_flags(POOL_FLAGS flags)
{
    ULONG type = (flags & POOL_FLAG_PAGED) ? PagedPool
                 : (flags & POOL_FLAG_NON_PAGED) ? NonPagedPoolNx : NonPagedPoolExecute;
    if (flags & POOL_FLAG_CACHE_ALIGNED)
        type += 4;
    if (flags & POOL_FLAG_SESSION)
        type += 32;
    return type;
}

EX_POOL_COLD __attribute__((noreturn)) static void ex_flags_raise(bool invalid, const void *caller)
{
    ex_raise_status(STATUS_INSUFFICIENT_RESOURCES, caller,
                    invalid ? "POOL_FLAG_RAISE_ON_FAILURE: the arguments are not valid."
                            : "POOL_FLAG_RAISE_ON_FAILURE: the allocation could not be satisfied.");
}

/* Shared by ExAllocatePool2/3 once the extended parameters are checked. */
EX_POOL_INLINE PVOID ex_alloc_flags(const char *routine, POOL_FLAGS flags, SIZE_T size, ULONG tag, bool params_ok,
                                    const void *caller)
{
    const char *problem = ex_flags_problem(flags);
    void *p = NULL;

    if (problem || !tag)
        ex_warn_flags(routine, flags, tag, problem, caller);
    else if (params_ok) {
        if (__builtin_expect(!size, 0) && vf_enabled(VF_POOL_TRACKING))
            ex_zero_size_alloc(ex_type_for_flags(flags), tag, caller);
        p = ex_pool_alloc_checked(ex_type_for_flags(flags), size, tag, !(flags & POOL_FLAG_UNINITIALIZED), caller);
    }
    if (!p && (flags & POOL_FLAG_RAISE_ON_FAILURE))
        ex_flags_raise(problem || !tag || !params_ok, caller);
    return p;
}

/* Low, Normal or High, optionally with SpecialPoolOverrun (8) or
 * SpecialPoolUnderrun (9) added. FIXME: the special-pool variants are
 * accepted and allocate normally. */
static bool ex_priority_valid(ULONG priority)
{
    ULONG level = priority & ~9u, special = priority & 9u;
    return (level == LowPoolPriority || level == NormalPoolPriority || level == HighPoolPriority) && special != 1;
}

/* A required parameter must be known and valid; an optional one may be
 * ignored (WDK, POOL_EXTENDED_PARAMETER). */
EX_POOL_ABI __attribute__((noinline)) static bool ex_extended_parameters_ok(PCPOOL_EXTENDED_PARAMETER params,
                                                                            ULONG count, const void *caller)
{
    char where[256];
    if (count && !params) {
        diag_warn("ExAllocatePool3 at %s: ExtendedParameters is NULL with ExtendedParametersCount %u, so it fails.",
                  ldr_source_line(caller, true, where, sizeof where), count);
        return false;
    }
    for (ULONG i = 0; i < count; i++) {
        bool ok;
        switch (params[i].Type) {
        case PoolExtendedParameterPriority:
            ok = ex_priority_valid(params[i].Priority);
            break;
        case PoolExtendedParameterNumaNode:
            ok = true; /* one node: every preference is met */
            break;
        default: /* FIXME: secure pool is not implemented */
            ok = false;
            break;
        }
        if (!ok && !params[i].Optional) {
            diag_warn("ExAllocatePool3 at %s: ExtendedParameters[%u] (Type %u) is not valid, so it fails.",
                      ldr_source_line(caller, true, where, sizeof where), i, (unsigned)params[i].Type);
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Exports: the fast paths are inline (src/ex/pool_fast.h), so
 * __builtin_return_address(0) is the driver's call site and no call level
 * is added. */

/* Zeroed memory unless POOL_FLAG_UNINITIALIZED; NULL for insufficient memory,
 * Tag 0 or invalid POOL_FLAGS, or an exception instead with
 * POOL_FLAG_RAISE_ON_FAILURE (WDK, ExAllocatePool2). Exactly one pool type
 * flag; unknown required (low 32) bits fail, unknown optional ones are
 * ignored (WDK, POOL_FLAGS). */
PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc_flags("ExAllocatePool2", Flags, NumberOfBytes, Tag, true, __builtin_return_address(0));
}

/* ExAllocatePool2 plus extended parameters; invalid ones fail like invalid
 * flags (WDK, ExAllocatePool3). */
PVOID NTAPI ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag,
                            PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount)
{
    const void *caller = __builtin_return_address(0);
    bool ok = ex_extended_parameters_ok(ExtendedParameters, ExtendedParametersCount, caller);
    return ex_alloc_flags("ExAllocatePool3", Flags, NumberOfBytes, Tag, ok, caller);
}
