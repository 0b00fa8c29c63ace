/* DriverEntry returning above the IRQL it was called at: it raises to
 * DISPATCH_LEVEL on one path and returns without lowering. Windows calls
 * DriverEntry on a System worker thread, which finds itself back at
 * DISPATCH_LEVEL: 0xE1 WORKER_THREAD_RETURNED_AT_BAD_IRQL, P1 the routine
 * (here DriverEntry), charged to the statement that raised the IRQL. */
#include <ntddk.h>

static ULONG g_Counter;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("entry_raised: DriverEntry 0x%p\n", (PVOID)DriverEntry);
    KeRaiseIrql(DISPATCH_LEVEL, &old); /* BUG: the early return below does not lower it */
    if (++g_Counter == 1)
        return STATUS_SUCCESS;
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}
