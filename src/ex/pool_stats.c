/* ex/pool_stats.c: the pool's per-(tag, pool class) counters, as poolmon
 * shows them, and the allocation sequence numbers.
 *
 * Only frees are counted as they happen, per thread (one writer, no atomic
 * read-modify-write); a block freed on another thread is counted there. A
 * thread's counters outlive it. The table adds what the live blocks'
 * records say: a (tag, class) has made as many allocations as it has freed
 * blocks plus live ones, and holds the live ones' bytes; so an allocation
 * counts nothing, and the sums are exact whenever the pool is at rest. */
#include "ex/pool_internal.h"

#include <pthread.h>
#include <stdlib.h>

#define EX_TAG_SLOTS 4096
#define EX_SEQUENCE_BATCH 4096

struct ex_thread_stats {
    struct ex_thread_stats *next;
    struct ex_tag_slot slots[EX_TAG_SLOTS];
};

static struct ex_thread_stats *ex_all_stats;
static pthread_mutex_t ex_all_stats_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct ex_thread_stats *ex_my_stats;
__thread struct ex_tag_slot *ex_last_slot;
/* No (tag, type) matches it before the first slot is found. */
__thread ULONG64 ex_last_tag_type = ~0ULL;

static enum ex_pool_class ex_class_of(ULONG type)
{
    if (type & 1)
        return EX_POOL_PAGED;
    return (type & POOL_NX_ALLOCATION) ? EX_POOL_NONPAGED_NX : EX_POOL_NONPAGED;
}

/* A row's key: pool class + 1 in the high half, the tag in the low. */
static ULONG64 ex_tag_key(ULONG tag, ULONG type)
{
    return ((ULONG64)(ex_class_of(type) + 1) << 32) | (tag & ~(ULONG)PROTECTED_POOL);
}

static ULONG64 ex_next_batch;
__thread ULONG64 ex_my_sequence, ex_my_sequence_end;

EX_POOL_ABI ULONG64 ex_sequence_refill(void)
{
    ex_my_sequence = __atomic_fetch_add(&ex_next_batch, EX_SEQUENCE_BATCH, __ATOMIC_RELAXED);
    ex_my_sequence_end = ex_my_sequence + EX_SEQUENCE_BATCH;
    return ex_my_sequence++;
}

static struct ex_thread_stats *ex_thread_stats(void)
{
    struct ex_thread_stats *mine = calloc(1, sizeof *mine);
    if (!mine)
        return NULL;
    pthread_mutex_lock(&ex_all_stats_lock);
    mine->next = ex_all_stats;
    __atomic_store_n(&ex_all_stats, mine, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&ex_all_stats_lock);
    return mine;
}

/* FIXME: a thread freeing blocks of more than 4096 (tag, class) pairs
 * leaves the rest's frees uncounted (and so their allocations). */
static struct ex_tag_slot *ex_tag_slot_lookup(ULONG64 key)
{
    struct ex_thread_stats *mine = ex_my_stats;
    if (!mine && !(mine = ex_my_stats = ex_thread_stats()))
        return NULL;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 52) & (EX_TAG_SLOTS - 1);
    for (size_t n = 0; n < EX_TAG_SLOTS; n++, i = (i + 1) & (EX_TAG_SLOTS - 1)) {
        struct ex_tag_slot *slot = &mine->slots[i];
        if (slot->key == key)
            return slot;
        if (!slot->key) {
            __atomic_store_n(&slot->key, key, __ATOMIC_RELEASE);
            return slot;
        }
    }
    return NULL;
}

EX_POOL_ABI struct ex_tag_slot *ex_tag_slot_find(ULONG64 tag_type)
{
    struct ex_tag_slot *slot = ex_tag_slot_lookup(ex_tag_key((ULONG)tag_type, (ULONG)(tag_type >> 32)));
    if (slot) {
        ex_last_tag_type = tag_type;
        ex_last_slot = slot;
    }
    return slot;
}

/* One (tag, class) while the table is made: frees counted, live blocks
 * seen. */
struct ex_tag_sum {
    ULONG64 key;
    LONG64 frees, live, bytes;
};

struct ex_tag_sums {
    struct ex_tag_sum *all;
    size_t n, cap;
    bool failed;
};

static void ex_tag_sums_add(struct ex_tag_sums *sums, struct ex_tag_sum add)
{
    /* A slab's neighbours mostly share a tag: they add to one entry. */
    if (sums->n && sums->all[sums->n - 1].key == add.key) {
        struct ex_tag_sum *last = &sums->all[sums->n - 1];
        last->frees += add.frees;
        last->live += add.live;
        last->bytes += add.bytes;
        return;
    }
    if (sums->n == sums->cap) {
        size_t cap = sums->cap ? sums->cap * 2 : 256;
        struct ex_tag_sum *grown = realloc(sums->all, cap * sizeof *grown);
        if (!grown) {
            sums->failed = true;
            return;
        }
        sums->all = grown;
        sums->cap = cap;
    }
    sums->all[sums->n++] = add;
}

static void ex_tag_sums_live(const struct ex_found *b, void *ctx)
{
    ex_tag_sums_add(ctx, (struct ex_tag_sum){ ex_tag_key(b->rec.tag, b->rec.type), 0, 1, (LONG64)b->size });
}

static int ex_by_key(const void *a, const void *b)
{
    const struct ex_tag_sum *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

size_t ex_pool_tag_rows(struct ex_pool_tag_row **rows)
{
    struct ex_tag_sums sums = { NULL, 0, 0, false };
    size_t out = 0;

    for (struct ex_thread_stats *t = __atomic_load_n(&ex_all_stats, __ATOMIC_ACQUIRE); t; t = t->next)
        for (size_t i = 0; i < EX_TAG_SLOTS; i++) {
            ULONG64 key = __atomic_load_n(&t->slots[i].key, __ATOMIC_ACQUIRE);
            if (key)
                ex_tag_sums_add(&sums, (struct ex_tag_sum){ key, __atomic_load_n(&t->slots[i].frees,
                                                                                 __ATOMIC_RELAXED), 0, 0 });
        }
    ex_each_live(ex_tag_sums_live, &sums);
    *rows = sums.failed ? NULL : malloc((sums.n ? sums.n : 1) * sizeof **rows);
    if (!*rows) {
        free(sums.all);
        return 0;
    }
    if (sums.n)
        qsort(sums.all, sums.n, sizeof *sums.all, ex_by_key);
    for (size_t i = 0; i < sums.n; i++) {
        const struct ex_tag_sum *e = &sums.all[i];
        if (!i || e->key != sums.all[i - 1].key)
            (*rows)[out++] = (struct ex_pool_tag_row){ (ULONG)e->key, (enum ex_pool_class)((e->key >> 32) - 1),
                                                       0, 0, 0 };
        (*rows)[out - 1].allocs += e->frees + e->live;
        (*rows)[out - 1].frees += e->frees;
        (*rows)[out - 1].bytes += e->bytes;
    }
    free(sums.all);
    return out;
}
