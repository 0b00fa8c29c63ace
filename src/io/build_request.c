/* io/build_request.c: IRPs the I/O manager builds for a driver to send:
 * IoBuildDeviceIoControlRequest, IoBuildSynchronousFsdRequest,
 * IoBuildAsynchronousFsdRequest.
 *
 * Each is a threaded IRP (Tail.Overlay.Thread is the caller's thread) with
 * RequestorMode KernelMode, buffered as io.h describes, so once completed
 * the I/O manager finishes it: status block, event, buffers, the IRP
 * itself; unless a completion routine stops completion, as the caller of
 * IoBuildAsynchronousFsdRequest must, to free the IRP itself. A buffer that
 * cannot be read or locked is Driver Verifier's I/O verification bug check
 * (0xC9/0x09 for a control request: P2 the device, P3 the control code;
 * 0xC9/0x08 for the others: P2 the device, P3 the major function; P4 the
 * exception status); ntbox runs with I/O verification on. */
#include "io/io.h"

#include "ke/bugcheck.h"

/* synchronous: on the thread's IRP list, as Windows queues the requests
 * of IoBuildDeviceIoControlRequest and IoBuildSynchronousFsdRequest (an
 * asynchronous FSD request is not: the thread may end before it does). */
static PIRP io_build_irp(PDEVICE_OBJECT device, UCHAR major, PIO_STATUS_BLOCK iosb, bool synchronous)
{
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (irp) {
        IoGetNextIrpStackLocation(irp)->MajorFunction = major;
        irp->RequestorMode = KernelMode;
        irp->UserIosb = iosb;
        if (synchronous)
            io_irp_queue(irp);
        else
            irp->Tail.Overlay.Thread = io_irp_thread();
    }
    return irp;
}

/* A request whose buffers could not be set up: NULL when memory ran out,
 * else Driver Verifier's bugcheck for the bad buffer. */
static PIRP io_build_failed(const char *routine, PIRP irp, NTSTATUS status, ULONG subcode, PDEVICE_OBJECT device,
                            ULONG what, const void *at)
{
    IoFreeIrp(irp);
    if (status == STATUS_INSUFFICIENT_RESOURCES)
        return NULL;
    ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, subcode, (ULONG_PTR)device, what, (ULONG)status, at,
                "%s(0x%x, device 0x%016llx): a buffer cannot be read, or locked for the transfer (status 0x%08X).",
                routine, what, (unsigned long long)(ULONG_PTR)device, (unsigned)status);
}

/* An IRP_MJ_DEVICE_CONTROL (or, with InternalDeviceIoControl,
 * IRP_MJ_INTERNAL_DEVICE_CONTROL) request for DeviceObject, its buffers
 * arranged by IoControlCode's METHOD_*; Event (optional) is signalled and
 * *IoStatusBlock written when it completes; NULL when memory runs out;
 * IRQL PASSIVE_LEVEL (WDK, IoBuildDeviceIoControlRequest). */
PIRP NTAPI IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject, PVOID InputBuffer,
                                         ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                         BOOLEAN InternalDeviceIoControl, PKEVENT Event,
                                         PIO_STATUS_BLOCK IoStatusBlock)
{
    const void *at = __builtin_return_address(0);
    PIRP irp = io_build_irp(DeviceObject,
                            InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL,
                            IoStatusBlock, true);
    if (!irp)
        return NULL;
    NTSTATUS status = io_irp_setup_ioctl(irp, IoControlCode, InputBuffer, InputBufferLength, OutputBuffer,
                                         OutputBufferLength, KernelMode, at);
    if (!NT_SUCCESS(status))
        return io_build_failed("IoBuildDeviceIoControlRequest", irp, status, 0x09, DeviceObject, IoControlCode, at);
    irp->UserEvent = Event;
    return irp;
}

/* The FSD request both builders make: for IRP_MJ_READ, IRP_MJ_WRITE and
 * any major function other than IRP_MJ_FLUSH_BUFFERS, IRP_MJ_SHUTDOWN,
 * IRP_MJ_PNP and IRP_MJ_POWER, Buffer, Length and StartingOffset are set
 * up as DeviceObject's DO_BUFFERED_IO / DO_DIRECT_IO flags ask. */
static PIRP io_build_fsd(const char *routine, ULONG major, PDEVICE_OBJECT device, PVOID buffer, ULONG length,
                         PLARGE_INTEGER offset, PIO_STATUS_BLOCK iosb, bool synchronous, const void *at)
{
    PIRP irp = io_build_irp(device, (UCHAR)major, iosb, synchronous);
    if (!irp || major == IRP_MJ_FLUSH_BUFFERS || major == IRP_MJ_SHUTDOWN || major == IRP_MJ_PNP ||
        major == IRP_MJ_POWER)
        return irp;
    NTSTATUS status = io_irp_setup_read_write(irp, device, (UCHAR)major, buffer, length, offset, KernelMode, at);
    if (!NT_SUCCESS(status))
        return io_build_failed(routine, irp, status, 0x08, device, major, at);
    return irp;
}

/* An FSD request (see io_build_fsd) that the I/O manager finishes when it
 * completes: *IoStatusBlock written, Event signalled, IRP freed; NULL when
 * memory runs out; IRQL PASSIVE_LEVEL (WDK, IoBuildSynchronousFsdRequest). */
PIRP NTAPI IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                        PLARGE_INTEGER StartingOffset, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = io_build_fsd("IoBuildSynchronousFsdRequest", MajorFunction, DeviceObject, Buffer, Length,
                            StartingOffset, IoStatusBlock, true, __builtin_return_address(0));
    if (irp)
        irp->UserEvent = Event;
    return irp;
}

/* An FSD request (see io_build_fsd) with no event; the caller's completion
 * routine must free it (IoFreeIrp, and its MDLs or system buffer) and
 * return STATUS_MORE_PROCESSING_REQUIRED; NULL when memory runs out; IRQL
 * <= APC_LEVEL (WDK, IoBuildAsynchronousFsdRequest). */
PIRP NTAPI IoBuildAsynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer,
                                         ULONG Length, PLARGE_INTEGER StartingOffset, PIO_STATUS_BLOCK IoStatusBlock)
{
    return io_build_fsd("IoBuildAsynchronousFsdRequest", MajorFunction, DeviceObject, Buffer, Length,
                        StartingOffset, IoStatusBlock, false, __builtin_return_address(0));
}
