/* KeRaiseIrql to an IRQL below the current one: Driver Verifier's
 * 0xC4/0x30, P2 the current IRQL, P3 the new one. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old, older;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeRaiseIrql(APC_LEVEL, &older); /* BUG: "raising" to a lower IRQL */
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}
