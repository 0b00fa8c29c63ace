/* tests/kd/test_debugger.c: the kernel debugger as drivers see it: none is
 * attached (KdDebuggerEnabled, KdDebuggerNotPresent), so DbgBreakPoint,
 * declared for native drivers as wdm.h declares it, stops the run with
 * bugcheck 0x7E, STATUS_BREAKPOINT. */
#include "ktest.h"

KT_TEST(no_kernel_debugger)
{
    KT_EQ_INT(*KdDebuggerEnabled, FALSE);
    KT_EQ_INT(*KdDebuggerNotPresent, TRUE);
    KT_EQ_INT(KD_DEBUGGER_ENABLED, FALSE);
}

static void break_point(void *arg)
{
    (void)arg;
    DbgBreakPoint();
}

KT_TEST(DbgBreakPoint_without_debugger_is_0x7E)
{
    const char *out = KT_EXPECT_BUGCHECK(0x7E, (ULONG)STATUS_BREAKPOINT, break_point, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, "The driver hit a breakpoint (int 3, DbgBreakPoint) and no kernel debugger is attached.");
}
