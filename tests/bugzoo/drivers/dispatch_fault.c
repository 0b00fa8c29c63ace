/* Bugs in a dispatch routine, run for a client's DeviceIoControl: the
 * routine runs in the client's thread, inside its system call, so an
 * exception no handler catches is SYSTEM_SERVICE_EXCEPTION (0x3B), P1 the
 * exception; a wild system-space pointer is 0x50 there as anywhere; a
 * return holding a spin lock, at DISPATCH_LEVEL, is Driver Verifier's
 * 0xC9/0x05 in IoCallDriver, charged to the statement that raised the IRQL.
 *   ntbox run dispatch_fault.c --client ../client.c ZooFault IOCTL */
#include <ntddk.h>

#define IOCTL_ZOO_NULL CTL_CODE(0x8000, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_ZOO_WILD CTL_CODE(0x8000, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_ZOO_RAISE CTL_CODE(0x8000, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_ZOO_IRQL CTL_CODE(0x8000, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)

static KSPIN_LOCK g_Lock;

typedef struct {
    LONG Requests;
} DEVICE_STATE;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS ZooCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return Complete(Irp, STATUS_SUCCESS);
}

static NTSTATUS ZooDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    DEVICE_STATE *state = NULL; /* the device extension, had it asked for one */
    volatile ULONG *wild = (volatile ULONG *)(ULONG_PTR)0xFFFFF80012345678ULL;
    KIRQL old;
    UNREFERENCED_PARAMETER(DeviceObject);

    switch (IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_ZOO_NULL:
        state->Requests++; /* BUG-NULL: no device extension */
        break;
    case IOCTL_ZOO_WILD:
        *wild = 1; /* BUG-WILD: nothing is mapped there */
        break;
    case IOCTL_ZOO_RAISE:
        ExRaiseStatus(STATUS_INVALID_DEVICE_REQUEST); /* BUG-RAISE: nobody handles it */
        break;
    case IOCTL_ZOO_IRQL:
        KeAcquireSpinLock(&g_Lock, &old); /* BUG-IRQL: never released: the routine returns at DISPATCH_LEVEL */
        break;
    }
    return Complete(Irp, STATUS_SUCCESS);
}

static VOID ZooUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooFault");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\ZooFault");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooFault");
    PDEVICE_OBJECT device;
    UNREFERENCED_PARAMETER(RegistryPath);

    KeInitializeSpinLock(&g_Lock);
    DriverObject->DriverUnload = ZooUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ZooCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ZooCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ZooDeviceControl;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status))
        IoDeleteDevice(device);
    return status;
}
