/* DriverEntry sleeps for an hour: no deadlock (the sleep ends), but a run
 * bounded by --timeout stops first. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    LARGE_INTEGER hour = { .QuadPart = -10LL * 1000 * 1000 * 3600 };
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeDelayExecutionThread(KernelMode, FALSE, &hour);
    return STATUS_SUCCESS;
}
