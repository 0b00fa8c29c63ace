/* A driver that sets no DriverUnload, so it cannot be unloaded. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("no_unload loaded\n");
    return STATUS_SUCCESS;
}
