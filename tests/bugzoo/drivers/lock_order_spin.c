/* Two spin locks taken in opposite orders by two dispatch routines: one
 * I/O control queues a request (queue lock, then statistics lock), the
 * other reads the statistics (statistics lock, then queue lock). Run one
 * after the other nothing hangs, but two processors running them at once
 * would each wait for the other's lock forever. Driver Verifier's deadlock
 * detection reports the second order when it first sees it: 0xC4/0x1001,
 * P2 the lock being acquired.
 *   ntbox run lock_order_spin.c --client ../client.c ZooOrder 0x80002000 0x80002004 */
#include <ntddk.h>

#define IOCTL_ZOO_QUEUE CTL_CODE(0x8000, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_ZOO_STATS CTL_CODE(0x8000, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct {
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    ULONG Queued;
    ULONG Reads;
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

static VOID Enqueue(DEVICE_STATE *state)
{
    KIRQL old;
    KeAcquireSpinLock(&state->QueueLock, &old);
    KeAcquireSpinLockAtDpcLevel(&state->StatsLock);
    state->Queued++;
    KeReleaseSpinLockFromDpcLevel(&state->StatsLock);
    KeReleaseSpinLock(&state->QueueLock, old);
}

static VOID ReadStats(DEVICE_STATE *state)
{
    KIRQL old;
    KeAcquireSpinLock(&state->StatsLock, &old);
    KeAcquireSpinLockAtDpcLevel(&state->QueueLock); /* BUG: the queue lock is taken first elsewhere */
    state->Reads++;
    KeReleaseSpinLockFromDpcLevel(&state->QueueLock);
    KeReleaseSpinLock(&state->StatsLock, old);
}

static NTSTATUS ZooDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    DEVICE_STATE *state = DeviceObject->DeviceExtension;

    switch (IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_ZOO_QUEUE:
        Enqueue(state);
        break;
    case IOCTL_ZOO_STATS:
        ReadStats(state);
        break;
    }
    return Complete(Irp, STATUS_SUCCESS);
}

static VOID ZooUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooOrder");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\ZooOrder");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\ZooOrder");
    PDEVICE_OBJECT device;
    UNREFERENCED_PARAMETER(RegistryPath);

    DriverObject->DriverUnload = ZooUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ZooCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ZooCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ZooDeviceControl;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(DEVICE_STATE), &name, FILE_DEVICE_UNKNOWN, 0, FALSE,
                                     &device);
    if (!NT_SUCCESS(status))
        return status;
    DEVICE_STATE *state = device->DeviceExtension;
    KeInitializeSpinLock(&state->QueueLock);
    KeInitializeSpinLock(&state->StatsLock);
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status))
        IoDeleteDevice(device);
    return status;
}
