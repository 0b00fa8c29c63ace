/* mm/pageable.c: drivers' pageable sections trimmed on a raise (see
 * pageable.h). Protection is per process, so another thread's reopening
 * can let a raised thread through until the next raise, as for paged
 * pool. One lock, taken by registration, trims and the fault handler's
 * reopening; every one of them changes a protection anyway. */
#include "mm/pageable.h"

#include "ke/irql.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct mm_range {
    const char *image, *section;
    uintptr_t start, end;
    int prot;
    bool open;
};

static pthread_mutex_t mm_pageable_lock = PTHREAD_MUTEX_INITIALIZER;
/* Under the lock. */
static struct mm_range *mm_ranges;
static size_t mm_nranges, mm_cap;

bool mm_pageable_name(const char *section)
{
    return strncmp(section, "PAGE", 4) == 0;
}

/* Under the lock: a range's state changes, mirrored in ke_pageable_open. */
static void mm_range_open(struct mm_range *r, bool open)
{
    if (r->open == open)
        return;
    r->open = open;
    __atomic_add_fetch(&ke_pageable_open, open ? 1u : -1u, __ATOMIC_RELAXED);
}

bool mm_pageable_add(const char *image, const char *section, void *start, size_t size, int prot)
{
    bool ok = true;
    pthread_mutex_lock(&mm_pageable_lock);
    if (mm_nranges == mm_cap) {
        size_t cap = mm_cap ? 2 * mm_cap : 8;
        struct mm_range *v = realloc(mm_ranges, cap * sizeof *v);
        ok = v != NULL;
        if (ok)
            mm_ranges = v, mm_cap = cap;
    }
    if (ok) {
        struct mm_range *r = &mm_ranges[mm_nranges++];
        *r = (struct mm_range){ image, section, (uintptr_t)start, (uintptr_t)start + size, prot, false };
        mm_range_open(r, true);
    }
    pthread_mutex_unlock(&mm_pageable_lock);
    return ok;
}

void mm_pageable_remove(const char *image)
{
    pthread_mutex_lock(&mm_pageable_lock);
    for (size_t i = mm_nranges; i-- > 0;) {
        struct mm_range *r = &mm_ranges[i];
        if (r->image != image)
            continue;
        if (r->open)
            __atomic_sub_fetch(&ke_pageable_open, 1u, __ATOMIC_RELAXED);
        else
            mprotect((void *)r->start, r->end - r->start, r->prot);
        *r = mm_ranges[--mm_nranges];
    }
    if (!mm_nranges) {
        free(mm_ranges);
        mm_ranges = NULL;
        mm_cap = 0;
    }
    pthread_mutex_unlock(&mm_pageable_lock);
}

void mm_pageable_trim(void)
{
    if (!__atomic_load_n(&mm_nranges, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&mm_pageable_lock);
    for (size_t i = 0; i < mm_nranges; i++) {
        struct mm_range *r = &mm_ranges[i];
        if (r->open && mprotect((void *)r->start, r->end - r->start, PROT_NONE) == 0)
            mm_range_open(r, false);
    }
    pthread_mutex_unlock(&mm_pageable_lock);
}

/* Under the lock: the range holding a, or NULL. */
static struct mm_range *mm_range_at(uintptr_t a)
{
    for (size_t i = 0; i < mm_nranges; i++)
        if (a >= mm_ranges[i].start && a < mm_ranges[i].end)
            return &mm_ranges[i];
    return NULL;
}

bool mm_pageable_reopen(const void *addr, int access)
{
    bool retry = false;
    if (!__atomic_load_n(&mm_nranges, __ATOMIC_RELAXED) || ke_irql_get() >= DISPATCH_LEVEL)
        return false;
    pthread_mutex_lock(&mm_pageable_lock);
    struct mm_range *r = mm_range_at((uintptr_t)addr);
    if (r && !r->open && mprotect((void *)r->start, r->end - r->start, r->prot) == 0)
        mm_range_open(r, true);
    /* Open already: by another thread, or by a nested fault (the fault
     * handler reading the instruction at a trimmed pc). */
    if (r && r->open)
        retry = (r->prot & access) != 0;
    pthread_mutex_unlock(&mm_pageable_lock);
    return retry;
}

bool mm_pageable_at(const void *addr, const char **image, const char **section)
{
    if (!__atomic_load_n(&mm_nranges, __ATOMIC_RELAXED))
        return false;
    pthread_mutex_lock(&mm_pageable_lock);
    const struct mm_range *r = mm_range_at((uintptr_t)addr);
    if (r)
        *image = r->image, *section = r->section;
    pthread_mutex_unlock(&mm_pageable_lock);
    return r != NULL;
}
