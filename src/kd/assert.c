/* kd/assert.c: RtlAssert, where ASSERT() of a checked (DBG) build goes.
 *
 * Windows prints the assertion to the debugger and, with no debugger to
 * break into, raises STATUS_ASSERTION_FAILURE as `int 0x2c` (NT_ASSERT)
 * does: a driver's __except may take it; unhandled, it stops the run with
 * bugcheck 0x7E, charged to the driver's call. */
#include "ex/pool.h"

#include <stdio.h>

/* Reports the failed assertion (MutableMessage, when given, before it);
 * any IRQL (WDK, RtlAssert). */
NTSYSAPI VOID NTAPI RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage)
{
    const char *assertion = VoidFailedAssertion ? VoidFailedAssertion : "";
    const char *file = VoidFileName ? VoidFileName : "";
    char detail[512];

    DbgPrint("\n*** Assertion failed: %s%s\n***   Source File: %s, line %lu\n\n", MutableMessage ? MutableMessage : "",
             assertion, file, LineNumber);
    snprintf(detail, sizeof detail, "The driver's assertion %s failed (RtlAssert, %s:%lu) and no debugger is attached.",
             assertion, file, (unsigned long)LineNumber);
    ex_raise_status(STATUS_ASSERTION_FAILURE, __builtin_return_address(0), detail);
}
