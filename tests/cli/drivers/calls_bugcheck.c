/* A driver that stops the system on purpose from DriverEntry, saying
 * first which thread it runs on: the report's Thread: line must match. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("thread %u\n", (unsigned)(ULONG_PTR)PsGetCurrentThreadId());
    KeBugCheckEx(0xE2, 1, 2, 3, 4);
}
