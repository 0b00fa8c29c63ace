/* KeLowerIrql to an IRQL above the current one: Driver Verifier's
 * 0xC4/0x31, P2 the current IRQL, P3 the new one. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeLowerIrql(DISPATCH_LEVEL); /* BUG: lowering from PASSIVE_LEVEL */
    return STATUS_SUCCESS;
}
