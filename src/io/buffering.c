/* io/buffering.c: how a request's data travels between its caller and the
 * driver, as the I/O manager arranges it (see io.h): the system buffer of
 * buffered I/O, the locked MDL of direct I/O, the bare pointers of
 * METHOD_NEITHER; set up when a request is built, copied back and released
 * when it is finished.
 *
 * Buffers are read through safe_read, so a bad caller buffer is a status
 * (which a kernel-mode builder turns into Driver Verifier's bugcheck and a
 * system service into STATUS_ACCESS_VIOLATION), never a fault inside
 * ntbox. System buffers are zero-filled beyond the copied input. */
#include "io/io.h"

#include "base/diag.h"
#include "base/safe_read.h"
#include "ex/pool.h"
#include "mm/mm.h"

#include <string.h>

/* Attaches a system buffer of size bytes holding the first length bytes of
 * source (none when length is 0). */
static NTSTATUS io_system_buffer(PIRP irp, SIZE_T size, const void *source, ULONG length, const void *caller)
{
    PVOID buffer = ex_pool_allocate((POOL_TYPE)(NonPagedPoolNx | POOL_ZERO_ALLOCATION), size,
                                    IO_TAG_SYSTEM_BUFFER, caller);
    if (!buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (length && !safe_read(source, buffer, length)) {
        ex_pool_free(buffer, IO_TAG_SYSTEM_BUFFER, caller);
        return STATUS_ACCESS_VIOLATION;
    }
    irp->AssociatedIrp.SystemBuffer = buffer;
    irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    return STATUS_SUCCESS;
}

/* Attaches a locked MDL over the caller's buffer as Irp->MdlAddress; on
 * failure the MDL stays attached for io_irp_free_buffers. */
static NTSTATUS io_locked_mdl(PIRP irp, PVOID buffer, ULONG length, KPROCESSOR_MODE mode, LOCK_OPERATION operation,
                              const void *caller)
{
    PMDL mdl = mm_mdl_allocate(buffer, length, caller);
    if (!mdl)
        return STATUS_INSUFFICIENT_RESOURCES;
    irp->MdlAddress = mdl;
    return mm_mdl_lock(mdl, mode, operation);
}

NTSTATUS io_irp_setup_ioctl(PIRP irp, ULONG code, PVOID in, ULONG in_len, PVOID out, ULONG out_len,
                            KPROCESSOR_MODE mode, const void *caller)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    ULONG method = METHOD_FROM_CTL_CODE(code);
    NTSTATUS status = STATUS_SUCCESS;

    next->Parameters.DeviceIoControl.OutputBufferLength = out_len;
    next->Parameters.DeviceIoControl.InputBufferLength = in_len;
    next->Parameters.DeviceIoControl.IoControlCode = code;
    irp->UserBuffer = out;
    if (method == METHOD_NEITHER) {
        next->Parameters.DeviceIoControl.Type3InputBuffer = in;
        return STATUS_SUCCESS;
    }

    if (mode == UserMode) {
        status = mm_probe_for_read(in, in_len, 1);
        if (NT_SUCCESS(status) && method == METHOD_BUFFERED)
            status = mm_probe_for_write(out, out_len, 1);
        if (!NT_SUCCESS(status))
            return status;
    }
    if (method == METHOD_BUFFERED) {
        if (in_len || out_len)
            status = io_system_buffer(irp, in_len > out_len ? in_len : out_len, in, in_len, caller);
        if (NT_SUCCESS(status) && out_len)
            irp->Flags |= IRP_INPUT_OPERATION;
        return status;
    }
    if (in_len)
        status = io_system_buffer(irp, in_len, in, in_len, caller);
    if (NT_SUCCESS(status) && out_len)
        status = io_locked_mdl(irp, out, out_len, mode, method == METHOD_IN_DIRECT ? IoReadAccess : IoWriteAccess,
                               caller);
    if (!NT_SUCCESS(status))
        io_irp_free_buffers(irp);
    return status;
}

NTSTATUS io_irp_setup_read_write(PIRP irp, PDEVICE_OBJECT device, UCHAR major, PVOID buffer, ULONG length,
                                 const LARGE_INTEGER *offset, KPROCESSOR_MODE mode, const void *caller)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    bool read = major == IRP_MJ_READ;
    NTSTATUS status = STATUS_SUCCESS;

    next->Parameters.Read.Length = length;
    next->Parameters.Read.ByteOffset.QuadPart = offset ? offset->QuadPart : 0;
    irp->UserBuffer = buffer;
    if (!length)
        return STATUS_SUCCESS;

    if (mode == UserMode) {
        status = read ? mm_probe_for_write(buffer, length, 1) : mm_probe_for_read(buffer, length, 1);
        if (!NT_SUCCESS(status))
            return status;
    }
    if (device->Flags & DO_BUFFERED_IO) {
        status = io_system_buffer(irp, length, buffer, read ? 0 : length, caller);
        if (NT_SUCCESS(status) && read)
            irp->Flags |= IRP_INPUT_OPERATION;
    } else if (device->Flags & DO_DIRECT_IO) {
        status = io_locked_mdl(irp, buffer, length, mode, read ? IoWriteAccess : IoReadAccess, caller);
        if (!NT_SUCCESS(status))
            io_irp_free_buffers(irp);
    }
    return status;
}

NTSTATUS io_irp_setup_query(PIRP irp, FILE_INFORMATION_CLASS info_class, PVOID buffer, ULONG length,
                            KPROCESSOR_MODE mode, const void *caller)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);

    next->Parameters.QueryFile.Length = length;
    next->Parameters.QueryFile.FileInformationClass = info_class;
    irp->UserBuffer = buffer;
    if (mode == UserMode) {
        NTSTATUS status = mm_probe_for_write(buffer, length, 1);
        if (!NT_SUCCESS(status))
            return status;
    }
    NTSTATUS status = io_system_buffer(irp, length, NULL, 0, caller);
    if (NT_SUCCESS(status))
        irp->Flags |= IRP_INPUT_OPERATION;
    return status;
}

void io_irp_free_buffers(PIRP irp)
{
    PMDL next;

    if (irp->Flags & IRP_DEALLOCATE_BUFFER) {
        ex_pool_free(irp->AssociatedIrp.SystemBuffer, 0, NULL);
        irp->AssociatedIrp.SystemBuffer = NULL;
        irp->Flags &= ~IRP_DEALLOCATE_BUFFER;
    }
    for (PMDL mdl = irp->MdlAddress; mdl; mdl = next) {
        next = mdl->Next;
        if (mdl->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    irp->MdlAddress = NULL;
}

/* The caller's buffer length, from the stack location the I/O manager
 * filled (the IRP's first). Every request that returns data through a
 * system buffer keeps it first in Parameters (Read.Length,
 * DeviceIoControl.OutputBufferLength, QueryFile.Length, ...), except
 * QuerySecurity. */
static ULONG io_irp_caller_length(PIRP irp)
{
    PIO_STACK_LOCATION first = (PIO_STACK_LOCATION)(irp + 1) + irp->StackCount - 1;
    return first->MajorFunction == IRP_MJ_QUERY_SECURITY ? first->Parameters.QuerySecurity.Length
                                                         : first->Parameters.Read.Length;
}

void io_irp_copy_back(PIRP irp)
{
    const ULONG buffered_input = IRP_BUFFERED_IO | IRP_INPUT_OPERATION;
    ULONG_PTR count = irp->IoStatus.Information;

    if ((irp->Flags & buffered_input) != buffered_input || NT_ERROR(irp->IoStatus.Status) ||
        irp->IoStatus.Status == STATUS_VERIFY_REQUIRED || !irp->UserBuffer || !irp->AssociatedIrp.SystemBuffer ||
        !count)
        return;
    ULONG length = io_irp_caller_length(irp);
    if (count > length) {
        diag_warn("IRP 0x%016llx completed with IoStatus.Information %llu, but the caller's buffer holds %u bytes; "
                  "Windows would copy %llu bytes into it, ntbox copies %u.",
                  (unsigned long long)(ULONG_PTR)irp, (unsigned long long)count, length, (unsigned long long)count,
                  length);
        count = length;
    }
    if (irp->RequestorMode == KernelMode)
        memcpy(irp->UserBuffer, irp->AssociatedIrp.SystemBuffer, count);
    else if (!mm_safe_write(irp->UserBuffer, irp->AssociatedIrp.SystemBuffer, count))
        irp->IoStatus.Status = STATUS_ACCESS_VIOLATION;
}

C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Read.Length) ==
         FIELD_OFFSET(IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength));
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Read.Length) ==
         FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryFile.Length));
