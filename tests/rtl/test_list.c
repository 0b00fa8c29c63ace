/* tests/rtl/test_list.c: the wdm.h list inlines (InitializeListHead ...
 * PopEntryList) and their integrity checks: a LIST_ENTRY whose neighbours do
 * not point back at it fails fast, bug check 0x139 with P1 = 3
 * (FAST_FAIL_CORRUPT_LIST_ENTRY), and the report names the broken link. */
#include "ktest.h"

#include "rtl/list_check.h"

#include <stdio.h>

/* The fixture: [head] <-> a <-> b, and a stray entry x linked to nothing. */
static LIST_ENTRY head, a, b, x;

static void build(void)
{
    InitializeListHead(&head);
    InsertTailList(&head, &a);
    InsertTailList(&head, &b);
    InitializeListHead(&x);
}

/* Checks the whole ring both ways: head, then entries in order, back to head. */
static bool ring_is(PLIST_ENTRY list, PLIST_ENTRY *entries, int count)
{
    PLIST_ENTRY e = list;
    bool ok = true;
    for (int i = 0; i <= count; i++) {
        PLIST_ENTRY want = i < count ? entries[i] : list;
        ok &= KT_EQ_PTR(e->Flink, want);
        ok &= KT_EQ_PTR(e->Flink->Blink, e);
        e = e->Flink;
    }
    return ok;
}

/* "InitializeListHead initializes a LIST_ENTRY structure that represents the
 * head of a doubly linked list": both links point at the head. */
KT_TEST(InitializeListHead_empty)
{
    LIST_ENTRY h;
    InitializeListHead(&h);
    KT_EQ_PTR(h.Flink, &h);
    KT_EQ_PTR(h.Blink, &h);
    KT_EQ_INT(IsListEmpty(&h), TRUE);
}

/* One entry: head and entry link each other both ways; not empty. */
KT_TEST(InsertHeadList_single_entry)
{
    LIST_ENTRY h, e;
    InitializeListHead(&h);
    InsertHeadList(&h, &e);
    KT_EQ_PTR(h.Flink, &e);
    KT_EQ_PTR(h.Blink, &e);
    KT_EQ_PTR(e.Flink, &h);
    KT_EQ_PTR(e.Blink, &h);
    KT_EQ_INT(IsListEmpty(&h), FALSE);
}

/* InsertHeadList inserts at the head, InsertTailList at the tail:
 * tail 1, head 2, tail 3, head 4 gives [head] -> 4 -> 2 -> 1 -> 3. */
KT_TEST(InsertHeadList_InsertTailList_mixed_order)
{
    LIST_ENTRY h, e[4];
    InitializeListHead(&h);
    InsertTailList(&h, &e[0]);
    InsertHeadList(&h, &e[1]);
    InsertTailList(&h, &e[2]);
    InsertHeadList(&h, &e[3]);
    PLIST_ENTRY want[] = { &e[3], &e[1], &e[0], &e[2] };
    ring_is(&h, want, 4);
}

/* "If the list is empty, RemoveHeadList returns ListHead." */
KT_TEST(RemoveHeadList_empty_returns_head)
{
    LIST_ENTRY h;
    InitializeListHead(&h);
    KT_EQ_PTR(RemoveHeadList(&h), &h);
    KT_EQ_PTR(h.Flink, &h);
    KT_EQ_PTR(h.Blink, &h);
}

/* "If the list is empty, RemoveTailList returns ListHead." */
KT_TEST(RemoveTailList_empty_returns_head)
{
    LIST_ENTRY h;
    InitializeListHead(&h);
    KT_EQ_PTR(RemoveTailList(&h), &h);
    KT_EQ_PTR(h.Flink, &h);
    KT_EQ_PTR(h.Blink, &h);
}

/* RemoveHeadList removes and returns the first entry: [head] -> a -> b. */
KT_TEST(RemoveHeadList_returns_first)
{
    build();
    KT_EQ_PTR(RemoveHeadList(&head), &a);
    PLIST_ENTRY want[] = { &b };
    ring_is(&head, want, 1);
    KT_EQ_PTR(RemoveHeadList(&head), &b);
    KT_EQ_INT(IsListEmpty(&head), TRUE);
}

/* RemoveTailList removes and returns the last entry: [head] -> a -> b. */
KT_TEST(RemoveTailList_returns_last)
{
    build();
    KT_EQ_PTR(RemoveTailList(&head), &b);
    PLIST_ENTRY want[] = { &a };
    ring_is(&head, want, 1);
    KT_EQ_PTR(RemoveTailList(&head), &a);
    KT_EQ_INT(IsListEmpty(&head), TRUE);
}

/* "RemoveEntryList returns TRUE if, after removal of the designated entry,
 * the list is empty. Otherwise, the routine returns FALSE." */
KT_TEST(RemoveEntryList_returns_whether_empty)
{
    build();
    KT_EQ_INT(RemoveEntryList(&b), FALSE);
    PLIST_ENTRY want[] = { &a };
    ring_is(&head, want, 1);
    KT_EQ_INT(RemoveEntryList(&a), TRUE);
    KT_EQ_INT(IsListEmpty(&head), TRUE);
}

/* Removing a middle entry joins its neighbours: [head] -> 0 -> 2. */
KT_TEST(RemoveEntryList_middle)
{
    LIST_ENTRY h, e[3];
    InitializeListHead(&h);
    for (int i = 0; i < 3; i++)
        InsertTailList(&h, &e[i]);
    KT_EQ_INT(RemoveEntryList(&e[1]), FALSE);
    PLIST_ENTRY want[] = { &e[0], &e[2] };
    ring_is(&h, want, 2);
}

/* AppendTailList splices a headless circular list (given by its first
 * entry) at the tail: [head] -> a -> b plus c -> d gives a b c d. */
KT_TEST(AppendTailList_splices_at_tail)
{
    LIST_ENTRY c, d;
    build();
    /* c <-> d with no head: c is "ListToAppend". */
    c.Flink = c.Blink = &d;
    d.Flink = d.Blink = &c;
    AppendTailList(&head, &c);
    PLIST_ENTRY want[] = { &a, &b, &c, &d };
    ring_is(&head, want, 4);
}

/* AppendTailList onto an empty list: the appended entries become the list. */
KT_TEST(AppendTailList_onto_empty)
{
    LIST_ENTRY h, c;
    InitializeListHead(&h);
    c.Flink = c.Blink = &c;
    AppendTailList(&h, &c);
    PLIST_ENTRY want[] = { &c };
    ring_is(&h, want, 1);
}

/* PushEntryList pushes at the head, PopEntryList pops the head; "If the
 * list is empty, PopEntryList returns NULL." */
KT_TEST(PushEntryList_PopEntryList_lifo)
{
    SINGLE_LIST_ENTRY h = { NULL }, e1, e2;
    KT_EQ_PTR(PopEntryList(&h), NULL);
    PushEntryList(&h, &e1);
    PushEntryList(&h, &e2);
    KT_EQ_PTR(h.Next, &e2);
    KT_EQ_PTR(e2.Next, &e1);
    KT_EQ_PTR(e1.Next, NULL);
    KT_EQ_PTR(PopEntryList(&h), &e2);
    KT_EQ_PTR(PopEntryList(&h), &e1);
    KT_EQ_PTR(PopEntryList(&h), NULL);
    KT_EQ_PTR(h.Next, NULL);
}

/* CONTAINING_RECORD gives the structure a list link is embedded in. */
KT_TEST(CONTAINING_RECORD_finds_owner)
{
    struct item { ULONG value; LIST_ENTRY link; } it = { 7, { NULL, NULL } };
    KT_EQ_PTR(CONTAINING_RECORD(&it.link, struct item, link), &it);
    KT_EQ_INT(CONTAINING_RECORD(&it.link, struct item, link)->value, 7);
}

/* The report's sentence for entry `e` whose `side` link's back pointer is
 * `is` instead of e. */
static const char *sentence(const char *side, PLIST_ENTRY e, PLIST_ENTRY is, PLIST_ENTRY neighbour)
{
    static char s[256];
    snprintf(s, sizeof s, "LIST_ENTRY 0x%016llx: %s->%s should be 0x%016llx, but is 0x%016llx (%s 0x%016llx)",
             (unsigned long long)(ULONG_PTR)e, side, side[0] == 'F' ? "Blink" : "Flink",
             (unsigned long long)(ULONG_PTR)e, (unsigned long long)(ULONG_PTR)is, side,
             (unsigned long long)(ULONG_PTR)neighbour);
    return s;
}

/* Describing a corruption: the Flink side, then the Blink side; an intact
 * entry and unreadable links give false. */
KT_TEST(rtl_list_describe_corruption_sides)
{
    char buf[256] = "";
    build();
    KT_FALSE(rtl_list_describe_corruption(&a, buf, sizeof buf));
    b.Blink = &x;
    KT_TRUE(rtl_list_describe_corruption(&a, buf, sizeof buf));
    KT_EQ_STR(buf, sentence("Flink", &a, &x, &b));
    build();
    head.Flink = &x;
    KT_TRUE(rtl_list_describe_corruption(&a, buf, sizeof buf));
    KT_EQ_STR(buf, sentence("Blink", &a, &x, &head));
    KT_FALSE(rtl_list_describe_corruption(NULL, buf, sizeof buf));
}

/* A wild Flink cannot be read through: no fault, and false when the Blink
 * side is intact. */
KT_TEST(rtl_list_describe_corruption_wild_pointer)
{
    char buf[256] = "";
    build();
    a.Flink = (PLIST_ENTRY)(ULONG_PTR)0x10;
    KT_FALSE(rtl_list_describe_corruption(&a, buf, sizeof buf));
    a.Blink = (PLIST_ENTRY)(ULONG_PTR)0x7;
    KT_FALSE(rtl_list_describe_corruption(&a, buf, sizeof buf));
}

/* Corruption children: each builds the fixture, breaks one link, and calls
 * one routine, which must fail fast. */
static void remove_entry_flink(void *arg) { (void)arg; build(); b.Blink = &x; RemoveEntryList(&a); }
static void remove_entry_blink(void *arg) { (void)arg; build(); head.Flink = &x; RemoveEntryList(&a); }
static void remove_head_first(void *arg) { (void)arg; build(); a.Blink = &x; RemoveHeadList(&head); }
static void remove_head_second(void *arg) { (void)arg; build(); b.Blink = &x; RemoveHeadList(&head); }
static void remove_tail_last(void *arg) { (void)arg; build(); b.Flink = &x; RemoveTailList(&head); }
static void remove_tail_prev(void *arg) { (void)arg; build(); a.Flink = &x; RemoveTailList(&head); }
static void insert_head_flink(void *arg) { (void)arg; build(); a.Blink = &x; InsertHeadList(&head, &x); }
static void insert_tail_blink(void *arg) { (void)arg; build(); b.Flink = &x; InsertTailList(&head, &x); }
static void append_head_broken(void *arg) { (void)arg; build(); a.Blink = &x; AppendTailList(&head, &x); }
static void append_list_broken(void *arg)
{
    (void)arg;
    build();
    x.Flink = &a; /* x's Flink->Blink is head, not x */
    AppendTailList(&head, &x);
}

#define EXPECT_LIST_FAIL(fn, text) \
    do { \
        const char *out_ = KT_EXPECT_BUGCHECK(0x139, FAST_FAIL_CORRUPT_LIST_ENTRY, fn, NULL); \
        if (out_) \
            KT_CONTAINS(out_, text); \
    } while (0)

/* RemoveEntryList checks Entry->Flink->Blink == Entry ... */
KT_TEST(RemoveEntryList_corrupt_flink_side)
{
    EXPECT_LIST_FAIL(remove_entry_flink, sentence("Flink", &a, &x, &b));
}

/* ... and Entry->Blink->Flink == Entry before unlinking. */
KT_TEST(RemoveEntryList_corrupt_blink_side)
{
    EXPECT_LIST_FAIL(remove_entry_blink, sentence("Blink", &a, &x, &head));
}

/* RemoveHeadList checks the first entry's Blink is the head ... */
KT_TEST(RemoveHeadList_corrupt_first_blink)
{
    EXPECT_LIST_FAIL(remove_head_first, sentence("Flink", &head, &x, &a));
}

/* ... and the second entry's Blink is the first. */
KT_TEST(RemoveHeadList_corrupt_second_blink)
{
    EXPECT_LIST_FAIL(remove_head_second, sentence("Flink", &a, &x, &b));
}

/* RemoveTailList checks the last entry's Flink is the head ... */
KT_TEST(RemoveTailList_corrupt_last_flink)
{
    EXPECT_LIST_FAIL(remove_tail_last, sentence("Blink", &head, &x, &b));
}

/* ... and the one before it links forward to the last. */
KT_TEST(RemoveTailList_corrupt_previous_flink)
{
    EXPECT_LIST_FAIL(remove_tail_prev, sentence("Blink", &b, &x, &a));
}

/* InsertHeadList checks ListHead->Flink->Blink == ListHead. */
KT_TEST(InsertHeadList_corrupt_head)
{
    EXPECT_LIST_FAIL(insert_head_flink, sentence("Flink", &head, &x, &a));
}

/* InsertTailList checks ListHead->Blink->Flink == ListHead. */
KT_TEST(InsertTailList_corrupt_head)
{
    EXPECT_LIST_FAIL(insert_tail_blink, sentence("Blink", &head, &x, &b));
}

/* AppendTailList checks both the list head ... */
KT_TEST(AppendTailList_corrupt_head)
{
    EXPECT_LIST_FAIL(append_head_broken, sentence("Flink", &head, &x, &a));
}

/* ... and the list being appended. */
KT_TEST(AppendTailList_corrupt_appended)
{
    EXPECT_LIST_FAIL(append_list_broken, sentence("Flink", &x, &head, &a));
}
