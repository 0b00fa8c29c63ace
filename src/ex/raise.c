/* ex/raise.c: ExRaiseStatus, and the raise the pool routines make on failure.
 *
 * Surprise: ntbox has no structured exception handling for native drivers
 * yet, so every raise is an unhandled exception: the run stops with bug check
 * 0x7E (SYSTEM_THREAD_EXCEPTION_NOT_HANDLED), P1 the status, charged to the
 * driver line that raised. FIXME: deliver to the driver's __except handlers
 * once ntbox dispatches SEH. */
#include "ex/pool.h"

#include "ke/bugcheck.h"

void ex_raise_status(NTSTATUS status, const void *caller, const char *detail)
{
    ke_unhandled_exception(status, caller, detail);
}

/* Raises an exception with the given status; the caller's handler, if any,
 * decides what happens; IRQL <= DISPATCH_LEVEL (WDK, ExRaiseStatus). */
VOID NTAPI ExRaiseStatus(NTSTATUS Status)
{
    ex_raise_status(Status, __builtin_return_address(0), "The driver called ExRaiseStatus.");
}
