/* ex/pool.c: the pools: ExAllocatePool, ExAllocatePoolWithTag,
 * ExAllocatePoolWithQuotaTag, ExAllocatePoolWithTagPriority, ExAllocatePool2,
 * ExAllocatePool3, ExFreePool, ExFreePoolWithTag, ExFreePool2.
 *
 * Memory comes from malloc; every block is tracked (tag, size, pool type,
 * allocating return address) in a hash table keyed by address, sharded by
 * address with one small lock per shard, so a free of any pointer (wild,
 * interior, already freed) is recognised without reading memory in front of
 * it. Freed blocks wait in a per-shard quarantine before going back to
 * malloc, so a double free is still recognised while the address is not
 * reused. Per-(tag, pool class) counters are kept per thread (one writer,
 * no atomic read-modify-write on the hot path) and summed by the reports; a
 * block freed on another thread is counted there, and the sums stay exact.
 * Paged and nonpaged pool are one heap: nothing is paged, and the IRQL rules
 * are what tell them apart. */
#include "ex/pool.h"

#include "base/diag.h"
#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "loader/symbols.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/membarrier.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define EX_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define EX_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define EX_POISON(p, n) ((void)(p), (void)(n))
#define EX_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define EX_PAGE_SIZE 4096
#define EX_CACHE_LINE 64
#define EX_SHARD_BITS 5
#define EX_SHARDS (1u << EX_SHARD_BITS)
#define EX_QUARANTINE_BLOCKS 16
#define EX_QUARANTINE_BYTES (16u * 1024)
#define EX_TAG_SLOTS 4096
#define EX_SEQUENCE_BATCH 4096

#define BAD_POOL_CALLER 0xC2
/* Windows x64's MmSystemRangeStart, for BAD_POOL_CALLER 0x40. */
#define EX_SYSTEM_RANGE_START 0xFFFF800000000000ULL

/* Counters of one (tag, pool class) in one thread. key: 0 while unused.
 * Only the owning thread writes; the reports read with relaxed loads. */
struct ex_tag_slot {
    ULONG64 key;
    LONG64 allocs, frees, bytes;
};

struct ex_thread_stats {
    struct ex_thread_stats *next;
    struct ex_tag_slot slots[EX_TAG_SLOTS];
};

/* One tracked block, inline in its shard's open-addressing table. */
struct ex_block {
    uintptr_t addr; /* 0: empty entry */
    SIZE_T size;
    const void *caller;
    const void *freed_by; /* while in quarantine: the freeing call site */
    ULONG64 sequence;
    ULONG tag;
    USHORT type;
    USHORT freed; /* in quarantine */
};

struct ex_shard {
    int lock;           /* the plain lock */
    int owner;          /* thread token the shard is biased to, 0: none */
    int in_op;          /* the owner is inside a biased operation */
    unsigned revocations;
    struct ex_block *table;
    size_t capacity, used;
    uintptr_t quarantine[EX_QUARANTINE_BLOCKS];
    unsigned q_head, q_count;
    size_t q_bytes;
} __attribute__((aligned(EX_CACHE_LINE)));

static struct ex_shard ex_shards[EX_SHARDS];
/* Every thread's counters, kept after the thread ends: its frees and
 * allocations stay counted. */
static struct ex_thread_stats *ex_all_stats;
static pthread_mutex_t ex_all_stats_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct ex_thread_stats *ex_my_stats;
static __thread struct ex_tag_slot *ex_last_slot;

/* Allocation order: each thread takes sequence numbers in batches, so the
 * order is exact within a thread and approximate across threads. */
static ULONG64 ex_next_batch;
static __thread ULONG64 ex_my_sequence, ex_my_sequence_end;

/* ------------------------------------------------------------------ */
/* Shards */

/* Shard locks are biased (as JVMs bias monitors): a locked instruction costs
 * as much as malloc and free together, and a shard is nearly always used by
 * one thread, since it covers one malloc arena's region. The owner enters
 * with plain stores and loads; another thread first revokes the bias, with
 * membarrier() standing in for the owner's missing fence: after it, either
 * the owner's in_op is visible (the revoker waits for it) or the owner sees
 * owner == 0 and takes the plain lock. A shard revoked EX_MAX_REVOCATIONS
 * times stays unbiased. Without membarrier every lock is the plain one. */
#define EX_MAX_REVOCATIONS 8

static int ex_next_token;
static __thread int ex_my_token;
static pthread_once_t ex_membarrier_once = PTHREAD_ONCE_INIT;
static bool ex_membarrier_ok;

static void ex_membarrier_register(void)
{
    ex_membarrier_ok = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

static inline int ex_token(void)
{
    if (!ex_my_token)
        ex_my_token = __atomic_add_fetch(&ex_next_token, 1, __ATOMIC_RELAXED);
    return ex_my_token;
}

/* Waits while *flag is set: briefly spinning, then yielding, since a
 * holder preempted on a busy machine may take a while. */
static void ex_wait_clear(const int *flag)
{
    for (unsigned spins = 0; __atomic_load_n(flag, __ATOMIC_ACQUIRE); spins++) {
        if (spins < 256)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
}

/* A test-and-set lock, held for a few hash-table operations. */
static void ex_plain_lock(int *lock)
{
    while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
        ex_wait_clear(lock);
}

/* Under the plain lock: takes the shard away from its owner, if any, and
 * waits for the owner's operation in progress. */
static void ex_revoke_bias(struct ex_shard *s, bool count)
{
    if (!__atomic_load_n(&s->owner, __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&s->owner, 0, __ATOMIC_RELAXED);
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    ex_wait_clear(&s->in_op);
    s->revocations += count;
}

/* Exclusive use of s for an allocation or a free; returns true when the
 * bias was used (pass it to ex_shard_unlock). */
static inline bool ex_shard_lock(struct ex_shard *s)
{
    int me = ex_token();
    if (__atomic_load_n(&s->owner, __ATOMIC_RELAXED) == me) {
        __atomic_store_n(&s->in_op, 1, __ATOMIC_RELAXED);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (__atomic_load_n(&s->owner, __ATOMIC_RELAXED) == me)
            return true;
        __atomic_store_n(&s->in_op, 0, __ATOMIC_RELEASE);
    }
    pthread_once(&ex_membarrier_once, ex_membarrier_register);
    ex_plain_lock(&s->lock);
    ex_revoke_bias(s, true);
    if (ex_membarrier_ok && s->revocations < EX_MAX_REVOCATIONS)
        __atomic_store_n(&s->owner, me, __ATOMIC_RELAXED);
    return false;
}

static inline void ex_shard_unlock(struct ex_shard *s, bool biased)
{
    if (biased)
        __atomic_store_n(&s->in_op, 0, __ATOMIC_RELEASE);
    else
        __atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
}

/* For the reports: exclusive use that neither keeps nor counts the bias. */
static void ex_shard_lock_for_report(struct ex_shard *s)
{
    ex_plain_lock(&s->lock);
    ex_revoke_bias(s, false);
}

static inline ULONG64 ex_hash(uintptr_t addr)
{
    return (ULONG64)(addr >> 4) * 0x9E3779B97F4A7C15ULL;
}

/* By 16 MB region: malloc gives each thread its own arena, so a thread's
 * blocks gather in a few shards whose locks stay in its core's cache, and
 * two threads rarely share one. */
static inline struct ex_shard *ex_shard_of(uintptr_t addr)
{
    return &ex_shards[((ULONG64)(addr >> 24) * 0x9E3779B97F4A7C15ULL) >> (64 - EX_SHARD_BITS)];
}

static inline size_t ex_home(const struct ex_shard *s, uintptr_t addr)
{
    /* Fibonacci hashing: the product's high bits mix every address bit. */
    return (size_t)(ex_hash(addr) >> (64 - __builtin_ctzll(s->capacity)));
}

static struct ex_block *ex_find(struct ex_shard *s, uintptr_t addr)
{
    if (!s->table)
        return NULL;
    for (size_t i = ex_home(s, addr);; i = (i + 1) & (s->capacity - 1)) {
        if (s->table[i].addr == addr)
            return &s->table[i];
        if (!s->table[i].addr)
            return NULL;
    }
}

static void ex_put(struct ex_shard *s, const struct ex_block *b)
{
    size_t i = ex_home(s, b->addr);
    while (s->table[i].addr && s->table[i].addr != b->addr)
        i = (i + 1) & (s->capacity - 1);
    if (!s->table[i].addr)
        s->used++;
    s->table[i] = *b;
}

/* Keeps the load under one half; false when memory for the table is gone. */
static bool ex_reserve(struct ex_shard *s)
{
    if (s->table && (s->used + 1) * 2 <= s->capacity)
        return true;
    size_t old_cap = s->capacity, new_cap = old_cap ? old_cap * 2 : 256;
    struct ex_block *old = s->table, *fresh = calloc(new_cap, sizeof *fresh);
    if (!fresh)
        return false;
    s->table = fresh;
    s->capacity = new_cap;
    s->used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].addr)
            ex_put(s, &old[i]);
    free(old);
    return true;
}

/* Linear-probing delete: later entries of the cluster move back into the
 * hole, so lookups never need tombstones. */
static void ex_remove(struct ex_shard *s, struct ex_block *b)
{
    size_t mask = s->capacity - 1, hole = (size_t)(b - s->table);
    for (size_t i = (hole + 1) & mask; s->table[i].addr; i = (i + 1) & mask) {
        size_t home = ex_home(s, s->table[i].addr);
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            s->table[hole] = s->table[i];
            hole = i;
        }
    }
    s->table[hole].addr = 0;
    s->used--;
}

/* Returns the oldest quarantined blocks to malloc until the quarantine fits. */
static void ex_quarantine_trim(struct ex_shard *s)
{
    while (s->q_count > EX_QUARANTINE_BLOCKS - 1 || (s->q_count && s->q_bytes > EX_QUARANTINE_BYTES)) {
        uintptr_t addr = s->quarantine[s->q_head];
        struct ex_block *b = ex_find(s, addr);
        s->q_head = (s->q_head + 1) % EX_QUARANTINE_BLOCKS;
        s->q_count--;
        s->q_bytes -= b->size;
        EX_UNPOISON((void *)addr, b->size);
        ex_remove(s, b);
        free((void *)addr);
    }
}

static void ex_quarantine_add(struct ex_shard *s, struct ex_block *b, const void *freed_by)
{
    b->freed = 1;
    b->freed_by = freed_by;
    EX_POISON((void *)b->addr, b->size);
    s->quarantine[(s->q_head + s->q_count) % EX_QUARANTINE_BLOCKS] = b->addr;
    s->q_count++;
    s->q_bytes += b->size;
    ex_quarantine_trim(s);
}

/* ------------------------------------------------------------------ */
/* Tags */

static inline enum ex_pool_class ex_class_of(ULONG type)
{
    if (type & 1)
        return EX_POOL_PAGED;
    return (type & POOL_NX_ALLOCATION) ? EX_POOL_NONPAGED_NX : EX_POOL_NONPAGED;
}

static inline ULONG64 ex_tag_key(ULONG tag, ULONG type)
{
    return ((ULONG64)(ex_class_of(type) + 1) << 32) | (tag & ~(ULONG)PROTECTED_POOL);
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

/* FIXME: a thread using more than 4096 (tag, class) pairs leaves the rest
 * uncounted. */
static struct ex_tag_slot *ex_tag_slot_find(ULONG64 key)
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

/* This thread's counters of (tag, pool class of type), NULL when its table
 * is full; the last one used is remembered, drivers reuse a tag in bursts. */
static inline struct ex_tag_slot *ex_tag_slot(ULONG64 key)
{
    if (ex_last_slot && ex_last_slot->key == key)
        return ex_last_slot;
    return ex_last_slot = ex_tag_slot_find(key);
}

/* Single-writer update: a plain add, published with a relaxed store. */
static inline void ex_count(LONG64 *counter, LONG64 delta)
{
    __atomic_store_n(counter, *counter + delta, __ATOMIC_RELAXED);
}

static inline void ex_count_free(ULONG64 key, SIZE_T size)
{
    struct ex_tag_slot *slot = ex_tag_slot(key);
    if (slot) {
        ex_count(&slot->frees, 1);
        ex_count(&slot->bytes, -(LONG64)size);
    }
}

static ULONG64 ex_sequence(void)
{
    if (ex_my_sequence == ex_my_sequence_end) {
        ex_my_sequence = __atomic_fetch_add(&ex_next_batch, EX_SEQUENCE_BATCH, __ATOMIC_RELAXED);
        ex_my_sequence_end = ex_my_sequence + EX_SEQUENCE_BATCH;
    }
    return ex_my_sequence++;
}

/* ------------------------------------------------------------------ */
/* Allocation and free */

static SIZE_T ex_machine_bytes(void)
{
    static SIZE_T bytes;
    if (!bytes) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        bytes = (pages > 0 && page > 0) ? (SIZE_T)pages * (SIZE_T)page : ((SIZE_T)1 << 40);
    }
    return bytes;
}

/* Pages for a page or more, as Windows does; 64 bytes for the cache-aligned
 * types; malloc's 16 otherwise, which is x64 Windows' pool alignment.
 * FIXME: Windows also keeps a block under a page within one page. */
static void *ex_heap_alloc(SIZE_T size, ULONG type)
{
    size_t align = size >= EX_PAGE_SIZE ? EX_PAGE_SIZE : (type & 4) ? EX_CACHE_LINE : 0;
    void *p = NULL;

    if (!align)
        return malloc(size ? size : 1);
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

/* Allocates and tracks a block; type has no modifier bits. NULL on failure:
 * a size larger than the machine's memory fails before asking malloc. */
static void *ex_block_alloc(ULONG type, SIZE_T size, ULONG tag, bool zero, const void *caller)
{
    if (size > ex_machine_bytes())
        return NULL;
    void *p = ex_heap_alloc(size, type);
    if (!p)
        return NULL;
    if (zero)
        memset(p, 0, size);

    struct ex_block b = { .addr = (uintptr_t)p, .size = size, .caller = caller, .sequence = ex_sequence(),
                          .tag = tag, .type = (USHORT)type };
    struct ex_shard *s = ex_shard_of(b.addr);
    bool biased = ex_shard_lock(s);
    if (!ex_reserve(s)) {
        ex_shard_unlock(s, biased);
        free(p);
        return NULL;
    }
    ex_put(s, &b);
    ex_shard_unlock(s, biased);
    struct ex_tag_slot *slot = ex_tag_slot(ex_tag_key(tag, type));
    if (slot) {
        ex_count(&slot->allocs, 1);
        ex_count(&slot->bytes, (LONG64)size);
    }
    return p;
}

/* The POOL_TYPE modifier bits, which ExAllocatePoolWithTag & co strip. */
#define EX_POOL_TYPE_MODIFIERS \
    (POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_COLD_ALLOCATION | POOL_ZERO_ALLOCATION)

static inline bool ex_irql_allows(ULONG type)
{
    return ke_irql_get() <= ((type & 1) ? APC_LEVEL : DISPATCH_LEVEL);
}

/* Paged pool above APC_LEVEL, any pool above DISPATCH_LEVEL: 0xC2/0x08. */
static inline void ex_check_alloc_irql(ULONG type, SIZE_T size, const void *caller)
{
    if (!ex_irql_allows(type))
        ke_bugcheck(BAD_POOL_CALLER, 0x08, ke_irql_get(), type, size, caller,
                    "A pool allocation (%s, 0x%llx bytes) was made at %s; %s pool needs IRQL <= %s.",
                    ex_pool_type_name(type) ? ex_pool_type_name(type) : "?", (unsigned long long)size,
                    ke_irql_name(ke_irql_get()), (type & 1) ? "paged" : "nonpaged",
                    (type & 1) ? "APC_LEVEL" : "DISPATCH_LEVEL");
}

PVOID ex_pool_allocate(POOL_TYPE type, SIZE_T size, ULONG tag, const void *caller)
{
    ULONG base = (ULONG)type & ~(ULONG)EX_POOL_TYPE_MODIFIERS;
    ex_check_alloc_irql(base, size, caller);
    return ex_block_alloc(base, size, tag, (type & POOL_ZERO_ALLOCATION) != 0, caller);
}

/* "'abcd' PagedPool 0x58 bytes allocated at sample.cpp:20 in DriverEntry (...)" */
static void ex_describe_block(const struct ex_block *b, char *out, size_t n)
{
    char where[384];
    const char *type = ex_pool_type_name(b->type);
    char tag[5];
    snprintf(out, n, "'%s' %s 0x%llx bytes allocated at %s", ex_pool_tag_text(b->tag, tag), type ? type : "?",
             (unsigned long long)b->size, ldr_describe_address(b->caller, true, where, sizeof where));
}

/* Windows' first pool-header quadword for a freed block: BlockSize in
 * 16-byte units (header included) in bits 16-23, PoolType 0 (free), the tag
 * in the high half. BAD_POOL_CALLER 0x07 reports it. */
static ULONG_PTR ex_freed_header(const struct ex_block *b)
{
    ULONG64 units = ((ULONG64)b->size + 16 + 15) / 16;
    return ((ULONG64)b->tag << 32) | ((units & 0xFF) << 16);
}

/* A free of an address no live block starts at: find a block it points into
 * (slow; the run is ending anyway). Returns false when there is none. */
static bool ex_find_container(uintptr_t addr, struct ex_block *out)
{
    for (unsigned i = 0; i < EX_SHARDS; i++) {
        struct ex_shard *s = &ex_shards[i];
        bool found = false;
        ex_shard_lock_for_report(s);
        for (size_t j = 0; j < s->capacity && !found; j++) {
            const struct ex_block *b = &s->table[j];
            if (b->addr && !b->freed && addr > b->addr && addr < b->addr + (b->size ? b->size : 1)) {
                *out = *b;
                found = true;
            }
        }
        ex_shard_unlock(s, false);
        if (found)
            return true;
    }
    return false;
}

__attribute__((noreturn)) static void ex_bad_free(const char *routine, uintptr_t addr, const void *caller)
{
    char what[512];
    struct ex_block b;

    if (!addr)
        ke_bugcheck(BAD_POOL_CALLER, 0x40, 0, EX_SYSTEM_RANGE_START, 0, caller,
                    "%s(NULL): the address is not in system space; NULL is no pool allocation.", routine);
    if (ex_find_container(addr, &b)) {
        ex_describe_block(&b, what, sizeof what);
        ke_bugcheck(BAD_POOL_CALLER, 0x99, addr, 0, 0, caller,
                    "%s(0x%llx): the address is 0x%llx bytes into the block at 0x%llx (%s); "
                    "free the address the allocation returned.",
                    routine, (unsigned long long)addr, (unsigned long long)(addr - b.addr),
                    (unsigned long long)b.addr, what);
    }
    ke_bugcheck(BAD_POOL_CALLER, 0x42, addr, 0, 0, caller,
                "%s(0x%llx): the address was never returned by a pool allocation (or was freed long ago).",
                routine, (unsigned long long)addr);
}

/* ExFreePoolWithTag's check: a non-zero tag must be the allocation's,
 * ignoring PROTECTED_POOL (tag 0 is ExFreePool, which checks nothing). */
static bool ex_tag_mismatch(const struct ex_block *b, ULONG tag)
{
    return tag && ((b->tag ^ tag) & ~(ULONG)PROTECTED_POOL);
}

/* Frees p from `caller`. Every bad free is BAD_POOL_CALLER. */
static void ex_block_free(const char *routine, PVOID p, ULONG tag, const void *caller)
{
    uintptr_t addr = (uintptr_t)p;
    struct ex_shard *s = ex_shard_of(addr);
    char what[512];

    bool biased = ex_shard_lock(s);
    struct ex_block *found = addr ? ex_find(s, addr) : NULL;
    /* The good free reads the entry in place: copying the whole entry and
     * reading a field back stalls on store forwarding. */
    if (found && !found->freed && !ex_tag_mismatch(found, tag) &&
        ex_irql_allows(found->type)) {
        ULONG64 key = ex_tag_key(found->tag, found->type);
        SIZE_T size = found->size;
        ex_quarantine_add(s, found, caller);
        ex_shard_unlock(s, biased);
        ex_count_free(key, size);
        return;
    }
    struct ex_block b = found ? *found : (struct ex_block){ 0 };
    bool bad_tag = found && ex_tag_mismatch(&b, tag);
    bool bad_irql = found && !ex_irql_allows(b.type);
    ex_shard_unlock(s, biased);

    if (!found)
        ex_bad_free(routine, addr, caller);
    if (b.freed || bad_tag || bad_irql)
        ex_describe_block(&b, what, sizeof what);
    if (b.freed) {
        char freed_at[384];
        ke_bugcheck(BAD_POOL_CALLER, 0x07, 0, ex_freed_header(&b), addr, caller,
                    "%s(0x%llx): the block was already freed at %s: %s.", routine, (unsigned long long)addr,
                    ldr_describe_address(b.freed_by, true, freed_at, sizeof freed_at), what);
    }
    if (bad_tag)
        ke_bugcheck(BAD_POOL_CALLER, 0x0A, addr, b.tag, tag, caller,
                    "%s(0x%llx, tag 0x%08X): the block's tag is 0x%08X: %s.", routine, (unsigned long long)addr,
                    (unsigned)tag, (unsigned)b.tag, what);
    if (bad_irql)
        ke_bugcheck(BAD_POOL_CALLER, 0x09, ke_irql_get(), b.type, addr, caller,
                    "%s(0x%llx) at %s: %s; %s pool is freed at IRQL <= %s.", routine, (unsigned long long)addr,
                    ke_irql_name(ke_irql_get()), what, (b.type & 1) ? "paged" : "nonpaged",
                    (b.type & 1) ? "APC_LEVEL" : "DISPATCH_LEVEL");
}

void ex_pool_free(PVOID p, ULONG tag, const void *caller)
{
    ex_block_free(tag ? "ExFreePoolWithTag" : "ExFreePool", p, tag, caller);
}

/* ------------------------------------------------------------------ */
/* Snapshots for the reports */

static int ex_by_key(const void *a, const void *b)
{
    const struct ex_tag_slot *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* All threads' counters, summed per (tag, class). */
size_t ex_pool_tag_rows(struct ex_pool_tag_row **rows)
{
    size_t n = 0, cap = 0, out = 0;
    struct ex_tag_slot *all = NULL;

    *rows = NULL;
    for (struct ex_thread_stats *t = __atomic_load_n(&ex_all_stats, __ATOMIC_ACQUIRE); t; t = t->next)
        for (size_t i = 0; i < EX_TAG_SLOTS; i++) {
            ULONG64 key = __atomic_load_n(&t->slots[i].key, __ATOMIC_ACQUIRE);
            if (!key)
                continue;
            if (n == cap && !(all = realloc(all, (cap = cap ? cap * 2 : 256) * sizeof *all)))
                return 0;
            all[n++] = (struct ex_tag_slot){ key, __atomic_load_n(&t->slots[i].allocs, __ATOMIC_RELAXED),
                                             __atomic_load_n(&t->slots[i].frees, __ATOMIC_RELAXED),
                                             __atomic_load_n(&t->slots[i].bytes, __ATOMIC_RELAXED) };
        }
    if (n)
        qsort(all, n, sizeof *all, ex_by_key);
    *rows = malloc((n ? n : 1) * sizeof **rows);
    for (size_t i = 0; *rows && i < n; i++) {
        if (!i || all[i].key != all[i - 1].key)
            (*rows)[out++] = (struct ex_pool_tag_row){ (ULONG)all[i].key,
                                                       (enum ex_pool_class)((all[i].key >> 32) - 1), 0, 0, 0 };
        (*rows)[out - 1].allocs += all[i].allocs;
        (*rows)[out - 1].frees += all[i].frees;
        (*rows)[out - 1].bytes += all[i].bytes;
    }
    free(all);
    return out;
}

static int ex_by_sequence(const void *a, const void *b)
{
    const struct ex_pool_block_info *x = a, *y = b;
    if (x->sequence != y->sequence)
        return x->sequence < y->sequence ? -1 : 1;
    return x->address < y->address ? -1 : x->address > y->address;
}

size_t ex_pool_live_blocks(struct ex_pool_block_info **blocks)
{
    size_t n = 0, cap = 0;
    *blocks = NULL;
    for (unsigned i = 0; i < EX_SHARDS; i++) {
        struct ex_shard *s = &ex_shards[i];
        ex_shard_lock_for_report(s);
        for (size_t j = 0; j < s->capacity; j++) {
            const struct ex_block *b = &s->table[j];
            if (!b->addr || b->freed)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                *blocks = realloc(*blocks, cap * sizeof **blocks);
            }
            (*blocks)[n++] = (struct ex_pool_block_info){ (const void *)b->addr, b->size, b->tag,
                                                          (POOL_TYPE)b->type, b->caller, b->sequence };
        }
        ex_shard_unlock(s, false);
    }
    if (n)
        qsort(*blocks, n, sizeof **blocks, ex_by_sequence);
    return n;
}

const char *ex_pool_type_name(ULONG type)
{
    static const struct { ULONG value; const char *name; } names[] = {
        { NonPagedPool, "NonPagedPool" },
        { PagedPool, "PagedPool" },
        { NonPagedPoolMustSucceed, "NonPagedPoolMustSucceed" },
        { DontUseThisType, "DontUseThisType" },
        { NonPagedPoolCacheAligned, "NonPagedPoolCacheAligned" },
        { PagedPoolCacheAligned, "PagedPoolCacheAligned" },
        { NonPagedPoolCacheAlignedMustS, "NonPagedPoolCacheAlignedMustS" },
        { MaxPoolType, "MaxPoolType" },
        { NonPagedPoolSession, "NonPagedPoolSession" },
        { PagedPoolSession, "PagedPoolSession" },
        { NonPagedPoolMustSucceedSession, "NonPagedPoolMustSucceedSession" },
        { DontUseThisTypeSession, "DontUseThisTypeSession" },
        { NonPagedPoolCacheAlignedSession, "NonPagedPoolCacheAlignedSession" },
        { PagedPoolCacheAlignedSession, "PagedPoolCacheAlignedSession" },
        { NonPagedPoolCacheAlignedMustSSession, "NonPagedPoolCacheAlignedMustSSession" },
        { NonPagedPoolNx, "NonPagedPoolNx" },
        { NonPagedPoolNxCacheAligned, "NonPagedPoolNxCacheAligned" },
        { NonPagedPoolSessionNx, "NonPagedPoolSessionNx" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].value == type)
            return names[i].name;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* POOL_FLAGS (ExAllocatePool2/3) */

#define EX_FLAGS_POOL_TYPES (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED)
#define EX_FLAGS_ACCEPTED                                                                             \
    (POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION | POOL_FLAG_CACHE_ALIGNED | \
     POOL_FLAG_RAISE_ON_FAILURE | EX_FLAGS_POOL_TYPES)
#define EX_FLAGS_REQUIRED 0x00000000FFFFFFFFULL

/* "POOL_FLAG_USE_QUOTA|POOL_FLAG_PAGED|0x10000", or "no flags". */
static const char *ex_flags_text(POOL_FLAGS flags, char *out, size_t n)
{
    static const char *const names[] = {
        "POOL_FLAG_USE_QUOTA", "POOL_FLAG_UNINITIALIZED", "POOL_FLAG_SESSION", "POOL_FLAG_CACHE_ALIGNED",
        "POOL_FLAG_RESERVED1", "POOL_FLAG_RAISE_ON_FAILURE", "POOL_FLAG_NON_PAGED", "POOL_FLAG_NON_PAGED_EXECUTE",
        "POOL_FLAG_PAGED", "POOL_FLAG_RESERVED2", "POOL_FLAG_RESERVED3",
    };
    size_t used = 0;
    out[0] = 0;
    for (unsigned bit = 0; bit < sizeof names / sizeof names[0]; bit++)
        if (flags & (1ULL << bit))
            used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s", used ? "|" : "", names[bit]);
    if (flags & POOL_FLAG_SPECIAL_POOL)
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%sPOOL_FLAG_SPECIAL_POOL", used ? "|" : "");
    POOL_FLAGS rest = flags & ~(POOL_FLAG_SPECIAL_POOL | ((1ULL << (sizeof names / sizeof names[0])) - 1));
    if (rest)
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s0x%llx", used ? "|" : "",
                                 (unsigned long long)rest);
    if (!flags)
        snprintf(out, n, "no flags");
    return out;
}

/* Why flags are no valid POOL_FLAGS ("name no pool type"), or NULL. */
static const char *ex_flags_problem(POOL_FLAGS flags)
{
    POOL_FLAGS types = flags & EX_FLAGS_POOL_TYPES;
    if (!types)
        return "name no pool type";
    if (types & (types - 1))
        return "name more than one pool type";
    if (flags & EX_FLAGS_REQUIRED & ~EX_FLAGS_ACCEPTED)
        return "hold required bits that are reserved or unknown";
    return NULL;
}

/* The POOL_FLAGS a driver meant when it passed a POOL_TYPE (Microsoft's
 * "Updating deprecated ExAllocatePool calls" table). */
static POOL_FLAGS ex_flags_for_type(ULONG type)
{
    POOL_FLAGS flags = (type & 1) ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED;
    if (type & 4)
        flags |= POOL_FLAG_CACHE_ALIGNED;
    if (type & 32)
        flags |= POOL_FLAG_SESSION;
    return flags;
}

/* One line per rejected argument of ExAllocatePool2/3, naming the call site,
 * the value, why, and for a POOL_TYPE passed as flags, the fix. */
static void ex_warn_flags(const char *routine, POOL_FLAGS flags, ULONG tag, const char *problem,
                          const void *caller)
{
    char where[256], text[256], fix[256], mixup[512] = "";
    const char *outcome = (flags & POOL_FLAG_RAISE_ON_FAILURE) ? "raises STATUS_INSUFFICIENT_RESOURCES"
                                                               : "returns NULL";
    ldr_source_line(caller, true, where, sizeof where);
    if (problem) {
        const char *type = flags <= 0xFFFFFFFFULL ? ex_pool_type_name((ULONG)flags) : NULL;
        if (type) {
            POOL_FLAGS meant = ex_flags_for_type((ULONG)flags);
            snprintf(mixup, sizeof mixup, " 0x%llx is %s, a POOL_TYPE: %s takes POOL_FLAGS; use %s (0x%llx).",
                     (unsigned long long)flags, type, routine, ex_flags_text(meant, fix, sizeof fix),
                     (unsigned long long)meant);
        }
        diag_warn("%s at %s: Flags 0x%llx (%s) %s, so it %s.%s", routine, where, (unsigned long long)flags,
                  ex_flags_text(flags, text, sizeof text), problem, outcome, mixup);
    }
    if (!tag)
        diag_warn("%s at %s: Tag is 0, so it %s; a pool tag is a non-zero literal of one to four characters, "
                  "such as '1gaT'.",
                  routine, where, outcome);
}

/* The POOL_TYPE that valid flags allocate from, as recorded and reported. */
static ULONG ex_type_for_flags(POOL_FLAGS flags)
{
    ULONG type = (flags & POOL_FLAG_PAGED) ? PagedPool
                 : (flags & POOL_FLAG_NON_PAGED) ? NonPagedPoolNx : NonPagedPoolExecute;
    if (flags & POOL_FLAG_CACHE_ALIGNED)
        type += 4;
    if (flags & POOL_FLAG_SESSION)
        type += 32;
    return type;
}

/* Shared by ExAllocatePool2/3 once the extended parameters are checked. */
static PVOID ex_alloc_flags(const char *routine, POOL_FLAGS flags, SIZE_T size, ULONG tag, bool params_ok,
                            const void *caller)
{
    const char *problem = ex_flags_problem(flags);
    void *p = NULL;

    if (problem || !tag)
        ex_warn_flags(routine, flags, tag, problem, caller);
    else if (params_ok) {
        ULONG type = ex_type_for_flags(flags);
        ex_check_alloc_irql(type, size, caller);
        p = ex_block_alloc(type, size, tag, !(flags & POOL_FLAG_UNINITIALIZED), caller);
    }
    if (!p && (flags & POOL_FLAG_RAISE_ON_FAILURE))
        ex_raise_status(STATUS_INSUFFICIENT_RESOURCES, caller, problem || !tag || !params_ok
                            ? "POOL_FLAG_RAISE_ON_FAILURE: the arguments are not valid."
                            : "POOL_FLAG_RAISE_ON_FAILURE: the allocation could not be satisfied.");
    return p;
}

/* Low, Normal or High, optionally with SpecialPoolOverrun (8) or
 * SpecialPoolUnderrun (9) added. FIXME: the special-pool variants are
 * accepted and allocate normally. */
static bool ex_priority_valid(ULONG priority)
{
    ULONG level = priority & ~9u, special = priority & 9u;
    return (level == LowPoolPriority || level == NormalPoolPriority || level == HighPoolPriority) && special != 1;
}

/* A required parameter must be known and valid; an optional one may be
 * ignored (WDK, POOL_EXTENDED_PARAMETER). */
static bool ex_extended_parameters_ok(PCPOOL_EXTENDED_PARAMETER params, ULONG count, const void *caller)
{
    char where[256];
    if (count && !params) {
        diag_warn("ExAllocatePool3 at %s: ExtendedParameters is NULL with ExtendedParametersCount %u, so it fails.",
                  ldr_source_line(caller, true, where, sizeof where), count);
        return false;
    }
    for (ULONG i = 0; i < count; i++) {
        bool ok;
        switch (params[i].Type) {
        case PoolExtendedParameterPriority:
            ok = ex_priority_valid(params[i].Priority);
            break;
        case PoolExtendedParameterNumaNode:
            ok = true; /* one node: every preference is met */
            break;
        default: /* FIXME: secure pool is not implemented */
            ok = false;
            break;
        }
        if (!ok && !params[i].Optional) {
            diag_warn("ExAllocatePool3 at %s: ExtendedParameters[%u] (Type %u) is not valid, so it fails.",
                      ldr_source_line(caller, true, where, sizeof where), i, (unsigned)params[i].Type);
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Exports: thin, so __builtin_return_address(0) is the driver's call site. */

/* The POOL_TYPE routines: the modifiers are stripped, POOL_ZERO_ALLOCATION
 * zeroes; a failure raises STATUS_INSUFFICIENT_RESOURCES when `raise`. The
 * must-succeed types are gone: BAD_POOL_CALLER 0x9A (P2 type, P3 size, P4 tag). */
static inline PVOID ex_alloc_type(POOL_TYPE type, SIZE_T size, ULONG tag, bool raise, const void *caller)
{
    ULONG base = (ULONG)type & ~(ULONG)EX_POOL_TYPE_MODIFIERS;
    if ((base & ~(ULONG)(NonPagedPoolSession | NonPagedPoolNx)) == NonPagedPoolMustSucceed ||
        (base & ~(ULONG)(NonPagedPoolSession | NonPagedPoolNx)) == NonPagedPoolCacheAlignedMustS)
        ke_bugcheck(BAD_POOL_CALLER, 0x9A, (ULONG)type, size, tag, caller,
                    "Pool type %s (must succeed) is no longer supported.", ex_pool_type_name(base));
    PVOID p = ex_pool_allocate(type, size, tag, caller);
    if (!p && raise)
        ex_raise_status(STATUS_INSUFFICIENT_RESOURCES, caller, "The pool allocation could not be satisfied.");
    return p;
}

/* ExAllocatePoolWithTag with the tag 'enoN' ("None" in memory); obsolete
 * (WDK, ExAllocatePool). */
PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ex_alloc_type(PoolType, NumberOfBytes, 'enoN', (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0,
                         __builtin_return_address(0));
}

/* Returns NULL when the pool is exhausted unless PoolType has
 * POOL_RAISE_IF_ALLOCATION_FAILURE; POOL_ZERO_ALLOCATION zeroes; a page or more
 * is page-aligned, less is 16-byte aligned; paged pool at IRQL <= APC_LEVEL,
 * nonpaged at <= DISPATCH_LEVEL (WDK, ExAllocatePoolWithTag). */
PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc_type(PoolType, NumberOfBytes, Tag, (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0,
                         __builtin_return_address(0));
}

/* Raises an exception on failure unless PoolType has
 * POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, then returns NULL
 * (WDK, ExAllocatePoolWithQuotaTag). FIXME: no process quota is charged. */
PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc_type(PoolType, NumberOfBytes, Tag, !(PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE),
                         __builtin_return_address(0));
}

/* ExAllocatePoolWithTag with a priority for low-memory conditions
 * (WDK, ExAllocatePoolWithTagPriority). FIXME: Priority and its special-pool
 * variants are ignored; ntbox never runs low before malloc fails. */
PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                          EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return ex_alloc_type(PoolType, NumberOfBytes, Tag, (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0,
                         __builtin_return_address(0));
}

/* Zeroed memory unless POOL_FLAG_UNINITIALIZED; NULL for insufficient memory,
 * Tag 0 or invalid POOL_FLAGS, or an exception instead with
 * POOL_FLAG_RAISE_ON_FAILURE (WDK, ExAllocatePool2). Exactly one pool type
 * flag; unknown required (low 32) bits fail, unknown optional ones are
 * ignored (WDK, POOL_FLAGS). */
PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc_flags("ExAllocatePool2", Flags, NumberOfBytes, Tag, true, __builtin_return_address(0));
}

/* ExAllocatePool2 plus extended parameters; invalid ones fail like invalid
 * flags (WDK, ExAllocatePool3). */
PVOID NTAPI ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag,
                            PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount)
{
    const void *caller = __builtin_return_address(0);
    bool ok = ex_extended_parameters_ok(ExtendedParameters, ExtendedParametersCount, caller);
    return ex_alloc_flags("ExAllocatePool3", Flags, NumberOfBytes, Tag, ok, caller);
}

/* Frees a block from any pool; a bad free is BAD_POOL_CALLER (WDK,
 * ExFreePool; bug check 0xC2). */
VOID NTAPI ExFreePool(PVOID P)
{
    ex_block_free("ExFreePool", P, 0, __builtin_return_address(0));
}

/* Tag must match the allocation's, PROTECTED_POOL aside, else
 * BAD_POOL_CALLER 0x0A (WDK, ExFreePoolWithTag; bug check 0xC2). */
VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    ex_block_free("ExFreePoolWithTag", P, Tag, __builtin_return_address(0));
}

/* Frees a block from ExAllocatePool2/3; Tag must match (WDK, ExFreePool2).
 * FIXME: secure-pool extended parameters are ignored. */
VOID NTAPI ExFreePool2(PVOID P, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount)
{
    (void)ExtendedParameters;
    (void)ExtendedParametersCount;
    ex_block_free("ExFreePool2", P, Tag, __builtin_return_address(0));
}
