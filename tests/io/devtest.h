/* tests/io/devtest.h: a recording driver for the tests of devices, files,
 * the file services, processes and the Win32 layer.
 *
 * The driver is a real Driver object (io_driver_object_create) whose every
 * MajorFunction is dt_dispatch: it logs each request by name in order
 * ("create cleanup close"), keeps what the I/O manager handed it (the
 * stack location, the buffers, the caller's process id), and answers as
 * the test set it up in `dt`: a status and an Information count (by
 * default the request's length), output filled with DT_FILL bytes, or the
 * request held pending for the test (or another thread) to complete.
 * Devices are made with IoCreateDevice and made ready as the I/O manager
 * does after DriverEntry (DO_DEVICE_INITIALIZING cleared). User-mode calls
 * run in a client process the test enters and leaves. */
#ifndef NTBOX_TESTS_IO_DEVTEST_H
#define NTBOX_TESTS_IO_DEVTEST_H

#include "ktest.h"

#include "io/driver.h"
#include "ob/ob.h"
#include "ps/process.h"

#include <ntbox/km_file.h>
#include <ntbox/km_ps.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DT_LENGTH ((ULONG_PTR)-1) /* Information: the request's own length */
#define DT_FILL 0x5A              /* the byte the driver writes into output buffers */

struct dt_state {
    char log[512];             /* one word per request, in order */
    /* How the driver answers IRP_MJ_CREATE, and the data requests. */
    NTSTATUS create_status;
    ULONG_PTR create_information;
    NTSTATUS status;
    ULONG_PTR information;
    BOOLEAN pend;              /* data requests stay pending in `pended` */
    /* What it saw: the last request's stack location and buffers. */
    IO_STACK_LOCATION stack;
    PFILE_OBJECT file;
    char file_name[128];       /* FileObject->FileName at the last create */
    ACCESS_MASK create_access; /* its SecurityContext->DesiredAccess */
    PVOID system_buffer, user_buffer;
    PMDL mdl;
    ULONG mdl_bytes;
    ULONG irp_flags;
    KPROCESSOR_MODE requestor_mode;
    KPROCESSOR_MODE previous_mode; /* ExGetPreviousMode in the dispatch routine */
    UCHAR input[16];           /* the first bytes of the request's input */
    HANDLE pid[IRP_MJ_MAXIMUM_FUNCTION + 1]; /* PsGetCurrentProcessId per major function */
    PIRP pended;
};

static struct dt_state dt;
static pthread_mutex_t dt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dt_cond = PTHREAD_COND_INITIALIZER;

/* A fresh log and the default answers: success, the request's length. */
static inline void dt_reset(void)
{
    pthread_mutex_lock(&dt_lock);
    memset(&dt, 0, sizeof dt);
    dt.information = DT_LENGTH;
    pthread_mutex_unlock(&dt_lock);
}

static inline const char *dt_major_name(UCHAR major)
{
    switch (major) {
    case IRP_MJ_CREATE: return "create";
    case IRP_MJ_CLEANUP: return "cleanup";
    case IRP_MJ_CLOSE: return "close";
    case IRP_MJ_READ: return "read";
    case IRP_MJ_WRITE: return "write";
    case IRP_MJ_DEVICE_CONTROL: return "ioctl";
    case IRP_MJ_FILE_SYSTEM_CONTROL: return "fsctl";
    case IRP_MJ_SHUTDOWN: return "shutdown";
    case IRP_MJ_QUERY_INFORMATION: return "query";
    default: return "other";
    }
}

static inline void dt_log(const char *word)
{
    size_t n = strlen(dt.log);
    snprintf(dt.log + n, sizeof dt.log - n, "%s%s", n ? " " : "", word);
}

static inline PVOID dt_mdl_address(PIRP irp)
{
    return irp->MdlAddress ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority) : NULL;
}

/* Where the request's output goes, as the device's buffering asks; NULL
 * for requests without output (and METHOD_IN_DIRECT, whose "output" the
 * driver only reads). */
static inline PVOID dt_output(PIRP irp, PIO_STACK_LOCATION st)
{
    if (st->MajorFunction == IRP_MJ_QUERY_INFORMATION)
        return irp->AssociatedIrp.SystemBuffer;
    if (st->MajorFunction == IRP_MJ_READ) {
        if (st->DeviceObject->Flags & DO_BUFFERED_IO)
            return irp->AssociatedIrp.SystemBuffer;
        return (st->DeviceObject->Flags & DO_DIRECT_IO) ? dt_mdl_address(irp) : irp->UserBuffer;
    }
    if (st->MajorFunction != IRP_MJ_DEVICE_CONTROL && st->MajorFunction != IRP_MJ_FILE_SYSTEM_CONTROL)
        return NULL;
    switch (METHOD_FROM_CTL_CODE(st->Parameters.DeviceIoControl.IoControlCode)) {
    case METHOD_BUFFERED: return irp->AssociatedIrp.SystemBuffer;
    case METHOD_OUT_DIRECT: return dt_mdl_address(irp);
    case METHOD_NEITHER: return irp->UserBuffer;
    default: return NULL;
    }
}

/* Where the request's input is: a write's data or a control's input. */
static inline PVOID dt_input(PIRP irp, PIO_STACK_LOCATION st, ULONG *length)
{
    if (st->MajorFunction == IRP_MJ_WRITE) {
        *length = st->Parameters.Write.Length;
        if (st->DeviceObject->Flags & DO_BUFFERED_IO)
            return irp->AssociatedIrp.SystemBuffer;
        return (st->DeviceObject->Flags & DO_DIRECT_IO) ? dt_mdl_address(irp) : irp->UserBuffer;
    }
    if (st->MajorFunction != IRP_MJ_DEVICE_CONTROL && st->MajorFunction != IRP_MJ_FILE_SYSTEM_CONTROL)
        return NULL;
    *length = st->Parameters.DeviceIoControl.InputBufferLength;
    if (METHOD_FROM_CTL_CODE(st->Parameters.DeviceIoControl.IoControlCode) == METHOD_NEITHER)
        return st->Parameters.DeviceIoControl.Type3InputBuffer;
    return irp->AssociatedIrp.SystemBuffer;
}

/* Completes a data request: information bytes of output (DT_LENGTH: the
 * request's length) filled with DT_FILL. */
static inline void dt_finish(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    PIO_STACK_LOCATION st = IoGetCurrentIrpStackLocation(irp);
    ULONG length = st->MajorFunction == IRP_MJ_READ || st->MajorFunction == IRP_MJ_WRITE ||
                           st->MajorFunction == IRP_MJ_QUERY_INFORMATION
                       ? st->Parameters.Read.Length
                       : (st->MajorFunction == IRP_MJ_DEVICE_CONTROL ||
                          st->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL)
                             ? st->Parameters.DeviceIoControl.OutputBufferLength
                             : 0;
    if (information == DT_LENGTH)
        information = length;
    UCHAR *out = dt_output(irp, st);
    if (out && !NT_ERROR(status))
        memset(out, DT_FILL, information < length ? information : length);
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static inline void dt_record(PIRP irp, PIO_STACK_LOCATION st)
{
    ULONG in_length = 0;
    const UCHAR *in = dt_input(irp, st, &in_length);

    dt_log(dt_major_name(st->MajorFunction));
    dt.stack = *st;
    dt.file = st->FileObject;
    dt.system_buffer = irp->AssociatedIrp.SystemBuffer;
    dt.user_buffer = irp->UserBuffer;
    dt.mdl = irp->MdlAddress;
    dt.mdl_bytes = irp->MdlAddress ? MmGetMdlByteCount(irp->MdlAddress) : 0;
    dt.irp_flags = irp->Flags;
    dt.requestor_mode = irp->RequestorMode;
    dt.previous_mode = ExGetPreviousMode();
    dt.pid[st->MajorFunction] = PsGetCurrentProcessId();
    memset(dt.input, 0, sizeof dt.input);
    if (in)
        memcpy(dt.input, in, in_length < sizeof dt.input ? in_length : sizeof dt.input);
    if (st->MajorFunction == IRP_MJ_CREATE) {
        const UNICODE_STRING *name = &st->FileObject->FileName;
        size_t i, n = name->Length / sizeof(WCHAR);
        for (i = 0; i < n && i + 1 < sizeof dt.file_name; i++)
            dt.file_name[i] = (char)name->Buffer[i];
        dt.file_name[i] = 0;
        dt.create_access = st->Parameters.Create.SecurityContext->DesiredAccess;
    }
}

static inline NTSTATUS NTAPI dt_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION st = IoGetCurrentIrpStackLocation(irp);
    (void)device;
    pthread_mutex_lock(&dt_lock);
    dt_record(irp, st);
    UCHAR major = st->MajorFunction;
    BOOLEAN pend = dt.pend && major != IRP_MJ_CREATE && major != IRP_MJ_CLEANUP && major != IRP_MJ_CLOSE;
    if (pend) {
        IoMarkIrpPending(irp);
        dt.pended = irp;
        pthread_cond_broadcast(&dt_cond);
    }
    NTSTATUS status = major == IRP_MJ_CREATE ? dt.create_status : dt.status;
    ULONG_PTR information = major == IRP_MJ_CREATE ? dt.create_information : dt.information;
    pthread_mutex_unlock(&dt_lock);
    if (pend)
        return STATUS_PENDING;
    if (major == IRP_MJ_CLEANUP || major == IRP_MJ_CLOSE)
        status = STATUS_SUCCESS, information = 0;
    if (major == IRP_MJ_CREATE) {
        irp->IoStatus.Status = status;
        irp->IoStatus.Information = information;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    } else {
        dt_finish(irp, status, information);
    }
    return status;
}

/* The request the driver holds pending, once it holds one (30 seconds at
 * most: a test never hangs); taken out of `dt.pended`. NULL on timeout. */
static inline PIRP dt_wait_pended(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&dt_lock);
    while (!dt.pended && pthread_cond_timedwait(&dt_cond, &dt_lock, &until) == 0)
        ;
    PIRP irp = dt.pended;
    dt.pended = NULL;
    pthread_mutex_unlock(&dt_lock);
    return irp;
}

/* Completing a pended request from another thread: dt_complete_later
 * starts the thread, which waits for the request and completes it with
 * the status and information given (running `before` first, if any). */
struct dt_later {
    pthread_t thread;
    NTSTATUS status;
    ULONG_PTR information;
    void (*before)(void);
    BOOLEAN completed;
};

static inline void *dt_later_thread(void *arg)
{
    struct dt_later *later = (struct dt_later *)arg;
    PIRP irp = dt_wait_pended();
    if (!irp)
        return NULL;
    if (later->before)
        later->before();
    dt_finish(irp, later->status, later->information);
    later->completed = TRUE;
    return NULL;
}

static inline void dt_complete_later(struct dt_later *later, NTSTATUS status, ULONG_PTR information,
                                     void (*before)(void))
{
    later->status = status;
    later->information = information;
    later->before = before;
    later->completed = FALSE;
    pthread_create(&later->thread, NULL, dt_later_thread, later);
}

/* A driver object named \Driver\<name> whose every request goes to dt_dispatch. */
static inline PDRIVER_OBJECT dt_driver(const char *name)
{
    PDRIVER_OBJECT driver = io_driver_object_create(name, NULL, 0, NULL);
    for (int i = 0; driver && i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = dt_dispatch;
    return driver;
}

/* A ready device of driver (name may be NULL), with Flags `flags` added
 * (DO_BUFFERED_IO, DO_DIRECT_IO). NULL, the failure recorded, if
 * IoCreateDevice fails. */
static inline PDEVICE_OBJECT dt_device(PDRIVER_OBJECT driver, const WCHAR *name, ULONG flags, BOOLEAN exclusive)
{
    UNICODE_STRING u;
    PDEVICE_OBJECT device;
    if (name)
        RtlInitUnicodeString(&u, name);
    NTSTATUS status = IoCreateDevice(driver, 0, name ? &u : NULL, FILE_DEVICE_UNKNOWN, 0, exclusive, &device);
    if (!KT_EQ_STATUS(status, STATUS_SUCCESS))
        return NULL;
    device->Flags = (device->Flags | flags) & ~DO_DEVICE_INITIALIZING;
    return device;
}

/* Deletes the driver's devices (no file may be open on them) and the
 * driver object, as an unload would. */
static inline void dt_driver_free(PDRIVER_OBJECT driver)
{
    PDEVICE_OBJECT next;
    for (PDEVICE_OBJECT device = driver->DeviceObject; device; device = next) {
        next = device->NextDevice;
        IoDeleteDevice(device);
    }
    io_driver_object_free(driver);
}

/* NtCreateFile (mode UserMode) or ZwCreateFile on path with a kernel
 * handle: FILE_OPEN, both shares, the iosb kept in dt_iosb. */
static IO_STATUS_BLOCK dt_iosb;

static inline NTSTATUS dt_open_as(KPROCESSOR_MODE mode, const WCHAR *path, ACCESS_MASK access, ULONG options,
                                  HANDLE *handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, path);
    *handle = NULL;
    if (mode == UserMode) {
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
        return NtCreateFile(handle, access, &oa, &dt_iosb, NULL, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                            options, NULL, 0);
    }
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    return ZwCreateFile(handle, access, &oa, &dt_iosb, NULL, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                        options, NULL, 0);
}

static inline NTSTATUS dt_open(const WCHAR *path, ACCESS_MASK access, ULONG options, HANDLE *handle)
{
    return dt_open_as(KernelMode, path, access, options, handle);
}

/* The file object behind a handle of the current process or the kernel
 * (no reference kept), or NULL. */
static inline PFILE_OBJECT dt_file(HANDLE handle)
{
    PFILE_OBJECT file;
    if (!NT_SUCCESS(ob_reference_object_by_handle(handle, 0, *IoFileObjectType, KernelMode, (void **)&file, NULL)))
        return NULL;
    ob_dereference_object(file);
    return file;
}

/* A client process the calling thread runs in until dt_client_leave
 * (which closes the handles left open, as a process exit does). */
static inline PEPROCESS dt_client_enter(void)
{
    PEPROCESS process = ps_process_create("dt.exe");
    ps_process_attach(process);
    return process;
}

static inline void dt_client_leave(PEPROCESS process)
{
    ps_process_attach(NULL);
    ps_process_exit(process);
}

#endif
