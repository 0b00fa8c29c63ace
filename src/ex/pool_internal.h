/* ex/pool_internal.h: what the pool's own files (src/ex/pool*.c) share: a
 * block's record, the arena's bounds, the three allocators (slabs for blocks
 * up to 32 KB, spans above, and special pool's page per block while
 * Driver Verifier's special-pool group is on), the per-thread counters, and
 * the hand-off from an allocator to the bad-free bugchecks. The allocation
 * and free fast paths: src/ex/pool_fast.h. */
#ifndef NTBOX_EX_POOL_INTERNAL_H
#define NTBOX_EX_POOL_INTERNAL_H

#include "ex/pool.h"
#include "ke/irql.h"
#include "verifier/lock_order.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define EX_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define EX_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define EX_POISON(p, n) ((void)(p), (void)(n))
#define EX_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define BAD_POOL_CALLER 0xC2

/* The exports use the Microsoft ABI, where xmm6-xmm15 are callee-saved: a
 * call from one into a System V routine saves and restores all ten, which
 * costs more than the rest of an allocation. The routines on the pool's
 * paths use the Microsoft ABI too, so only the slow paths that reach the C
 * library pay for it. */
#define EX_POOL_ABI __attribute__((ms_abi))
/* A slow path kept out of line (and out of the caller's registers). */
#define EX_POOL_COLD __attribute__((ms_abi, noinline, cold))
/* A fast path: always inline, since an out-of-line copy would be a System V
 * routine. */
#define EX_POOL_INLINE static inline __attribute__((always_inline))

#define EX_PAGE_SIZE ((SIZE_T)4096)
/* The arena's allocation unit: one slab, or a piece of a large block's span. */
#define EX_UNIT_SHIFT 18
#define EX_UNIT_SIZE ((SIZE_T)1 << EX_UNIT_SHIFT)
/* The arena's address space: 64 GB at most. */
#define EX_ARENA_MAX ((SIZE_T)1 << 36)
/* Blocks up to this size come from slabs; larger ones get a span. */
#define EX_SLAB_MAX ((SIZE_T)32768)

enum ex_block_state { EX_BLOCK_UNUSED, EX_BLOCK_LIVE, EX_BLOCK_FREED };

/* One block's record, apart from the block (in its slab's header or its
 * span's header page), so a driver's overrun does not reach it. */
struct ex_block {
    const void *caller; /* the allocating call site */
    union {
        ULONG64 sequence;     /* while live: allocation order */
        const void *freed_by; /* once freed: the freeing call site */
    };
    union {
        struct {
            ULONG tag;
            USHORT type; /* POOL_TYPE without the modifier bits */
            UCHAR state;    /* enum ex_block_state */
            UCHAR reserved; /* 0: a free reads ident >> 48 as the state */
        };
        /* The same as one word (ex_ident): written in one release store,
         * which publishes the record, and read in one load by a free. */
        ULONG64 ident;
    };
    ULONG size; /* as requested; a span keeps a large block's full size */
    ULONG next; /* while free: the next free block's index in its slab */
};

/* An ident without its state: what the counters are kept by. */
#define EX_IDENT_TAG_TYPE 0x0000FFFFFFFFFFFFULL

EX_POOL_INLINE ULONG64 ex_ident(ULONG tag, ULONG type, enum ex_block_state state)
{
    return (ULONG64)tag | (ULONG64)(USHORT)type << 32 | (ULONG64)state << 48;
}

/* A block as a report or a bad free sees it. */
struct ex_found {
    uintptr_t addr;
    SIZE_T size;
    struct ex_block rec;
};

typedef void ex_block_visit(const struct ex_found *block, void *ctx);

/* ------------------------------------------------------------------ */
/* The arena (pool_arena.c): one reservation, slabs in its first
 * ex_arena_slab_bytes, special pool's slots in its last
 * ex_arena_special_bytes (from ex_arena_special_base), spans in between.
 * All zero until the first allocation. */
extern uintptr_t ex_arena_base, ex_arena_special_base;
extern SIZE_T ex_arena_slab_bytes, ex_arena_special_bytes, ex_arena_bytes;

/* True when addr is in special pool's part of the arena. */
EX_POOL_INLINE bool ex_in_special(uintptr_t addr)
{
    return addr - ex_arena_special_base < ex_arena_special_bytes;
}

/* Reserves the arena once; false when no address space could be had. */
bool ex_arena_reserve(void);
/* Makes [p, p + n) readable and writable; false when the system refuses. */
bool ex_arena_commit(void *p, SIZE_T n);
/* Gives [p, p + n) back to the system, inaccessible; it reads as zeros
 * once committed again. */
void ex_arena_decommit(void *p, SIZE_T n);
/* Makes [p, p + n) inaccessible but keeps its pages and contents, for a
 * commit to bring back without a fresh page's fault and zeroing. */
void ex_arena_seal(void *p, SIZE_T n);

/* ------------------------------------------------------------------ */
/* Blocks: up to EX_SLAB_MAX in pool_slab.c (and pool_fast.h), larger in
 * pool_large.c. */

/* The live block addr points into (past its first byte); false if none. */
bool ex_block_containing(uintptr_t addr, struct ex_found *out);

EX_POOL_ABI void *ex_large_alloc(ULONG type, SIZE_T size, ULONG tag, const void *caller);
EX_POOL_ABI void ex_large_free(const char *routine, uintptr_t addr, ULONG tag, const void *caller);
bool ex_large_containing(uintptr_t addr, struct ex_found *out);

/* Special pool (pool_special.c): a block under a page, NULL when special
 * pool is exhausted (the caller then uses the standard pool). Freed slots
 * stay inaccessible, EX_SPECIAL_QUARANTINE of them (32 MB of pages),
 * before the oldest is reused. */
#define EX_SPECIAL_QUARANTINE 8192u
EX_POOL_COLD void *ex_special_alloc(ULONG type, SIZE_T size, ULONG tag, bool zero, const void *caller);
EX_POOL_COLD void ex_special_free(const char *routine, uintptr_t addr, ULONG tag, const void *caller);
bool ex_special_containing(uintptr_t addr, struct ex_found *out);

/* Calls fn for each live block (a snapshot when other threads allocate):
 * of one allocator, or (ex_each_live) of all three. */
void ex_slab_each_live(ex_block_visit *fn, void *ctx);
void ex_large_each_live(ex_block_visit *fn, void *ctx);
void ex_special_each_live(ex_block_visit *fn, void *ctx);
void ex_each_live(ex_block_visit *fn, void *ctx);

/* ------------------------------------------------------------------ */
/* Checks and reports (pool.c) */

/* Paged pool at IRQL <= APC_LEVEL, nonpaged at <= DISPATCH_LEVEL. */
EX_POOL_INLINE bool ex_irql_allows(ULONG type)
{
    return ke_irql_get() <= ((type & 1) ? APC_LEVEL : DISPATCH_LEVEL);
}

/* ExFreePoolWithTag's check: a non-zero tag must be the allocation's,
 * ignoring PROTECTED_POOL (tag 0 is ExFreePool, which checks nothing). */
EX_POOL_INLINE bool ex_tag_mismatch(ULONG block_tag, ULONG tag)
{
    return tag && ((block_tag ^ tag) & ~(ULONG)PROTECTED_POOL);
}

/* The bugcheck for a free that failed the checks: found is the block that
 * starts at addr (freed, live with another tag, or paged at too high an
 * IRQL), NULL when no block starts there. */
EX_POOL_COLD __attribute__((noreturn)) void ex_free_failed(const char *routine, uintptr_t addr, ULONG tag,
                                                           const void *caller, const struct ex_found *found);

/* Driver Verifier's zero-byte allocation check (pool-tracking group):
 * 0xC4/0x00, P2 the IRQL, P3 the pool type, P4 the size (0). */
EX_POOL_COLD __attribute__((noreturn)) void ex_zero_size_alloc(ULONG type, ULONG tag, const void *caller);

/* The block as the verifier's report names it. */
struct vf_block ex_found_block(const struct ex_found *found);

/* ------------------------------------------------------------------ */
/* Counters (pool_stats.c). Only frees are counted as they happen: per
 * thread, one writer, no atomic read-modify-write. The reports add the
 * live blocks' records: allocations are frees plus live blocks, bytes
 * those of the live blocks. */

struct ex_tag_slot {
    ULONG64 key; /* of the (tag, class) row; 0 while unused */
    LONG64 frees;
};

extern __thread struct ex_tag_slot *ex_last_slot;
extern __thread ULONG64 ex_last_tag_type;
extern __thread ULONG64 ex_my_sequence, ex_my_sequence_end;

/* This thread's slot for (tag, type) (an ident's low 48 bits), NULL when
 * its table is full; remembered as the last one used. */
EX_POOL_ABI struct ex_tag_slot *ex_tag_slot_find(ULONG64 tag_type);
/* Takes a new batch of sequence numbers; returns the first. */
EX_POOL_ABI ULONG64 ex_sequence_refill(void);

/* Counts a free of (tag, type). Drivers reuse a tag in bursts: the last
 * slot used is tried first. The add is published with a relaxed store,
 * for the reports. */
EX_POOL_INLINE void ex_count_free(ULONG64 tag_type)
{
    struct ex_tag_slot *slot = tag_type == ex_last_tag_type ? ex_last_slot : ex_tag_slot_find(tag_type);
    if (slot)
        __atomic_store_n(&slot->frees, slot->frees + 1, __ATOMIC_RELAXED);
}

/* Allocation order: exact within a thread, approximate across threads. */
EX_POOL_INLINE ULONG64 ex_sequence_next(void)
{
    if (ex_my_sequence == ex_my_sequence_end)
        return ex_sequence_refill();
    return ex_my_sequence++;
}

#endif
