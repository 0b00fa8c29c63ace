/* kd/debugger.c: the kernel debugger's state as drivers see it:
 * KdDebuggerEnabled and KdDebuggerNotPresent.
 *
 * ntbox has no kernel debugger (gdb debugs the whole process instead), so
 * a driver that checks before DbgBreakPoint sees none attached. The flags
 * are BOOLEANs; ntoskrnl exports their addresses, which the WDK declares as
 * PBOOLEAN: a .sys's import slot holds the flag's address (the export
 * table's row names the flag) and a native driver binds to the pointer
 * variable of the export's name. */
#include <ntddk.h>

BOOLEAN kd_debugger_enabled = FALSE;
BOOLEAN kd_debugger_not_present = TRUE;

NTKERNELAPI PBOOLEAN KdDebuggerEnabled = &kd_debugger_enabled;
NTKERNELAPI PBOOLEAN KdDebuggerNotPresent = &kd_debugger_not_present;
