/* A driver that holds requests: a read is held with a cancel routine, an
 * I/O control without one (the driver completes it only at
 * IRP_MJ_CLEANUP). Each step says what it does and in which process. */
#include <ntddk.h>

static PIRP HeldControl;

static ULONG Pid(VOID)
{
    return (ULONG)(ULONG_PTR)PsGetCurrentProcessId();
}

static VOID NTAPI PenderCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    DbgPrint("pender: cancel routine in process %u: completing the read with STATUS_CANCELLED\n", Pid());
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS PenderDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    switch (IoGetCurrentIrpStackLocation(Irp)->MajorFunction) {
    case IRP_MJ_READ:
        DbgPrint("pender: IRP_MJ_READ in process %u: held, with a cancel routine\n", Pid());
        IoMarkIrpPending(Irp);
        IoSetCancelRoutine(Irp, PenderCancel);
        return STATUS_PENDING;
    case IRP_MJ_DEVICE_CONTROL:
        DbgPrint("pender: IRP_MJ_DEVICE_CONTROL in process %u: held, without a cancel routine\n", Pid());
        IoMarkIrpPending(Irp);
        HeldControl = Irp;
        return STATUS_PENDING;
    case IRP_MJ_CLEANUP:
        DbgPrint("pender: IRP_MJ_CLEANUP in process %u%s\n", Pid(),
                 HeldControl ? ": completing the I/O control it holds" : "");
        if (HeldControl) {
            PIRP held = HeldControl;
            HeldControl = NULL;
            Complete(held, STATUS_CANCELLED);
        }
        return Complete(Irp, STATUS_SUCCESS);
    case IRP_MJ_CLOSE:
        DbgPrint("pender: IRP_MJ_CLOSE in process %u\n", Pid());
        return Complete(Irp, STATUS_SUCCESS);
    default:
        return Complete(Irp, STATUS_SUCCESS);
    }
}

static VOID PenderUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\Pender");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\Pender");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\Pender");
    PDEVICE_OBJECT device;

    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = PenderUnload;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = PenderDispatch;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status))
        IoDeleteDevice(device);
    return status;
}
