/* ex/interlocked_list.c: lists guarded by a caller-supplied spin lock:
 * ExInterlockedInsertHeadList, ExInterlockedInsertTailList,
 * ExInterlockedRemoveHeadList, ExInterlockedPushEntryList,
 * ExInterlockedPopEntryList.
 *
 * On Windows these hold the lock with interrupts disabled, so they may be
 * called at any IRQL up to DIRQL (an ISR may share the list). ntbox's
 * faithful equivalent: raise to HIGH_LEVEL, hold the lock for real, restore
 * the caller's IRQL. The list operations are the checked wdm.h inlines, so a
 * corrupted list fails fast with 0x139/3 here too, as on Windows. */
#include "ke/irql.h"

struct ex_interlock {
    PKSPIN_LOCK lock;
    KIRQL old_irql;
    const char *routine;
    const void *at;
};

static void ex_interlock_enter(struct ex_interlock *il)
{
    il->old_irql = ke_irql_get();
    ke_irql_set(HIGH_LEVEL);
    ke_spin_lock_acquire(il->lock, il->routine, il->at);
}

static void ex_interlock_leave(struct ex_interlock *il)
{
    ke_spin_lock_release(il->lock, il->routine, il->at);
    ke_irql_set(il->old_irql);
}

#define EX_INTERLOCK(name, spin_lock) \
    struct ex_interlock il = { (spin_lock), 0, (name), __builtin_return_address(0) }

/* Inserts at the head under Lock; returns the previous first entry, NULL
 * when the list was empty; IRQL <= DIRQL (WDK, ExInterlockedInsertHeadList). */
PLIST_ENTRY FASTCALL ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    EX_INTERLOCK("ExInterlockedInsertHeadList", Lock);
    ex_interlock_enter(&il);
    PLIST_ENTRY first = ListHead->Flink;
    InsertHeadList(ListHead, ListEntry);
    ex_interlock_leave(&il);
    return first == ListHead ? NULL : first;
}

/* Inserts at the tail under Lock; returns the previous first entry, NULL
 * when the list was empty; IRQL <= DIRQL (WDK, ExInterlockedInsertTailList). */
PLIST_ENTRY FASTCALL ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    EX_INTERLOCK("ExInterlockedInsertTailList", Lock);
    ex_interlock_enter(&il);
    PLIST_ENTRY first = ListHead->Flink;
    InsertTailList(ListHead, ListEntry);
    ex_interlock_leave(&il);
    return first == ListHead ? NULL : first;
}

/* Removes the first entry under Lock and returns it, NULL when the list is
 * empty; IRQL <= DIRQL (WDK, ExInterlockedRemoveHeadList). */
PLIST_ENTRY FASTCALL ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    EX_INTERLOCK("ExInterlockedRemoveHeadList", Lock);
    ex_interlock_enter(&il);
    PLIST_ENTRY entry = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
    ex_interlock_leave(&il);
    return entry;
}

/* Pushes under Lock; returns the previous first entry, NULL when the list
 * was empty; IRQL <= DIRQL (WDK, ExInterlockedPushEntryList). */
PSINGLE_LIST_ENTRY FASTCALL ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                                       PKSPIN_LOCK Lock)
{
    EX_INTERLOCK("ExInterlockedPushEntryList", Lock);
    ex_interlock_enter(&il);
    PSINGLE_LIST_ENTRY first = ListHead->Next;
    PushEntryList(ListHead, ListEntry);
    ex_interlock_leave(&il);
    return first;
}

/* Pops under Lock; returns the removed entry, NULL when the list was empty;
 * IRQL <= DIRQL (WDK, ExInterlockedPopEntryList). */
PSINGLE_LIST_ENTRY FASTCALL ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    EX_INTERLOCK("ExInterlockedPopEntryList", Lock);
    ex_interlock_enter(&il);
    PSINGLE_LIST_ENTRY entry = PopEntryList(ListHead);
    ex_interlock_leave(&il);
    return entry;
}
