/* tests/loader/test_irql_thunk.c: the IRQL thunks a driver's imports bind
 * to with the verifier's irql group on (loader/irql_thunk.h,
 * loader/irql_check.c): the routine receives every argument as the caller
 * passed it (four register, four stack arguments, integers and doubles),
 * directly at or below the maximum and through the slow path when the group
 * is off; above the maximum, with the group on, the run stops with Driver
 * Verifier's DDI compliance bug check 0xC4 naming the routine. */
#include "ktest.h"

#include "ke/irql.h"
#include "loader/exports.h"
#include "loader/irql_thunk.h"
#include "verifier/verifier.h"

struct kt_args {
    long long a, c, e, g;
    double b, d, f, h;
};

static struct kt_args kt_seen;

/* A routine with integer and floating-point arguments in every register
 * slot and on the stack, as a driver's call through the thunk passes them. */
static __attribute__((ms_abi, used)) double kt_mixed(long long a, double b, long long c, double d, long long e,
                                                     double f, long long g, double h)
{
    kt_seen = (struct kt_args){ a, c, e, g, b, d, f, h };
    return b * 2 + h;
}

static __attribute__((ms_abi, used)) double kt_doubles(double a, double b, double c, double d, double e, double f)
{
    return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f;
}

/* Thunks allowing PASSIVE_LEVEL only; row 0 is only named in the report,
 * which the irql group's being off prevents here. */
__asm__(LDR_IRQL_THUNK(kt_mixed_thunk, kt_mixed, 0, 0));
__asm__(LDR_IRQL_THUNK(kt_doubles_thunk, kt_doubles, 0, 0));
__attribute__((ms_abi)) double kt_mixed_thunk(long long, double, long long, double, long long, double, long long,
                                              double);
__attribute__((ms_abi)) double kt_doubles_thunk(double, double, double, double, double, double);

static void kt_call_both(void)
{
    kt_seen = (struct kt_args){ 0 };
    double r = kt_mixed_thunk(0x1111222233334444LL, 1.5, -7, 2.25, 0x7FFFFFFFFFFFFFFFLL, -3.125, 42, 1e300);
    KT_EQ_HEX(kt_seen.a, 0x1111222233334444ULL);
    KT_EQ_INT(kt_seen.c, -7);
    KT_EQ_HEX(kt_seen.e, 0x7FFFFFFFFFFFFFFFULL);
    KT_EQ_INT(kt_seen.g, 42);
    KT_TRUE(kt_seen.b == 1.5 && kt_seen.d == 2.25 && kt_seen.f == -3.125 && kt_seen.h == 1e300);
    KT_TRUE(r == 3.0 + 1e300);
    KT_TRUE(kt_doubles_thunk(1, 2, 3, 4, 5, 6) == 654321.0);
}

KT_TEST(thunk_passes_arguments_at_the_maximum)
{
    KIRQL old = ke_irql_get();
    ke_irql_set(PASSIVE_LEVEL);
    kt_call_both();
    ke_irql_set(old);
}

KT_TEST(thunk_passes_arguments_through_the_slow_path_with_irql_off)
{
    unsigned mask = vf_group_mask;
    KIRQL old = ke_irql_get();
    vf_set_groups(mask & ~(1u << VF_IRQL));
    ke_irql_set(DISPATCH_LEVEL);
    kt_call_both();
    ke_irql_set(old);
    vf_set_groups(mask);
}

KT_TEST(imports_bind_to_thunks_when_irql_is_on)
{
    unsigned mask = vf_group_mask;
    const struct ldr_export *zw_close = ldr_export_find("ntoskrnl.exe", "ZwClose");
    KT_REQUIRE(KT_TRUE(zw_close != NULL));
    KT_TRUE(zw_close->irql_thunk != NULL);
    vf_set_groups(mask | 1u << VF_IRQL);
    KT_EQ_PTR(ldr_export_target(zw_close), zw_close->irql_thunk);
    vf_set_groups(mask & ~(1u << VF_IRQL));
    KT_EQ_PTR(ldr_export_target(zw_close), zw_close->address);
    vf_set_groups(mask);
}

KT_TEST(rows_without_thunks)
{
    /* checks its own IRQL (0xC4/0x01, 0x02), any IRQL, the client API */
    static const char *const names[] = { "ExAllocatePoolWithTag", "KeWaitForSingleObject", "DbgPrint", "CreateFileW" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct ldr_export *e = ldr_export_find(NULL, names[i]);
        KT_REQUIRE(KT_TRUE(e != NULL));
        if (e->irql_thunk)
            kt_fail(__FILE__, __LINE__, "%s has an IRQL thunk", names[i]);
        KT_EQ_PTR(ldr_export_target(e), e->address);
    }
}

static void kt_zw_close_at_dispatch(void *arg)
{
    (void)arg;
    NTSTATUS(NTAPI * zw_close)(HANDLE) = ldr_export_find("ntoskrnl.exe", "ZwClose")->irql_thunk;
    ke_irql_set(DISPATCH_LEVEL);
    zw_close(NULL);
}

KT_TEST(passive_routine_at_dispatch_is_IrqlZwPassive)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x2001F, kt_zw_close_at_dispatch, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "ZwClose at DISPATCH_LEVEL: callers must be at IRQL <= PASSIVE_LEVEL (DDI compliance rule "
                     "IrqlZwPassive).");
}

static void kt_set_event_at_high(void *arg)
{
    KEVENT event;
    LONG(NTAPI * set_event)(PRKEVENT, KPRIORITY, BOOLEAN) = ldr_export_find(NULL, "KeSetEvent")->irql_thunk;
    (void)arg;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    ke_irql_set(HIGH_LEVEL);
    set_event(&event, 0, FALSE);
}

KT_TEST(dispatch_routine_at_high_is_IrqlKeDispatchLte)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x20011, kt_set_event_at_high, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "KeSetEvent at HIGH_LEVEL: callers must be at IRQL <= DISPATCH_LEVEL (DDI compliance rule "
                     "IrqlKeDispatchLte).");
}
