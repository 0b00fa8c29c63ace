/* An IRP completed twice: IRP_MJ_CREATE's routine completes it, then its
 * helper does again. MULTIPLE_IRP_COMPLETE_REQUESTS (0x44), P1 the IRP.
 *   ntbox run double_complete.c --client ../client.c ZooTwice */
#include <ntddk.h>

static NTSTATUS Finish(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT); /* BUG: the second completion */
    return Status;
}

static NTSTATUS ZooCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    DbgPrint("double_complete: IRP 0x%p\n", Irp);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Finish(Irp, STATUS_SUCCESS);
}

static VOID ZooUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooTwice");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\ZooTwice");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooTwice");
    PDEVICE_OBJECT device;
    UNREFERENCED_PARAMETER(RegistryPath);

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
