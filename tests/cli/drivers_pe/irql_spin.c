/* For bench/load: a routine that raises to DISPATCH_LEVEL and lowers back
 * 1000 times with the inline KeRaiseIrql and KeLowerIrql of mingw-w64's
 * DDK headers (three CR8 accesses a pair), handed to the benchmark as the
 * driver's IRP_MJ_DEVICE_CONTROL routine. */
#include <ntddk.h>

#define SPIN_PAIRS 1000

static NTSTATUS Spin(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    for (ULONG i = 0; i < SPIN_PAIRS; i++) {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        KeLowerIrql(old);
    }
    return KeGetCurrentIrql() == PASSIVE_LEVEL ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

static VOID SpinUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = Spin;
    DriverObject->DriverUnload = SpinUnload;
    return STATUS_SUCCESS;
}
