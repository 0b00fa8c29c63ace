/* tests/ex/test_pool_paged_trim.c: paged pool at DISPATCH_LEVEL, caught
 * every time: with special pool and the irql group on, a paged block's
 * page is inaccessible once a thread raises to DISPATCH_LEVEL; touched
 * there, DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1: P1 the address, P2 the
 * IRQL, P3 0 read / 1 write, P4 the instruction); touched back below it,
 * it opens again with its contents. Each test turns the groups on and back
 * off. */
#include "ktest.h"

#include "ex/pool.h"
#include "verifier/verifier.h"

#include <stdio.h>

#define DRIVER_IRQL_NOT_LESS_OR_EQUAL 0xD1


/* Below DISPATCH_LEVEL a trimmed page opens again, contents kept; a
 * nonpaged block is never trimmed. */
KT_TEST(paged_pool_trimmed_on_raise_reopened_below)
{
    vf_set_groups(VF_ALL);
    volatile ULONG *paged = ExAllocatePoolWithTag(PagedPool, 64, 'mirT');
    volatile ULONG *nonpaged = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'mirT');
    KT_REQUIRE(KT_TRUE(paged != NULL && nonpaged != NULL));
    paged[3] = 0x1234;
    nonpaged[3] = 0x5678;
    KT_EQ_INT(ex_paged_open, 1);
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KT_EQ_INT(ex_paged_open, 0);
    KT_EQ_HEX(nonpaged[3], 0x5678);
    KeLowerIrql(old);
    KT_EQ_HEX(paged[3], 0x1234);
    KT_EQ_INT(ex_paged_open, 1);
    ExFreePool((PVOID)paged);
    ExFreePool((PVOID)nonpaged);
    KT_EQ_INT(ex_paged_open, 0);
    vf_set_groups(VF_LIBRARY_DEFAULT);
}

/* A trimmed block can still be freed: its slack is checked as ever. */
KT_TEST(paged_pool_trimmed_block_freed)
{
    vf_set_groups(VF_ALL);
    PVOID paged = ExAllocatePoolWithTag(PagedPool, 40, 'mirT');
    KT_REQUIRE(KT_TRUE(paged != NULL));
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KeLowerIrql(old);
    ExFreePoolWithTag(paged, 'mirT');
    KT_EQ_INT(ex_paged_open, 0);
    vf_set_groups(VF_LIBRARY_DEFAULT);
}

static volatile ULONG *touched;

static void touch_at_dispatch(void *arg)
{
    KSPIN_LOCK lock;
    KIRQL old;
    vf_set_groups(arg ? VF_ALL : VF_ALL & ~(1u << VF_IRQL));
    touched = ExAllocatePoolWithTag(PagedPool, 64, 'mirT');
    touched[0] = 7;
    printf("paged 0x%p\n", (void *)touched);
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    ULONG seen = touched[0];
    KeReleaseSpinLock(&lock, old);
    printf("read %u at DISPATCH_LEVEL\n", (unsigned)seen);
}

static ULONG_PTR printed_address(const char *out)
{
    const char *at = out ? strstr(out, "paged 0x") : NULL;
    unsigned long long a = 0;
    if (at)
        sscanf(at, "paged 0x%llx", &a);
    return (ULONG_PTR)a;
}

KT_TEST(paged_pool_at_dispatch_is_0xD1)
{
    int status;
    const char *out = kt_run_child(touch_at_dispatch, (void *)1, &status);
    char stop[96];
    KT_EQ_INT(status, 3);
    snprintf(stop, sizeof stop, "*** STOP: 0x000000D1 (0x%016llX,0x0000000000000002,0x0000000000000000,",
             (unsigned long long)printed_address(out));
    KT_CONTAINS(out, stop);
    KT_CONTAINS(out, "It is paged pool ('Trim' PagedPool 0x40 bytes allocated at ");
}

/* With the irql group off, paged pool is not trimmed. */
KT_TEST(paged_pool_not_trimmed_without_irql_group)
{
    int status;
    const char *out = kt_run_child(touch_at_dispatch, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "read 7 at DISPATCH_LEVEL");
}
