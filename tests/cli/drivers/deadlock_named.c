/* DriverEntry waits, through a handle, for a named event
 * (\KernelObjects\HangReady) nothing will set. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\KernelObjects\\HangReady");
    OBJECT_ATTRIBUTES attributes;
    HANDLE ready;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    NTSTATUS status = ZwCreateEvent(&ready, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE);
    if (!NT_SUCCESS(status))
        return status;
    ZwWaitForSingleObject(ready, FALSE, NULL);
    ZwClose(ready);
    return STATUS_SUCCESS;
}
