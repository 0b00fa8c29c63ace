/* ex/slist.c: sequenced singly linked lists: InitializeSListHead,
 * ExpInterlockedPushEntrySList, ExpInterlockedPopEntrySList and
 * ExpInterlockedFlushSList (what the WDK's InterlockedXxxSList and
 * ExInterlockedXxxSList macros call on x64), ExQueryDepthSList,
 * RtlFirstEntrySList.
 *
 * Lock-free, as on Windows: the 16-byte header changes with one lock
 * cmpxchg16b, written as inline assembly because the build does not pass
 * -mcx16 and libatomic's 16-byte exchange may take a lock instead. The low
 * quadword holds Depth (bits 0-15) and Sequence (16-63), which every push
 * advances, so a pop that read a first entry since popped and pushed again
 * fails its exchange (ABA); the high quadword holds the first entry's
 * address (HeaderX64.NextEntry << 4).
 *
 * Surprise: a pop reads the first entry's Next before its exchange proves
 * the entry is still first, so it may read an entry another thread has just
 * popped and freed. The exchange then fails and the value is discarded; the
 * read is left out of ASan's instrumentation so it is not reported as a use
 * after free. FIXME: Windows also resumes a pop whose read faults (entry
 * memory unmapped meanwhile); here that fault would stop the run. */
#include "ex/slist.h"

#include "base/diag.h"
#include "ex/pool.h"
#include "loader/symbols.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EX_SLIST_DEPTH_MASK 0xFFFFULL
#define EX_SLIST_SEQUENCE_ONE 0x10000ULL

/* One lock cmpxchg16b: when the header holds *lo:*hi, stores new_lo:new_hi
 * and returns true; otherwise loads the header into *lo:*hi. */
static inline bool ex_slist_exchange(PSLIST_HEADER head, ULONG64 *lo, ULONG64 *hi, ULONG64 new_lo, ULONG64 new_hi)
{
    bool swapped;
    __asm__ __volatile__("lock cmpxchg16b %[head]"
                         : "=@ccz"(swapped), [head] "+m"(*head), "+a"(*lo), "+d"(*hi)
                         : "b"(new_lo), "c"(new_hi)
                         : "memory");
    return swapped;
}

/* A snapshot of the header, possibly torn: the exchange validates it. */
static inline void ex_slist_read(const SLIST_HEADER *head, ULONG64 *lo, ULONG64 *hi)
{
    *lo = __atomic_load_n(&head->Alignment, __ATOMIC_ACQUIRE);
    *hi = __atomic_load_n(&head->Region, __ATOMIC_ACQUIRE);
}

/* Entries are read and written bytewise: a misaligned one (warned about)
 * must not trip UBSan's alignment check. */
static inline void ex_slist_set_next(PSLIST_ENTRY entry, ULONG64 next)
{
    __builtin_memcpy((void *)entry, &next, sizeof next);
}

/* The Next of an entry that may have been popped and freed meanwhile (see
 * the file comment). */
__attribute__((no_sanitize_address)) static ULONG64 ex_slist_next_of(PSLIST_ENTRY entry)
{
    ULONG64 next;
    __builtin_memcpy(&next, (const void *)entry, sizeof next);
    return next;
}

static inline bool ex_slist_misaligned(const void *p)
{
    return ((ULONG_PTR)p & (MEMORY_ALLOCATION_ALIGNMENT - 1)) != 0;
}

__attribute__((noreturn, cold)) static void ex_slist_bad_header(NTSTATUS status, const char *routine,
                                                                const void *head, const void *caller,
                                                                const char *consequence)
{
    char detail[256];
    snprintf(detail, sizeof detail, "%s(0x%llx): the SLIST_HEADER is not 16-byte aligned%s.", routine,
             (unsigned long long)(ULONG_PTR)head, consequence);
    ex_raise_status(status, caller, detail);
}

/* cmpxchg16b raises #GP on a header that is not 16-byte aligned: an access
 * violation in the caller, on Windows as here. */
static inline void ex_slist_check_header(const SLIST_HEADER *head, const char *routine, const void *caller)
{
    if (ex_slist_misaligned(head))
        ex_slist_bad_header(STATUS_ACCESS_VIOLATION, routine, head, caller, "; cmpxchg16b faults on it (#GP)");
}

void ex_slist_init(PSLIST_HEADER head, const char *routine, const void *caller)
{
    if (ex_slist_misaligned(head))
        ex_slist_bad_header(STATUS_DATATYPE_MISALIGNMENT, routine, head, caller, "");
    __atomic_store_n(&head->Region, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&head->Alignment, 0, __ATOMIC_RELEASE);
}

PSLIST_ENTRY ex_slist_flush(PSLIST_HEADER head)
{
    ULONG64 lo, hi;
    ex_slist_read(head, &lo, &hi);
    while (hi && !ex_slist_exchange(head, &lo, &hi, lo & ~EX_SLIST_DEPTH_MASK, 0))
        ;
    return (PSLIST_ENTRY)hi;
}

/* Sets the header to empty: Depth 0, Sequence 0, no entry; raises
 * STATUS_DATATYPE_MISALIGNMENT for a header not 16-byte aligned (the WDK's
 * inline version); any IRQL. */
VOID NTAPI InitializeSListHead(PSLIST_HEADER SListHead)
{
    ex_slist_init(SListHead, "InitializeSListHead", __builtin_return_address(0));
}

/* Inserts ListEntry first; returns the previous first entry, NULL when the
 * list was empty; Depth + 1, Sequence + 1; any IRQL (WDK,
 * ExInterlockedPushEntrySList / InterlockedPushEntrySList). An entry must be
 * MEMORY_ALLOCATION_ALIGNMENT-aligned: Windows drops the low four bits of
 * its address; ntbox keeps them and warns. */
PSLIST_ENTRY NTAPI ExpInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
    const void *caller = __builtin_return_address(0);
    ULONG64 lo, hi;

    ex_slist_check_header(ListHead, "InterlockedPushEntrySList", caller);
    if (ex_slist_misaligned(ListEntry)) {
        char where[256];
        diag_warn("InterlockedPushEntrySList at %s: entry 0x%llx is not 16-byte aligned; Windows keeps only "
                  "address bits 4-63 of the first entry, so its pop would return 0x%llx.",
                  ldr_source_line(caller, true, where, sizeof where), (unsigned long long)(ULONG_PTR)ListEntry,
                  (unsigned long long)((ULONG_PTR)ListEntry & ~(ULONG_PTR)(MEMORY_ALLOCATION_ALIGNMENT - 1)));
    }
    ex_slist_read(ListHead, &lo, &hi);
    do {
        ex_slist_set_next(ListEntry, hi);
    } while (!ex_slist_exchange(ListHead, &lo, &hi,
                                (lo & ~EX_SLIST_DEPTH_MASK) + EX_SLIST_SEQUENCE_ONE + ((lo + 1) & EX_SLIST_DEPTH_MASK),
                                (ULONG64)(ULONG_PTR)ListEntry));
    return (PSLIST_ENTRY)hi;
}

/* Removes the first entry and returns it, NULL when the list is empty;
 * Depth - 1; any IRQL (WDK, ExInterlockedPopEntrySList /
 * InterlockedPopEntrySList). */
PSLIST_ENTRY NTAPI ExpInterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    ULONG64 lo, hi;

    ex_slist_check_header(ListHead, "InterlockedPopEntrySList", __builtin_return_address(0));
    ex_slist_read(ListHead, &lo, &hi);
    while (hi) {
        PSLIST_ENTRY first = (PSLIST_ENTRY)hi;
        ULONG64 depth = (lo - 1) & EX_SLIST_DEPTH_MASK;
        if (ex_slist_exchange(ListHead, &lo, &hi, (lo & ~EX_SLIST_DEPTH_MASK) | depth,
                              ex_slist_next_of(first)))
            return first;
    }
    return NULL;
}

/* Removes every entry at once and returns the former first one (the rest
 * follow through Next), NULL when the list was empty; Depth 0; any IRQL
 * (WDK, ExInterlockedFlushSList / InterlockedFlushSList). */
PSLIST_ENTRY NTAPI ExpInterlockedFlushSList(PSLIST_HEADER ListHead)
{
    ex_slist_check_header(ListHead, "InterlockedFlushSList", __builtin_return_address(0));
    return ex_slist_flush(ListHead);
}

/* The number of entries, the header's Depth; <= DISPATCH_LEVEL (WDK,
 * ExQueryDepthSList). */
USHORT NTAPI ExQueryDepthSList(PSLIST_HEADER SListHead)
{
    return (USHORT)(__atomic_load_n(&SListHead->Alignment, __ATOMIC_ACQUIRE) & EX_SLIST_DEPTH_MASK);
}

/* The first entry without removing it, NULL when the list is empty; any
 * IRQL (WDK, RtlFirstEntrySList). */
PSLIST_ENTRY NTAPI RtlFirstEntrySList(const SLIST_HEADER *ListHead)
{
    return (PSLIST_ENTRY)(ULONG_PTR)__atomic_load_n(&ListHead->Region, __ATOMIC_ACQUIRE);
}
