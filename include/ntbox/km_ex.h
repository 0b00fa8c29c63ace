/* ntbox/km_ex.h: the executive (Ex): pools, pool tags, ExRaiseStatus, SLists,
 * lookaside lists, reader/writer spin locks, fast mutexes, resources
 * (ERESOURCE), push locks, rundown protection, local time.
 *
 * Two ways to name a pool: POOL_TYPE (ExAllocatePoolWithTag and friends, a
 * small enum plus modifier bits) and POOL_FLAGS (ExAllocatePool2/3, a 64-bit
 * bit set). The values overlap: PagedPool (1) passed as POOL_FLAGS is
 * POOL_FLAG_USE_QUOTA with no pool type, and ExAllocatePool2 returns NULL. */
#ifndef NTBOX_KM_EX_H
#define NTBOX_KM_EX_H

NTBOX_BEGIN_DECLS

typedef enum _POOL_TYPE {
    NonPagedPool,
    NonPagedPoolExecute = NonPagedPool,
    PagedPool,
    NonPagedPoolMustSucceed = NonPagedPool + 2,
    DontUseThisType,
    NonPagedPoolCacheAligned = NonPagedPool + 4,
    PagedPoolCacheAligned,
    NonPagedPoolCacheAlignedMustS = NonPagedPool + 6,
    MaxPoolType,

    NonPagedPoolBase = 0,
    NonPagedPoolBaseMustSucceed = NonPagedPoolBase + 2,
    NonPagedPoolBaseCacheAligned = NonPagedPoolBase + 4,
    NonPagedPoolBaseCacheAlignedMustS = NonPagedPoolBase + 6,

    NonPagedPoolSession = 32,
    PagedPoolSession = NonPagedPoolSession + 1,
    NonPagedPoolMustSucceedSession = PagedPoolSession + 1,
    DontUseThisTypeSession = NonPagedPoolMustSucceedSession + 1,
    NonPagedPoolCacheAlignedSession = DontUseThisTypeSession + 1,
    PagedPoolCacheAlignedSession = NonPagedPoolCacheAlignedSession + 1,
    NonPagedPoolCacheAlignedMustSSession = PagedPoolCacheAlignedSession + 1,

    NonPagedPoolNx = 512,
    NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
    NonPagedPoolSessionNx = NonPagedPoolNx + 32,
} _Enum_is_bitflag_ POOL_TYPE;

/* Modifiers ORed into a POOL_TYPE. */
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16
#define POOL_COLD_ALLOCATION 256
#define POOL_NX_ALLOCATION 512
#define POOL_ZERO_ALLOCATION 1024

/* A tag with this bit set can only be freed with ExFreePoolWithTag and the
 * same tag; the comparison itself ignores the bit. */
#define PROTECTED_POOL 0x80000000

/* POOL_FLAGS (ExAllocatePool2/3). Low 32 bits are required: an allocator that
 * does not know one fails. High 32 bits are optional hints. */
#define POOL_FLAG_REQUIRED_START 0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RESERVED1 0x0000000000000010ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
#define POOL_FLAG_RESERVED2 0x0000000000000200ULL
#define POOL_FLAG_RESERVED3 0x0000000000000400ULL
#define POOL_FLAG_LAST_KNOWN_REQUIRED POOL_FLAG_RESERVED3
#define POOL_FLAG_REQUIRED_END 0x0000000080000000ULL
#define POOL_FLAG_OPTIONAL_START 0x0000000100000000ULL
#define POOL_FLAG_SPECIAL_POOL 0x0000000100000000ULL
#define POOL_FLAG_OPTIONAL_END 0x8000000000000000ULL

typedef _Enum_is_bitflag_ enum _EX_POOL_PRIORITY {
    LowPoolPriority,
    LowPoolPrioritySpecialPoolOverrun = 8,
    LowPoolPrioritySpecialPoolUnderrun = 9,
    NormalPoolPriority = 16,
    NormalPoolPrioritySpecialPoolOverrun = 24,
    NormalPoolPrioritySpecialPoolUnderrun = 25,
    HighPoolPriority = 32,
    HighPoolPrioritySpecialPoolOverrun = 40,
    HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

typedef enum POOL_EXTENDED_PARAMETER_TYPE {
    PoolExtendedParameterInvalidType = 0,
    PoolExtendedParameterPriority,
    PoolExtendedParameterSecurePool,
    PoolExtendedParameterNumaNode,
    PoolExtendedParameterMax
} POOL_EXTENDED_PARAMETER_TYPE, *PPOOL_EXTENDED_PARAMETER_TYPE;

#define POOL_EXTENDED_PARAMETER_TYPE_BITS 8
#define POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS 1
#define POOL_EXTENDED_PARAMETER_RESERVED_BITS \
    (64 - POOL_EXTENDED_PARAMETER_TYPE_BITS - POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS)

typedef struct _SECURE_POOL_PARAMS *PSECURE_POOL_PARAMS;
typedef ULONG POOL_NODE_REQUIREMENT;

typedef struct _POOL_EXTENDED_PARAMETER {
    struct {
        ULONG64 Type : POOL_EXTENDED_PARAMETER_TYPE_BITS;
        ULONG64 Optional : POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS;
        ULONG64 Reserved : POOL_EXTENDED_PARAMETER_RESERVED_BITS;
    };
    union {
        ULONG64 Reserved2;
        PVOID Reserved3;
        EX_POOL_PRIORITY Priority;
        PSECURE_POOL_PARAMS SecurePoolParams;
        POOL_NODE_REQUIREMENT PreferredNode;
    };
} POOL_EXTENDED_PARAMETER, *PPOOL_EXTENDED_PARAMETER;
typedef CONST POOL_EXTENDED_PARAMETER *PCPOOL_EXTENDED_PARAMETER;

C_ASSERT(sizeof(POOL_TYPE) == 4);
C_ASSERT(sizeof(EX_POOL_PRIORITY) == 4);
C_ASSERT(sizeof(POOL_EXTENDED_PARAMETER) == 16);
C_ASSERT(FIELD_OFFSET(POOL_EXTENDED_PARAMETER, Priority) == 8);

/* Allocation. A tag is four characters stored little-endian: 'dcba' reads
 * "abcd" in memory, in poolmon and in the debugger. */
NTKERNELAPI DECLSPEC_DEPRECATED_DDK PVOID NTAPI ExAllocatePool(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes);
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTag(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithQuotaTag(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTagPriority(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                                      _In_ ULONG Tag, _In_ EX_POOL_PRIORITY Priority);
NTKERNELAPI PVOID NTAPI ExAllocatePool2(_In_ POOL_FLAGS Flags, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
NTKERNELAPI PVOID NTAPI ExAllocatePool3(_In_ POOL_FLAGS Flags, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag,
                                        _In_reads_opt_(ExtendedParametersCount)
                                            PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                                        _In_ ULONG ExtendedParametersCount);

/* Freeing. */
NTKERNELAPI VOID NTAPI ExFreePool(_In_ PVOID P);
NTKERNELAPI VOID NTAPI ExFreePoolWithTag(_In_ PVOID P, _In_ ULONG Tag);
NTKERNELAPI VOID NTAPI ExFreePool2(_In_ PVOID P, _In_ ULONG Tag,
                                   _In_reads_opt_(ExtendedParametersCount)
                                       PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                                   _In_ ULONG ExtendedParametersCount);

/* Exceptions: raises Status, to the driver's __except handlers (km_seh.h);
 * a raise none takes stops the run as Windows would (bug check 0x7E, or
 * 0x3B in a system service a client called). */
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI ExRaiseStatus(_In_ NTSTATUS Status);

/* The mode the calling thread's current system service was called from:
 * in a dispatch routine, the request's RequestorMode; any IRQL. */
NTKERNELAPI KPROCESSOR_MODE NTAPI ExGetPreviousMode(VOID);

/* The WDK's inline helpers: ExAllocatePoolWithTag/QuotaTag/TagPriority with
 * POOL_ZERO_ALLOCATION added to the pool type, or with nothing added. */
FORCEINLINE PVOID ExAllocatePoolZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag)
{
    return ExAllocatePoolWithTag((POOL_TYPE)(PoolType | POOL_ZERO_ALLOCATION), NumberOfBytes, Tag);
}

FORCEINLINE PVOID ExAllocatePoolQuotaZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag)
{
    return ExAllocatePoolWithQuotaTag((POOL_TYPE)(PoolType | POOL_ZERO_ALLOCATION), NumberOfBytes, Tag);
}

FORCEINLINE PVOID ExAllocatePoolPriorityZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag,
                                             _In_ EX_POOL_PRIORITY Priority)
{
    return ExAllocatePoolWithTagPriority((POOL_TYPE)(PoolType | POOL_ZERO_ALLOCATION), NumberOfBytes, Tag, Priority);
}

FORCEINLINE PVOID ExAllocatePoolUninitialized(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

FORCEINLINE PVOID ExAllocatePoolQuotaUninitialized(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                                   _In_ ULONG Tag)
{
    return ExAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, Tag);
}

FORCEINLINE PVOID ExAllocatePoolPriorityUninitialized(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                                      _In_ ULONG Tag, _In_ EX_POOL_PRIORITY Priority)
{
    return ExAllocatePoolWithTagPriority(PoolType, NumberOfBytes, Tag, Priority);
}

/* ---- Sequenced singly linked lists (SList). ----
 * Lock-free LIFO lists: the header's two quadwords are swapped with one
 * 16-byte compare-exchange. The low quadword holds Depth (the entry count)
 * and a Sequence that every push advances, so a pop that read a stale first
 * entry fails its compare-exchange (ABA); the high quadword holds the first
 * entry, which must be 16-byte aligned (MEMORY_ALLOCATION_ALIGNMENT), as
 * must the header. On x64 the WDK's Interlocked/ExInterlocked forms are
 * macros over the Exp routines, and the spin lock argument is ignored. */
#ifndef MEMORY_ALLOCATION_ALIGNMENT
#define MEMORY_ALLOCATION_ALIGNMENT 16
#endif

#ifndef _SLIST_HEADER_
#define _SLIST_HEADER_

typedef struct DECLSPEC_ALIGN(16) _SLIST_ENTRY {
    struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER {
    struct {
        ULONGLONG Alignment;
        ULONGLONG Region;
    };
    struct {
        ULONGLONG Depth : 16;
        ULONGLONG Sequence : 48;
        ULONGLONG Reserved : 4;
        ULONGLONG NextEntry : 60; /* the first entry's address >> 4 */
    } HeaderX64;
} SLIST_HEADER, *PSLIST_HEADER;

#endif /* _SLIST_HEADER_ */

C_ASSERT(sizeof(SLIST_ENTRY) == 16);
C_ASSERT(__alignof__(SLIST_ENTRY) == 16);
C_ASSERT(sizeof(SLIST_HEADER) == 16);
C_ASSERT(__alignof__(SLIST_HEADER) == 16);
C_ASSERT(FIELD_OFFSET(SLIST_HEADER, Alignment) == 0);
C_ASSERT(FIELD_OFFSET(SLIST_HEADER, Region) == 8);

NTKERNELAPI VOID NTAPI InitializeSListHead(_Out_ PSLIST_HEADER SListHead);
NTKERNELAPI PSLIST_ENTRY NTAPI ExpInterlockedPushEntrySList(_Inout_ PSLIST_HEADER ListHead,
                                                            _Inout_ PSLIST_ENTRY ListEntry);
NTKERNELAPI PSLIST_ENTRY NTAPI ExpInterlockedPopEntrySList(_Inout_ PSLIST_HEADER ListHead);
NTKERNELAPI PSLIST_ENTRY NTAPI ExpInterlockedFlushSList(_Inout_ PSLIST_HEADER ListHead);
NTKERNELAPI USHORT NTAPI ExQueryDepthSList(_In_ PSLIST_HEADER SListHead);
NTSYSAPI PSLIST_ENTRY NTAPI RtlFirstEntrySList(_In_ const SLIST_HEADER *ListHead);

#define ExInitializeSListHead InitializeSListHead
#define InterlockedPushEntrySList(Head, Entry) ExpInterlockedPushEntrySList(Head, Entry)
#define InterlockedPopEntrySList(Head) ExpInterlockedPopEntrySList(Head)
#define InterlockedFlushSList(Head) ExpInterlockedFlushSList(Head)
#define ExInterlockedPushEntrySList(Head, Entry, Lock) ExpInterlockedPushEntrySList(Head, Entry)
#define ExInterlockedPopEntrySList(Head, Lock) ExpInterlockedPopEntrySList(Head)
#define ExInterlockedFlushSList(Head) ExpInterlockedFlushSList(Head)

/* The entry count, read from the header's Depth field. */
FORCEINLINE USHORT QueryDepthSList(_In_ PSLIST_HEADER SListHead)
{
    return (USHORT)(SListHead->Alignment & 0xffff);
}

/* ---- Lookaside lists. ----
 * A cache of fixed-size pool blocks over an SList. Allocation and free are
 * the WDK's inlines below: pop a cached entry or call the list's Allocate
 * routine; push the entry back unless Depth entries are cached already, then
 * call its Free routine. The counters are plain (not interlocked) updates,
 * as in the WDK. */
typedef PVOID NTAPI ALLOCATE_FUNCTION(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
typedef ALLOCATE_FUNCTION *PALLOCATE_FUNCTION;
typedef VOID NTAPI FREE_FUNCTION(_In_ PVOID Buffer);
typedef FREE_FUNCTION *PFREE_FUNCTION;

typedef struct _LOOKASIDE_LIST_EX *PLOOKASIDE_LIST_EX;
typedef PVOID NTAPI ALLOCATE_FUNCTION_EX(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag,
                                         _Inout_ PLOOKASIDE_LIST_EX Lookaside);
typedef ALLOCATE_FUNCTION_EX *PALLOCATE_FUNCTION_EX;
typedef VOID NTAPI FREE_FUNCTION_EX(_In_ PVOID Buffer, _Inout_ PLOOKASIDE_LIST_EX Lookaside);
typedef FREE_FUNCTION_EX *PFREE_FUNCTION_EX;

/* On x64 the classic lists are cache-line aligned (0x80 bytes); drivers
 * may still place them on a 16-byte boundary, which is all the SList needs. */
#define LOOKASIDE_ALIGN DECLSPEC_CACHEALIGN

#define GENERAL_LOOKASIDE_LAYOUT \
    union { \
        SLIST_HEADER ListHead; \
        SINGLE_LIST_ENTRY SingleListHead; \
    }; \
    USHORT Depth; \
    USHORT MaximumDepth; \
    ULONG TotalAllocates; \
    union { \
        ULONG AllocateMisses; \
        ULONG AllocateHits; \
    }; \
    ULONG TotalFrees; \
    union { \
        ULONG FreeMisses; \
        ULONG FreeHits; \
    }; \
    POOL_TYPE Type; \
    ULONG Tag; \
    ULONG Size; \
    union { \
        PALLOCATE_FUNCTION_EX AllocateEx; \
        PALLOCATE_FUNCTION Allocate; \
    }; \
    union { \
        PFREE_FUNCTION_EX FreeEx; \
        PFREE_FUNCTION Free; \
    }; \
    LIST_ENTRY ListEntry; \
    ULONG LastTotalAllocates; \
    union { \
        ULONG LastAllocateMisses; \
        ULONG LastAllocateHits; \
    }; \
    ULONG Future[2];

typedef struct LOOKASIDE_ALIGN _GENERAL_LOOKASIDE {
    GENERAL_LOOKASIDE_LAYOUT
} GENERAL_LOOKASIDE, *PGENERAL_LOOKASIDE;

typedef struct _GENERAL_LOOKASIDE_POOL {
    GENERAL_LOOKASIDE_LAYOUT
} GENERAL_LOOKASIDE_POOL, *PGENERAL_LOOKASIDE_POOL;

typedef struct LOOKASIDE_ALIGN _NPAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;

typedef struct LOOKASIDE_ALIGN _PAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
} PAGED_LOOKASIDE_LIST, *PPAGED_LOOKASIDE_LIST;

typedef struct _LOOKASIDE_LIST_EX {
    GENERAL_LOOKASIDE_POOL L;
} LOOKASIDE_LIST_EX;

#define LOOKASIDE_MINIMUM_BLOCK_SIZE (RTL_SIZEOF_THROUGH_FIELD(SLIST_ENTRY, Next))

#define EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL 0x00000001UL
#define EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE 0x00000002UL

#define EX_MAXIMUM_LOOKASIDE_DEPTH_BASE 256
#define EX_MAXIMUM_LOOKASIDE_DEPTH_LIMIT 1024

C_ASSERT(sizeof(GENERAL_LOOKASIDE) == 0x80);
C_ASSERT(__alignof__(GENERAL_LOOKASIDE) == 64);
C_ASSERT(sizeof(GENERAL_LOOKASIDE_POOL) == 0x60);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, ListHead) == 0x00);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, SingleListHead) == 0x00);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Depth) == 0x10);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, MaximumDepth) == 0x12);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, TotalAllocates) == 0x14);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, AllocateMisses) == 0x18);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, TotalFrees) == 0x1C);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, FreeMisses) == 0x20);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Type) == 0x24);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Tag) == 0x28);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Size) == 0x2C);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, AllocateEx) == 0x30);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, FreeEx) == 0x38);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, ListEntry) == 0x40);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, LastTotalAllocates) == 0x50);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, LastAllocateMisses) == 0x54);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE, Future) == 0x58);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE_POOL, TotalFrees) == 0x1C);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE_POOL, Tag) == 0x28);
C_ASSERT(FIELD_OFFSET(GENERAL_LOOKASIDE_POOL, Future) == 0x58);
C_ASSERT(sizeof(NPAGED_LOOKASIDE_LIST) == 0x80);
C_ASSERT(sizeof(PAGED_LOOKASIDE_LIST) == 0x80);
C_ASSERT(sizeof(LOOKASIDE_LIST_EX) == 0x60);
C_ASSERT(__alignof__(LOOKASIDE_LIST_EX) == 16);
C_ASSERT(LOOKASIDE_MINIMUM_BLOCK_SIZE == 8);

NTKERNELAPI VOID NTAPI ExInitializeNPagedLookasideList(_Out_ PNPAGED_LOOKASIDE_LIST Lookaside,
                                                       _In_opt_ PALLOCATE_FUNCTION Allocate,
                                                       _In_opt_ PFREE_FUNCTION Free, _In_ ULONG Flags,
                                                       _In_ SIZE_T Size, _In_ ULONG Tag, _In_ USHORT Depth);
NTKERNELAPI VOID NTAPI ExDeleteNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI VOID NTAPI ExInitializePagedLookasideList(_Out_ PPAGED_LOOKASIDE_LIST Lookaside,
                                                      _In_opt_ PALLOCATE_FUNCTION Allocate,
                                                      _In_opt_ PFREE_FUNCTION Free, _In_ ULONG Flags,
                                                      _In_ SIZE_T Size, _In_ ULONG Tag, _In_ USHORT Depth);
NTKERNELAPI VOID NTAPI ExDeletePagedLookasideList(_Inout_ PPAGED_LOOKASIDE_LIST Lookaside);
NTKERNELAPI NTSTATUS NTAPI ExInitializeLookasideListEx(_Out_ PLOOKASIDE_LIST_EX Lookaside,
                                                       _In_opt_ PALLOCATE_FUNCTION_EX Allocate,
                                                       _In_opt_ PFREE_FUNCTION_EX Free, _In_ POOL_TYPE PoolType,
                                                       _In_ ULONG Flags, _In_ SIZE_T Size, _In_ ULONG Tag,
                                                       _In_ USHORT Depth);
NTKERNELAPI VOID NTAPI ExDeleteLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside);
NTKERNELAPI VOID NTAPI ExFlushLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside);

/* The classic lists' allocation and free, on the GENERAL_LOOKASIDE both
 * list types embed. */
FORCEINLINE PVOID NtboxAllocateFromGeneralLookaside(_Inout_ PGENERAL_LOOKASIDE L)
{
    PVOID Entry;
    L->TotalAllocates += 1;
    Entry = InterlockedPopEntrySList(&L->ListHead);
    if (Entry == NULL) {
        L->AllocateMisses += 1;
        Entry = (L->Allocate)(L->Type, L->Size, L->Tag);
    }
    return Entry;
}

FORCEINLINE VOID NtboxFreeToGeneralLookaside(_Inout_ PGENERAL_LOOKASIDE L, _In_ PVOID Entry)
{
    L->TotalFrees += 1;
    if (ExQueryDepthSList(&L->ListHead) >= L->Depth) {
        L->FreeMisses += 1;
        (L->Free)(Entry);
    } else {
        InterlockedPushEntrySList(&L->ListHead, (PSLIST_ENTRY)Entry);
    }
}

/* IRQL <= DISPATCH_LEVEL. */
FORCEINLINE PVOID ExAllocateFromNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside)
{
    return NtboxAllocateFromGeneralLookaside(&Lookaside->L);
}

/* IRQL <= DISPATCH_LEVEL. */
FORCEINLINE VOID ExFreeToNPagedLookasideList(_Inout_ PNPAGED_LOOKASIDE_LIST Lookaside, _In_ PVOID Entry)
{
    NtboxFreeToGeneralLookaside(&Lookaside->L, Entry);
}

/* IRQL <= APC_LEVEL. */
FORCEINLINE PVOID ExAllocateFromPagedLookasideList(_Inout_ PPAGED_LOOKASIDE_LIST Lookaside)
{
    return NtboxAllocateFromGeneralLookaside(&Lookaside->L);
}

/* IRQL <= APC_LEVEL. */
FORCEINLINE VOID ExFreeToPagedLookasideList(_Inout_ PPAGED_LOOKASIDE_LIST Lookaside, _In_ PVOID Entry)
{
    NtboxFreeToGeneralLookaside(&Lookaside->L, Entry);
}

/* IRQL <= DISPATCH_LEVEL (<= APC_LEVEL for a list of paged entries). */
FORCEINLINE PVOID ExAllocateFromLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside)
{
    PVOID Entry;
    Lookaside->L.TotalAllocates += 1;
    Entry = InterlockedPopEntrySList(&Lookaside->L.ListHead);
    if (Entry == NULL) {
        Lookaside->L.AllocateMisses += 1;
        Entry = (Lookaside->L.AllocateEx)(Lookaside->L.Type, Lookaside->L.Size, Lookaside->L.Tag, Lookaside);
    }
    return Entry;
}

/* IRQL <= DISPATCH_LEVEL (<= APC_LEVEL for a list of paged entries). */
FORCEINLINE VOID ExFreeToLookasideListEx(_Inout_ PLOOKASIDE_LIST_EX Lookaside, _In_ PVOID Entry)
{
    Lookaside->L.TotalFrees += 1;
    if (ExQueryDepthSList(&Lookaside->L.ListHead) >= Lookaside->L.Depth) {
        Lookaside->L.FreeMisses += 1;
        (Lookaside->L.FreeEx)(Entry, Lookaside);
    } else {
        InterlockedPushEntrySList(&Lookaside->L.ListHead, (PSLIST_ENTRY)Entry);
    }
}

/* ---- Reader/writer spin locks. ----
 * A 32-bit word, zero when free: any number of shared owners or one
 * exclusive owner. The raising forms go to DISPATCH_LEVEL and return the
 * old IRQL for the release. Recursive acquisition deadlocks on Windows. */
typedef volatile LONG EX_SPIN_LOCK, *PEX_SPIN_LOCK;
#define ALIGNED_EX_SPINLOCK DECLSPEC_CACHEALIGN EX_SPIN_LOCK

C_ASSERT(sizeof(EX_SPIN_LOCK) == 4);

NTKERNELAPI KIRQL NTAPI ExAcquireSpinLockShared(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockShared(_Inout_ PEX_SPIN_LOCK SpinLock, _In_ KIRQL OldIrql);
NTKERNELAPI VOID NTAPI ExAcquireSpinLockSharedAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockSharedFromDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI KIRQL NTAPI ExAcquireSpinLockExclusive(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockExclusive(_Inout_ PEX_SPIN_LOCK SpinLock, _In_ KIRQL OldIrql);
NTKERNELAPI VOID NTAPI ExAcquireSpinLockExclusiveAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI VOID NTAPI ExReleaseSpinLockExclusiveFromDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL NTAPI ExTryConvertSharedSpinLockExclusive(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL NTAPI ExTryAcquireSpinLockSharedAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);
NTKERNELAPI LOGICAL NTAPI ExTryAcquireSpinLockExclusiveAtDpcLevel(_Inout_ PEX_SPIN_LOCK SpinLock);

/* ---- Fast mutexes. ----
 * FAST_MUTEX (km_types.h): held at APC_LEVEL, never recursively. The
 * Unsafe forms leave the IRQL alone: the caller is at APC_LEVEL or in a
 * critical region. ExInitializeFastMutex is the WDK's inline. */
FORCEINLINE VOID ExInitializeFastMutex(_Out_ PFAST_MUTEX FastMutex)
{
    FastMutex->Count = FM_LOCK_BIT;
    FastMutex->Owner = NULL;
    FastMutex->Contention = 0;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

NTKERNELAPI VOID FASTCALL ExAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
NTKERNELAPI BOOLEAN FASTCALL ExTryToAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);
NTKERNELAPI VOID FASTCALL ExReleaseFastMutex(_Inout_ PFAST_MUTEX FastMutex);
NTKERNELAPI VOID FASTCALL ExAcquireFastMutexUnsafe(_Inout_ PFAST_MUTEX FastMutex);
NTKERNELAPI VOID FASTCALL ExReleaseFastMutexUnsafe(_Inout_ PFAST_MUTEX FastMutex);

/* ---- Resources (ERESOURCE, km_types.h). ----
 * Reader/writer locks that the owner may acquire recursively; callers
 * disable normal kernel APCs first (KeEnterCriticalRegion). An
 * ERESOURCE_THREAD is the owning thread's address. */
#define ExGetCurrentResourceThread() ((ERESOURCE_THREAD)PsGetCurrentThread())

NTKERNELAPI NTSTATUS NTAPI ExInitializeResourceLite(_Out_ PERESOURCE Resource);
NTKERNELAPI NTSTATUS NTAPI ExDeleteResourceLite(_Inout_ PERESOURCE Resource);
NTKERNELAPI BOOLEAN NTAPI ExAcquireResourceExclusiveLite(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI ExAcquireResourceSharedLite(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI ExAcquireSharedStarveExclusive(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
NTKERNELAPI BOOLEAN NTAPI ExAcquireSharedWaitForExclusive(_Inout_ PERESOURCE Resource, _In_ BOOLEAN Wait);
NTKERNELAPI VOID FASTCALL ExReleaseResourceLite(_Inout_ PERESOURCE Resource);
NTKERNELAPI VOID NTAPI ExReleaseResourceForThreadLite(_Inout_ PERESOURCE Resource,
                                                      _In_ ERESOURCE_THREAD ResourceThreadId);
NTKERNELAPI VOID NTAPI ExConvertExclusiveToSharedLite(_Inout_ PERESOURCE Resource);
NTKERNELAPI BOOLEAN NTAPI ExIsResourceAcquiredExclusiveLite(_In_ PERESOURCE Resource);
NTKERNELAPI ULONG NTAPI ExIsResourceAcquiredSharedLite(_In_ PERESOURCE Resource);
NTKERNELAPI ULONG NTAPI ExGetExclusiveWaiterCount(_In_ PERESOURCE Resource);
NTKERNELAPI ULONG NTAPI ExGetSharedWaiterCount(_In_ PERESOURCE Resource);

/* ---- Push locks. ----
 * A pointer-sized reader/writer lock, never recursive, for callers in a
 * critical region (or at APC_LEVEL). Windows 8 added the Ex forms with
 * Flags; the plain names are the WDK's macros over them. */
typedef struct _EX_PUSH_LOCK {
    union {
        struct {
            ULONG_PTR Locked : 1;
            ULONG_PTR Waiting : 1;
            ULONG_PTR Waking : 1;
            ULONG_PTR MultipleShared : 1;
            ULONG_PTR Shared : sizeof(ULONG_PTR) * 8 - 4;
        };
        ULONG_PTR Value;
        PVOID Ptr;
    };
} EX_PUSH_LOCK, *PEX_PUSH_LOCK;

C_ASSERT(sizeof(EX_PUSH_LOCK) == 8);

#define EX_DEFAULT_PUSH_LOCK_FLAGS 0

NTKERNELAPI VOID NTAPI ExInitializePushLock(_Out_ PEX_PUSH_LOCK PushLock);
NTKERNELAPI VOID FASTCALL ExAcquirePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI VOID FASTCALL ExAcquirePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI BOOLEAN FASTCALL ExTryAcquirePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI BOOLEAN FASTCALL ExTryAcquirePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI VOID FASTCALL ExReleasePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI VOID FASTCALL ExReleasePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
NTKERNELAPI VOID FASTCALL ExReleasePushLockEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
#define ExAcquirePushLockExclusive(Lock) ExAcquirePushLockExclusiveEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExAcquirePushLockShared(Lock) ExAcquirePushLockSharedEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockExclusive(Lock) ExTryAcquirePushLockExclusiveEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockShared(Lock) ExTryAcquirePushLockSharedEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockExclusive(Lock) ExReleasePushLockExclusiveEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockShared(Lock) ExReleasePushLockSharedEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLock(Lock) ExReleasePushLockEx(Lock, EX_DEFAULT_PUSH_LOCK_FLAGS)

/* ---- Rundown protection. ----
 * Count holds the references in units of 2; bit 0 is set once a rundown
 * has begun, after which no reference is granted. */
typedef struct _EX_RUNDOWN_REF {
    union {
        volatile ULONG_PTR Count;
        volatile PVOID Ptr;
    };
} EX_RUNDOWN_REF, *PEX_RUNDOWN_REF;

C_ASSERT(sizeof(EX_RUNDOWN_REF) == 8);

NTKERNELAPI VOID FASTCALL ExInitializeRundownProtection(_Out_ PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID FASTCALL ExReInitializeRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);
NTKERNELAPI BOOLEAN FASTCALL ExAcquireRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);
NTKERNELAPI BOOLEAN FASTCALL ExAcquireRundownProtectionEx(_Inout_ PEX_RUNDOWN_REF RunRef, _In_ ULONG Count);
NTKERNELAPI VOID FASTCALL ExReleaseRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID FASTCALL ExReleaseRundownProtectionEx(_Inout_ PEX_RUNDOWN_REF RunRef, _In_ ULONG Count);
NTKERNELAPI VOID FASTCALL ExWaitForRundownProtectionRelease(_Inout_ PEX_RUNDOWN_REF RunRef);
NTKERNELAPI VOID FASTCALL ExRundownCompleted(_Out_ PEX_RUNDOWN_REF RunRef);

/* ---- Executive timers (ExAllocateTimer). ----
 * An EX_TIMER is allocated by the system and opaque; it is a dispatcher
 * object, so KeWaitForSingleObject can wait for it to expire. Without
 * EX_TIMER_NOTIFICATION it is a synchronization timer. DueTime and Period
 * are in 100 ns units (DueTime negative: relative). The callback runs at
 * DISPATCH_LEVEL, as does the delete callback. */
typedef struct _EX_TIMER *PEX_TIMER;
typedef VOID NTAPI EXT_CALLBACK(_In_ PEX_TIMER Timer, _In_opt_ PVOID Context);
typedef EXT_CALLBACK *PEXT_CALLBACK;
typedef VOID NTAPI EXT_DELETE_CALLBACK(_In_opt_ PVOID Context);
typedef EXT_DELETE_CALLBACK *PEXT_DELETE_CALLBACK;
typedef struct _EXT_CANCEL_PARAMETERS *PEXT_CANCEL_PARAMETERS;

#define EX_TIMER_HIGH_RESOLUTION 0x4
#define EX_TIMER_NO_WAKE 0x8
#define EX_TIMER_NOTIFICATION (1UL << 31)
#define EX_TIMER_UNLIMITED_TOLERANCE ((LONGLONG)-1)

typedef struct _EXT_SET_PARAMETERS_V0 {
    ULONG Version;
    ULONG Reserved;
    LONGLONG NoWakeTolerance;
} EXT_SET_PARAMETERS, *PEXT_SET_PARAMETERS;

C_ASSERT(sizeof(EXT_SET_PARAMETERS) == 0x10);

typedef struct _EXT_DELETE_PARAMETERS {
    ULONG Version;
    ULONG Reserved;
    PEXT_DELETE_CALLBACK DeleteCallback;
    PVOID DeleteContext;
} EXT_DELETE_PARAMETERS, *PEXT_DELETE_PARAMETERS;

C_ASSERT(sizeof(EXT_DELETE_PARAMETERS) == 0x18);

/* Version 0, no tolerance: a no-wake timer wakes the processor at once. */
FORCEINLINE VOID ExInitializeSetTimerParameters(_Out_ PEXT_SET_PARAMETERS Parameters)
{
    RtlZeroMemory(Parameters, sizeof(*Parameters));
}

FORCEINLINE VOID ExInitializeDeleteTimerParameters(_Out_ PEXT_DELETE_PARAMETERS Parameters)
{
    RtlZeroMemory(Parameters, sizeof(*Parameters));
}

NTKERNELAPI PEX_TIMER NTAPI ExAllocateTimer(_In_opt_ PEXT_CALLBACK Callback, _In_opt_ PVOID CallbackContext,
                                            _In_ ULONG Attributes);
NTKERNELAPI BOOLEAN NTAPI ExSetTimer(_In_ PEX_TIMER Timer, _In_ LONGLONG DueTime, _In_ LONGLONG Period,
                                     _In_opt_ PEXT_SET_PARAMETERS Parameters);
NTKERNELAPI BOOLEAN NTAPI ExCancelTimer(_Inout_ PEX_TIMER Timer, _In_opt_ PEXT_CANCEL_PARAMETERS Parameters);
NTKERNELAPI BOOLEAN NTAPI ExDeleteTimer(_In_ PEX_TIMER Timer, _In_ BOOLEAN Cancel, _In_ BOOLEAN Wait,
                                        _In_opt_ PEXT_DELETE_PARAMETERS Parameters);

/* ---- Local time: system time (UTC) and the host's time zone. ---- */
NTKERNELAPI VOID NTAPI ExSystemTimeToLocalTime(_In_ PLARGE_INTEGER SystemTime, _Out_ PLARGE_INTEGER LocalTime);
NTKERNELAPI VOID NTAPI ExLocalTimeToSystemTime(_In_ PLARGE_INTEGER LocalTime, _Out_ PLARGE_INTEGER SystemTime);

NTBOX_END_DECLS

#endif
