/* io/file_services.c: NtReadFile, NtWriteFile, NtDeviceIoControlFile and
 * NtFsControlFile (and the Zw forms): a handle and buffers in, an IRP to
 * the top of the file's device stack, the status out. The handle must
 * grant what the request needs (FILE_READ_DATA to read, FILE_WRITE_DATA
 * to write, the access an I/O control code names). On a synchronous file
 * (FILE_SYNCHRONOUS_IO_*) requests are serialised by the file object lock
 * (one at a time, in the file's position order) and the service waits for
 * each and returns its final status; otherwise STATUS_PENDING means it is
 * still running, and the caller's event (or the file's) is signalled when
 * it ends. A request holds its file (and event) until it is finished, so
 * IRP_MJ_CLOSE waits for the requests still running.
 *
 * A query goes to the driver as IRP_MJ_QUERY_INFORMATION with a system
 * buffer of the caller's length, copied back for IoStatus.Information
 * bytes, except FilePositionInformation on a synchronous file, which the
 * I/O manager answers itself from the file's position, as Windows does.
 * FIXME: only FileBasicInformation (FILE_READ_ATTRIBUTES),
 * FileStandardInformation and FilePositionInformation are accepted; any
 * other class is STATUS_INVALID_INFO_CLASS. */
#include "io/file.h"

#include "ke/dispatcher.h"

#include "base/safe_read.h"
#include "io/device.h"
#include "io/io.h"
#include "mm/mm.h"
#include "ob/ob.h"

struct io_request {
    UCHAR major, minor;
    ULONG code;             /* I/O and file system controls; a query's FILE_INFORMATION_CLASS */
    PVOID in, out;          /* controls: input and output; read/write: out */
    ULONG in_len, out_len;
    PLARGE_INTEGER offset;  /* read/write */
};

/* The access an I/O control code's Access field asks of the handle. */
static ACCESS_MASK io_control_access(ULONG code)
{
    ULONG access = (code >> 14) & 3;
    return ((access & FILE_READ_ACCESS) ? FILE_READ_DATA : 0) | ((access & FILE_WRITE_ACCESS) ? FILE_WRITE_DATA : 0);
}

/* A query's access and smallest buffer (Windows' per-class tables), for
 * the classes ntbox accepts; false for any other. */
static bool io_query_class(ULONG info_class, ACCESS_MASK *access, ULONG *min_length)
{
    switch (info_class) {
    case FileBasicInformation:
        *access = FILE_READ_ATTRIBUTES, *min_length = sizeof(FILE_BASIC_INFORMATION);
        return true;
    case FileStandardInformation:
        *access = 0, *min_length = sizeof(FILE_STANDARD_INFORMATION);
        return true;
    case FilePositionInformation:
        *access = 0, *min_length = sizeof(FILE_POSITION_INFORMATION);
        return true;
    default:
        return false;
    }
}

/* The access a request needs of the handle. */
static ACCESS_MASK io_request_access(const struct io_request *r)
{
    ACCESS_MASK access = 0;
    ULONG min_length;
    switch (r->major) {
    case IRP_MJ_READ:
        return FILE_READ_DATA;
    case IRP_MJ_WRITE:
        return FILE_WRITE_DATA;
    case IRP_MJ_QUERY_INFORMATION:
        io_query_class(r->code, &access, &min_length);
        return access;
    default:
        return io_control_access(r->code);
    }
}

/* Where a read or write starts (ZwReadFile's ByteOffset rules): a
 * synchronous file keeps its own position, used when the caller gives none
 * or FILE_USE_FILE_POINTER_POSITION; any other file needs an offset. */
static NTSTATUS io_transfer_offset(PFILE_OBJECT file, const LARGE_INTEGER *given, KPROCESSOR_MODE mode,
                                   LARGE_INTEGER *offset)
{
    LARGE_INTEGER value;
    if (given && !(mode == UserMode ? safe_read(given, &value, sizeof value) : (value = *given, true)))
        return STATUS_ACCESS_VIOLATION;
    BOOLEAN use_position = !given || (value.HighPart == -1 && value.LowPart == FILE_USE_FILE_POINTER_POSITION);
    if (!use_position) {
        *offset = value;
        return STATUS_SUCCESS;
    }
    if (!(file->Flags & FO_SYNCHRONOUS_IO))
        return STATUS_INVALID_PARAMETER;
    *offset = file->CurrentByteOffset;
    return STATUS_SUCCESS;
}

/* The file object lock of a synchronous file (IopAcquireFileObjectLock):
 * one request at a time per file object, held from before the position is
 * read until the request has ended and the position is moved; the others
 * wait on file->Lock, counted in file->Waiters. */
static void io_file_lock(PFILE_OBJECT file)
{
    __atomic_add_fetch(&file->Waiters, 1, __ATOMIC_ACQ_REL);
    while (__atomic_exchange_n(&file->Busy, TRUE, __ATOMIC_ACQUIRE))
        KeWaitForSingleObject(&file->Lock, Executive, KernelMode, FALSE, NULL);
    __atomic_sub_fetch(&file->Waiters, 1, __ATOMIC_ACQ_REL);
}

static void io_file_unlock(PFILE_OBJECT file)
{
    __atomic_store_n(&file->Busy, FALSE, __ATOMIC_RELEASE);
    if (__atomic_load_n(&file->Waiters, __ATOMIC_ACQUIRE))
        KeSetEvent(&file->Lock, IO_NO_INCREMENT, FALSE);
}

/* Builds and sends the request on a referenced file; synchronous: the
 * file is locked by the caller, the request waited for. An asynchronous
 * request takes the caller's references on the file and event with it
 * (io_irp_finish drops them); a synchronous one adds its own on the file. */
static NTSTATUS io_file_send(PFILE_OBJECT file, PKEVENT event, PIO_STATUS_BLOCK iosb, const struct io_request *r,
                             KPROCESSOR_MODE mode, BOOLEAN synchronous, BOOLEAN *sent)
{
    LARGE_INTEGER offset = { 0 };
    NTSTATUS status;

    if (r->major == IRP_MJ_READ || r->major == IRP_MJ_WRITE) {
        status = io_transfer_offset(file, r->offset, mode, &offset);
        if (!NT_SUCCESS(status))
            return status;
    }
    if (r->major == IRP_MJ_QUERY_INFORMATION && r->code == FilePositionInformation && synchronous) {
        FILE_POSITION_INFORMATION position = { file->CurrentByteOffset };
        IO_STATUS_BLOCK result = { 0 };
        result.Information = sizeof position;
        if (!mm_safe_write(r->out, &position, sizeof position))
            return STATUS_ACCESS_VIOLATION;
        mm_safe_write(iosb, &result, sizeof result);
        return STATUS_SUCCESS;
    }
    PDEVICE_OBJECT device = io_device_top(file->DeviceObject);
    PIRP irp = IoAllocateIrp(device->StackSize, FALSE);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = r->major;
    next->MinorFunction = r->minor;
    next->FileObject = file;
    if (r->major == IRP_MJ_READ || r->major == IRP_MJ_WRITE)
        status = io_irp_setup_read_write(irp, device, r->major, r->out, r->out_len, &offset, mode, NULL);
    else if (r->major == IRP_MJ_QUERY_INFORMATION)
        status = io_irp_setup_query(irp, (FILE_INFORMATION_CLASS)r->code, r->out, r->out_len, mode, NULL);
    else
        status = io_irp_setup_ioctl(irp, r->code, r->in, r->in_len, r->out, r->out_len, mode, NULL);
    if (!NT_SUCCESS(status)) {
        IoFreeIrp(irp);
        return status;
    }
    IO_STATUS_BLOCK result = { 0 };
    KEVENT done;
    irp->RequestorMode = mode;
    irp->Tail.Overlay.OriginalFileObject = file;
    if (synchronous) {
        KeInitializeEvent(&done, NotificationEvent, FALSE);
        irp->Flags |= IRP_SYNCHRONOUS_API;
        irp->UserIosb = &result;
        irp->UserEvent = &done;
        ob_reference_object(file);
    } else {
        KeClearEvent(&file->Event);
        irp->UserIosb = iosb;
        irp->UserEvent = event ? event : &file->Event;
    }
    io_irp_queue(irp);
    *sent = TRUE;
    KPROCESSOR_MODE saved = ke_previous_mode_enter(mode);
    status = IoCallDriver(device, irp);
    ke_previous_mode_leave(saved);
    if (!synchronous)
        return status;
    if (status == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, mode, FALSE, NULL);
    if (NT_SUCCESS(result.Status) && (r->major == IRP_MJ_READ || r->major == IRP_MJ_WRITE))
        file->CurrentByteOffset.QuadPart = offset.QuadPart + (LONGLONG)result.Information;
    mm_safe_write(iosb, &result, sizeof result);
    if (event)
        KeSetEvent(event, IO_NO_INCREMENT, FALSE);
    return result.Status;
}

static NTSTATUS io_file_request(HANDLE handle, HANDLE event_handle, PIO_STATUS_BLOCK iosb,
                                const struct io_request *r, KPROCESSOR_MODE mode)
{
    PFILE_OBJECT file;
    PKEVENT event = NULL;
    BOOLEAN sent = FALSE;
    ACCESS_MASK access = io_request_access(r);

    if (mode == UserMode && !NT_SUCCESS(mm_probe_for_write(iosb, sizeof *iosb, sizeof(ULONG))))
        return STATUS_ACCESS_VIOLATION;
    NTSTATUS status = ob_reference_object_by_handle(handle, access, *IoFileObjectType, mode, (void **)&file, NULL);
    if (!NT_SUCCESS(status))
        return status;
    if (event_handle) {
        status = ob_reference_object_by_handle(event_handle, EVENT_MODIFY_STATE, *ExEventObjectType, mode,
                                               (void **)&event, NULL);
        if (!NT_SUCCESS(status)) {
            ob_dereference_object(file);
            return status;
        }
        KeClearEvent(event);
    }
    BOOLEAN synchronous = (file->Flags & FO_SYNCHRONOUS_IO) != 0;
    if (synchronous)
        io_file_lock(file);
    status = io_file_send(file, event, iosb, r, mode, synchronous, &sent);
    if (synchronous)
        io_file_unlock(file);
    if (synchronous || !sent) {
        if (event)
            ob_dereference_object(event);
        ob_dereference_object(file);
    }
    return status;
}

#define IO_DEFINE_SERVICES(prefix, mode) \
    NTSYSAPI NTSTATUS NTAPI prefix##ReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, \
                                             PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, \
                                             ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key) \
    { \
        struct io_request r = { .major = IRP_MJ_READ, .out = Buffer, .out_len = Length, .offset = ByteOffset }; \
        (void)ApcRoutine, (void)ApcContext, (void)Key; \
        return io_file_request(FileHandle, Event, IoStatusBlock, &r, mode); \
    } \
    NTSYSAPI NTSTATUS NTAPI prefix##WriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, \
                                              PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, \
                                              ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key) \
    { \
        struct io_request r = { .major = IRP_MJ_WRITE, .out = Buffer, .out_len = Length, .offset = ByteOffset }; \
        (void)ApcRoutine, (void)ApcContext, (void)Key; \
        return io_file_request(FileHandle, Event, IoStatusBlock, &r, mode); \
    } \
    NTSYSAPI NTSTATUS NTAPI prefix##DeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, \
                                                        PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, \
                                                        ULONG IoControlCode, PVOID InputBuffer, \
                                                        ULONG InputBufferLength, PVOID OutputBuffer, \
                                                        ULONG OutputBufferLength) \
    { \
        struct io_request r = { .major = IRP_MJ_DEVICE_CONTROL, .code = IoControlCode, .in = InputBuffer, \
                                .in_len = InputBufferLength, .out = OutputBuffer, .out_len = OutputBufferLength }; \
        (void)ApcRoutine, (void)ApcContext; \
        return io_file_request(FileHandle, Event, IoStatusBlock, &r, mode); \
    } \
    NTSYSAPI NTSTATUS NTAPI prefix##FsControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, \
                                                  PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, \
                                                  ULONG FsControlCode, PVOID InputBuffer, ULONG InputBufferLength, \
                                                  PVOID OutputBuffer, ULONG OutputBufferLength) \
    { \
        struct io_request r = { .major = IRP_MJ_FILE_SYSTEM_CONTROL, .minor = IRP_MN_USER_FS_REQUEST, \
                                .code = FsControlCode, .in = InputBuffer, .in_len = InputBufferLength, \
                                .out = OutputBuffer, .out_len = OutputBufferLength }; \
        (void)ApcRoutine, (void)ApcContext; \
        return io_file_request(FileHandle, Event, IoStatusBlock, &r, mode); \
    }

/* The Zw forms run in KernelMode (no probing, kernel handles allowed), the
 * Nt forms are what user mode reaches. */
IO_DEFINE_SERVICES(Zw, KernelMode)
IO_DEFINE_SERVICES(Nt, UserMode)

/* Returns information about the file (see the top of this file);
 * PASSIVE_LEVEL (WDK, ZwQueryInformationFile). A buffer smaller than the
 * class's structure is STATUS_INFO_LENGTH_MISMATCH, before the handle is
 * looked at. */
NTSYSAPI NTSTATUS NTAPI ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
                                               PVOID FileInformation, ULONG Length,
                                               FILE_INFORMATION_CLASS FileInformationClass)
{
    struct io_request r = { .major = IRP_MJ_QUERY_INFORMATION, .code = FileInformationClass, .out = FileInformation,
                            .out_len = Length };
    ACCESS_MASK access;
    ULONG min_length;

    if (!io_query_class(FileInformationClass, &access, &min_length))
        return STATUS_INVALID_INFO_CLASS;
    if (Length < min_length)
        return STATUS_INFO_LENGTH_MISMATCH;
    return io_file_request(FileHandle, NULL, IoStatusBlock, &r, KernelMode);
}
