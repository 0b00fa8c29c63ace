/* tests/ex/test_pool_zero_size.c: zero-byte allocations. Driver Verifier
 * stops a driver that asks for 0 bytes (bug check 0xC4, subcode 0x00: "The
 * driver requested a zero-byte pool allocation", P2 the IRQL, P3 the pool
 * type, P4 the size); ExAllocatePool2 documents NumberOfBytes as "a
 * non-zero number of bytes". With the pool-tracking group off, the
 * allocation succeeds with a block of its own. */
#include "ktest.h"

#include "ex/pool.h"
#include "ke/irql.h"
#include "verifier/verifier.h"

#define DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4

static void zero_with_tag(void *arg)
{
    (void)arg;
    ExAllocatePoolWithTag(PagedPool, 0, 'oreZ');
}

static void zero_pool2(void *arg)
{
    (void)arg;
    ke_irql_set(DISPATCH_LEVEL);
    ExAllocatePool2(POOL_FLAG_NON_PAGED, 0, 'oreZ');
}

static void zero_old_routine(void *arg)
{
    (void)arg;
    ExAllocatePool(NonPagedPoolNx, 0);
}

KT_TEST(ExAllocatePoolWithTag_zero_bytes)
{
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, zero_with_tag, NULL);
    KT_CONTAINS(out, "(0x0000000000000000,0x0000000000000000,0x0000000000000001,0x0000000000000000)");
    KT_CONTAINS(out, "A pool allocation of 0 bytes was requested (PagedPool, tag 'Zero'): the size must not be zero.");
}

/* P2 is the IRQL; P3 the POOL_TYPE the flags name (NonPagedPoolNx, 0x200). */
KT_TEST(ExAllocatePool2_zero_bytes)
{
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, zero_pool2, NULL);
    KT_CONTAINS(out, "(0x0000000000000000,0x0000000000000002,0x0000000000000200,0x0000000000000000)");
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, zero_old_routine, NULL);
}

/* Without the check, 0 bytes is a block of its own, freed like any. */
KT_TEST(ExAllocatePoolWithTag_zero_bytes_unchecked)
{
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_POOL_TRACKING));
    void *a = ExAllocatePoolWithTag(PagedPool, 0, 'oreZ');
    void *b = ExAllocatePool2(POOL_FLAG_PAGED, 0, 'oreZ');
    vf_set_groups(VF_LIBRARY_DEFAULT);
    KT_REQUIRE(KT_TRUE(a && b));
    KT_TRUE(a != b);
    ExFreePoolWithTag(a, 'oreZ');
    ExFreePoolWithTag(b, 'oreZ');
}
