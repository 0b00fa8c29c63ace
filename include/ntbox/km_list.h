/* ntbox/km_list.h: doubly and singly linked lists (LIST_ENTRY,
 * SINGLE_LIST_ENTRY) as the modern WDK's wdm.h has them, and the
 * ExInterlocked* list routines that guard them with a spin lock.
 *
 * Surprise: like WDK-compiled code since Windows 8, every unlink and insert
 * checks the neighbours' back links first (Flink->Blink == Entry,
 * Blink->Flink == Entry) and fails fast on a mismatch: __fastfail(3), i.e.
 * `int 0x29` with ECX = FAST_FAIL_CORRUPT_LIST_ENTRY, which Windows turns
 * into bug check 0x139 KERNEL_SECURITY_CHECK_FAILURE (P1 = 3). ntbox's fail
 * path also leaves in RDX the LIST_ENTRY whose links were found broken, so
 * the report can say what is wrong with it. Define NO_KERNEL_LIST_ENTRY_CHECKS
 * to get the unchecked forms, as with the WDK. */
#ifndef NTBOX_KM_LIST_H
#define NTBOX_KM_LIST_H

NTBOX_BEGIN_DECLS

/* __fastfail codes (winnt.h/wdm.h). */
#define FAST_FAIL_LEGACY_GS_VIOLATION 0
#define FAST_FAIL_VTGUARD_CHECK_FAILURE 1
#define FAST_FAIL_STACK_COOKIE_CHECK_FAILURE 2
#define FAST_FAIL_CORRUPT_LIST_ENTRY 3
#define FAST_FAIL_INCORRECT_STACK 4
#define FAST_FAIL_INVALID_ARG 5
#define FAST_FAIL_GS_COOKIE_INIT 6
#define FAST_FAIL_FATAL_APP_EXIT 7
#define FAST_FAIL_RANGE_CHECK_FAILURE 8
#define FAST_FAIL_UNSAFE_REGISTRY_ACCESS 9
#define FAST_FAIL_GUARD_ICALL_CHECK_FAILURE 10
#define FAST_FAIL_GUARD_WRITE_CHECK_FAILURE 11
#define FAST_FAIL_INVALID_FIBER_SWITCH 12
#define FAST_FAIL_INVALID_SET_OF_CONTEXT 13
#define FAST_FAIL_INVALID_REFERENCE_COUNT 14
#define FAST_FAIL_INVALID_JUMP_BUFFER 18
#define FAST_FAIL_MRDATA_MODIFIED 19
#define FAST_FAIL_INVALID_FAST_FAIL_CODE 0xFFFFFFFF

/* The MSVC intrinsic: raises the fast-fail interrupt; never returns.
 * clang with -fms-extensions has it built in (the same int 0x29), and
 * refuses a definition of it. */
#ifdef __has_builtin
#if __has_builtin(__fastfail)
#define NTBOX_HAVE_FASTFAIL
#endif
#endif
#ifndef NTBOX_HAVE_FASTFAIL
FORCEINLINE __attribute__((noreturn)) VOID __fastfail(unsigned int Code)
{
    __asm__ volatile("int $0x29" : : "c"(Code) : "memory");
    __builtin_unreachable();
}
#endif

/* ntbox's list fail path: __fastfail(FAST_FAIL_CORRUPT_LIST_ENTRY) with RDX
 * = the entry whose neighbours' links disagree with it. */
FORCEINLINE __attribute__((noreturn)) VOID NtboxListEntryCorrupt(PLIST_ENTRY Entry)
{
    __asm__ volatile("int $0x29" : : "c"(FAST_FAIL_CORRUPT_LIST_ENTRY), "d"(Entry) : "memory");
    __builtin_unreachable();
}

#ifdef NO_KERNEL_LIST_ENTRY_CHECKS
#define NTBOX_LIST_CHECK(ok, entry) ((void)sizeof(ok), (void)(entry))
#else
#define NTBOX_LIST_CHECK(ok, entry) \
    do { \
        if (!(ok)) \
            NtboxListEntryCorrupt(entry); \
    } while (0)
#endif

/* Both neighbours of Entry must point back at it. */
FORCEINLINE VOID RtlpCheckListEntry(_In_ PLIST_ENTRY Entry)
{
    NTBOX_LIST_CHECK(Entry->Flink->Blink == Entry && Entry->Blink->Flink == Entry, Entry);
}

/* An empty list is a head whose links point at itself. */
FORCEINLINE VOID InitializeListHead(_Out_ PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

FORCEINLINE BOOLEAN IsListEmpty(_In_ const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

/* Unlinks Entry; TRUE when the list it was on is now empty (its neighbours
 * are then the same entry, the head). */
FORCEINLINE BOOLEAN RemoveEntryList(_In_ PLIST_ENTRY Entry)
{
    PLIST_ENTRY Next = Entry->Flink, Prev = Entry->Blink;

    NTBOX_LIST_CHECK(Next->Blink == Entry && Prev->Flink == Entry, Entry);
    Prev->Flink = Next;
    Next->Blink = Prev;
    return (BOOLEAN)(Prev == Next);
}

/* Unlinks and returns the first entry; on an empty list returns ListHead
 * itself (and changes nothing). */
FORCEINLINE PLIST_ENTRY RemoveHeadList(_Inout_ PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink, Next = Entry->Flink;

    NTBOX_LIST_CHECK(Entry->Blink == ListHead, ListHead);
    NTBOX_LIST_CHECK(Next->Blink == Entry, Entry);
    ListHead->Flink = Next;
    Next->Blink = ListHead;
    return Entry;
}

/* Unlinks and returns the last entry; ListHead when the list is empty. */
FORCEINLINE PLIST_ENTRY RemoveTailList(_Inout_ PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink, Prev = Entry->Blink;

    NTBOX_LIST_CHECK(Entry->Flink == ListHead, ListHead);
    NTBOX_LIST_CHECK(Prev->Flink == Entry, Entry);
    ListHead->Blink = Prev;
    Prev->Flink = ListHead;
    return Entry;
}

FORCEINLINE VOID InsertHeadList(_Inout_ PLIST_ENTRY ListHead, _Out_ PLIST_ENTRY Entry)
{
    PLIST_ENTRY Next = ListHead->Flink;

    NTBOX_LIST_CHECK(Next->Blink == ListHead, ListHead);
    Entry->Flink = Next;
    Entry->Blink = ListHead;
    Next->Blink = Entry;
    ListHead->Flink = Entry;
}

FORCEINLINE VOID InsertTailList(_Inout_ PLIST_ENTRY ListHead, _Out_ PLIST_ENTRY Entry)
{
    PLIST_ENTRY Prev = ListHead->Blink;

    NTBOX_LIST_CHECK(Prev->Flink == ListHead, ListHead);
    Entry->Flink = ListHead;
    Entry->Blink = Prev;
    Prev->Flink = Entry;
    ListHead->Blink = Entry;
}

/* Splices the circular list ListToAppend (its first entry given, no separate
 * head) in before ListHead, i.e. at the tail of ListHead's list. */
FORCEINLINE VOID AppendTailList(_Inout_ PLIST_ENTRY ListHead, _Inout_ PLIST_ENTRY ListToAppend)
{
    PLIST_ENTRY ListEnd = ListHead->Blink;

    RtlpCheckListEntry(ListHead);
    RtlpCheckListEntry(ListToAppend);
    ListEnd->Flink = ListToAppend;
    ListHead->Blink = ListToAppend->Blink;
    ListToAppend->Blink->Flink = ListHead;
    ListToAppend->Blink = ListEnd;
}

/* Singly linked lists: no back links, so nothing to check. */
FORCEINLINE VOID PushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead, _Inout_ PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

/* The first entry, unlinked; NULL when the list is empty. */
FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY First = ListHead->Next;

    if (First != NULL)
        ListHead->Next = First->Next;
    return First;
}

/* Interlocked lists: the list operation under SpinLock, with interrupts
 * off; callable at IRQL <= DIRQL. The lock must be used for nothing but
 * these routines on this list. Insert/remove return the old first entry,
 * NULL when the list was empty. */
NTKERNELAPI PLIST_ENTRY FASTCALL ExInterlockedInsertHeadList(_Inout_ PLIST_ENTRY ListHead,
                                                             _Inout_ PLIST_ENTRY ListEntry,
                                                             _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY FASTCALL ExInterlockedInsertTailList(_Inout_ PLIST_ENTRY ListHead,
                                                             _Inout_ PLIST_ENTRY ListEntry,
                                                             _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PLIST_ENTRY FASTCALL ExInterlockedRemoveHeadList(_Inout_ PLIST_ENTRY ListHead,
                                                             _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY FASTCALL ExInterlockedPushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                                                                   _Inout_ PSINGLE_LIST_ENTRY ListEntry,
                                                                   _Inout_ PKSPIN_LOCK Lock);
NTKERNELAPI PSINGLE_LIST_ENTRY FASTCALL ExInterlockedPopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                                                                  _Inout_ PKSPIN_LOCK Lock);

NTBOX_END_DECLS

#endif
