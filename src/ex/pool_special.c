/* ex/pool_special.c: special pool, Driver Verifier's way of catching
 * overruns and uses after free at the faulting access: the pool's third
 * allocation path, taken for blocks under a page while the special-pool
 * group is on (Windows applies special pool to those alone).
 *
 * Each block gets a slot of two pages in the arena's last part: its own
 * page, with the block at the page's end ("Verify End", Windows' default),
 * then a guard page that is never accessible. The block starts on the
 * pool's alignment (16 bytes; 64 for the cache-aligned types), so up to
 * 15 (63) bytes of slack may follow it; those and the bytes before the
 * block are filled with a pattern, checked when the block is freed. So
 *   - an access past the page faults at once: the fault handler asks
 *     ex_pool_classify_fault and stops with 0xD6;
 *   - a write into the slack is found at free: 0xC1, subcode 0x24 after
 *     the block, 0x23 before it;
 *   - a freed block's page is made inaccessible at once, so any later
 *     access faults: 0xD5. Freed slots wait in a queue, oldest first, and
 *     are reused once EX_SPECIAL_QUARANTINE of them wait (or every slot
 *     has been used), so a late access is caught for the next thousands
 *     of frees.
 * Page faults and protection changes are what special pool costs (each
 * one microseconds, against tens of nanoseconds for a standard-pool
 * allocation), so a slot's page is made inaccessible, not given back: it
 * keeps its memory, and the pattern, which the free restores over the
 * block, so a reuse is one protection change and no fresh page; the
 * quarantine's length bounds the memory kept. The blocks' records live
 * apart, one per slot. Each live block costs two memory mappings of the
 * process: past EX_SPECIAL_LIVE_MAX live blocks, or when the slots run
 * out, blocks come from the standard pool, as Windows does when its
 * special pool is exhausted. One lock: every allocation and free makes a
 * system call anyway. */
#include "ex/pool_internal.h"

#include "ke/bugcheck.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define EX_SPECIAL_SLOT (2 * EX_PAGE_SIZE)
#define EX_SPECIAL_LIVE_MAX 16384u
#define EX_SPECIAL_NONE 0xFFFFFFFFu
/* The slack's fill. */
#define EX_SPECIAL_PATTERN 0xAB
#define SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION 0xC1

static pthread_once_t ex_special_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t ex_special_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ex_block *ex_special_recs; /* one per slot */
static ULONG ex_special_slots;
/* Under the lock: slots [0, ex_special_fresh) have been used; freed ones
 * (ex_special_queued of them) wait in a queue linked through their
 * records' next, oldest first. */
static ULONG ex_special_fresh, ex_special_live, ex_special_queued;
static ULONG ex_special_oldest = EX_SPECIAL_NONE, ex_special_newest = EX_SPECIAL_NONE;
static unsigned char ex_special_pattern[EX_PAGE_SIZE];
/* Under the lock: the live paged blocks' slots whose pages are accessible
 * (each record's next is its index here, EX_SPECIAL_NONE when its page is
 * trimmed); ex_paged_open mirrors the count, which ke_pageable_open
 * includes for ke_irql_set. */
static ULONG ex_paged_slots[EX_SPECIAL_LIVE_MAX];
unsigned ex_paged_open;

static void ex_special_init(void)
{
    if (!ex_arena_reserve())
        return;
    memset(ex_special_pattern, EX_SPECIAL_PATTERN, sizeof ex_special_pattern);
    struct ex_block *recs = calloc(ex_arena_special_bytes / EX_SPECIAL_SLOT, sizeof *recs);
    if (!recs)
        return;
    ex_special_slots = (ULONG)(ex_arena_special_bytes / EX_SPECIAL_SLOT);
    __atomic_store_n(&ex_special_recs, recs, __ATOMIC_RELEASE);
}

static inline char *ex_special_page(ULONG slot)
{
    return (char *)(ex_arena_special_base + (SIZE_T)slot * EX_SPECIAL_SLOT);
}

/* Where a slot's block starts: at the page's end, less the block rounded up
 * to its alignment. */
static uintptr_t ex_special_block_start(ULONG slot, ULONG type, SIZE_T size)
{
    SIZE_T align = (type & 4) ? 64 : 16;
    SIZE_T span = ((size ? size : 1) + align - 1) & ~(align - 1);
    return (uintptr_t)ex_special_page(slot) + EX_PAGE_SIZE - span;
}

static struct ex_found ex_special_found(ULONG slot, const struct ex_block *b)
{
    return (struct ex_found){ ex_special_block_start(slot, b->type, b->size), b->size, *b };
}

/* A slot for a new block, or EX_SPECIAL_NONE. Under the lock. */
static ULONG ex_special_take(void)
{
    ULONG slot = EX_SPECIAL_NONE;
    if (ex_special_live >= EX_SPECIAL_LIVE_MAX)
        return slot;
    if (ex_special_fresh < ex_special_slots && ex_special_queued < EX_SPECIAL_QUARANTINE)
        return ex_special_fresh++;
    if ((slot = ex_special_oldest) != EX_SPECIAL_NONE) {
        ex_special_queued--;
        ex_special_oldest = ex_special_recs[slot].next;
        if (ex_special_oldest == EX_SPECIAL_NONE)
            ex_special_newest = EX_SPECIAL_NONE;
    }
    return slot;
}

/* Queues a slot for reuse, after all the others. Under the lock. */
static void ex_special_queue(ULONG slot)
{
    ex_special_recs[slot].next = EX_SPECIAL_NONE;
    if (ex_special_newest != EX_SPECIAL_NONE)
        ex_special_recs[ex_special_newest].next = slot;
    else
        ex_special_oldest = slot;
    ex_special_newest = slot;
    ex_special_queued++;
}

static bool ex_special_paged(const struct ex_block *b)
{
    return b->type & 1;
}

/* Paged pool at DISPATCH_LEVEL, caught every time: a paged block's page
 * is accessible only until a thread raises to DISPATCH_LEVEL or above
 * (ex_paged_trim, Driver Verifier's "trim on raise"); a thread below it
 * that touches the page opens it again (ex_pool_paged_reopen, from the
 * fault handler), one above it faults: 0xD1. Protection is per process,
 * so another thread's reopening can let a raised thread through until the
 * next raise. Under the lock: records slot's page as open. */
static void ex_paged_track(ULONG slot)
{
    ULONG n = __atomic_load_n(&ex_paged_open, __ATOMIC_RELAXED);
    ex_special_recs[slot].next = n;
    ex_paged_slots[n] = slot;
    __atomic_store_n(&ex_paged_open, n + 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&ke_pageable_open, 1u, __ATOMIC_RELAXED);
}

/* Under the lock: slot's page leaves the open list (freed or trimmed). */
static void ex_paged_untrack(ULONG slot)
{
    ULONG i = ex_special_recs[slot].next, n = __atomic_load_n(&ex_paged_open, __ATOMIC_RELAXED) - 1;
    ex_paged_slots[i] = ex_paged_slots[n];
    ex_special_recs[ex_paged_slots[i]].next = i;
    ex_special_recs[slot].next = EX_SPECIAL_NONE;
    __atomic_store_n(&ex_paged_open, n, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&ke_pageable_open, 1u, __ATOMIC_RELAXED);
}

void ex_paged_trim(void)
{
    pthread_mutex_lock(&ex_special_lock);
    ULONG n = __atomic_load_n(&ex_paged_open, __ATOMIC_RELAXED);
    for (ULONG i = n; i-- > 0;) {
        ULONG slot = ex_paged_slots[i];
        ex_arena_seal(ex_special_page(slot), EX_PAGE_SIZE);
        ex_special_recs[slot].next = EX_SPECIAL_NONE;
    }
    __atomic_store_n(&ex_paged_open, 0, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&ke_pageable_open, n, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&ex_special_lock);
}

bool ex_pool_paged_reopen(const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    struct ex_block *recs = __atomic_load_n(&ex_special_recs, __ATOMIC_ACQUIRE);
    bool reopened = false;

    if (!recs || !ex_in_special(a) || (a - ex_arena_special_base) % EX_SPECIAL_SLOT >= EX_PAGE_SIZE ||
        ke_irql_get() >= DISPATCH_LEVEL)
        return false;
    ULONG slot = (ULONG)((a - ex_arena_special_base) / EX_SPECIAL_SLOT);
    pthread_mutex_lock(&ex_special_lock);
    struct ex_block *b = &recs[slot];
    if (b->state == EX_BLOCK_LIVE && ex_special_paged(b)) {
        reopened = b->next != EX_SPECIAL_NONE || ex_arena_commit(ex_special_page(slot), EX_PAGE_SIZE);
        if (b->next == EX_SPECIAL_NONE && reopened)
            ex_paged_track(slot);
    }
    pthread_mutex_unlock(&ex_special_lock);
    return reopened;
}

EX_POOL_COLD void *ex_special_alloc(ULONG type, SIZE_T size, ULONG tag, bool zero, const void *caller)
{
    pthread_once(&ex_special_once, ex_special_init);
    if (!ex_special_recs)
        return NULL;

    pthread_mutex_lock(&ex_special_lock);
    ULONG slot = ex_special_take();
    char *page = slot != EX_SPECIAL_NONE ? ex_special_page(slot) : NULL;
    if (page && !ex_arena_commit(page, EX_PAGE_SIZE)) {
        ex_special_queue(slot);
        page = NULL;
    }
    if (!page) {
        pthread_mutex_unlock(&ex_special_lock);
        return NULL;
    }
    struct ex_block *b = &ex_special_recs[slot];
    bool fresh = b->state == EX_BLOCK_UNUSED;
    b->caller = caller;
    b->sequence = ex_sequence_next();
    b->size = (ULONG)size;
    __atomic_store_n(&b->ident, ex_ident(tag, type, EX_BLOCK_LIVE), __ATOMIC_RELEASE);
    b->next = EX_SPECIAL_NONE;
    if (ex_special_paged(b) && vf_enabled(VF_IRQL))
        ex_paged_track(slot);
    ex_special_live++;
    pthread_mutex_unlock(&ex_special_lock);

    /* The block itself gets the pattern too, unless it is zeroed: a driver
     * reading memory it never wrote sees 0xAB, not zeros by luck. A reused
     * page has it already. */
    if (fresh)
        memset(page, EX_SPECIAL_PATTERN, EX_PAGE_SIZE);
    void *p = (void *)ex_special_block_start(slot, type, size);
    if (zero)
        memset(p, 0, size);
    return p;
}

/* The first byte of [from, to) that is not the pattern, or 0. */
static uintptr_t ex_special_first_corrupt(uintptr_t from, uintptr_t to)
{
    if (memcmp((const void *)from, ex_special_pattern, to - from) == 0)
        return 0;
    while (*(const unsigned char *)from == EX_SPECIAL_PATTERN)
        from++;
    return from;
}

/* 0xC1: P1 the address freed, P2 the first corrupted byte, P3 0, P4 0x24
 * when it follows the block, 0x23 when it precedes it. */
EX_POOL_COLD __attribute__((noreturn)) static void ex_special_corrupted(const char *routine, const struct ex_found *f,
                                                                       uintptr_t bad, const void *caller)
{
    struct vf_block block = ex_found_block(f);
    char what[512];
    bool after = bad >= f->addr + f->size;

    vf_report_note_block(&block);
    ke_bugcheck(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, f->addr, bad, 0, after ? 0x24 : 0x23, caller,
                "%s(0x%llx): the special-pool page's slack %s the block was overwritten: the byte at 0x%llx, "
                "%llu bytes %s, is 0x%02X, not the pattern 0x%02X: %s.",
                routine, (unsigned long long)f->addr, after ? "after" : "before", (unsigned long long)bad,
                (unsigned long long)(after ? bad - f->addr - f->size : f->addr - bad),
                after ? "past the block's end" : "before the block", *(const unsigned char *)bad,
                EX_SPECIAL_PATTERN, ex_pool_describe_block(&block, what, sizeof what));
}

EX_POOL_COLD void ex_special_free(const char *routine, uintptr_t addr, ULONG tag, const void *caller)
{
    struct ex_block *recs = __atomic_load_n(&ex_special_recs, __ATOMIC_ACQUIRE);
    ULONG slot = (ULONG)((addr - ex_arena_special_base) / EX_SPECIAL_SLOT);
    struct ex_found found;

    if (!recs)
        ex_free_failed(routine, addr, tag, caller, NULL);
    pthread_mutex_lock(&ex_special_lock);
    struct ex_block *b = &recs[slot];
    found = ex_special_found(slot, b);
    if (b->state != EX_BLOCK_LIVE || addr != found.addr || ex_tag_mismatch(b->tag, tag) || !ex_irql_allows(b->type)) {
        bool known = b->state != EX_BLOCK_UNUSED && addr == found.addr;
        pthread_mutex_unlock(&ex_special_lock);
        ex_free_failed(routine, addr, tag, caller, known ? &found : NULL);
    }
    uintptr_t page = (uintptr_t)ex_special_page(slot);
    if (b->next != EX_SPECIAL_NONE)
        ex_paged_untrack(slot);
    else if (ex_special_paged(b))
        ex_arena_commit((void *)page, EX_PAGE_SIZE); /* trimmed: opened for the checks */
    uintptr_t bad = ex_special_first_corrupt(addr + b->size, page + EX_PAGE_SIZE);
    if (!bad)
        bad = ex_special_first_corrupt(page, addr);
    if (bad) {
        pthread_mutex_unlock(&ex_special_lock);
        ex_special_corrupted(routine, &found, bad, caller);
    }
    vf_lock_forget((const void *)addr, b->size);
    memset((void *)addr, EX_SPECIAL_PATTERN, b->size);
    ex_arena_seal((void *)page, EX_PAGE_SIZE);
    b->freed_by = caller;
    __atomic_store_n(&b->state, EX_BLOCK_FREED, __ATOMIC_RELEASE);
    ex_special_queue(slot);
    ex_special_live--;
    ULONG64 tag_type = b->ident & EX_IDENT_TAG_TYPE;
    pthread_mutex_unlock(&ex_special_lock);
    ex_count_free(tag_type);
}

bool ex_special_containing(uintptr_t addr, struct ex_found *out)
{
    struct ex_block *recs = __atomic_load_n(&ex_special_recs, __ATOMIC_ACQUIRE);
    ULONG slot = (ULONG)((addr - ex_arena_special_base) / EX_SPECIAL_SLOT);
    bool found = false;

    if (!recs)
        return false;
    pthread_mutex_lock(&ex_special_lock);
    const struct ex_block *b = &recs[slot];
    if (b->state == EX_BLOCK_LIVE) {
        struct ex_found f = ex_special_found(slot, b);
        if (addr > f.addr && addr - f.addr < (f.size ? f.size : 1)) {
            *out = f;
            found = true;
        }
    }
    pthread_mutex_unlock(&ex_special_lock);
    return found;
}

void ex_special_each_live(ex_block_visit *fn, void *ctx)
{
    if (!__atomic_load_n(&ex_special_recs, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&ex_special_lock);
    for (ULONG slot = 0; slot < ex_special_fresh; slot++)
        if (ex_special_recs[slot].state == EX_BLOCK_LIVE) {
            struct ex_found f = ex_special_found(slot, &ex_special_recs[slot]);
            fn(&f, ctx);
        }
    pthread_mutex_unlock(&ex_special_lock);
}

bool ex_pool_paged_block(const void *addr, struct vf_block *block)
{
    uintptr_t a = (uintptr_t)addr;
    struct ex_block *recs = __atomic_load_n(&ex_special_recs, __ATOMIC_ACQUIRE);

    if (!recs || !ex_in_special(a) || (a - ex_arena_special_base) % EX_SPECIAL_SLOT >= EX_PAGE_SIZE)
        return false;
    ULONG slot = (ULONG)((a - ex_arena_special_base) / EX_SPECIAL_SLOT);
    struct ex_block b = recs[slot];
    if (b.state != EX_BLOCK_LIVE || !ex_special_paged(&b))
        return false;
    struct ex_found f = ex_special_found(slot, &b);
    *block = ex_found_block(&f);
    return true;
}

enum ex_pool_fault ex_pool_classify_fault(const void *addr, struct vf_block *block)
{
    uintptr_t a = (uintptr_t)addr;
    struct ex_block *recs = __atomic_load_n(&ex_special_recs, __ATOMIC_ACQUIRE);

    if (!recs || !ex_in_special(a))
        return EX_POOL_FAULT_NONE;
    ULONG slot = (ULONG)((a - ex_arena_special_base) / EX_SPECIAL_SLOT);
    bool guard = (a - ex_arena_special_base) % EX_SPECIAL_SLOT >= EX_PAGE_SIZE;
    struct ex_block b = recs[slot];
    UCHAR state = __atomic_load_n(&recs[slot].state, __ATOMIC_ACQUIRE);

    /* A never-used slot's pages, and a live block's own page (which only
     * faults on execution), are nothing special pool can explain. */
    if (state == EX_BLOCK_UNUSED || (!guard && state != EX_BLOCK_FREED))
        return EX_POOL_FAULT_NONE;
    struct ex_found f = ex_special_found(slot, &b);
    f.rec.state = state;
    *block = ex_found_block(&f);
    return guard ? EX_POOL_FAULT_BEYOND_END : EX_POOL_FAULT_FREED;
}
