/* A driver that writes through a NULL pointer in DriverEntry. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    volatile ULONG *p = NULL;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    *p = 42; /* the faulting line */
    return STATUS_SUCCESS;
}
