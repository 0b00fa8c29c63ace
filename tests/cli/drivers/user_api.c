/* A driver calling the client API, which is for user-mode programs: ntbox
 * provides CreateFileW and DeviceIoControl to its clients, never to a
 * driver, so loading this one fails naming both. */
#include <ntddk.h>

NTSYSAPI HANDLE NTAPI CreateFileW(PCWSTR, ULONG, ULONG, PVOID, ULONG, ULONG, HANDLE);
NTSYSAPI BOOLEAN NTAPI DeviceIoControl(HANDLE, ULONG, PVOID, ULONG, PVOID, ULONG, PULONG, PVOID);

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ULONG returned;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    HANDLE h = CreateFileW(L"\\\\.\\Zero", 0, 0, NULL, 3, 0, NULL);
    return DeviceIoControl(h, 0, NULL, 0, NULL, 0, &returned, NULL) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
