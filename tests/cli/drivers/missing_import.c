/* A driver calling routines ntbox does not export. */
#include <ntddk.h>

NTKERNELAPI NTSTATUS NTAPI IoNotARealRoutine(PVOID);
NTKERNELAPI VOID NTAPI KeAlsoNotReal(VOID);

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    KeAlsoNotReal();
    return IoNotARealRoutine(DriverObject);
}
