/* A driver that says what reaches it: each request's major function and
 * the process it comes in (the System process is 4, a client has its own
 * id). Its device \Device\Tracer (\??\Tracer) cannot be opened while
 * DriverEntry runs: the I/O manager clears DO_DEVICE_INITIALIZING only
 * when DriverEntry has returned. */
#include <ntddk.h>

static const char *MajorName(UCHAR major)
{
    switch (major) {
    case IRP_MJ_CREATE: return "IRP_MJ_CREATE";
    case IRP_MJ_CLEANUP: return "IRP_MJ_CLEANUP";
    case IRP_MJ_CLOSE: return "IRP_MJ_CLOSE";
    case IRP_MJ_READ: return "IRP_MJ_READ";
    default: return "another request";
    }
}

static NTSTATUS TracerDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    DbgPrint("tracer: %s in process %u%s\n", MajorName(stack->MajorFunction),
             (ULONG)(ULONG_PTR)PsGetCurrentProcessId(),
             (DeviceObject->Flags & DO_DEVICE_INITIALIZING) ? " (device initializing)" : "");
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static VOID TracerUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\Tracer");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint("tracer: unloaded in process %u\n", (ULONG)(ULONG_PTR)PsGetCurrentProcessId());
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\Tracer");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\Tracer");
    PDEVICE_OBJECT device;
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK iosb;
    HANDLE handle;

    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("tracer: DriverEntry in process %u\n", (ULONG)(ULONG_PTR)PsGetCurrentProcessId());
    DriverObject->DriverUnload = TracerUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = TracerDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = TracerDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = TracerDispatch;
    DriverObject->MajorFunction[IRP_MJ_READ] = TracerDispatch;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    status = ZwOpenFile(&handle, FILE_READ_DATA, &attributes, &iosb, 0, 0);
    DbgPrint("tracer: opening \\Device\\Tracer during DriverEntry: 0x%08X\n", status);
    if (NT_SUCCESS(status))
        ZwClose(handle);
    return STATUS_SUCCESS;
}
