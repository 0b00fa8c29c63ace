/* io/io.h: ntbox-internal API of the I/O manager's IRP machinery, for the
 * request builders (src/io/build_request.c) and the system services that
 * turn a user-mode call into an IRP (NtDeviceIoControlFile, NtReadFile,
 * NtWriteFile, ...).
 *
 * How a service sends a request, as IoBuildDeviceIoControlRequest does:
 *
 *   PIRP irp = IoAllocateIrp(device->StackSize, FALSE);       // NULL: out of memory
 *   PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
 *   next->MajorFunction = IRP_MJ_DEVICE_CONTROL;
 *   next->FileObject = file;                                   // the caller's business
 *   status = io_irp_setup_ioctl(irp, code, in, in_len, out, out_len, UserMode, caller);
 *   if (!NT_SUCCESS(status)) { IoFreeIrp(irp); return status; }  // setup undid itself
 *   irp->RequestorMode = UserMode;
 *   irp->UserIosb = iosb;                                      // written at completion
 *   irp->UserEvent = event;                                    // signalled at completion
 *   io_irp_queue(irp);                                         // the I/O manager finishes it
 *   status = IoCallDriver(device, irp);                        // wait on the event if STATUS_PENDING
 *
 * Once the drivers complete it (IoCompleteRequest, every completion routine
 * run, none returned STATUS_MORE_PROCESSING_REQUIRED), an IRP whose
 * Tail.Overlay.Thread is set is finished by io_irp_finish: the part of
 * Windows' IopCompleteRequest that drivers and callers rely on. The IRP is
 * gone afterwards; the caller reads the status block it gave, never the
 * IRP. */
#ifndef NTBOX_IO_IO_H
#define NTBOX_IO_IO_H

#include <ntddk.h>

#include <stdbool.h>

/* Driver Verifier's I/O verification bug check; ntbox runs with it on. */
#define DRIVER_VERIFIER_IOMANAGER_VIOLATION 0xC9

/* Pool tag of the system buffers of buffered I/O ("SYSB" in poolmon). */
#define IO_TAG_SYSTEM_BUFFER 'BSYS'

/* What the I/O manager puts in Tail.Overlay.Thread for a request made by
 * the current thread: its ETHREAD. */
PETHREAD io_irp_thread(void);

/* Tail.Overlay.Thread = io_irp_thread(), and the IRP on that thread's IRP
 * list (IRP.ThreadListEntry) until it is finished or freed: a request the
 * thread must not outlive (io_cancel_thread_io). */
void io_irp_queue(PIRP irp);

/* Takes the IRP off its thread's list (nothing if it is on none). True
 * when its requester is gone: the thread ended while the IRP ran (an
 * orphan being cancelled, or one disassociated from it), so its completion
 * must not write the requester's status block, buffers or event. */
bool io_irp_dequeue(PIRP irp);

/* For IoFreeIrp: true when the IRP must not be freed yet because an ending
 * thread is calling IoCancelIrp on it; that thread frees it afterwards. */
bool io_irp_free_deferred(PIRP irp);

/* The thread is ending (called by ps as Windows' thread exit calls
 * IoCancelThreadIo): every request on its list is cancelled, and waited
 * for a bounded time; those still running after it are disassociated from
 * the thread, with a warning (see io/thread_irp.c). */
void io_cancel_thread_io(PETHREAD thread);

/* Buffers an I/O control request into irp, by the control code's
 * METHOD_*, exactly as the I/O manager does, and fills the next stack
 * location's Parameters.DeviceIoControl (OutputBufferLength,
 * InputBufferLength, IoControlCode, Type3InputBuffer; the same layout
 * serves Parameters.FileSystemControl). MajorFunction is the caller's.
 *   METHOD_BUFFERED: one system buffer of max(in_len, out_len) bytes
 *     holding the input, zero beyond it; IRP_BUFFERED_IO |
 *     IRP_DEALLOCATE_BUFFER, and
 *     IRP_INPUT_OPERATION when there is output to copy back.
 *   METHOD_IN_DIRECT / METHOD_OUT_DIRECT: the input (if any) in a system
 *     buffer as above; an MDL over the output buffer (if any), probed and
 *     locked for reading (IN) or writing (OUT), as Irp->MdlAddress.
 *   METHOD_NEITHER: Type3InputBuffer = in; nothing copied or locked.
 * Irp->UserBuffer = out in every case. For UserMode, the buffers are first
 * probed as ProbeForRead (input) and ProbeForWrite (output, buffered
 * only). System buffers come from nonpaged pool (IO_TAG_SYSTEM_BUFFER),
 * MDLs from IoAllocateMdl's pool, both charged to `caller` (the return
 * address of the driver or client that asked, or NULL), so one left behind
 * by a request never completed is reported with its origin.
 * Returns STATUS_SUCCESS; STATUS_INSUFFICIENT_RESOURCES; or the probe's
 * status (STATUS_ACCESS_VIOLATION, STATUS_DATATYPE_MISALIGNMENT) when a
 * buffer is bad. On failure nothing is left allocated or attached. */
NTSTATUS io_irp_setup_ioctl(PIRP irp, ULONG code, PVOID in, ULONG in_len, PVOID out, ULONG out_len,
                            KPROCESSOR_MODE mode, const void *caller);

/* Buffers a read or write of length bytes at buffer into irp as the target
 * device asks, and fills the next stack location's Parameters.Read (the
 * same layout as Parameters.Write): Length, ByteOffset (*offset, or 0
 * without one). MajorFunction (IRP_MJ_READ: the device fills the buffer;
 * anything else: it reads from it) decides the direction.
 *   DO_BUFFERED_IO: a system buffer of length bytes, holding the data for a
 *     write; IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER, and
 *     IRP_INPUT_OPERATION for a read.
 *   DO_DIRECT_IO: an MDL over the buffer, locked for writing (read) or
 *     reading (write).
 *   neither: the driver gets Irp->UserBuffer only.
 * Irp->UserBuffer = buffer in every case; length 0 allocates and locks
 * nothing. Probing, charging and the result as io_irp_setup_ioctl. */
NTSTATUS io_irp_setup_read_write(PIRP irp, PDEVICE_OBJECT device, UCHAR major, PVOID buffer, ULONG length,
                                 const LARGE_INTEGER *offset, KPROCESSOR_MODE mode, const void *caller);

/* Buffers a query (IRP_MJ_QUERY_INFORMATION) of length bytes into buffer:
 * a zeroed system buffer of length bytes, copied back on completion
 * (IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION), and the
 * next stack location's Parameters.QueryFile. Probing (UserMode), charging
 * and the result as io_irp_setup_ioctl. */
NTSTATUS io_irp_setup_query(PIRP irp, FILE_INFORMATION_CLASS info_class, PVOID buffer, ULONG length,
                            KPROCESSOR_MODE mode, const void *caller);

/* Releases what the setup attached, without copying anything back: the
 * system buffer (IRP_DEALLOCATE_BUFFER) and the MDL chain (unlocked, then
 * freed). For a request that fails before it is sent; io_irp_finish does
 * it for completed ones. */
void io_irp_free_buffers(PIRP irp);

/* Step 1 of io_irp_finish, below. */
void io_irp_copy_back(PIRP irp);

/* Finishes a completed IRP that has a thread (IopCompleteRequest's part):
 *   1. buffered input operations (IRP_BUFFERED_IO | IRP_INPUT_OPERATION)
 *      whose status is not an error copy IoStatus.Information bytes of the
 *      system buffer back to Irp->UserBuffer (a count above the caller's
 *      buffer is a driver bug: reported, and only the buffer filled);
 *   2. io_irp_free_buffers;
 *   3. *UserIosb = IoStatus (when UserIosb is set);
 *   4. KeSetEvent(UserEvent) (when set);
 *   5. the IRP is freed (and off its thread's list);
 *   6. a system service's request (Tail.Overlay.OriginalFileObject set,
 *      not a create, cleanup or close) drops the references it held: the
 *      caller's event object (when not IRP_SYNCHRONOUS_API and not the
 *      file's own event) and the file object.
 * For RequestorMode UserMode, the copies into the caller's memory (1, 3)
 * cannot fault: a copy-back that fails makes the status
 * STATUS_ACCESS_VIOLATION, a status block that cannot be written is
 * skipped. When the requesting thread has ended (io_irp_dequeue), 1, 3
 * and 4 are skipped. Called by IofCompleteRequest; services do not call
 * it. */
void io_irp_finish(PIRP irp);

#endif
