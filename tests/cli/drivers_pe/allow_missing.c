/* Imports a routine ntbox does not provide and calls it: refused at load,
 * or with --allow-missing run until the call, which stops the run naming it. */
#include <ntddk.h>

NTKERNELAPI NTSTATUS NTAPI IoNotARealRoutine(ULONG Value);

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("allow_missing: calling IoNotARealRoutine\n");
    NTSTATUS status = IoNotARealRoutine(1);
    DbgPrint("allow_missing: not reached (%08lx)\n", status);
    return status;
}
