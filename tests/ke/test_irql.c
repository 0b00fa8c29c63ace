/* tests/ke/test_irql.c: KeGetCurrentIrql, KeRaiseIrql/KfRaiseIrql,
 * KeLowerIrql, KeRaiseIrqlToDpcLevel, KeRaiseIrqlToSynchLevel, and Driver
 * Verifier's IRQL violations (bug check 0xC4, subcodes 0x30 and 0x31). */
#include "ktest.h"

#include "ke/irql.h"
#include "verifier/verifier.h"

#include <pthread.h>

/* A thread starts at PASSIVE_LEVEL. */
KT_TEST(KeGetCurrentIrql_starts_passive)
{
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* "KeRaiseIrql raises the hardware priority to the specified IRQL value"
 * and stores the old IRQL in *OldIrql; KeLowerIrql restores it. */
KT_TEST(KeRaiseIrql_KeLowerIrql_round_trip)
{
    KIRQL old = 0xFF, old2 = 0xFF;
    KeRaiseIrql(APC_LEVEL, &old);
    KT_EQ_INT(old, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &old2);
    KT_EQ_INT(old2, APC_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old2);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(old);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* Raising to the current IRQL, and lowering to it, are allowed no-ops. */
KT_TEST(KeRaiseIrql_same_level)
{
    KIRQL old, old2;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeRaiseIrql(DISPATCH_LEVEL, &old2);
    KT_EQ_INT(old2, DISPATCH_LEVEL);
    KeLowerIrql(DISPATCH_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
}

/* Up to HIGH_LEVEL and back. */
KT_TEST(KfRaiseIrql_high_level)
{
    KIRQL old = KfRaiseIrql(HIGH_LEVEL);
    KT_EQ_INT(old, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), HIGH_LEVEL);
    KeLowerIrql(old);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* "KeRaiseIrqlToDpcLevel raises the hardware priority to IRQL =
 * DISPATCH_LEVEL", returning the old IRQL. */
KT_TEST(KeRaiseIrqlToDpcLevel_returns_old)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KT_EQ_INT(old, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
}

/* KeRaiseIrqlToSynchLevel raises to SYNCH_LEVEL, 12 on x64. */
KT_TEST(KeRaiseIrqlToSynchLevel_returns_old)
{
    KT_EQ_INT(SYNCH_LEVEL, 12);
    KIRQL old = KeRaiseIrqlToSynchLevel();
    KT_EQ_INT(old, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), 12);
    KeLowerIrql(old);
}

static void *irql_of_new_thread(void *arg)
{
    *(KIRQL *)arg = KeGetCurrentIrql();
    return NULL;
}

/* IRQL is per thread (per processor on Windows): raising here does not
 * raise another thread. */
KT_TEST(KeGetCurrentIrql_per_thread)
{
    KIRQL old, seen = 0xFF;
    pthread_t t;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, irql_of_new_thread, &seen), 0));
    pthread_join(t, NULL);
    KT_EQ_INT(seen, PASSIVE_LEVEL);
    KeLowerIrql(old);
}

/* The names bug check reports use. */
KT_TEST(ke_irql_name_levels)
{
    KT_EQ_STR(ke_irql_name(0), "PASSIVE_LEVEL");
    KT_EQ_STR(ke_irql_name(1), "APC_LEVEL");
    KT_EQ_STR(ke_irql_name(2), "DISPATCH_LEVEL");
    KT_EQ_STR(ke_irql_name(5), "CMCI_LEVEL");
    KT_EQ_STR(ke_irql_name(13), "CLOCK_LEVEL");
    KT_EQ_STR(ke_irql_name(14), "IPI_LEVEL");
    KT_EQ_STR(ke_irql_name(15), "HIGH_LEVEL");
    KT_EQ_STR(ke_irql_name(7), "IRQL 7");
    KT_EQ_STR(ke_irql_name(200), "IRQL 200");
}

static void raise_below_current(void *arg)
{
    KIRQL old;
    (void)arg;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeRaiseIrql(APC_LEVEL, &old);
}

static void raise_above_high(void *arg)
{
    (void)arg;
    KfRaiseIrql(16);
}

static void raise_to_dpc_from_high(void *arg)
{
    (void)arg;
    KfRaiseIrql(HIGH_LEVEL);
    KeRaiseIrqlToDpcLevel();
}

static void lower_above_current(void *arg)
{
    (void)arg;
    KeLowerIrql(DISPATCH_LEVEL);
}

static void lower_above_high(void *arg)
{
    (void)arg;
    KfRaiseIrql(HIGH_LEVEL);
    KeLowerIrql(0x20);
}

/* 0xC4/0x30 (P2 current IRQL, P3 requested): "The driver passed an invalid
 * parameter to KeRaiseIrql ... a value lower than the current IRQL". */
KT_TEST(KeRaiseIrql_lower_than_current_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x30, raise_below_current, NULL);
    if (out) {
        KT_CONTAINS(out, "(0x0000000000000030,0x0000000000000002,0x0000000000000001,0x0000000000000000)");
        KT_CONTAINS(out, "KeRaiseIrql(APC_LEVEL) at DISPATCH_LEVEL");
    }
}

/* 0xC4/0x30: "... or a value higher than HIGH_LEVEL". */
KT_TEST(KeRaiseIrql_above_high_level_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x30, raise_above_high, NULL);
    if (out)
        KT_CONTAINS(out, "(0x0000000000000030,0x0000000000000000,0x0000000000000010,");
}

/* KeRaiseIrqlToDpcLevel above DISPATCH_LEVEL would lower: 0xC4/0x30. */
KT_TEST(KeRaiseIrqlToDpcLevel_from_high_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x30, raise_to_dpc_from_high, NULL);
    if (out)
        KT_CONTAINS(out, "(0x0000000000000030,0x000000000000000F,0x0000000000000002,");
}

/* 0xC4/0x31 (P2 current, P3 requested, P4 0 "new IRQL is bad"): "The
 * driver passed an invalid parameter to KeLowerIrql ... a value higher than
 * the current IRQL". */
KT_TEST(KeLowerIrql_higher_than_current_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x31, lower_above_current, NULL);
    if (out) {
        KT_CONTAINS(out, "(0x0000000000000031,0x0000000000000000,0x0000000000000002,0x0000000000000000)");
        KT_CONTAINS(out, "KeLowerIrql(DISPATCH_LEVEL) at PASSIVE_LEVEL");
    }
}

/* 0xC4/0x31: "... or a value higher than HIGH_LEVEL". */
KT_TEST(KeLowerIrql_above_high_level_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x31, lower_above_high, NULL);
    if (out)
        KT_CONTAINS(out, "(0x0000000000000031,0x000000000000000F,0x0000000000000020,");
}

/* Without the verifier's irql group the IRQL just changes, as CR8 does on
 * Windows: KeLowerIrql may raise it, KeRaiseIrql lower it. */
KT_TEST(KeLowerIrql_KeRaiseIrql_unverified)
{
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_IRQL));
    KeLowerIrql(DISPATCH_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ_INT(KfRaiseIrql(APC_LEVEL), DISPATCH_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
    vf_set_groups(VF_LIBRARY_DEFAULT);
}
