/* ke/bugcheck.h: how ntbox stops the "system".
 *
 * A bugcheck ends the run: the STOP line with code and four parameters, the
 * bugcheck's name, one sentence on what it means, the explanation given by
 * the caller, where in the driver it happened, a backtrace, the IRQL; then
 * the process exits with status 3. It never returns. */
#ifndef NTBOX_KE_BUGCHECK_H
#define NTBOX_KE_BUGCHECK_H

#include <ntddk.h>

/* Exit status of a run that ended in a bugcheck or verifier finding. */
#define KE_BUGCHECK_EXIT_STATUS 3

/* code/p1..p4: as Microsoft's bug check reference documents them.
 * at: the address the bug is charged to: a return address into the driver
 *     (from __builtin_return_address(0) in the exported routine it called),
 *     or NULL when there is none.
 * detail: printf-style, the specific explanation ("RemoveEntryList(0x...):
 *     Flink->Blink should be 0x..., but is 0x..."); may span several lines;
 *     NULL for none. */
__attribute__((noreturn, format(printf, 7, 8)))
void ke_bugcheck(ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4,
                 const void *at, const char *detail, ...);

/* An exception (ExRaiseStatus, a fault) that no handler caught: the bugcheck
 * Windows gives in the current context (0x7E in a system thread, where
 * DriverEntry, DriverUnload and system threads run). address: where it was
 * raised (a return address into the driver for ExRaiseStatus). */
__attribute__((noreturn))
void ke_unhandled_exception(NTSTATUS status, const void *address, const char *detail);

/* Claims the one report a run ends with; a thread that comes second waits
 * for the exit that is coming. For reports that are not bugchecks (hangs). */
void ke_enter_bugcheck(void);

/* The symbolic name of a bugcheck code ("KERNEL_SECURITY_CHECK_FAILURE"),
 * or NULL when ntbox does not know it. */
const char *ke_bugcheck_name(ULONG code);

/* Installs the handlers that turn a fault in driver code (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE) into a bugcheck report. */
void ke_bugcheck_install_fault_handlers(void);

#endif
