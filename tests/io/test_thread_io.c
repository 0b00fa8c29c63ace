/* tests/io/test_thread_io.c: what becomes of a thread's requests: a thread
 * that ends with a request pending has it cancelled (its cancel routine
 * runs on the ending thread, in its process; a system thread's too), or,
 * when no driver completes it within the I/O manager's wait, disassociated
 * with a warning; one completed elsewhere during its cancel is freed only
 * after IoCancelIrp returns; a request
 * holds its file until it is finished, so IRP_MJ_CLOSE waits for it; and
 * the requests on a synchronous file run one at a time, in position order. */
#include "devtest.h"

#include "base/diag.h"

#include <sched.h>

static PDRIVER_OBJECT hold_driver;
static PDEVICE_OBJECT hold_device;

/* How the read dispatch holds requests, and what it and the cancel routine saw. */
static struct {
    BOOLEAN cancelable;           /* set a cancel routine on held reads */
    PIRP held;
    HANDLE read_thread, read_process;
    BOOLEAN cancelled;
    HANDLE cancel_thread, cancel_process;
    KIRQL cancel_irql;
} hold;

static VOID NTAPI hold_cancel(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    hold.cancel_irql = KeGetCurrentIrql();
    IoReleaseCancelSpinLock(irp->CancelIrql);
    hold.cancelled = TRUE;
    hold.cancel_thread = PsGetCurrentThreadId();
    hold.cancel_process = PsGetCurrentProcessId();
    hold.held = NULL;
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static NTSTATUS NTAPI hold_request(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    pthread_mutex_lock(&dt_lock);
    dt_log(dt_major_name(IoGetCurrentIrpStackLocation(irp)->MajorFunction));
    pthread_mutex_unlock(&dt_lock);
    hold.read_thread = PsGetCurrentThreadId();
    hold.read_process = PsGetCurrentProcessId();
    hold.held = irp;
    IoMarkIrpPending(irp);
    if (hold.cancelable)
        IoSetCancelRoutine(irp, hold_cancel);
    return STATUS_PENDING;
}

static void hold_setup(BOOLEAN cancelable)
{
    if (!hold_driver) {
        hold_driver = dt_driver("DtHold");
        hold_driver->MajorFunction[IRP_MJ_READ] = hold_request;
        hold_driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = hold_request;
        hold_device = dt_device(hold_driver, L"\\Device\\DtHold", 0, FALSE);
    }
    dt_reset();
    memset(&hold, 0, sizeof hold);
    hold.cancelable = cancelable;
}

/* A thread of the client process that makes one overlapped read and ends. */
struct requester {
    PEPROCESS process;
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    char buffer[4];
    NTSTATUS status;
};

static void *requester_main(void *arg)
{
    struct requester *r = arg;
    LARGE_INTEGER offset = { .QuadPart = 0 };
    ps_process_attach(r->process);
    r->status = NtReadFile(r->h, NULL, NULL, NULL, &r->iosb, r->buffer, sizeof r->buffer, &offset, NULL);
    return NULL;
}

static void run_requester(struct requester *r)
{
    pthread_t thread;
    r->iosb.Status = (NTSTATUS)0x12345678;
    r->iosb.Information = 0x55;
    pthread_create(&thread, NULL, requester_main, r);
    pthread_join(thread, NULL);
}

/* "The system cancels unprocessed IRPs if the thread that initiated the
 * I/O request exits": the cancel routine runs as the thread ends, on that
 * thread, in its process, holding the cancel spin lock; the IRP completes
 * with STATUS_CANCELLED before the thread is gone. The requester's status
 * block is not written: its thread no longer exists. The file stays open
 * until its handle is closed: cleanup, then close. */
KT_TEST(thread_exit_cancels_its_pending_requests)
{
    struct requester r = { .process = dt_client_enter() };
    hold_setup(TRUE);
    KT_REQUIRE(KT_EQ_STATUS(dt_open_as(UserMode, L"\\Device\\DtHold", FILE_READ_DATA, 0, &r.h), STATUS_SUCCESS));
    unsigned warnings = diag_warning_count();

    run_requester(&r);
    KT_EQ_STATUS(r.status, STATUS_PENDING);
    KT_TRUE(hold.cancelled);
    KT_EQ_PTR(hold.held, NULL);
    KT_EQ_INT(hold.cancel_irql, DISPATCH_LEVEL);
    KT_EQ_PTR(hold.cancel_thread, hold.read_thread);
    KT_EQ_PTR(hold.cancel_process, PsGetProcessId(r.process));
    KT_EQ_PTR(hold.read_process, PsGetProcessId(r.process));
    KT_EQ_HEX(r.iosb.Status, 0x12345678);
    KT_EQ_INT(diag_warning_count(), warnings);
    KT_EQ_STR(dt.log, "create read");
    NtClose(r.h);
    KT_EQ_STR(dt.log, "create read cleanup close");
    dt_client_leave(r.process);
}

/* A system thread's requests are the thread's too: one built with
 * IoBuildDeviceIoControlRequest and left pending as the thread returns is
 * cancelled then, in the System process; its completion no longer writes
 * the status block and event that lived on the ended thread's stack. */
static VOID NTAPI ioctl_and_return(PVOID context)
{
    KEVENT event;
    IO_STATUS_BLOCK iosb;
    NTSTATUS *status = context;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_NEITHER, FILE_ANY_ACCESS),
                                             hold_device, NULL, 0, NULL, 0, FALSE, &event, &iosb);
    *status = irp ? IoCallDriver(hold_device, irp) : STATUS_INSUFFICIENT_RESOURCES;
}

KT_TEST(system_thread_end_cancels_its_requests)
{
    NTSTATUS status = STATUS_SUCCESS;
    HANDLE handle;
    PVOID thread;
    hold_setup(TRUE);

    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, ioctl_and_return,
                                                 &status),
                            STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, NULL),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(status, STATUS_PENDING);
    KT_TRUE(hold.cancelled);
    KT_EQ_PTR(hold.cancel_thread, hold.read_thread);
    KT_EQ_PTR(hold.cancel_process, (HANDLE)4);
    KT_EQ_STR(dt.log, "ioctl");
    ObDereferenceObject(thread);
    ZwClose(handle);
}

/* An orphan completed on another thread while the ending thread's
 * IoCancelIrp is still running (the cancel routine hands it to a worker
 * and waits for it) is not freed under IoCancelIrp's feet: the ending
 * thread frees it once IoCancelIrp has returned. */
static struct {
    PIRP irp;
    KEVENT go, done;
    SHORT type_after_completion;
} handoff;

static void *handoff_worker(void *arg)
{
    (void)arg;
    KeWaitForSingleObject(&handoff.go, Executive, KernelMode, FALSE, NULL);
    handoff.irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(handoff.irp, IO_NO_INCREMENT);
    KeSetEvent(&handoff.done, IO_NO_INCREMENT, FALSE);
    return NULL;
}

static VOID NTAPI handoff_cancel(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    IoReleaseCancelSpinLock(irp->CancelIrql);
    hold.cancelled = TRUE;
    handoff.irp = irp;
    KeSetEvent(&handoff.go, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&handoff.done, Executive, KernelMode, FALSE, NULL);
    handoff.type_after_completion = irp->Type;
}

static NTSTATUS NTAPI handoff_read(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    hold.held = irp;
    IoMarkIrpPending(irp);
    IoSetCancelRoutine(irp, handoff_cancel);
    return STATUS_PENDING;
}

KT_TEST(orphan_completed_during_its_cancel_is_freed_after_it)
{
    struct requester r = { .process = dt_client_enter() };
    pthread_t worker;
    hold_setup(FALSE);
    KeInitializeEvent(&handoff.go, NotificationEvent, FALSE);
    KeInitializeEvent(&handoff.done, NotificationEvent, FALSE);
    hold_driver->MajorFunction[IRP_MJ_READ] = handoff_read;
    KT_REQUIRE(KT_EQ_STATUS(dt_open_as(UserMode, L"\\Device\\DtHold", FILE_READ_DATA, 0, &r.h), STATUS_SUCCESS));
    pthread_create(&worker, NULL, handoff_worker, NULL);

    run_requester(&r);
    pthread_join(worker, NULL);
    KT_TRUE(hold.cancelled);
    KT_EQ_INT(handoff.type_after_completion, IO_TYPE_IRP);
    KT_EQ_INT(hold.held->Type, 0); /* freed now (ntbox parks freed IRPs a while) */
    KT_EQ_HEX(r.iosb.Status, 0x12345678);
    NtClose(r.h);
    KT_EQ_STR(dt.log, "create cleanup close");
    hold_driver->MajorFunction[IRP_MJ_READ] = hold_request;
    dt_client_leave(r.process);
}

/* A request no driver completes after the cancel (no cancel routine) is
 * waited for a bounded time, then disassociated from the thread with one
 * warning, and the thread ends. It still holds its file: closing the
 * handle sends IRP_MJ_CLEANUP, and IRP_MJ_CLOSE comes only when the driver
 * completes the request at last; that completion writes nothing to the
 * requester. */
KT_TEST(thread_exit_disassociates_a_request_never_completed)
{
    struct requester r = { .process = dt_client_enter() };
    hold_setup(FALSE);
    KT_REQUIRE(KT_EQ_STATUS(dt_open_as(UserMode, L"\\Device\\DtHold", FILE_READ_DATA, 0, &r.h), STATUS_SUCCESS));
    unsigned warnings = diag_warning_count();

    run_requester(&r);
    KT_EQ_STATUS(r.status, STATUS_PENDING);
    KT_FALSE(hold.cancelled);
    KT_EQ_INT(diag_warning_count(), warnings + 1);
    PIRP irp = hold.held;
    KT_REQUIRE(KT_TRUE(irp != NULL));
    KT_TRUE(irp->Cancel);
    NtClose(r.h);
    KT_EQ_STR(dt.log, "create read cleanup");
    irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    KT_EQ_STR(dt.log, "create read cleanup close");
    KT_EQ_HEX(r.iosb.Status, 0x12345678);
    KT_EQ_INT(r.iosb.Information, 0x55);
    dt_client_leave(r.process);
}

/* A request still running holds its file object: closing the last handle
 * sends IRP_MJ_CLEANUP at once, IRP_MJ_CLOSE once the request is finished
 * (Windows' I/O manager references the file object for each request). */
KT_TEST(pending_request_delays_close_not_cleanup)
{
    PEPROCESS client = dt_client_enter();
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset = { .QuadPart = 0 };
    char buffer[4];
    HANDLE h;
    hold_setup(TRUE);
    KT_REQUIRE(KT_EQ_STATUS(dt_open_as(UserMode, L"\\Device\\DtHold", FILE_READ_DATA, 0, &h), STATUS_SUCCESS));

    KT_EQ_STATUS(NtReadFile(h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, &offset, NULL), STATUS_PENDING);
    NtClose(h);
    KT_EQ_STR(dt.log, "create read cleanup");
    PIRP irp = hold.held;
    KT_REQUIRE(KT_TRUE(irp != NULL));
    KT_TRUE(IoSetCancelRoutine(irp, NULL) == hold_cancel);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 2;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    KT_EQ_STR(dt.log, "create read cleanup close");
    KT_EQ_STATUS(iosb.Status, STATUS_SUCCESS);
    KT_EQ_INT(iosb.Information, 2);
    dt_client_leave(client);
}

/* The file object lock: on a synchronous file the I/O manager sends one
 * request at a time. A second read made while the driver still holds the
 * first waits in the I/O manager (file->Waiters counts it) and reaches the
 * driver only after the first completed, at the position the first moved
 * the file to. Without the lock it would reach the driver at once, at
 * position 0. */
static struct {
    KEVENT entered, release;
    LONG inside, most_inside, calls;
    LONGLONG offsets[2];
} serial;

static NTSTATUS NTAPI serial_read(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    LONG inside = InterlockedIncrement(&serial.inside);
    LONG call = InterlockedIncrement(&serial.calls);
    (void)device;
    if (inside > serial.most_inside)
        serial.most_inside = inside;
    serial.offsets[call - 1 < 2 ? call - 1 : 1] = stack->Parameters.Read.ByteOffset.QuadPart;
    if (call == 1) {
        KeSetEvent(&serial.entered, IO_NO_INCREMENT, FALSE);
        KeWaitForSingleObject(&serial.release, Executive, KernelMode, FALSE, NULL);
    }
    InterlockedDecrement(&serial.inside);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 4;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

struct reader {
    PEPROCESS process;
    HANDLE h;
    NTSTATUS status;
    char buffer[4];
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    IO_STATUS_BLOCK iosb;
    ps_process_attach(r->process);
    r->status = NtReadFile(r->h, NULL, NULL, NULL, &iosb, r->buffer, sizeof r->buffer, NULL, NULL);
    ps_process_attach(NULL);
    return NULL;
}

KT_TEST(synchronous_file_requests_are_serialised)
{
    PEPROCESS client = dt_client_enter();
    struct reader first = { .process = client }, second = { .process = client };
    pthread_t a, b;
    hold_setup(FALSE);
    memset(&serial, 0, sizeof serial);
    KeInitializeEvent(&serial.entered, NotificationEvent, FALSE);
    KeInitializeEvent(&serial.release, NotificationEvent, FALSE);
    hold_driver->MajorFunction[IRP_MJ_READ] = serial_read;
    KT_REQUIRE(KT_EQ_STATUS(dt_open_as(UserMode, L"\\Device\\DtHold", FILE_READ_DATA | SYNCHRONIZE,
                                       FILE_SYNCHRONOUS_IO_NONALERT, &first.h),
                            STATUS_SUCCESS));
    second.h = first.h;
    PFILE_OBJECT file = dt_file(first.h);

    pthread_create(&a, NULL, reader_main, &first);
    KeWaitForSingleObject(&serial.entered, Executive, KernelMode, FALSE, NULL);
    pthread_create(&b, NULL, reader_main, &second);
    /* The second read either waits for the file object lock or, were there
     * none, reaches the driver: wait for whichever happens. */
    while (!__atomic_load_n(&file->Waiters, __ATOMIC_ACQUIRE) && __atomic_load_n(&serial.calls, __ATOMIC_ACQUIRE) < 2)
        sched_yield();
    KT_EQ_INT(__atomic_load_n(&serial.calls, __ATOMIC_ACQUIRE), 1);
    KT_EQ_INT(file->Waiters, 1);
    KeSetEvent(&serial.release, IO_NO_INCREMENT, FALSE);
    pthread_join(a, NULL);
    pthread_join(b, NULL);

    KT_EQ_STATUS(first.status, STATUS_SUCCESS);
    KT_EQ_STATUS(second.status, STATUS_SUCCESS);
    KT_EQ_INT(serial.calls, 2);
    KT_EQ_INT(serial.most_inside, 1);
    KT_EQ_INT(serial.offsets[0], 0);
    KT_EQ_INT(serial.offsets[1], 4);
    KT_EQ_INT(file->CurrentByteOffset.QuadPart, 8);
    KT_EQ_INT(file->Waiters, 0);
    KT_EQ_INT(file->Busy, FALSE);
    NtClose(first.h);
    hold_driver->MajorFunction[IRP_MJ_READ] = hold_request;
    dt_client_leave(client);
}
