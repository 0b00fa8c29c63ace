/* ex/pool_large.c: pool blocks above 32 KB, each in a span of arena units
 * of its own, in the arena's second half (up to special pool's part).
 *
 * A span is a header page (the block's record), an inaccessible guard page,
 * then the block, page-aligned as Windows aligns a page or more. Only the
 * block's pages are committed; the rest of the span stays inaccessible, so
 * running off the end of the block's last page faults. A freed block's pages
 * are decommitted at once: a use after free faults, and the next block in
 * the span starts out zeroed without a memset. Spans are power-of-two units
 * long and reused by length; the header page stays, so a second free is
 * recognised until the span is reused. One lock: each allocation and free
 * costs system calls anyway. */
#include "ex/pool_internal.h"

#include <pthread.h>
#include <unistd.h>

#define EX_SPAN_DATA (2 * EX_PAGE_SIZE)
#define EX_SPAN_BINS 64
/* Units of the largest arena's second half. */
#define EX_LARGE_UNITS ((EX_ARENA_MAX / 2) >> EX_UNIT_SHIFT)

struct ex_span {
    SIZE_T size;  /* as requested */
    SIZE_T units; /* span length */
    struct ex_span *next_free;
    struct ex_block rec;
};

static pthread_mutex_t ex_large_lock = PTHREAD_MUTEX_INITIALIZER;
/* Bytes of the second half carved into spans; spans tile them. */
static SIZE_T ex_large_top;
/* Freed spans by log2 of their length. */
static struct ex_span *ex_large_bins[EX_SPAN_BINS];
/* Per unit of the second half: 1 where a span starts. */
static UCHAR ex_large_head[EX_LARGE_UNITS];

static SIZE_T ex_machine_bytes(void)
{
    static SIZE_T bytes;
    if (!bytes) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        bytes = (pages > 0 && page > 0) ? (SIZE_T)pages * (SIZE_T)page : ((SIZE_T)1 << 40);
    }
    return bytes;
}

static inline uintptr_t ex_large_base(void)
{
    return ex_arena_base + ex_arena_slab_bytes;
}

static inline SIZE_T ex_large_bytes(void)
{
    return ex_arena_bytes - ex_arena_slab_bytes - ex_arena_special_bytes;
}

static inline struct ex_span *ex_span_at_unit(SIZE_T unit)
{
    return (struct ex_span *)(ex_large_base() + (unit << EX_UNIT_SHIFT));
}

/* A span of 2^bin units: a freed one, or a new one carved at the top. */
static struct ex_span *ex_span_take(unsigned bin)
{
    struct ex_span *span = ex_large_bins[bin];
    if (span) {
        ex_large_bins[bin] = span->next_free;
        return span;
    }
    SIZE_T bytes = (SIZE_T)EX_UNIT_SIZE << bin;
    if (bytes > ex_large_bytes() - ex_large_top)
        return NULL;
    span = (struct ex_span *)(ex_large_base() + ex_large_top);
    if (!ex_arena_commit(span, EX_PAGE_SIZE))
        return NULL;
    span->units = (SIZE_T)1 << bin;
    ex_large_head[ex_large_top >> EX_UNIT_SHIFT] = 1;
    ex_large_top += bytes;
    return span;
}

/* A size larger than the machine's memory fails before the arena is
 * asked. */
EX_POOL_ABI void *ex_large_alloc(ULONG type, SIZE_T size, ULONG tag, const void *caller)
{
    if (size > ex_machine_bytes())
        return NULL;
    SIZE_T data = (size + EX_PAGE_SIZE - 1) & ~(EX_PAGE_SIZE - 1);
    SIZE_T units = (EX_SPAN_DATA + data + EX_UNIT_SIZE - 1) >> EX_UNIT_SHIFT;
    unsigned bin = units > 1 ? 64 - (unsigned)__builtin_clzll(units - 1) : 0;

    if (bin >= EX_SPAN_BINS)
        return NULL;
    pthread_mutex_lock(&ex_large_lock);
    struct ex_span *span = ex_span_take(bin);
    char *p = span ? (char *)span + EX_SPAN_DATA : NULL;
    if (span && !ex_arena_commit(p, data)) {
        span->next_free = ex_large_bins[bin];
        ex_large_bins[bin] = span;
        p = NULL;
    }
    if (p) {
        span->size = size;
        span->rec.caller = caller;
        span->rec.sequence = ex_sequence_next();
        __atomic_store_n(&span->rec.ident, ex_ident(tag, type, EX_BLOCK_LIVE), __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&ex_large_lock);
    return p;
}

/* The span whose block starts at addr, or NULL. Under ex_large_lock. */
static struct ex_span *ex_span_of_block(uintptr_t addr)
{
    SIZE_T off = addr - ex_large_base() - EX_SPAN_DATA;
    if (addr - ex_large_base() < EX_SPAN_DATA || off >= ex_large_top || (off & (EX_UNIT_SIZE - 1)) ||
        !ex_large_head[off >> EX_UNIT_SHIFT])
        return NULL;
    return ex_span_at_unit(off >> EX_UNIT_SHIFT);
}

static struct ex_found ex_span_found(const struct ex_span *span)
{
    return (struct ex_found){ (uintptr_t)span + EX_SPAN_DATA, span->size, span->rec };
}

EX_POOL_ABI void ex_large_free(const char *routine, uintptr_t addr, ULONG tag, const void *caller)
{
    pthread_mutex_lock(&ex_large_lock);
    struct ex_span *span = ex_span_of_block(addr);
    if (!span || span->rec.state != EX_BLOCK_LIVE || ex_tag_mismatch(span->rec.tag, tag) ||
        !ex_irql_allows(span->rec.type)) {
        struct ex_found found;
        bool known = span && span->rec.state != EX_BLOCK_UNUSED;
        if (known)
            found = ex_span_found(span);
        pthread_mutex_unlock(&ex_large_lock);
        ex_free_failed(routine, addr, tag, caller, known ? &found : NULL);
    }
    vf_lock_forget((const void *)addr, span->rec.size);
    ex_arena_decommit((void *)addr, (span->units << EX_UNIT_SHIFT) - EX_SPAN_DATA);
    span->rec.freed_by = caller;
    __atomic_store_n(&span->rec.state, EX_BLOCK_FREED, __ATOMIC_RELEASE);
    unsigned bin = (unsigned)__builtin_ctzll(span->units);
    span->next_free = ex_large_bins[bin];
    ex_large_bins[bin] = span;
    ULONG64 tag_type = span->rec.ident & EX_IDENT_TAG_TYPE;
    pthread_mutex_unlock(&ex_large_lock);
    ex_count_free(tag_type);
}

bool ex_large_containing(uintptr_t addr, struct ex_found *out)
{
    bool found = false;
    pthread_mutex_lock(&ex_large_lock);
    SIZE_T off = addr - ex_large_base();
    if (off < ex_large_top) {
        SIZE_T unit = off >> EX_UNIT_SHIFT;
        while (!ex_large_head[unit])
            unit--;
        struct ex_span *span = ex_span_at_unit(unit);
        uintptr_t start = (uintptr_t)span + EX_SPAN_DATA;
        if (span->rec.state == EX_BLOCK_LIVE && addr > start && addr - start < span->size) {
            *out = ex_span_found(span);
            found = true;
        }
    }
    pthread_mutex_unlock(&ex_large_lock);
    return found;
}

void ex_large_each_live(ex_block_visit *fn, void *ctx)
{
    pthread_mutex_lock(&ex_large_lock);
    for (SIZE_T off = 0; off < ex_large_top;) {
        struct ex_span *span = ex_span_at_unit(off >> EX_UNIT_SHIFT);
        if (span->rec.state == EX_BLOCK_LIVE) {
            struct ex_found found = ex_span_found(span);
            fn(&found, ctx);
        }
        off += span->units << EX_UNIT_SHIFT;
    }
    pthread_mutex_unlock(&ex_large_lock);
}
