/* ex/pool_slab.c: pool blocks up to 32 KB, in size-class slabs: the slow
 * paths (the fast ones are inline in the exports, src/ex/pool_fast.h), and
 * the walks the reports make. Larger blocks: src/ex/pool_large.c.
 *
 * A slab is one 256 KB arena unit holding blocks of one size class: a
 * header, one record per block (struct ex_block), then the blocks. A
 * pointer's slab is its address rounded down to the unit and its index a
 * multiply by the class's reciprocal, so a free validates any pointer with a
 * range check and the block's record: no lookup, no lock. Records sit apart
 * from the blocks, out of reach of a driver's overrun.
 *
 * Each thread has a heap: slabs it owns and allocates from with plain loads
 * and stores, and per size class a quarantine of the blocks it freed last,
 * marked freed in their records, so a second free of one is recognised. A
 * block leaves the quarantine once EX_POOL_QUARANTINE_BLOCKS - 1 newer ones
 * of its class are there: to the thread's next allocation of the class (the
 * common case, touching no slab), or, when frees outrun allocations, back
 * to its slab: onto the owner's free list, or from another thread onto the
 * slab's lock-free remote list, which the owner takes whole when it runs
 * out. Slabs outlive their thread: at its exit they are left to the next
 * thread that needs their class. A slab keeps its class for the whole run:
 * the pool holds the high-water mark of each class. */
#include "ex/pool_fast.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

/* 16-byte steps up to 128, then four classes per doubling, then pages.
 * Every multiple of 64 up to 256 is a class and every class above 256 a
 * multiple of 64, so the cache-aligned types (size rounded up to 64) land
 * on 64-byte boundaries. FIXME: Windows keeps a block under a page within
 * one page; a slab block of a class that does not divide a page may
 * straddle two. */
static const ULONG ex_class_size[EX_CLASSES] = {
    16,   32,   48,   64,   80,   96,   112,  128,  160,   192,   224,   256,   320,   384,   448,   512,   640,  768,
    896,  1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 8192, 12288, 16384, 20480, 24576, 28672, 32768,
};

/* Which of its owner's lists a slab is on. */
enum ex_slab_list { EX_LIST_CURRENT, EX_LIST_AVAILABLE, EX_LIST_FULL, EX_LIST_ABANDONED };

struct ex_class_geometry {
    ULONG count, data_offset;
    ULONG64 recip;
};

static struct ex_class_geometry ex_geometry[EX_CLASSES];
UCHAR ex_class_by_16[1024 / 16 + 1], ex_class_by_256[32768 / 256 + 1];

static pthread_once_t ex_slab_once = PTHREAD_ONCE_INIT;
static bool ex_slab_ready;
static pthread_key_t ex_heap_key;
__thread struct ex_heap *ex_my_heap;

/* Under ex_slab_lock: carving new slabs, the abandoned slabs. */
static pthread_mutex_t ex_slab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ex_slab *ex_abandoned[EX_CLASSES];
SIZE_T ex_slab_top;

/* ------------------------------------------------------------------ */
/* Set-up */

static void ex_slab_geometry(void)
{
    const SIZE_T header = offsetof(struct ex_slab, blocks);
    for (unsigned c = 0; c < EX_CLASSES; c++) {
        SIZE_T size = ex_class_size[c], align = size >= EX_PAGE_SIZE ? EX_PAGE_SIZE : 64;
        SIZE_T count = (EX_UNIT_SIZE - header) / (size + sizeof(struct ex_block)), offset;
        for (;; count--) {
            offset = (header + count * sizeof(struct ex_block) + align - 1) & ~(align - 1);
            if (offset + count * size <= EX_UNIT_SIZE)
                break;
        }
        ex_geometry[c] = (struct ex_class_geometry){ (ULONG)count, (ULONG)offset,
                                                     ((1ULL << EX_RECIP_SHIFT) + size - 1) / size };
    }
    for (unsigned i = 0, c = 0; i < sizeof ex_class_by_16; i++) {
        while (ex_class_size[c] < i * 16)
            c++;
        ex_class_by_16[i] = (UCHAR)c;
    }
    for (unsigned i = 0, c = 0; i < sizeof ex_class_by_256; i++) {
        while (ex_class_size[c] < i * 256)
            c++;
        ex_class_by_256[i] = (UCHAR)c;
    }
}

static void ex_heap_exit(void *arg);

static void ex_slab_init(void)
{
    ex_slab_geometry();
    ex_slab_ready = ex_arena_reserve() && pthread_key_create(&ex_heap_key, ex_heap_exit) == 0;
}

EX_POOL_ABI struct ex_heap *ex_heap_create(void)
{
    pthread_once(&ex_slab_once, ex_slab_init);
    if (!ex_slab_ready)
        return NULL;
    struct ex_heap *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    pthread_setspecific(ex_heap_key, h);
    return ex_my_heap = h;
}

/* ------------------------------------------------------------------ */
/* Slab lists (the owner's, or the abandoned ones under ex_slab_lock) */

static void ex_list_push(struct ex_slab **head, struct ex_slab *s, enum ex_slab_list which)
{
    s->list = (UCHAR)which;
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

static void ex_list_remove(struct ex_slab **head, struct ex_slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        *head = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

/* ------------------------------------------------------------------ */
/* Giving blocks back */

/* A block out of quarantine returns to its slab. h: the caller's heap, or
 * NULL when it has none. */
static void ex_block_return(struct ex_heap *h, struct ex_block *b)
{
    struct ex_slab *s = ex_slab_of(b);
    ULONG idx = (ULONG)(b - s->blocks);

    if (h && __atomic_load_n(&s->owner, __ATOMIC_RELAXED) == h) {
        b->next = s->free_head;
        s->free_head = idx;
        if (s->list == EX_LIST_FULL) {
            ex_list_remove(&h->full[s->cls], s);
            ex_list_push(&h->available[s->cls], s, EX_LIST_AVAILABLE);
        }
        return;
    }
    ULONG head = __atomic_load_n(&s->remote, __ATOMIC_RELAXED);
    do
        b->next = head;
    while (!__atomic_compare_exchange_n(&s->remote, &head, idx, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

EX_POOL_ABI void ex_quarantine_evict(struct ex_heap *h, struct ex_quarantine *q)
{
    ex_block_return(h, q->blocks[q->head]);
    q->head = (q->head + 1) & EX_QUARANTINE_MASK;
    q->count--;
}

EX_POOL_ABI void ex_block_give_back(struct ex_block *b)
{
    ex_block_return(NULL, b);
}

/* The owner takes the blocks other threads gave back; true when the slab
 * then has a block to hand out. */
static bool ex_slab_has_space(struct ex_slab *s)
{
    if (__atomic_load_n(&s->remote, __ATOMIC_RELAXED) != EX_NO_BLOCK) {
        ULONG first = __atomic_exchange_n(&s->remote, EX_NO_BLOCK, __ATOMIC_ACQUIRE), last = first;
        while (s->blocks[last].next != EX_NO_BLOCK)
            last = s->blocks[last].next;
        s->blocks[last].next = s->free_head;
        s->free_head = first;
    }
    return s->free_head != EX_NO_BLOCK || s->bump < s->count;
}

static void ex_abandon_list(struct ex_slab *s, unsigned cls)
{
    while (s) {
        struct ex_slab *next = s->next;
        __atomic_store_n(&s->owner, NULL, __ATOMIC_RELAXED);
        ex_list_push(&ex_abandoned[cls], s, EX_LIST_ABANDONED);
        s = next;
    }
}

/* Thread exit: the quarantines empty, the slabs are left to others. */
static void ex_heap_exit(void *arg)
{
    struct ex_heap *h = arg;
    for (unsigned c = 0; c < EX_CLASSES; c++)
        while (h->quarantine[c].count)
            ex_quarantine_evict(h, &h->quarantine[c]);
    pthread_mutex_lock(&ex_slab_lock);
    for (unsigned c = 0; c < EX_CLASSES; c++) {
        if (h->current[c]) {
            h->current[c]->next = NULL;
            ex_abandon_list(h->current[c], c);
        }
        ex_abandon_list(h->available[c], c);
        ex_abandon_list(h->full[c], c);
    }
    pthread_mutex_unlock(&ex_slab_lock);
    ex_my_heap = NULL;
    free(h);
}

/* ------------------------------------------------------------------ */
/* Finding a slab with room */

/* An abandoned slab with room, now h's; full ones it takes on the way go
 * to h's full list. */
static struct ex_slab *ex_slab_adopt(struct ex_heap *h, unsigned cls)
{
    struct ex_slab *s;
    pthread_mutex_lock(&ex_slab_lock);
    while ((s = ex_abandoned[cls])) {
        ex_list_remove(&ex_abandoned[cls], s);
        __atomic_store_n(&s->owner, h, __ATOMIC_RELAXED);
        if (ex_slab_has_space(s))
            break;
        ex_list_push(&h->full[cls], s, EX_LIST_FULL);
    }
    pthread_mutex_unlock(&ex_slab_lock);
    return s;
}

/* A fresh slab from the arena's slab half, NULL when it is used up. */
static struct ex_slab *ex_slab_new(struct ex_heap *h, unsigned cls)
{
    struct ex_slab *s = NULL;
    pthread_mutex_lock(&ex_slab_lock);
    if (ex_slab_top + EX_UNIT_SIZE <= ex_arena_slab_bytes) {
        s = (struct ex_slab *)(ex_arena_base + ex_slab_top);
        if (ex_arena_commit(s, EX_UNIT_SIZE)) {
            const struct ex_class_geometry *g = &ex_geometry[cls];
            s->block_size = ex_class_size[cls];
            s->data_offset = g->data_offset;
            s->count = g->count;
            s->data_bytes = g->count * ex_class_size[cls];
            s->recip = g->recip;
            s->cls = (UCHAR)cls;
            s->free_head = EX_NO_BLOCK;
            s->remote = EX_NO_BLOCK;
            s->owner = h;
            /* Under AddressSanitizer, what no allocation has unpoisoned
             * yet is off limits, the slack after a block included. */
            EX_POISON((char *)s + s->data_offset, s->data_bytes);
            /* Published after the header: a free trusts any unit below. */
            __atomic_store_n(&ex_slab_top, ex_slab_top + EX_UNIT_SIZE, __ATOMIC_RELEASE);
        } else
            s = NULL;
    }
    pthread_mutex_unlock(&ex_slab_lock);
    return s;
}

/* h's current slab of cls is exhausted: blocks given back to it, another
 * of h's slabs with room, an abandoned one, or a new one. */
EX_POOL_ABI __attribute__((noinline)) static struct ex_slab *ex_slab_refill(struct ex_heap *h, unsigned cls)
{
    struct ex_slab *s = h->current[cls];
    if (s) {
        if (ex_slab_has_space(s))
            return s;
        ex_list_push(&h->full[cls], s, EX_LIST_FULL);
    }
    if ((s = h->available[cls]))
        ex_list_remove(&h->available[cls], s);
    else {
        for (s = h->full[cls]; s && !ex_slab_has_space(s); s = s->next)
            ;
        if (s)
            ex_list_remove(&h->full[cls], s);
        else if (!(s = ex_slab_adopt(h, cls)))
            s = ex_slab_new(h, cls);
    }
    h->current[cls] = s;
    if (s)
        s->list = EX_LIST_CURRENT;
    return s;
}

EX_POOL_ABI struct ex_block *ex_slab_take(struct ex_heap *h, unsigned cls)
{
    struct ex_slab *s = h->current[cls];
    ULONG idx;
    if ((!s || (s->free_head == EX_NO_BLOCK && s->bump == s->count)) && !(s = ex_slab_refill(h, cls)))
        return NULL;
    if ((idx = s->free_head) != EX_NO_BLOCK)
        s->free_head = s->blocks[idx].next;
    else
        __atomic_store_n(&s->bump, (idx = s->bump) + 1, __ATOMIC_RELAXED);
    return &s->blocks[idx];
}

/* ------------------------------------------------------------------ */
/* Bad frees */

EX_POOL_ABI void ex_slab_bad_free(const char *routine, uintptr_t addr, ULONG tag, const void *caller,
                                  const struct ex_block *b)
{
    struct ex_found found;
    if (!b || __atomic_load_n(&b->state, __ATOMIC_ACQUIRE) == EX_BLOCK_UNUSED)
        ex_free_failed(routine, addr, tag, caller, NULL);
    found.addr = addr;
    found.size = b->size;
    found.rec = *b;
    ex_free_failed(routine, addr, tag, caller, &found);
}

/* ------------------------------------------------------------------ */
/* Reports */

bool ex_block_containing(uintptr_t addr, struct ex_found *out)
{
    if (addr - ex_arena_base >= __atomic_load_n(&ex_slab_top, __ATOMIC_ACQUIRE))
        return ex_in_special(addr) ? ex_special_containing(addr, out) : ex_large_containing(addr, out);
    struct ex_slab *s = ex_slab_of((const void *)addr);
    ULONG64 in = (addr & (EX_UNIT_SIZE - 1)) - s->data_offset;
    if (in >= s->data_bytes)
        return false;
    ULONG idx = (ULONG)(in / s->block_size);
    const struct ex_block *b = &s->blocks[idx];
    uintptr_t start = (uintptr_t)ex_slab_block_at(s, idx);
    if (__atomic_load_n(&b->state, __ATOMIC_ACQUIRE) != EX_BLOCK_LIVE || addr == start ||
        addr - start >= (b->size ? b->size : 1))
        return false;
    *out = (struct ex_found){ start, b->size, *b };
    return true;
}

void ex_slab_each_live(ex_block_visit *fn, void *ctx)
{
    SIZE_T top = __atomic_load_n(&ex_slab_top, __ATOMIC_ACQUIRE);
    for (SIZE_T unit = 0; unit < top; unit += EX_UNIT_SIZE) {
        struct ex_slab *s = (struct ex_slab *)(ex_arena_base + unit);
        ULONG used = __atomic_load_n(&s->bump, __ATOMIC_RELAXED);
        for (ULONG i = 0; i < used; i++) {
            const struct ex_block *b = &s->blocks[i];
            if (__atomic_load_n(&b->state, __ATOMIC_ACQUIRE) != EX_BLOCK_LIVE)
                continue;
            struct ex_found found = { (uintptr_t)ex_slab_block_at(s, i), b->size, *b };
            fn(&found, ctx);
        }
    }
}
