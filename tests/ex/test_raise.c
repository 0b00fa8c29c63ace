/* tests/ex/test_raise.c: ExRaiseStatus with no handler in the way (handled
 * raises are tests/ke/test_seh_raise.c): bug check 0x7E, P1 the status, P2
 * the address the driver raised from. */
#include "ktest.h"

#include <stdint.h>
#include <stdio.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

static void raise_status(void *arg)
{
    ExRaiseStatus((NTSTATUS)(intptr_t)arg);
}

/* "ExRaiseStatus ... raise[s] an exception with a specified status": with no
 * handler, SYSTEM_THREAD_EXCEPTION_NOT_HANDLED with P1 = the status. */
KT_TEST(ExRaiseStatus_unhandled_is_0x7E)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION,
                                         raise_status, (void *)(intptr_t)STATUS_ACCESS_VIOLATION);
    KT_CONTAINS(out, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED");
    KT_CONTAINS(out, "The driver called ExRaiseStatus.");
}

/* Any status is raised as given, P1 its 32-bit value. */
KT_TEST(ExRaiseStatus_status_is_p1)
{
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES, raise_status,
                       (void *)(intptr_t)STATUS_INSUFFICIENT_RESOURCES);
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, 0x00000001, raise_status, (void *)(intptr_t)1);
}

static void raise_here(void *arg)
{
    (void)arg;
    ExRaiseStatus(STATUS_INVALID_PARAMETER);
}

/* P2 is where the driver raised: a return address inside raise_here. */
KT_TEST(ExRaiseStatus_address_is_caller)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INVALID_PARAMETER,
                                         raise_here, NULL);
    KT_REQUIRE(out);
    unsigned long long p1, p2;
    KT_REQUIRE(KT_TRUE(sscanf(strstr(out, "*** STOP: "), "*** STOP: 0x%*x (0x%llx,0x%llx", &p1, &p2) == 2));
    KT_TRUE(p2 > (uintptr_t)raise_here && p2 < (uintptr_t)raise_here + 64);
}
