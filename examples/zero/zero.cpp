/* zero.c: the "Zero" device, in the style of Windows Kernel Programming's
 * sample: reads return zeroes, writes are swallowed and counted, and an
 * I/O control returns the counts. Direct I/O for reads and writes.
 *
 *   ntbox run examples/zero/zero.cpp --client examples/zero/client.c */
#include <ntddk.h>
#include "zero_common.h"

#define DRIVER_PREFIX "Zero: "

static LONG64 g_TotalRead;
static LONG64 g_TotalWritten;

static NTSTATUS CompleteIrp(PIRP Irp, NTSTATUS status, ULONG_PTR info)
{
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS ZeroCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return CompleteIrp(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS ZeroRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG len = stack->Parameters.Read.Length;
    if (len == 0)
        return CompleteIrp(Irp, STATUS_INVALID_BUFFER_SIZE, 0);

    PVOID buffer = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    if (!buffer)
        return CompleteIrp(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);

    memset(buffer, 0, len);
    InterlockedAdd64(&g_TotalRead, len);
    return CompleteIrp(Irp, STATUS_SUCCESS, len);
}

static NTSTATUS ZeroWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    ULONG len = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    InterlockedAdd64(&g_TotalWritten, len);
    return CompleteIrp(Irp, STATUS_SUCCESS, len);
}

static NTSTATUS ZeroDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    const ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;

    switch (code) {
    case IOCTL_ZERO_GET_STATS: {
        if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ZERO_STATS))
            return CompleteIrp(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        ZERO_STATS *stats = (ZERO_STATS *)Irp->AssociatedIrp.SystemBuffer;
        stats->TotalRead = g_TotalRead;
        stats->TotalWritten = g_TotalWritten;
        return CompleteIrp(Irp, STATUS_SUCCESS, sizeof(ZERO_STATS));
    }
    case IOCTL_ZERO_CLEAR_STATS:
        InterlockedExchange64(&g_TotalRead, 0);
        InterlockedExchange64(&g_TotalWritten, 0);
        return CompleteIrp(Irp, STATUS_SUCCESS, 0);
    }
    return CompleteIrp(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static void ZeroUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Zero");
    IoDeleteSymbolicLink(&symLink);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint(DRIVER_PREFIX "unloaded\n");
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING devName = RTL_CONSTANT_STRING(L"\\Device\\Zero");
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Zero");
    PDEVICE_OBJECT DeviceObject = NULL;

    DriverObject->DriverUnload = ZeroUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ZeroCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ZeroCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = ZeroRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = ZeroWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ZeroDeviceControl;

    NTSTATUS status = IoCreateDevice(DriverObject, 0, &devName, FILE_DEVICE_UNKNOWN, 0, FALSE, &DeviceObject);
    if (!NT_SUCCESS(status)) {
        DbgPrint(DRIVER_PREFIX "failed to create the device (0x%08X)\n", status);
        return status;
    }
    DeviceObject->Flags |= DO_DIRECT_IO;

    status = IoCreateSymbolicLink(&symLink, &devName);
    if (!NT_SUCCESS(status)) {
        DbgPrint(DRIVER_PREFIX "failed to create the symbolic link (0x%08X)\n", status);
        IoDeleteDevice(DeviceObject);
        return status;
    }
    DbgPrint(DRIVER_PREFIX "%wZ -> %wZ ready\n", &symLink, &devName);
    return STATUS_SUCCESS;
}
