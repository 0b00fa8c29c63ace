/* ex/pool_fast.h: the pool's fast paths, inline in every allocating and
 * freeing export (a call level costs about as much as the path itself),
 * and the slab and heap structures they read. The slow paths are in
 * src/ex/pool_slab.c, which describes the design. */
#ifndef NTBOX_EX_POOL_FAST_H
#define NTBOX_EX_POOL_FAST_H

#include "ex/pool_internal.h"

#define EX_CLASSES 35
#define EX_NO_BLOCK 0xFFFFFFFFu
/* idx = (offset * recip) >> 40 is exact for offsets below a unit and
 * class sizes up to 32 KB (the error stays under 2^-22 < 1/size). */
#define EX_RECIP_SHIFT 40
#define EX_QUARANTINE_MASK (EX_POOL_QUARANTINE_BLOCKS - 1)
_Static_assert((EX_POOL_QUARANTINE_BLOCKS & EX_QUARANTINE_MASK) == 0, "the quarantine is indexed by a mask");

struct ex_heap;

/* One arena unit of blocks of one size class. */
struct ex_slab {
    /* Written once: what every free reads. */
    ULONG block_size, data_offset, data_bytes, count;
    ULONG64 recip;
    UCHAR cls, list;
    /* The owner's: plain accesses (bump is read by the reports). */
    ULONG free_head, bump;
    struct ex_heap *owner; /* NULL while abandoned */
    struct ex_slab *prev, *next;
    /* Blocks other threads gave back: an index stack, pushed with CAS,
     * taken whole with an exchange. On its own line. */
    ULONG remote __attribute__((aligned(64)));
    struct ex_block blocks[] __attribute__((aligned(64)));
};

/* One size class's blocks freed by one thread, oldest first. Once it is
 * full, its oldest block (EX_POOL_QUARANTINE_BLOCKS - 1 newer ones behind
 * it) leaves: to the thread's next allocation of the class, or on the next
 * free back to its slab. */
struct ex_quarantine {
    struct ex_block *blocks[EX_POOL_QUARANTINE_BLOCKS];
    unsigned head, count;
};

/* A thread's pool: its quarantines, and its slabs by class: the one it
 * allocates from, those with free blocks, those without. */
struct ex_heap {
    struct ex_quarantine quarantine[EX_CLASSES];
    struct ex_slab *current[EX_CLASSES];
    struct ex_slab *available[EX_CLASSES], *full[EX_CLASSES];
};

extern __thread struct ex_heap *ex_my_heap;
/* Class of a size: by 16 bytes up to 1 KB, by 256 bytes up to 32 KB. */
extern UCHAR ex_class_by_16[1024 / 16 + 1], ex_class_by_256[32768 / 256 + 1];
/* Bytes of the slab half in use; every unit below is an initialized slab. */
extern SIZE_T ex_slab_top;

/* This thread's heap, created; NULL when memory or address space is gone. */
EX_POOL_ABI struct ex_heap *ex_heap_create(void);
/* A block of cls from h's slabs, NULL when the arena is exhausted. */
EX_POOL_ABI struct ex_block *ex_slab_take(struct ex_heap *h, unsigned cls);
/* Returns q's oldest block to its slab. */
EX_POOL_ABI void ex_quarantine_evict(struct ex_heap *h, struct ex_quarantine *q);
/* Returns b to its slab from a thread without a heap. */
EX_POOL_ABI void ex_block_give_back(struct ex_block *b);
/* The bugcheck for a free at addr, in a slab, that failed the checks: b is
 * the block starting there, or NULL. */
EX_POOL_COLD __attribute__((noreturn)) void ex_slab_bad_free(const char *routine, uintptr_t addr, ULONG tag,
                                                             const void *caller, const struct ex_block *b);
/* Bug check 0xC4/0x01-0x02 or BAD_POOL_CALLER 0x08: type allocated above
 * its IRQL (see pool.c). */
EX_POOL_COLD __attribute__((noreturn)) void ex_bad_alloc_irql(ULONG type, SIZE_T size, const void *caller);

EX_POOL_INLINE struct ex_slab *ex_slab_of(const void *p)
{
    return (struct ex_slab *)((uintptr_t)p & ~(uintptr_t)(EX_UNIT_SIZE - 1));
}

EX_POOL_INLINE void *ex_slab_block_at(const struct ex_slab *s, ULONG idx)
{
    return (char *)s + s->data_offset + (SIZE_T)idx * s->block_size;
}

/* rep stosb (fast-string microcode) rather than a memset call, which would
 * save ten xmm registers first. */
EX_POOL_INLINE void ex_zero(void *p, SIZE_T n)
{
    __asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

/* Allocates and records a block; type has no modifier bits. NULL when
 * memory is exhausted (or the size exceeds the machine's). */
EX_POOL_INLINE void *ex_block_alloc(ULONG type, SIZE_T size, ULONG tag, bool zero, const void *caller)
{
    SIZE_T want = size ? size : 1;
    if (type & 4) /* the cache-aligned types */
        want = (want + 63) & ~(SIZE_T)63;
    /* Special pool takes what fits on a page; when it is exhausted, the
     * standard pool does. */
    if (__builtin_expect(vf_enabled(VF_SPECIAL_POOL), 0) && want < EX_PAGE_SIZE) {
        void *p = ex_special_alloc(type, size, tag, zero, caller);
        if (p)
            return p;
    }
    struct ex_heap *h = ex_my_heap;
    if (__builtin_expect(!h, 0) && !(h = ex_heap_create()))
        return NULL;
    if (want > EX_SLAB_MAX)
        return ex_large_alloc(type, size, tag, caller);

    unsigned cls = want <= 1024 ? ex_class_by_16[(want + 15) >> 4] : ex_class_by_256[(want + 255) >> 8];
    struct ex_quarantine *q = &h->quarantine[cls];
    struct ex_block *b;
    if (q->count == EX_POOL_QUARANTINE_BLOCKS) {
        b = q->blocks[q->head];
        q->head = (q->head + 1) & EX_QUARANTINE_MASK;
        q->count--;
    } else if (!(b = ex_slab_take(h, cls)))
        return NULL;

    ULONG64 ident = ex_ident(tag, type, EX_BLOCK_LIVE);
    b->caller = caller;
    b->sequence = ex_sequence_next();
    b->size = (ULONG)size;
    __atomic_store_n(&b->ident, ident, __ATOMIC_RELEASE);

    struct ex_slab *s = ex_slab_of(b);
    void *p = ex_slab_block_at(s, (ULONG)(b - s->blocks));
    EX_UNPOISON(p, size);
    if (zero)
        ex_zero(p, size);
    return p;
}

/* Frees a block after checking it; a bad free is a bugcheck charged to
 * caller. */
EX_POOL_INLINE void ex_block_free(const char *routine, PVOID p, ULONG tag, const void *caller)
{
    uintptr_t addr = (uintptr_t)p;
    if (addr - ex_arena_base >= __atomic_load_n(&ex_slab_top, __ATOMIC_ACQUIRE)) {
        if (ex_in_special(addr))
            ex_special_free(routine, addr, tag, caller);
        else
            ex_large_free(routine, addr, tag, caller);
        return;
    }
    struct ex_slab *s = ex_slab_of(p);
    /* Below the data (header, records) the offset wraps and fails too. */
    ULONG64 in = (addr & (EX_UNIT_SIZE - 1)) - s->data_offset;
    if (__builtin_expect(in >= s->data_bytes, 0))
        ex_slab_bad_free(routine, addr, tag, caller, NULL);
    ULONG idx = (ULONG)((in * s->recip) >> EX_RECIP_SHIFT);
    struct ex_block *b = &s->blocks[idx];
    if (__builtin_expect((ULONG64)idx * s->block_size != in, 0))
        ex_slab_bad_free(routine, addr, tag, caller, NULL);
    ULONG64 ident = b->ident;
    if (__builtin_expect((ident >> 48) != EX_BLOCK_LIVE || ex_tag_mismatch((ULONG)ident, tag) ||
                             !ex_irql_allows((USHORT)(ident >> 32)),
                         0))
        ex_slab_bad_free(routine, addr, tag, caller, b);

    b->freed_by = caller;
    __atomic_store_n(&b->state, EX_BLOCK_FREED, __ATOMIC_RELEASE);
    ex_count_free(ident & EX_IDENT_TAG_TYPE);
    vf_lock_forget(p, s->block_size);
    EX_POISON(p, s->block_size);

    struct ex_heap *h = ex_my_heap;
    if (__builtin_expect(!h, 0) && !(h = ex_heap_create())) {
        ex_block_give_back(b);
        return;
    }
    struct ex_quarantine *q = &h->quarantine[s->cls];
    if (q->count == EX_POOL_QUARANTINE_BLOCKS)
        ex_quarantine_evict(h, q);
    q->blocks[(q->head + q->count) & EX_QUARANTINE_MASK] = b;
    q->count++;
}

/* The IRQL check, then the allocation. */
EX_POOL_INLINE PVOID ex_pool_alloc_checked(ULONG type, SIZE_T size, ULONG tag, bool zero, const void *caller)
{
    if (!ex_irql_allows(type))
        ex_bad_alloc_irql(type, size, caller);
    return ex_block_alloc(type, size, tag, zero, caller);
}

#endif
