/* methods.cpp: a driver with one I/O control per buffering method, showing
 * what the I/O manager hands a dispatch routine in each case:
 *   METHOD_BUFFERED    Irp->AssociatedIrp.SystemBuffer, input copied in,
 *                      Information bytes copied back out;
 *   METHOD_IN_DIRECT   input in the system buffer, the output buffer as an
 *                      MDL probed for reading;
 *   METHOD_OUT_DIRECT  input in the system buffer, the output buffer as an
 *                      MDL probed for writing;
 *   METHOD_NEITHER     the caller's own pointers: Type3InputBuffer and
 *                      Irp->UserBuffer, which the driver must probe.
 *
 *   ntbox run examples/methods/methods.cpp --client examples/methods/client.c */
#include <ntddk.h>
#include "methods_common.h"

#define DRIVER_PREFIX "Methods: "

static NTSTATUS CompleteIrp(PIRP Irp, NTSTATUS status, ULONG_PTR info)
{
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS MethodsCreateClose(PDEVICE_OBJECT, PIRP Irp)
{
    return CompleteIrp(Irp, STATUS_SUCCESS, 0);
}

static void Reverse(UCHAR *out, const UCHAR *in, ULONG len)
{
    UCHAR tmp[256];
    if (len > sizeof tmp)
        len = sizeof tmp;
    for (ULONG i = 0; i < len; i++)
        tmp[i] = in[len - 1 - i];
    memcpy(out, tmp, len);
}

static NTSTATUS MethodsDeviceControl(PDEVICE_OBJECT, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    auto& dic = stack->Parameters.DeviceIoControl;
    ULONG in = dic.InputBufferLength, out = dic.OutputBufferLength;

    switch (dic.IoControlCode) {
    case IOCTL_METHODS_BUFFERED: {
        if (in == 0 || in > 256 || out < in)
            return CompleteIrp(Irp, STATUS_INVALID_BUFFER_SIZE, 0);
        UCHAR *buffer = (UCHAR *)Irp->AssociatedIrp.SystemBuffer;
        DbgPrint(DRIVER_PREFIX "BUFFERED: %u bytes in, %u out, one system buffer\n", in, out);
        Reverse(buffer, buffer, in);
        return CompleteIrp(Irp, STATUS_SUCCESS, in);
    }
    case IOCTL_METHODS_IN_DIRECT: {
        if (in == 0 || !Irp->MdlAddress)
            return CompleteIrp(Irp, STATUS_INVALID_PARAMETER, 0);
        UCHAR what = *(UCHAR *)Irp->AssociatedIrp.SystemBuffer;
        UCHAR *data = (UCHAR *)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
        if (!data)
            return CompleteIrp(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        ULONG count = 0;
        for (ULONG i = 0; i < MmGetMdlByteCount(Irp->MdlAddress); i++)
            count += data[i] == what;
        DbgPrint(DRIVER_PREFIX "IN_DIRECT: %u bytes in, an MDL of %u bytes to read\n", in,
                 MmGetMdlByteCount(Irp->MdlAddress));
        return CompleteIrp(Irp, STATUS_SUCCESS, count);
    }
    case IOCTL_METHODS_OUT_DIRECT: {
        if (in == 0 || in > 256 || !Irp->MdlAddress || out < in)
            return CompleteIrp(Irp, STATUS_INVALID_BUFFER_SIZE, 0);
        UCHAR *data = (UCHAR *)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
        if (!data)
            return CompleteIrp(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        DbgPrint(DRIVER_PREFIX "OUT_DIRECT: %u bytes in, an MDL of %u bytes to write\n", in, out);
        Reverse(data, (UCHAR *)Irp->AssociatedIrp.SystemBuffer, in);
        return CompleteIrp(Irp, STATUS_SUCCESS, in);
    }
    case IOCTL_METHODS_NEITHER: {
        UCHAR *input = (UCHAR *)dic.Type3InputBuffer;
        UCHAR *output = (UCHAR *)Irp->UserBuffer;
        if (in == 0 || out < in)
            return CompleteIrp(Irp, STATUS_INVALID_BUFFER_SIZE, 0);
        /* The caller's pointers: anything could be behind them. */
        ProbeForRead(input, in, 1);
        ProbeForWrite(output, out, 1);
        DbgPrint(DRIVER_PREFIX "NEITHER: %u bytes in, %u out, the caller's own pointers\n", in, out);
        for (ULONG i = 0; i < in; i++)
            output[i] = (input[i] >= 'a' && input[i] <= 'z') ? input[i] - 'a' + 'A' : input[i];
        return CompleteIrp(Irp, STATUS_SUCCESS, in);
    }
    }
    return CompleteIrp(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static void MethodsUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Methods");
    IoDeleteSymbolicLink(&symLink);
    IoDeleteDevice(DriverObject->DeviceObject);
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING)
{
    UNICODE_STRING devName = RTL_CONSTANT_STRING(L"\\Device\\Methods");
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Methods");
    PDEVICE_OBJECT DeviceObject;

    DriverObject->DriverUnload = MethodsUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = MethodsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = MethodsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = MethodsDeviceControl;

    NTSTATUS status = IoCreateDevice(DriverObject, 0, &devName, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE,
                                     &DeviceObject);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&symLink, &devName);
    if (!NT_SUCCESS(status))
        IoDeleteDevice(DeviceObject);
    return status;
}
