/* A dispatch routine returning above the IRQL it was called at: its create
 * routine takes a spin lock and, on one path, returns holding it, at
 * DISPATCH_LEVEL. Driver Verifier's I/O verification stops it in
 * IoCallDriver: 0xC9/0x05 (P2 the device, P3 the IRQL before, P4 after),
 * charged to the statement that raised the IRQL.
 *   ntbox run dispatch_raised.c --client ../client.c ZooRaised */
#include <ntddk.h>

static KSPIN_LOCK g_Lock;
static ULONG g_Opens;

static NTSTATUS ZooCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    KeAcquireSpinLock(&g_Lock, &old); /* BUG: the first open returns with the lock held */
    if (++g_Opens == 1)
        return STATUS_SUCCESS;
    KeReleaseSpinLock(&g_Lock, old);
    return STATUS_SUCCESS;
}

static VOID ZooUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooRaised");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\ZooRaised");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooRaised");
    PDEVICE_OBJECT device;
    UNREFERENCED_PARAMETER(RegistryPath);

    KeInitializeSpinLock(&g_Lock);
    DriverObject->DriverUnload = ZooUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ZooCreate;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status))
        IoDeleteDevice(device);
    return status;
}
