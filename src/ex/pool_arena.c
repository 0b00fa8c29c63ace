/* ex/pool_arena.c: the pool's address space. One reservation, made at the
 * first allocation: slabs in its first half (src/ex/pool_slab.c), large
 * blocks' spans in the second (src/ex/pool_large.c) but for its last eighth
 * (at most EX_SPECIAL_MAX), special pool's slots (src/ex/pool_special.c). It is reserved
 * inaccessible and committed piece by piece, so the untouched rest costs
 * neither memory nor commit charge, and "is this a pool address" is one
 * range check (ex_pool_owns_address). */
#include "ex/pool_internal.h"

#include <pthread.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

/* Less when the process is limited (ulimit -v), down to this. */
#define EX_ARENA_MIN ((SIZE_T)1 << 26)
/* Special pool's address space: 64K slots of two pages. */
#define EX_SPECIAL_MAX ((SIZE_T)1 << 29)

uintptr_t ex_arena_base, ex_arena_special_base;
SIZE_T ex_arena_slab_bytes, ex_arena_special_bytes, ex_arena_bytes;
static pthread_once_t ex_arena_once = PTHREAD_ONCE_INIT;

static void ex_arena_map(void)
{
    for (SIZE_T bytes = EX_ARENA_MAX; bytes >= EX_ARENA_MIN; bytes /= 2) {
        /* One unit more, to align the start on a unit: a block's slab is
         * then its address rounded down. */
        char *p = mmap(NULL, bytes + EX_UNIT_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            continue;
        uintptr_t base = ((uintptr_t)p + EX_UNIT_SIZE - 1) & ~(uintptr_t)(EX_UNIT_SIZE - 1);
        if (base != (uintptr_t)p)
            munmap(p, base - (uintptr_t)p);
        munmap((char *)base + bytes, (uintptr_t)p + EX_UNIT_SIZE - base);
        ex_arena_base = base;
        ex_arena_slab_bytes = bytes / 2;
        ex_arena_special_bytes = bytes / 8 < EX_SPECIAL_MAX ? bytes / 8 : EX_SPECIAL_MAX;
        ex_arena_special_base = base + bytes - ex_arena_special_bytes;
#if defined(__SANITIZE_ADDRESS__)
        /* Pool blocks hold pointers to ntbox's own heap objects, as the
         * malloc'd blocks did: LeakSanitizer scans the committed parts. */
        __lsan_register_root_region((void *)base, bytes);
#endif
        /* Last: ex_pool_owns_address reads the size first. */
        __atomic_store_n(&ex_arena_bytes, bytes, __ATOMIC_RELEASE);
        return;
    }
}

bool ex_arena_reserve(void)
{
    pthread_once(&ex_arena_once, ex_arena_map);
    return ex_arena_bytes != 0;
}

bool ex_arena_commit(void *p, SIZE_T n)
{
    return mprotect(p, n, PROT_READ | PROT_WRITE) == 0;
}

void ex_arena_decommit(void *p, SIZE_T n)
{
    /* A fresh inaccessible mapping over the range drops its pages; should
     * the system refuse (out of mappings), they are still dropped, and read
     * back as zeros. */
    if (mmap(p, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
        madvise(p, n, MADV_DONTNEED);
}

void ex_arena_seal(void *p, SIZE_T n)
{
    if (mprotect(p, n, PROT_NONE) != 0)
        ex_arena_decommit(p, n);
}

bool ex_pool_owns_address(const void *p)
{
    SIZE_T bytes = __atomic_load_n(&ex_arena_bytes, __ATOMIC_ACQUIRE);
    return (uintptr_t)p - ex_arena_base < bytes;
}
