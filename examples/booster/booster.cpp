/* booster.cpp: Windows Kernel Programming's Booster: a client writes a
 * THREAD_DATA (a thread id and a priority, 1 to 31) and the driver looks
 * the thread up and sets its priority, whatever its process's priority
 * class would allow. A short write is STATUS_BUFFER_TOO_SMALL, a priority
 * out of range STATUS_INVALID_PARAMETER, an unknown thread the lookup's
 * status (STATUS_INVALID_CID).
 *
 *   ntbox run examples/booster/booster.cpp --client examples/booster/client.c */
#include <ntddk.h>
#include "booster_common.h"

#define DRIVER_PREFIX "Booster: "

static NTSTATUS CompleteIrp(PIRP Irp, NTSTATUS status, ULONG_PTR info)
{
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS BoosterCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return CompleteIrp(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS BoosterWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.Write.Length < sizeof(THREAD_DATA))
        return CompleteIrp(Irp, STATUS_BUFFER_TOO_SMALL, 0);

    THREAD_DATA *data = (THREAD_DATA *)Irp->AssociatedIrp.SystemBuffer;
    if (data->Priority < 1 || data->Priority > 31)
        return CompleteIrp(Irp, STATUS_INVALID_PARAMETER, 0);

    PETHREAD thread;
    NTSTATUS status = PsLookupThreadByThreadId(ULongToHandle(data->ThreadId), &thread);
    if (!NT_SUCCESS(status))
        return CompleteIrp(Irp, status, 0);

    KPRIORITY old = KeSetPriorityThread((PKTHREAD)thread, data->Priority);
    ObDereferenceObject(thread);
    DbgPrint(DRIVER_PREFIX "thread priority %d -> %d\n", old, data->Priority);
    return CompleteIrp(Irp, STATUS_SUCCESS, sizeof(THREAD_DATA));
}

static void BoosterUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Booster");
    IoDeleteSymbolicLink(&symLink);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint(DRIVER_PREFIX "unloaded\n");
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING devName = RTL_CONSTANT_STRING(L"\\Device\\Booster");
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Booster");
    PDEVICE_OBJECT DeviceObject = NULL;

    DriverObject->DriverUnload = BoosterUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BoosterCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = BoosterCreateClose;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = BoosterWrite;

    NTSTATUS status = IoCreateDevice(DriverObject, 0, &devName, FILE_DEVICE_UNKNOWN, 0, FALSE, &DeviceObject);
    if (!NT_SUCCESS(status))
        return status;
    DeviceObject->Flags |= DO_BUFFERED_IO;
    status = IoCreateSymbolicLink(&symLink, &devName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(DeviceObject);
        return status;
    }
    return STATUS_SUCCESS;
}
