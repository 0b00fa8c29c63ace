/* io/file.c: opening devices. NtCreateFile and NtOpenFile (and their Zw
 * forms) look the name up through the object manager with an open packet;
 * when the lookup reaches a Device object, the device's parse procedure
 * (io_parse_device, IopParseDevice on Windows) creates the File object and
 * sends IRP_MJ_CREATE down the device's stack. The File type's procedures
 * close it the way Windows does: IRP_MJ_CLEANUP when its last handle is
 * closed, IRP_MJ_CLOSE when its last reference goes. */
#include "io/file.h"

#include "ke/dispatcher.h"

#include "base/safe_read.h"
#include "io/device.h"
#include "io/io.h"
#include "mm/mm.h"
#include "ob/ob.h"

#include <stdlib.h>
#include <string.h>

/* What NtCreateFile asks for, carried through the lookup to the device. */
struct io_open_packet {
    ULONG_PTR magic;
    ACCESS_MASK desired_access;
    ULONG file_attributes, share_access, disposition, options;
    LARGE_INTEGER allocation_size;
    PVOID ea_buffer;
    ULONG ea_length;
    BOOLEAN parsed;        /* a device's parse procedure saw the packet */
    IO_STATUS_BLOCK iosb;  /* the driver's answer to IRP_MJ_CREATE */
};

#define IO_OPEN_PACKET_MAGIC ((ULONG_PTR)0x4F50454E5041434BULL)

/* Sends a request that carries nothing but the file object (create,
 * cleanup, close) to the top of the file's device stack and waits for it. */
static NTSTATUS io_send_file_irp(PFILE_OBJECT file, UCHAR major, ULONG irp_flags, KPROCESSOR_MODE mode,
                                 struct io_open_packet *packet, ULONG stack_flags, PIO_SECURITY_CONTEXT security)
{
    PDEVICE_OBJECT top = io_device_top(file->DeviceObject);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    IO_STATUS_BLOCK iosb = { 0 };
    KEVENT done;

    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->Flags = irp_flags | IRP_SYNCHRONOUS_API;
    irp->RequestorMode = mode;
    irp->UserIosb = packet ? &packet->iosb : &iosb;
    irp->UserEvent = &done;
    irp->Tail.Overlay.OriginalFileObject = file;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = major;
    next->Flags = (UCHAR)stack_flags;
    next->FileObject = file;
    if (packet) {
        irp->Overlay.AllocationSize = packet->allocation_size;
        irp->AssociatedIrp.SystemBuffer = packet->ea_buffer;
        next->Parameters.Create.SecurityContext = security;
        next->Parameters.Create.Options = (packet->disposition << 24) | (packet->options & FILE_VALID_OPTION_FLAGS);
        next->Parameters.Create.FileAttributes = (USHORT)packet->file_attributes;
        next->Parameters.Create.ShareAccess = (USHORT)packet->share_access;
        next->Parameters.Create.EaLength = packet->ea_length;
    }
    io_irp_queue(irp);
    KPROCESSOR_MODE saved = ke_previous_mode_enter(mode);
    if (IoCallDriver(top, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    ke_previous_mode_leave(saved);
    return packet ? packet->iosb.Status : iosb.Status;
}

/* IopParseDevice: the lookup reached a device with an open packet. */
static NTSTATUS io_parse_device(void *object, struct ob_parse_request *request, void **result)
{
    struct io_open_packet *packet = request->context;
    PDEVICE_OBJECT device = object;
    PFILE_OBJECT file;

    if (!packet || packet->magic != IO_OPEN_PACKET_MAGIC)
        return STATUS_OBJECT_TYPE_MISMATCH;
    packet->parsed = TRUE;
    NTSTATUS status = io_device_open(device);
    if (!NT_SUCCESS(status))
        return status;

    status = ob_create_object(*IoFileObjectType, NULL, KernelMode, sizeof(FILE_OBJECT), (void **)&file);
    if (!NT_SUCCESS(status)) {
        io_device_file_closed(device);
        return status;
    }
    ob_reference_object(device); /* the file holds its device */
    file->Type = IO_TYPE_FILE;
    file->Size = sizeof(FILE_OBJECT);
    file->DeviceObject = device;
    if (packet->options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
        file->Flags |= FO_SYNCHRONOUS_IO | ((packet->options & FILE_SYNCHRONOUS_IO_ALERT) ? FO_ALERTABLE_IO : 0);
    if (packet->options & FILE_NO_INTERMEDIATE_BUFFERING)
        file->Flags |= FO_NO_INTERMEDIATE_BUFFERING;
    if (packet->options & FILE_WRITE_THROUGH)
        file->Flags |= FO_WRITE_THROUGH;
    if (packet->options & FILE_SEQUENTIAL_ONLY)
        file->Flags |= FO_SEQUENTIAL_ONLY;
    if (packet->options & FILE_RANDOM_ACCESS)
        file->Flags |= FO_RANDOM_ACCESS;
    file->ReadAccess = (packet->desired_access & (FILE_READ_DATA | FILE_EXECUTE)) != 0;
    file->WriteAccess = (packet->desired_access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
    file->DeleteAccess = (packet->desired_access & DELETE) != 0;
    file->SharedRead = (packet->share_access & FILE_SHARE_READ) != 0;
    file->SharedWrite = (packet->share_access & FILE_SHARE_WRITE) != 0;
    file->SharedDelete = (packet->share_access & FILE_SHARE_DELETE) != 0;
    KeInitializeEvent(&file->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&file->Event, NotificationEvent, FALSE);
    /* The rest of the name, for the driver: "\foo" for \Device\Zero\foo. */
    if (request->remaining_name.Length) {
        file->FileName.Buffer = malloc(request->remaining_name.Length + sizeof(WCHAR));
        if (file->FileName.Buffer) {
            memcpy(file->FileName.Buffer, request->remaining_name.Buffer, request->remaining_name.Length);
            file->FileName.Buffer[request->remaining_name.Length / sizeof(WCHAR)] = 0;
            file->FileName.Length = request->remaining_name.Length;
            file->FileName.MaximumLength = request->remaining_name.Length + sizeof(WCHAR);
        }
    }

    IO_SECURITY_CONTEXT security = { 0 };
    security.DesiredAccess = packet->desired_access;
    security.FullCreateOptions = packet->options;
    ULONG stack_flags = (request->attributes & OBJ_CASE_INSENSITIVE) ? 0 : SL_CASE_SENSITIVE;
    if (request->access_mode == UserMode && request->previous_mode == KernelMode)
        stack_flags |= SL_FORCE_ACCESS_CHECK;
    status = io_send_file_irp(file, IRP_MJ_CREATE, IRP_CREATE_OPERATION, request->previous_mode, packet, stack_flags,
                              &security);
    if (!NT_SUCCESS(status)) {
        /* A file the driver refused was never open: no cleanup, no close. */
        file->DeviceObject = NULL;
        ob_dereference_object(file);
        io_device_file_closed(device);
        ob_dereference_object(device);
        return status;
    }
    *result = file;
    return STATUS_SUCCESS;
}

static NTSTATUS io_file_open(const struct ob_handle_info *info)
{
    PFILE_OBJECT file = info->object;
    file->Flags |= FO_HANDLE_CREATED;
    return STATUS_SUCCESS;
}

/* The last handle to the file is gone: IRP_MJ_CLEANUP. */
static void io_file_close(const struct ob_handle_info *info)
{
    PFILE_OBJECT file = info->object;
    if (info->handle_count != 0 || !file->DeviceObject)
        return;
    io_send_file_irp(file, IRP_MJ_CLEANUP, IRP_CLOSE_OPERATION, KernelMode, NULL, 0, NULL);
    file->Flags |= FO_CLEANUP_COMPLETE;
}

/* The last reference is gone: IRP_MJ_CLOSE, then the device may go. */
static void io_file_delete(void *object)
{
    PFILE_OBJECT file = object;
    PDEVICE_OBJECT device = file->DeviceObject;
    if (device) {
        io_send_file_irp(file, IRP_MJ_CLOSE, IRP_CLOSE_OPERATION, KernelMode, NULL, 0, NULL);
        io_device_file_closed(device);
        ob_dereference_object(device);
    }
    free(file->FileName.Buffer);
}

/* Before any driver loads (the object manager starts at priority 101). */
__attribute__((constructor(103))) static void io_file_init(void)
{
    static const struct ob_type_procedures device_procedures = { .parse = io_parse_device };
    static const struct ob_type_procedures file_procedures = {
        .open = io_file_open, .close = io_file_close, .delete_object = io_file_delete
    };
    ob_type_set_procedures(*IoDeviceObjectType, &device_procedures);
    ob_type_set_procedures(*IoFileObjectType, &file_procedures);
}

/* IoCreateFile's checks of the arguments, each failing with
 * STATUS_INVALID_PARAMETER. Windows makes them for user-mode callers only
 * (and for kernel ones passing IO_CHECK_CREATE_PARAMETERS): ZwCreateFile's
 * arguments reach the driver unchecked. DesiredAccess is checked as given,
 * so GENERIC_READ does not stand for SYNCHRONIZE. */
static NTSTATUS io_check_create(ACCESS_MASK access, ULONG attributes, ULONG share, ULONG disposition, ULONG options)
{
    const ULONG synchronous = FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT;
    /* What a directory open may ask besides FILE_DIRECTORY_FILE. */
    const ULONG directory_options = FILE_DIRECTORY_FILE | synchronous | FILE_WRITE_THROUGH | FILE_COMPLETE_IF_OPLOCKED |
                                    FILE_OPEN_FOR_BACKUP_INTENT | FILE_DELETE_ON_CLOSE |
                                    FILE_OPEN_FOR_FREE_SPACE_QUERY | FILE_OPEN_BY_FILE_ID | FILE_NO_COMPRESSION |
                                    FILE_OPEN_REPARSE_POINT;
    /* FILE_NON_DIRECTORY_FILE as well lets the file system decide. */
    BOOLEAN directory = (options & (FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE)) == FILE_DIRECTORY_FILE;

    if ((attributes & ~FILE_ATTRIBUTE_VALID_FLAGS) || (share & ~FILE_SHARE_VALID_FLAGS) ||
        disposition > FILE_MAXIMUM_DISPOSITION || (options & ~FILE_VALID_OPTION_FLAGS) ||
        ((options & synchronous) && !(access & SYNCHRONIZE)) ||
        ((options & FILE_DELETE_ON_CLOSE) && !(access & DELETE)) || (options & synchronous) == synchronous ||
        (directory && (options & ~directory_options)) ||
        (directory && disposition != FILE_CREATE && disposition != FILE_OPEN && disposition != FILE_OPEN_IF) ||
        ((options & FILE_COMPLETE_IF_OPLOCKED) && (options & FILE_RESERVE_OPFILTER)) ||
        ((options & FILE_NO_INTERMEDIATE_BUFFERING) && (access & FILE_APPEND_DATA)))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* A user-mode caller's pointers, probed as IoCreateFile's try block does
 * after the argument checks; *allocation receives AllocationSize (0
 * without one), which may not be negative. */
static NTSTATUS io_capture_create(PHANDLE handle, PIO_STATUS_BLOCK iosb, const LARGE_INTEGER *allocation_size,
                                  LARGE_INTEGER *allocation)
{
    allocation->QuadPart = 0;
    if (!NT_SUCCESS(mm_probe_for_write(handle, sizeof *handle, sizeof(ULONG))) ||
        !NT_SUCCESS(mm_probe_for_write(iosb, sizeof *iosb, sizeof(ULONG))) ||
        (allocation_size && (!NT_SUCCESS(mm_probe_for_read(allocation_size, sizeof *allocation_size, sizeof(ULONG))) ||
                             !safe_read(allocation_size, allocation, sizeof *allocation))))
        return STATUS_ACCESS_VIOLATION;
    return allocation->QuadPart < 0 ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS io_create_file(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                        ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                        ULONG EaLength, KPROCESSOR_MODE mode)
{
    struct io_open_packet packet = { 0 };
    HANDLE handle = NULL;
    NTSTATUS status;

    if (mode == UserMode) {
        status = io_check_create(DesiredAccess, FileAttributes, ShareAccess, CreateDisposition, CreateOptions);
        if (NT_SUCCESS(status))
            status = io_capture_create(FileHandle, IoStatusBlock, AllocationSize, &packet.allocation_size);
        if (!NT_SUCCESS(status))
            return status;
    } else if (AllocationSize) {
        packet.allocation_size = *AllocationSize;
    }
    packet.magic = IO_OPEN_PACKET_MAGIC;
    packet.desired_access = DesiredAccess;
    packet.file_attributes = FileAttributes;
    packet.share_access = ShareAccess;
    packet.disposition = CreateDisposition;
    packet.options = CreateOptions;
    packet.ea_buffer = EaBuffer;
    packet.ea_length = EaLength;
    status = ob_open_object_by_name(ObjectAttributes, NULL, mode, DesiredAccess, &packet, &handle);
    if (NT_SUCCESS(status) && !packet.parsed) {
        /* Found, but not through a device: a directory or an event is no file. */
        ob_close_handle(handle, mode);
        status = STATUS_OBJECT_TYPE_MISMATCH;
    } else if (NT_SUCCESS(status)) {
        status = packet.iosb.Status; /* the driver's own success status */
    }
    /* The status block tells of a success or of the driver's warning; an
     * error leaves it as it was (IoCreateFile). */
    if (NT_SUCCESS(status) || (NT_WARNING(status) && packet.parsed)) {
        IO_STATUS_BLOCK result = { .Status = status, .Information = packet.iosb.Information };
        mm_safe_write(IoStatusBlock, &result, sizeof result);
    }
    if (NT_SUCCESS(status))
        mm_safe_write(FileHandle, &handle, sizeof handle);
    return status;
}

NTSYSAPI NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                                     ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                                     ULONG EaLength)
{
    return io_create_file(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize, FileAttributes,
                          ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength, KernelMode);
}

NTSYSAPI NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                                     ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                                     ULONG EaLength)
{
    return io_create_file(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize, FileAttributes,
                          ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength, UserMode);
}

NTSYSAPI NTSTATUS NTAPI ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                   PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return io_create_file(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, NULL, 0, ShareAccess, FILE_OPEN,
                          OpenOptions, NULL, 0, KernelMode);
}

NTSYSAPI NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                   PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return io_create_file(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, NULL, 0, ShareAccess, FILE_OPEN,
                          OpenOptions, NULL, 0, UserMode);
}

NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetRelatedDeviceObject(PFILE_OBJECT FileObject)
{
    return io_device_top(FileObject->DeviceObject);
}

NTKERNELAPI NTSTATUS NTAPI IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                                    PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject)
{
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK iosb;
    HANDLE handle;
    PFILE_OBJECT file;

    InitializeObjectAttributes(&attributes, ObjectName, OBJ_KERNEL_HANDLE, NULL, NULL);
    NTSTATUS status = ZwOpenFile(&handle, DesiredAccess, &attributes, &iosb, 0, FILE_NON_DIRECTORY_FILE);
    if (!NT_SUCCESS(status))
        return status;
    status = ob_reference_object_by_handle(handle, 0, *IoFileObjectType, KernelMode, (void **)&file, NULL);
    if (NT_SUCCESS(status)) {
        *FileObject = file; /* the caller's reference keeps the device open */
        *DeviceObject = IoGetRelatedDeviceObject(file);
    }
    ob_close_handle(handle, KernelMode);
    return status;
}
