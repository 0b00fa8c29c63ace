/* ex/lookaside.c: lookaside lists: ExInitializeNPagedLookasideList,
 * ExDeleteNPagedLookasideList, ExInitializePagedLookasideList,
 * ExDeletePagedLookasideList, ExInitializeLookasideListEx,
 * ExDeleteLookasideListEx, ExFlushLookasideListEx. Allocating from and
 * freeing to a list are the WDK's inlines in km_ex.h, compiled into the
 * driver.
 *
 * Entries are ordinary pool blocks with the list's tag: an entry the driver
 * never frees back, and an entry still cached in a list it never deletes,
 * show in the pool's leak report under that tag. The default allocation
 * routines (ExAllocatePoolWithTag and ExFreePool themselves for the classic
 * lists) are called straight from the driver's inline code, so the call
 * site the pool records is the driver's ExAllocateFrom...List.
 *
 * Surprise: Depth, the number of entries a list caches, starts at Windows'
 * minimum of 4 and stays there: Windows' balance set manager raises it once
 * a second towards MaximumDepth (256) for lists that miss often; ntbox has
 * none. FIXME: no system-wide list of lookaside lists either (ListEntry
 * links to itself). */
#include "ex/pool.h"
#include "ex/slist.h"

#include "base/diag.h"
#include "loader/symbols.h"

#include <stdbool.h>

#define EX_LOOKASIDE_MINIMUM_DEPTH 4
#define EX_LOOKASIDE_MAXIMUM_DEPTH EX_MAXIMUM_LOOKASIDE_DEPTH_BASE

/* The classic and the Ex lists share this layout (LOOKASIDE_CHECK in the
 * WDK); ntbox's code works on it for both. Drivers place the classic lists,
 * cache-line aligned by type, at any 16-byte boundary, so they are never
 * accessed through their own type here (UBSan would object). */
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Future) == FIELD_OFFSET(GENERAL_LOOKASIDE_POOL, Future));

/* Everything the initializers share: an empty list, counters at zero,
 * Depth at the minimum; Allocate and Free are left to the caller. Warns
 * about the documented argument rules Windows does not enforce. */
static void ex_lookaside_setup(PGENERAL_LOOKASIDE_POOL l, ULONG type, SIZE_T size, ULONG tag, USHORT depth,
                               const char *routine, const void *caller)
{
    char where[256];

    ex_slist_init((PSLIST_HEADER)l, routine, caller); /* ListHead, before l is known to be aligned */
    if (depth)
        diag_warn("%s at %s: Depth is %u; the parameter is reserved and must be zero (the system sets the depth).",
                  routine, ldr_source_line(caller, true, where, sizeof where), depth);
    if (size < LOOKASIDE_MINIMUM_BLOCK_SIZE)
        diag_warn("%s at %s: Size %llu is less than LOOKASIDE_MINIMUM_BLOCK_SIZE (%u): a cached entry holds the "
                  "list's link, which will overrun it.",
                  routine, ldr_source_line(caller, true, where, sizeof where), (unsigned long long)size,
                  (unsigned)LOOKASIDE_MINIMUM_BLOCK_SIZE);
    l->Depth = EX_LOOKASIDE_MINIMUM_DEPTH;
    l->MaximumDepth = EX_LOOKASIDE_MAXIMUM_DEPTH;
    l->TotalAllocates = 0;
    l->AllocateMisses = 0;
    l->TotalFrees = 0;
    l->FreeMisses = 0;
    l->Type = (POOL_TYPE)type;
    l->Tag = tag;
    l->Size = (ULONG)size;
    InitializeListHead(&l->ListEntry);
    l->LastTotalAllocates = 0;
    l->LastAllocateMisses = 0;
    l->Future[0] = l->Future[1] = 0;
}

/* The classic lists' Flags are POOL_TYPE modifier bits; `accepted` of them
 * go into the entries' pool type, `ignored` ones are documented to have no
 * effect, anything else is warned about and dropped. */
static ULONG ex_lookaside_flags(ULONG flags, ULONG accepted, ULONG ignored, const char *routine,
                                const void *caller)
{
    if (flags & ~(accepted | ignored)) {
        char where[256];
        diag_warn("%s at %s: Flags 0x%X has bits other than POOL_RAISE_IF_ALLOCATION_FAILURE%s (0x%X); they are "
                  "ignored.",
                  routine, ldr_source_line(caller, true, where, sizeof where), (unsigned)flags,
                  (accepted | ignored) & POOL_NX_ALLOCATION ? " and POOL_NX_ALLOCATION" : "",
                  (unsigned)(flags & ~(accepted | ignored)));
    }
    return flags & accepted;
}

/* The default LookasideListAllocateEx: a pool block of the list's type,
 * size and tag, charged to the driver's ExAllocateFromLookasideListEx;
 * raises when the type carries POOL_RAISE_IF_ALLOCATION_FAILURE
 * (EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL). */
__attribute__((noinline)) static PVOID NTAPI ex_lookaside_allocate_ex(POOL_TYPE PoolType, SIZE_T NumberOfBytes,
                                                                     ULONG Tag, PLOOKASIDE_LIST_EX Lookaside)
{
    const void *caller = __builtin_return_address(0);
    PVOID entry = ex_pool_allocate(PoolType, NumberOfBytes, Tag, caller);
    (void)Lookaside;
    if (!entry && (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE))
        ex_raise_status(STATUS_INSUFFICIENT_RESOURCES, caller,
                        "EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL: the lookaside entry could not be allocated.");
    return entry;
}

/* The default LookasideListFreeEx: ExFreePool, charged to the driver's
 * ExFreeToLookasideListEx. */
__attribute__((noinline)) static VOID NTAPI ex_lookaside_free_ex(PVOID Buffer, PLOOKASIDE_LIST_EX Lookaside)
{
    (void)Lookaside;
    ex_pool_free(Buffer, 0, __builtin_return_address(0));
}

/* The entries' pool type must be one of POOL_TYPE's allocatable values:
 * the must-succeed types are gone (an allocation from one is
 * BAD_POOL_CALLER 0x9A), DontUseThisType and MaxPoolType are none, and
 * modifier bits go through Flags. */
static bool ex_lookaside_pool_type_valid(POOL_TYPE type)
{
    switch ((ULONG)type) {
    case NonPagedPool:
    case PagedPool:
    case NonPagedPoolCacheAligned:
    case PagedPoolCacheAligned:
    case NonPagedPoolSession:
    case PagedPoolSession:
    case NonPagedPoolCacheAlignedSession:
    case PagedPoolCacheAlignedSession:
    case NonPagedPoolNx:
    case NonPagedPoolNxCacheAligned:
    case NonPagedPoolSessionNx:
        return true;
    default:
        return false;
    }
}

/* Empties the list, freeing each entry with its Free (ex: FreeEx) routine.
 * The default routine's frees are charged to the driver's call of the
 * delete or flush routine, `caller`. */
static void ex_lookaside_empty(PGENERAL_LOOKASIDE_POOL l, bool ex, const void *caller)
{
    for (PSLIST_ENTRY entry = ex_slist_flush(&l->ListHead), next; entry; entry = next) {
        next = entry->Next;
        if (ex ? l->FreeEx == ex_lookaside_free_ex : l->Free == ExFreePool)
            ex_pool_free(entry, 0, caller);
        else if (ex)
            l->FreeEx(entry, (PLOOKASIDE_LIST_EX)l);
        else
            l->Free(entry);
    }
}

/* ExInitializeNPagedLookasideList and ExInitializePagedLookasideList:
 * entries of base_type plus the `accepted` Flags bits. */
static void ex_lookaside_init_classic(PGENERAL_LOOKASIDE_POOL l, PALLOCATE_FUNCTION allocate, PFREE_FUNCTION free_fn,
                                      ULONG base_type, ULONG flags, ULONG accepted, ULONG ignored, SIZE_T size,
                                      ULONG tag, USHORT depth, const char *routine, const void *caller)
{
    ULONG modifiers = ex_lookaside_flags(flags, accepted, ignored, routine, caller);
    ex_lookaside_setup(l, base_type | modifiers, size, tag, depth, routine, caller);
    l->Allocate = allocate ? allocate : ExAllocatePoolWithTag;
    l->Free = free_fn ? free_fn : ExFreePool;
}

/* Sets up an empty list of nonpaged entries: Allocate and Free default to
 * ExAllocatePoolWithTag and ExFreePool; Flags may hold POOL_NX_ALLOCATION
 * and POOL_RAISE_IF_ALLOCATION_FAILURE, added to the NonPagedPool type;
 * Depth is reserved (zero); IRQL <= DISPATCH_LEVEL (WDK,
 * ExInitializeNPagedLookasideList). */
VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                           PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    ex_lookaside_init_classic((PGENERAL_LOOKASIDE_POOL)Lookaside, Allocate, Free, NonPagedPool, Flags,
                              POOL_NX_ALLOCATION | POOL_RAISE_IF_ALLOCATION_FAILURE, 0, Size, Tag, Depth,
                              "ExInitializeNPagedLookasideList", __builtin_return_address(0));
}

/* Frees every cached entry with the list's Free routine; the caller then
 * owns the list's memory again; IRQL <= DISPATCH_LEVEL (WDK,
 * ExDeleteNPagedLookasideList). */
VOID NTAPI ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    ex_lookaside_empty((PGENERAL_LOOKASIDE_POOL)Lookaside, false, __builtin_return_address(0));
}

/* As ExInitializeNPagedLookasideList, for PagedPool entries: Flags may hold
 * POOL_RAISE_IF_ALLOCATION_FAILURE; POOL_NX_ALLOCATION has no effect (paged
 * pool is never executable); IRQL <= APC_LEVEL (WDK,
 * ExInitializePagedLookasideList). */
VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                          PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    ex_lookaside_init_classic((PGENERAL_LOOKASIDE_POOL)Lookaside, Allocate, Free, PagedPool, Flags, POOL_RAISE_IF_ALLOCATION_FAILURE,
                              POOL_NX_ALLOCATION, Size, Tag, Depth, "ExInitializePagedLookasideList",
                              __builtin_return_address(0));
}

/* Frees every cached entry with the list's Free routine; IRQL <= APC_LEVEL
 * (WDK, ExDeletePagedLookasideList). */
VOID NTAPI ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    ex_lookaside_empty((PGENERAL_LOOKASIDE_POOL)Lookaside, false, __builtin_return_address(0));
}

/* Sets up an empty list of PoolType entries: STATUS_INVALID_PARAMETER_4
 * for a PoolType that is no valid POOL_TYPE, STATUS_INVALID_PARAMETER_5 for
 * Flags other than zero, EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL (adds
 * POOL_RAISE_IF_ALLOCATION_FAILURE to the type the allocation routine gets)
 * or EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE (adds
 * POOL_QUOTA_FAIL_INSTEAD_OF_RAISE); the two are mutually exclusive; Depth
 * is reserved (zero); IRQL <= DISPATCH_LEVEL (WDK,
 * ExInitializeLookasideListEx). */
NTSTATUS NTAPI ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                           PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags, SIZE_T Size,
                                           ULONG Tag, USHORT Depth)
{
    static const char routine[] = "ExInitializeLookasideListEx";
    const void *caller = __builtin_return_address(0);
    ULONG type = (ULONG)PoolType;

    if (!ex_lookaside_pool_type_valid(PoolType))
        return STATUS_INVALID_PARAMETER_4;
    if ((Flags & ~(EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)) ||
        Flags == (EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE))
        return STATUS_INVALID_PARAMETER_5;
    if (Flags & EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL)
        type |= POOL_RAISE_IF_ALLOCATION_FAILURE;
    if (Flags & EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE) {
        type |= POOL_QUOTA_FAIL_INSTEAD_OF_RAISE;
        if (!Allocate) {
            char where[256];
            diag_warn("%s at %s: EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE with the default allocation routine; "
                      "Windows leaves that behavior undefined (use zero or ..._RAISE_ON_FAIL).",
                      routine, ldr_source_line(caller, true, where, sizeof where));
        }
    }
    ex_lookaside_setup((PGENERAL_LOOKASIDE_POOL)Lookaside, type, Size, Tag, Depth, routine, caller);
    Lookaside->L.AllocateEx = Allocate ? Allocate : ex_lookaside_allocate_ex;
    Lookaside->L.FreeEx = Free ? Free : ex_lookaside_free_ex;
    return STATUS_SUCCESS;
}

/* Empties the list, freeing each entry with the list's LookasideListFreeEx
 * routine; the list stays usable; IRQL <= DISPATCH_LEVEL (WDK,
 * ExFlushLookasideListEx). */
VOID NTAPI ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    ex_lookaside_empty((PGENERAL_LOOKASIDE_POOL)Lookaside, true, __builtin_return_address(0));
}

/* Frees every cached entry, as ExFlushLookasideListEx; the caller then
 * owns the list's memory again; IRQL <= DISPATCH_LEVEL (WDK,
 * ExDeleteLookasideListEx). */
VOID NTAPI ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    ex_lookaside_empty((PGENERAL_LOOKASIDE_POOL)Lookaside, true, __builtin_return_address(0));
}
