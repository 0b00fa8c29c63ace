/* tests/ex/test_interlocked_list.c: ExInterlockedInsertHeadList,
 * ExInterlockedInsertTailList, ExInterlockedRemoveHeadList,
 * ExInterlockedPushEntryList, ExInterlockedPopEntryList: return values,
 * order, the caller's IRQL kept, the lock released, real mutual exclusion,
 * and the list checks (0x139/3) applying inside them. */
#include "ktest.h"

#include <pthread.h>
#include <stdlib.h>

/* "ExInterlockedInsertHeadList returns a pointer to the first entry of the
 * list before the new entry was inserted. If the list was empty, the
 * routine returns NULL." */
KT_TEST(ExInterlockedInsertHeadList_returns_old_first)
{
    LIST_ENTRY h, e1, e2;
    KSPIN_LOCK lock = 0;
    InitializeListHead(&h);
    KT_EQ_PTR(ExInterlockedInsertHeadList(&h, &e1, &lock), NULL);
    KT_EQ_PTR(ExInterlockedInsertHeadList(&h, &e2, &lock), &e1);
    KT_EQ_PTR(h.Flink, &e2);
    KT_EQ_PTR(e2.Flink, &e1);
    KT_EQ_PTR(e1.Flink, &h);
    KT_EQ_PTR(h.Blink, &e1);
    KT_EQ_HEX(lock, 0);
}

/* ExInterlockedInsertTailList also returns the old first entry (not the
 * old last), NULL when the list was empty. */
KT_TEST(ExInterlockedInsertTailList_returns_old_first)
{
    LIST_ENTRY h, e1, e2, e3;
    KSPIN_LOCK lock = 0;
    InitializeListHead(&h);
    KT_EQ_PTR(ExInterlockedInsertTailList(&h, &e1, &lock), NULL);
    KT_EQ_PTR(ExInterlockedInsertTailList(&h, &e2, &lock), &e1);
    KT_EQ_PTR(ExInterlockedInsertTailList(&h, &e3, &lock), &e1);
    KT_EQ_PTR(h.Flink, &e1);
    KT_EQ_PTR(e1.Flink, &e2);
    KT_EQ_PTR(e2.Flink, &e3);
    KT_EQ_PTR(h.Blink, &e3);
    KT_EQ_HEX(lock, 0);
}

/* "ExInterlockedRemoveHeadList returns a pointer to the entry removed from
 * the list. If the list is empty, the routine returns NULL." */
KT_TEST(ExInterlockedRemoveHeadList_order_and_empty)
{
    LIST_ENTRY h, e1, e2;
    KSPIN_LOCK lock = 0;
    InitializeListHead(&h);
    KT_EQ_PTR(ExInterlockedRemoveHeadList(&h, &lock), NULL);
    ExInterlockedInsertTailList(&h, &e1, &lock);
    ExInterlockedInsertTailList(&h, &e2, &lock);
    KT_EQ_PTR(ExInterlockedRemoveHeadList(&h, &lock), &e1);
    KT_EQ_PTR(ExInterlockedRemoveHeadList(&h, &lock), &e2);
    KT_EQ_PTR(ExInterlockedRemoveHeadList(&h, &lock), NULL);
    KT_EQ_INT(IsListEmpty(&h), TRUE);
    KT_EQ_HEX(lock, 0);
}

/* "ExInterlockedPushEntryList returns a pointer to the first entry in the
 * list before the new entry was inserted; NULL if the list was empty";
 * "ExInterlockedPopEntryList returns a pointer to the first entry in the
 * list. If the list was empty, it returns NULL." */
KT_TEST(ExInterlockedPushEntryList_PopEntryList_lifo)
{
    SINGLE_LIST_ENTRY h = { NULL }, e1, e2;
    KSPIN_LOCK lock = 0;
    KT_EQ_PTR(ExInterlockedPopEntryList(&h, &lock), NULL);
    KT_EQ_PTR(ExInterlockedPushEntryList(&h, &e1, &lock), NULL);
    KT_EQ_PTR(ExInterlockedPushEntryList(&h, &e2, &lock), &e1);
    KT_EQ_PTR(ExInterlockedPopEntryList(&h, &lock), &e2);
    KT_EQ_PTR(ExInterlockedPopEntryList(&h, &lock), &e1);
    KT_EQ_PTR(ExInterlockedPopEntryList(&h, &lock), NULL);
    KT_EQ_HEX(lock, 0);
}

/* Callable at any IRQL <= DIRQL; the caller's IRQL is what it was after. */
KT_TEST(ExInterlockedInsertHeadList_keeps_caller_irql)
{
    LIST_ENTRY h, e;
    KSPIN_LOCK lock = 0;
    KIRQL old;
    InitializeListHead(&h);
    ExInterlockedInsertHeadList(&h, &e, &lock);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRaiseIrql(HIGH_LEVEL, &old);
    KT_EQ_PTR(ExInterlockedRemoveHeadList(&h, &lock), &e);
    KT_EQ_INT(KeGetCurrentIrql(), HIGH_LEVEL);
    KeLowerIrql(old);
}

/* Mutual exclusion: two threads each insert 200000 distinct entries (at
 * head or tail by turns) and remove one head after each insert, and do the
 * same with push/pop on a singly linked list. A removal never finds the
 * list empty (each thread inserted first), and at the end every entry has
 * been removed exactly once and both lists are empty. */
#define STRESS_ROUNDS 200000

struct stress_item {
    LIST_ENTRY link;
    SINGLE_LIST_ENTRY next;
    int removed, popped;
};

static LIST_ENTRY stress_head;
static SINGLE_LIST_ENTRY stress_stack;
static KSPIN_LOCK stress_lock, stress_stack_lock;
static long stress_empty;

static void *stress_lists(void *arg)
{
    struct stress_item *items = arg;
    for (int i = 0; i < STRESS_ROUNDS; i++) {
        if (i & 1)
            ExInterlockedInsertTailList(&stress_head, &items[i].link, &stress_lock);
        else
            ExInterlockedInsertHeadList(&stress_head, &items[i].link, &stress_lock);
        PLIST_ENTRY got = ExInterlockedRemoveHeadList(&stress_head, &stress_lock);
        if (got)
            CONTAINING_RECORD(got, struct stress_item, link)->removed++;
        else
            __atomic_add_fetch(&stress_empty, 1, __ATOMIC_RELAXED);
        ExInterlockedPushEntryList(&stress_stack, &items[i].next, &stress_stack_lock);
        PSINGLE_LIST_ENTRY top = ExInterlockedPopEntryList(&stress_stack, &stress_stack_lock);
        if (top)
            CONTAINING_RECORD(top, struct stress_item, next)->popped++;
        else
            __atomic_add_fetch(&stress_empty, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

KT_TEST(ExInterlocked_mutual_exclusion)
{
    pthread_t t[2];
    struct stress_item *items[2];
    long wrong = 0;
    InitializeListHead(&stress_head);
    for (int i = 0; i < 2; i++) {
        items[i] = calloc(STRESS_ROUNDS, sizeof *items[i]);
        KT_REQUIRE(KT_TRUE(items[i] != NULL));
    }
    for (int i = 0; i < 2; i++)
        KT_REQUIRE(KT_EQ_INT(pthread_create(&t[i], NULL, stress_lists, items[i]), 0));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < STRESS_ROUNDS; j++)
            wrong += items[i][j].removed != 1 || items[i][j].popped != 1;
    KT_EQ_INT(wrong, 0);
    KT_EQ_INT(stress_empty, 0);
    KT_EQ_INT(IsListEmpty(&stress_head), TRUE);
    KT_EQ_PTR(stress_stack.Next, NULL);
    KT_EQ_HEX(stress_lock, 0);
    KT_EQ_HEX(stress_stack_lock, 0);
    free(items[0]);
    free(items[1]);
}

/* The list checks apply inside the interlocked routines too: a corrupted
 * head fails fast, 0x139/3. */
static void insert_into_corrupt(void *arg)
{
    static LIST_ENTRY h, a, e;
    KSPIN_LOCK lock = 0;
    (void)arg;
    InitializeListHead(&h);
    InsertTailList(&h, &a);
    a.Blink = &e; /* h->Flink->Blink is no longer h */
    ExInterlockedInsertHeadList(&h, &e, &lock);
}

KT_TEST(ExInterlockedInsertHeadList_corrupt_list_fails_fast)
{
    const char *out = KT_EXPECT_BUGCHECK(0x139, FAST_FAIL_CORRUPT_LIST_ENTRY, insert_into_corrupt, NULL);
    if (out)
        KT_CONTAINS(out, "Flink->Blink should be");
}

/* The lock is held for real: ExInterlocked* on a lock this thread already
 * holds would spin forever on Windows; Verifier's 0xC4/0x1000. */
static void interlocked_under_own_lock(void *arg)
{
    LIST_ENTRY h, e;
    KSPIN_LOCK lock = 0;
    KIRQL old;
    (void)arg;
    InitializeListHead(&h);
    KeAcquireSpinLock(&lock, &old);
    ExInterlockedInsertTailList(&h, &e, &lock);
}

KT_TEST(ExInterlockedInsertTailList_lock_already_held_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x1000, interlocked_under_own_lock, NULL);
}
