/* DriverEntry waits for an event nothing will ever set. */
#include <ntddk.h>

static KEVENT ready;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&ready, NotificationEvent, FALSE);
    DbgPrint("deadlock_event: waiting for the device to be ready\n");
    KeWaitForSingleObject(&ready, Executive, KernelMode, FALSE, NULL);
    return STATUS_SUCCESS;
}
