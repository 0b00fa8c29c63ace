/* tests/mm/test_pageable.c: a driver's pageable sections (PAGE, PAGEDATA)
 * trimmed on a raise: a registered range is inaccessible once a thread
 * raises to DISPATCH_LEVEL; touched below it, it opens again with its
 * mapped protection and contents; touched at DISPATCH_LEVEL,
 * DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1) naming the section. The ranges here
 * stand in for an image's sections: anonymous pages registered under a
 * made-up image name. */
#include "ktest.h"

#include "ke/irql.h"
#include "mm/pageable.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char image[] = "pageable.sys";

static volatile ULONG *map_page(int prot)
{
    void *p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    ((volatile ULONG *)p)[1] = 0x5A5A;
    mprotect(p, (size_t)sysconf(_SC_PAGESIZE), prot);
    return p;
}

/* Only names starting with "PAGE" are pageable (PAGE, PAGEDATA, PAGELK...). */
KT_TEST(pageable_name_starts_with_PAGE)
{
    KT_TRUE(mm_pageable_name("PAGE"));
    KT_TRUE(mm_pageable_name("PAGEDATA"));
    KT_TRUE(mm_pageable_name("PAGELK"));
    KT_FALSE(mm_pageable_name(".text"));
    KT_FALSE(mm_pageable_name("INIT"));
    KT_FALSE(mm_pageable_name("PAG"));
}

/* before: open (counted); raise: trimmed (not counted); read below
 * DISPATCH_LEVEL: open again, contents kept; removed: nothing counted and
 * the mapped protection back. */
KT_TEST(pageable_trimmed_on_raise_reopened_below)
{
    volatile ULONG *p = map_page(PROT_READ);
    KT_REQUIRE(KT_TRUE(p != NULL));
    unsigned before = ke_pageable_open;
    KT_REQUIRE(KT_TRUE(mm_pageable_add(image, "PAGEDATA", (void *)p, (size_t)sysconf(_SC_PAGESIZE), PROT_READ)));
    KT_EQ_INT(ke_pageable_open, before + 1);
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KT_EQ_INT(ke_pageable_open, before);
    KeLowerIrql(old);
    KT_EQ_HEX(p[1], 0x5A5A);
    KT_EQ_INT(ke_pageable_open, before + 1);
    old = KeRaiseIrqlToDpcLevel();
    KeLowerIrql(old);
    mm_pageable_remove(image);
    KT_EQ_INT(ke_pageable_open, before);
    KT_EQ_HEX(p[1], 0x5A5A);
    munmap((void *)p, (size_t)sysconf(_SC_PAGESIZE));
}

static volatile ULONG *paged;

static void read_at_dispatch(void *arg)
{
    KSPIN_LOCK lock;
    KIRQL old;
    (void)arg;
    paged = map_page(PROT_READ | PROT_WRITE);
    mm_pageable_add(image, "PAGEDATA", (void *)paged, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE);
    printf("paged 0x%p\n", (void *)(paged + 1));
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    ULONG seen = paged[1];
    KeReleaseSpinLock(&lock, old);
    printf("read %u at DISPATCH_LEVEL\n", (unsigned)seen);
}

KT_TEST(pageable_read_at_dispatch_is_0xD1)
{
    int status;
    const char *out = kt_run_child(read_at_dispatch, NULL, &status);
    const char *at = out ? strstr(out, "paged 0x") : NULL;
    unsigned long long a = 0;
    char stop[96];
    if (at)
        sscanf(at, "paged 0x%llx", &a);
    KT_EQ_INT(status, 3);
    snprintf(stop, sizeof stop, "*** STOP: 0x000000D1 (0x%016llX,0x0000000000000002,0x0000000000000000,", a);
    KT_CONTAINS(out, stop);
    KT_CONTAINS(out, "It is in pageable.sys's pageable PAGEDATA section, kept inaccessible at DISPATCH_LEVEL");
}

/* A write to PAGE code (read and execute) below DISPATCH_LEVEL is not
 * retried: it stays a fault. */
KT_TEST(pageable_write_to_code_not_retried)
{
    volatile ULONG *p = map_page(PROT_READ | PROT_EXEC);
    KT_REQUIRE(KT_TRUE(p != NULL));
    KT_REQUIRE(KT_TRUE(mm_pageable_add(image, "PAGE", (void *)p, (size_t)sysconf(_SC_PAGESIZE),
                                       PROT_READ | PROT_EXEC)));
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KeLowerIrql(old);
    KT_TRUE(mm_pageable_reopen((const void *)p, PROT_READ));
    KT_FALSE(mm_pageable_reopen((const void *)p, PROT_WRITE));
    KT_TRUE(mm_pageable_reopen((const void *)p, PROT_EXEC));
    KT_FALSE(mm_pageable_reopen((const void *)(p - 1), PROT_READ));
    mm_pageable_remove(image);
    munmap((void *)p, (size_t)sysconf(_SC_PAGESIZE));
}
