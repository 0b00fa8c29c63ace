/* tests/kd/test_kdprint.c: KdPrint and KdPrintEx in a checked build (DBG 1,
 * defined before the WDK headers as a driver's build does). */
#define DBG 1
#include "ktest.h"

#include <unistd.h>

static void print_kdprint(void *arg)
{
    (void)arg;
    if (KdPrint(("kdprint %d\n", 1)) != STATUS_SUCCESS)
        _exit(10);
    if (KdPrintEx((DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL, "kdprintex %s\n", "two")) != STATUS_SUCCESS)
        _exit(10);
}

/* With DBG 1, KdPrint((...)) is DbgPrint(...) and KdPrintEx((...)) is
 * DbgPrintEx(...) (WDK, KdPrint). */
KT_TEST(KdPrint_DBG_1_is_DbgPrint)
{
    int status;
    const char *out = kt_run_child(print_kdprint, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_EQ_STR(out, "kdprint 1\nkdprintex two\n");
}
