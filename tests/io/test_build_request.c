/* tests/io/test_build_request.c: IoBuildDeviceIoControlRequest with each
 * METHOD_*, IoBuildSynchronousFsdRequest and IoBuildAsynchronousFsdRequest
 * on buffered, direct and neither devices: what the dispatch routine sees,
 * what comes back to the caller's buffer, status block and event, and the
 * Driver Verifier bugchecks for bad buffers (0xC9/0x08, 0x09). */
#include "ktest.h"

#include "ex/pool.h"
#include "fake_device.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>

#define DRIVER_VERIFIER_IOMANAGER_VIOLATION 0xC9

#define IOCTL_TEST(method) CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, (method), FILE_ANY_ACCESS)

/* What the dispatch routine saw. data: the start of the system buffer. */
static struct {
    UCHAR major;
    ULONG code, in_len, out_len, length;
    LONGLONG offset;
    PVOID type3, system_buffer, user_buffer;
    ULONG flags;
    PMDL mdl;
    KPROCESSOR_MODE mode;
    PETHREAD thread;
    PIO_STATUS_BLOCK iosb;
    PKEVENT event;
    UCHAR data[16];
} seen;

/* How it answers: reply (if any) written where the request's data goes
 * (the MDL's system address, else the system buffer, else UserBuffer),
 * then completion with reply_status and reply_information; with
 * dispatch_pends it leaves the IRP in `pended` instead. */
static const char *reply;
static NTSTATUS reply_status;
static ULONG_PTR reply_information;
static bool dispatch_pends;
static PIRP pended;

static ULONG system_buffer_length(PIO_STACK_LOCATION s, PIRP irp)
{
    if (s->MajorFunction != IRP_MJ_DEVICE_CONTROL && s->MajorFunction != IRP_MJ_INTERNAL_DEVICE_CONTROL)
        return s->Parameters.Read.Length;
    ULONG in = s->Parameters.DeviceIoControl.InputBufferLength, out = s->Parameters.DeviceIoControl.OutputBufferLength;
    return irp->MdlAddress || out < in ? in : out;
}

static NTSTATUS NTAPI record_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    (void)device;
    seen.major = s->MajorFunction;
    seen.code = s->Parameters.DeviceIoControl.IoControlCode;
    seen.in_len = s->Parameters.DeviceIoControl.InputBufferLength;
    seen.out_len = s->Parameters.DeviceIoControl.OutputBufferLength;
    seen.length = s->Parameters.Read.Length;
    seen.offset = s->Parameters.Read.ByteOffset.QuadPart;
    seen.type3 = s->Parameters.DeviceIoControl.Type3InputBuffer;
    seen.system_buffer = irp->AssociatedIrp.SystemBuffer;
    seen.user_buffer = irp->UserBuffer;
    seen.flags = irp->Flags;
    seen.mdl = irp->MdlAddress;
    seen.mode = irp->RequestorMode;
    seen.thread = irp->Tail.Overlay.Thread;
    seen.iosb = irp->UserIosb;
    seen.event = irp->UserEvent;
    if (irp->AssociatedIrp.SystemBuffer) {
        ULONG n = system_buffer_length(s, irp);
        memcpy(seen.data, irp->AssociatedIrp.SystemBuffer, n < sizeof seen.data ? n : sizeof seen.data);
    }
    if (dispatch_pends) {
        IoMarkIrpPending(irp);
        pended = irp;
        return STATUS_PENDING;
    }
    if (reply) {
        PVOID target = irp->MdlAddress ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority)
                       : irp->AssociatedIrp.SystemBuffer ? irp->AssociatedIrp.SystemBuffer
                                                         : irp->UserBuffer;
        memcpy(target, reply, strlen(reply));
    }
    irp->IoStatus.Status = reply_status;
    irp->IoStatus.Information = reply_information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return reply_status;
}

static PDRIVER_OBJECT test_driver;
static PDEVICE_OBJECT test_device;
static KEVENT test_event;
static IO_STATUS_BLOCK test_iosb;
static size_t pool_before;

static void setup(ULONG device_flags, const char *reply_text, NTSTATUS status, ULONG_PTR information)
{
    memset(&seen, 0, sizeof seen);
    test_driver = fake_driver(record_dispatch);
    test_device = fake_device(test_driver, 1, device_flags);
    KeInitializeEvent(&test_event, NotificationEvent, FALSE);
    test_iosb.Status = (NTSTATUS)0xDEADBEEF;
    test_iosb.Information = 0x5A5A;
    reply = reply_text;
    reply_status = status;
    reply_information = information;
    dispatch_pends = false;
    pended = NULL;
    pool_before = ex_pool_outstanding(NULL);
}

/* Every buffer the I/O manager allocated is freed with the IRP. */
static void teardown(void)
{
    KT_EQ_INT(ex_pool_outstanding(NULL), pool_before);
    free(test_device);
    free(test_driver);
}

static NTSTATUS ioctl(ULONG code, PVOID in, ULONG in_len, PVOID out, ULONG out_len, BOOLEAN internal)
{
    PIRP irp = IoBuildDeviceIoControlRequest(code, test_device, in, in_len, out, out_len, internal, &test_event,
                                             &test_iosb);
    if (!KT_TRUE(irp != NULL))
        return STATUS_INSUFFICIENT_RESOURCES;
    return IoCallDriver(test_device, irp);
}

/* METHOD_BUFFERED: one system buffer of max(input, output) bytes holding
 * the input, IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION,
 * UserBuffer the output buffer; at completion Information bytes come back
 * to the output buffer, the status block is written and the event set. */
KT_TEST(IoBuildDeviceIoControlRequest_buffered)
{
    char in[4] = "abcd", out[8];
    memset(out, 0xEE, sizeof out);
    setup(0, "xyz123", STATUS_SUCCESS, 6);

    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_BUFFERED), in, 4, out, 8, FALSE), STATUS_SUCCESS);
    KT_EQ_HEX(seen.major, IRP_MJ_DEVICE_CONTROL);
    KT_EQ_HEX(seen.code, IOCTL_TEST(METHOD_BUFFERED));
    KT_EQ_INT(seen.in_len, 4);
    KT_EQ_INT(seen.out_len, 8);
    KT_TRUE(seen.system_buffer != NULL && seen.system_buffer != in && seen.system_buffer != out);
    KT_EQ_MEM(seen.data, "abcd\0\0\0\0", 8);
    KT_EQ_PTR(seen.user_buffer, out);
    KT_EQ_HEX(seen.flags, IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION);
    KT_EQ_PTR(seen.mdl, NULL);
    KT_EQ_INT(seen.mode, KernelMode);
    KT_TRUE(seen.thread != NULL);
    KT_EQ_PTR(seen.iosb, &test_iosb);
    KT_EQ_PTR(seen.event, &test_event);
    KT_EQ_MEM(out, "xyz123\xEE\xEE", 8);
    KT_EQ_STATUS(test_iosb.Status, STATUS_SUCCESS);
    KT_EQ_HEX(test_iosb.Information, 6);
    KT_EQ_INT(KeReadStateEvent(&test_event), 1);
    teardown();
}

/* InternalDeviceIoControl makes it IRP_MJ_INTERNAL_DEVICE_CONTROL; no
 * buffers, no system buffer and no flags. */
KT_TEST(IoBuildDeviceIoControlRequest_internal_without_buffers)
{
    setup(0, NULL, STATUS_SUCCESS, 0);
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_BUFFERED), NULL, 0, NULL, 0, TRUE), STATUS_SUCCESS);
    KT_EQ_HEX(seen.major, IRP_MJ_INTERNAL_DEVICE_CONTROL);
    KT_EQ_PTR(seen.system_buffer, NULL);
    KT_EQ_HEX(seen.flags, 0);
    KT_EQ_STATUS(test_iosb.Status, STATUS_SUCCESS);
    teardown();
}

/* An error status copies nothing back; the status block still gets the
 * status and Information. */
KT_TEST(IoBuildDeviceIoControlRequest_error_copies_nothing)
{
    char out[4] = "....";
    setup(0, "xyz", STATUS_INVALID_PARAMETER, 3);
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_BUFFERED), NULL, 0, out, 4, FALSE), STATUS_INVALID_PARAMETER);
    KT_EQ_MEM(out, "....", 4);
    KT_EQ_STATUS(test_iosb.Status, STATUS_INVALID_PARAMETER);
    KT_EQ_HEX(test_iosb.Information, 3);
    teardown();
}

/* A warning status (STATUS_BUFFER_OVERFLOW) is not an error: the data
 * comes back. */
KT_TEST(IoBuildDeviceIoControlRequest_warning_copies_back)
{
    char out[4] = "....";
    setup(0, "wxyz", STATUS_BUFFER_OVERFLOW, 4);
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_BUFFERED), NULL, 0, out, 4, FALSE), STATUS_BUFFER_OVERFLOW);
    KT_EQ_MEM(out, "wxyz", 4);
    KT_EQ_STATUS(test_iosb.Status, STATUS_BUFFER_OVERFLOW);
    teardown();
}

/* METHOD_IN_DIRECT: the input in a system buffer (no IRP_INPUT_OPERATION),
 * the output buffer described by a locked MDL for reading. */
KT_TEST(IoBuildDeviceIoControlRequest_in_direct)
{
    char in[4] = "abcd", out[8] = "to-drvr";
    setup(0, NULL, STATUS_SUCCESS, 0);
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_IN_DIRECT), in, 4, out, 8, FALSE), STATUS_SUCCESS);
    KT_TRUE(seen.system_buffer != NULL && seen.system_buffer != in);
    KT_EQ_MEM(seen.data, "abcd", 4);
    KT_EQ_HEX(seen.flags, IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER);
    KT_REQUIRE(KT_TRUE(seen.mdl != NULL));
    KT_EQ_PTR(seen.user_buffer, out);
    KT_EQ_MEM(out, "to-drvr", 8);
    teardown();
}

/* The MDL itself, checked inside the dispatch routine. */
static bool mdl_ok;

static NTSTATUS NTAPI check_mdl_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    PMDL mdl = irp->MdlAddress;
    PVOID expected = irp->UserBuffer;
    (void)device;
    mdl_ok = mdl && MmGetMdlVirtualAddress(mdl) == expected &&
             MmGetMdlByteCount(mdl) == IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.OutputBufferLength &&
             (mdl->MdlFlags & MDL_PAGES_LOCKED) && mdl->Next == NULL &&
             ((mdl->MdlFlags & MDL_WRITE_OPERATION) != 0) ==
                 (METHOD_FROM_CTL_CODE(IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.IoControlCode) ==
                  METHOD_OUT_DIRECT) &&
             MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == expected;
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

KT_TEST(IoBuildDeviceIoControlRequest_direct_mdl_fields)
{
    char out[64];
    setup(0, NULL, STATUS_SUCCESS, 0);
    test_driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = check_mdl_dispatch;
    mdl_ok = false;
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_IN_DIRECT), NULL, 0, out + 1, 40, FALSE), STATUS_SUCCESS);
    KT_TRUE(mdl_ok);
    mdl_ok = false;
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_OUT_DIRECT), NULL, 0, out + 3, 33, FALSE), STATUS_SUCCESS);
    KT_TRUE(mdl_ok);
    teardown();
}

/* METHOD_OUT_DIRECT: the driver writes through the MDL straight into the
 * caller's buffer; nothing is copied at completion. */
KT_TEST(IoBuildDeviceIoControlRequest_out_direct)
{
    char out[8];
    memset(out, '.', sizeof out);
    setup(0, "hello", STATUS_SUCCESS, 5);
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_OUT_DIRECT), NULL, 0, out, 8, FALSE), STATUS_SUCCESS);
    KT_EQ_PTR(seen.system_buffer, NULL);
    KT_EQ_HEX(seen.flags, 0);
    KT_TRUE(seen.mdl != NULL);
    KT_EQ_MEM(out, "hello...", 8);
    KT_EQ_HEX(test_iosb.Information, 5);
    teardown();
}

/* METHOD_NEITHER: Type3InputBuffer is the input pointer, UserBuffer the
 * output pointer, nothing else. */
KT_TEST(IoBuildDeviceIoControlRequest_neither)
{
    char in[4] = "abcd", out[8] = "";
    setup(0, "raw", STATUS_SUCCESS, 3);
    KT_EQ_STATUS(ioctl(IOCTL_TEST(METHOD_NEITHER), in, 4, out, 8, FALSE), STATUS_SUCCESS);
    KT_EQ_PTR(seen.type3, in);
    KT_EQ_PTR(seen.user_buffer, out);
    KT_EQ_PTR(seen.system_buffer, NULL);
    KT_EQ_PTR(seen.mdl, NULL);
    KT_EQ_HEX(seen.flags, 0);
    KT_EQ_MEM(out, "raw", 3);
    teardown();
}

/* IoStatus.Information larger than the output buffer: reported, and only
 * the output buffer is filled (the byte after it stays). */
static void overlong_information(void *arg)
{
    char out[9];
    (void)arg;
    memset(out, '.', sizeof out);
    setup(0, "0123456789ab", STATUS_SUCCESS, 12);
    ioctl(IOCTL_TEST(METHOD_BUFFERED), "0123456789ab", 12, out, 8, FALSE);
    printf("out=%.9s information=%llu\n", out, (unsigned long long)test_iosb.Information);
}

KT_TEST(IoBuildDeviceIoControlRequest_information_beyond_output)
{
    int status;
    const char *out = kt_run_child(overlong_information, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "IoStatus.Information 12, but the caller's buffer holds 8 bytes");
    KT_CONTAINS(out, "out=01234567. information=12");
}

/* A pending request completed later by another thread: IoCallDriver
 * returns STATUS_PENDING, and the caller's wait on its event ends when the
 * I/O manager has written the status block. */
static void *complete_pended(void *arg)
{
    (void)arg;
    memcpy(pended->AssociatedIrp.SystemBuffer, "late", 4);
    pended->IoStatus.Status = STATUS_SUCCESS;
    pended->IoStatus.Information = 4;
    IoCompleteRequest(pended, IO_NO_INCREMENT);
    return NULL;
}

KT_TEST(IoBuildSynchronousFsdRequest_pending_then_wait)
{
    char buffer[4] = "....";
    setup(DO_BUFFERED_IO, NULL, STATUS_SUCCESS, 0);
    dispatch_pends = true;
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, test_device, buffer, 4, NULL, &test_event, &test_iosb);
    KT_REQUIRE(KT_TRUE(irp != NULL));

    KT_EQ_STATUS(IoCallDriver(test_device, irp), STATUS_PENDING);
    KT_EQ_STATUS(test_iosb.Status, (NTSTATUS)0xDEADBEEF);
    KT_EQ_INT(KeReadStateEvent(&test_event), 0);
    pthread_t t;
    KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, complete_pended, NULL), 0));
    LARGE_INTEGER bound = { .QuadPart = -300000000LL }; /* 30 s: a failure, never a hang */
    KT_EQ_STATUS(KeWaitForSingleObject(&test_event, Executive, KernelMode, FALSE, &bound), STATUS_SUCCESS);
    pthread_join(t, NULL);
    KT_EQ_STATUS(test_iosb.Status, STATUS_SUCCESS);
    KT_EQ_HEX(test_iosb.Information, 4);
    KT_EQ_MEM(buffer, "late", 4);
    teardown();
}

static NTSTATUS fsd(ULONG major, PVOID buffer, ULONG length, LONGLONG offset)
{
    LARGE_INTEGER at = { .QuadPart = offset };
    PIRP irp = IoBuildSynchronousFsdRequest(major, test_device, buffer, length, offset >= 0 ? &at : NULL,
                                            &test_event, &test_iosb);
    if (!KT_TRUE(irp != NULL))
        return STATUS_INSUFFICIENT_RESOURCES;
    return IoCallDriver(test_device, irp);
}

/* DO_BUFFERED_IO read: a system buffer of Length bytes, IRP_INPUT_OPERATION,
 * Parameters.Read.Length and ByteOffset; Information bytes come back. */
KT_TEST(IoBuildSynchronousFsdRequest_read_buffered)
{
    char buffer[16];
    memset(buffer, '.', sizeof buffer);
    setup(DO_BUFFERED_IO, "data", STATUS_SUCCESS, 4);
    KT_EQ_STATUS(fsd(IRP_MJ_READ, buffer, 16, 4096), STATUS_SUCCESS);
    KT_EQ_HEX(seen.major, IRP_MJ_READ);
    KT_EQ_INT(seen.length, 16);
    KT_EQ_INT(seen.offset, 4096);
    KT_TRUE(seen.system_buffer != NULL && seen.system_buffer != buffer);
    KT_EQ_HEX(seen.flags, IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION);
    KT_EQ_PTR(seen.user_buffer, buffer);
    KT_EQ_PTR(seen.mdl, NULL);
    KT_EQ_MEM(buffer, "data............", 16);
    KT_EQ_STATUS(test_iosb.Status, STATUS_SUCCESS);
    KT_EQ_HEX(test_iosb.Information, 4);
    KT_EQ_INT(KeReadStateEvent(&test_event), 1);
    teardown();
}

/* DO_BUFFERED_IO write: the data is in the system buffer; nothing comes
 * back. Without StartingOffset, ByteOffset is 0. */
KT_TEST(IoBuildSynchronousFsdRequest_write_buffered)
{
    char buffer[8] = "payload";
    setup(DO_BUFFERED_IO, "XXXX", STATUS_SUCCESS, 8);
    KT_EQ_STATUS(fsd(IRP_MJ_WRITE, buffer, 8, -1), STATUS_SUCCESS);
    KT_EQ_HEX(seen.major, IRP_MJ_WRITE);
    KT_EQ_INT(seen.offset, 0);
    KT_EQ_MEM(seen.data, "payload", 8);
    KT_EQ_HEX(seen.flags, IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER);
    KT_EQ_MEM(buffer, "payload", 8);
    teardown();
}

/* DO_DIRECT_IO read: an MDL over the caller's buffer, locked for writing;
 * the driver's data lands in the buffer directly. */
KT_TEST(IoBuildSynchronousFsdRequest_read_direct)
{
    char buffer[8];
    memset(buffer, '.', sizeof buffer);
    setup(DO_DIRECT_IO, "direct", STATUS_SUCCESS, 6);
    KT_EQ_STATUS(fsd(IRP_MJ_READ, buffer, 8, 0), STATUS_SUCCESS);
    KT_EQ_PTR(seen.system_buffer, NULL);
    KT_EQ_HEX(seen.flags, 0);
    KT_TRUE(seen.mdl != NULL);
    KT_EQ_MEM(buffer, "direct..", 8);
    teardown();
}

/* DO_DIRECT_IO write: locked for reading, so a read-only buffer is fine. */
static NTSTATUS NTAPI check_write_mdl(PDEVICE_OBJECT device, PIRP irp)
{
    PMDL mdl = irp->MdlAddress;
    (void)device;
    mdl_ok = mdl && (mdl->MdlFlags & MDL_PAGES_LOCKED) && !(mdl->MdlFlags & MDL_WRITE_OPERATION) &&
             MmGetMdlByteCount(mdl) == 4096 && memcmp(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), "ro", 3) == 0;
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

KT_TEST(IoBuildSynchronousFsdRequest_write_direct_read_only_buffer)
{
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KT_REQUIRE(KT_TRUE(page != MAP_FAILED));
    memcpy(page, "ro", 3);
    mprotect(page, 4096, PROT_READ);
    setup(DO_DIRECT_IO, NULL, STATUS_SUCCESS, 0);
    test_driver->MajorFunction[IRP_MJ_WRITE] = check_write_mdl;
    mdl_ok = false;
    KT_EQ_STATUS(fsd(IRP_MJ_WRITE, page, 4096, 0), STATUS_SUCCESS);
    KT_TRUE(mdl_ok);
    teardown();
    munmap(page, 4096);
}

/* Neither flag: the driver gets UserBuffer only. */
KT_TEST(IoBuildSynchronousFsdRequest_neither)
{
    char buffer[4] = "....";
    setup(0, "nb", STATUS_SUCCESS, 2);
    KT_EQ_STATUS(fsd(IRP_MJ_READ, buffer, 4, 0), STATUS_SUCCESS);
    KT_EQ_PTR(seen.user_buffer, buffer);
    KT_EQ_PTR(seen.system_buffer, NULL);
    KT_EQ_PTR(seen.mdl, NULL);
    KT_EQ_MEM(buffer, "nb..", 4);
    teardown();
}

/* IRP_MJ_FLUSH_BUFFERS carries no buffer. */
KT_TEST(IoBuildSynchronousFsdRequest_flush)
{
    setup(DO_BUFFERED_IO, NULL, STATUS_SUCCESS, 0);
    KT_EQ_STATUS(fsd(IRP_MJ_FLUSH_BUFFERS, NULL, 0, -1), STATUS_SUCCESS);
    KT_EQ_HEX(seen.major, IRP_MJ_FLUSH_BUFFERS);
    KT_EQ_PTR(seen.user_buffer, NULL);
    KT_EQ_HEX(seen.flags, 0);
    KT_EQ_INT(seen.length, 0);
    KT_EQ_STATUS(test_iosb.Status, STATUS_SUCCESS);
    teardown();
}

/* IoBuildAsynchronousFsdRequest: no event; the caller's completion
 * routine frees the system buffer (or MDLs) and the IRP and returns
 * STATUS_MORE_PROCESSING_REQUIRED, so the I/O manager touches neither the
 * status block nor the caller's buffer. */
static IO_STATUS_BLOCK async_seen;

static NTSTATUS NTAPI async_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    (void)device, (void)context;
    async_seen = irp->IoStatus;
    if (irp->Flags & IRP_DEALLOCATE_BUFFER)
        ExFreePool(irp->AssociatedIrp.SystemBuffer);
    for (PMDL mdl = irp->MdlAddress, next; mdl; mdl = next) {
        next = mdl->Next;
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    IoFreeIrp(irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void async_read(ULONG device_flags)
{
    char buffer[8];
    memset(buffer, '.', sizeof buffer);
    setup(device_flags, "async", STATUS_SUCCESS, 5);
    LARGE_INTEGER offset = { .QuadPart = 512 };
    PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, test_device, buffer, 8, &offset, &test_iosb);
    KT_REQUIRE(KT_TRUE(irp != NULL));
    KT_EQ_PTR(irp->UserEvent, NULL);
    KT_EQ_PTR(irp->UserIosb, &test_iosb);
    IoSetCompletionRoutine(irp, async_done, NULL, TRUE, TRUE, TRUE);

    KT_EQ_STATUS(IoCallDriver(test_device, irp), STATUS_SUCCESS);
    KT_EQ_INT(seen.offset, 512);
    KT_EQ_STATUS(async_seen.Status, STATUS_SUCCESS);
    KT_EQ_HEX(async_seen.Information, 5);
    KT_EQ_STATUS(test_iosb.Status, (NTSTATUS)0xDEADBEEF);
    KT_EQ_MEM(buffer, device_flags & DO_DIRECT_IO ? "async..." : "........", 8);
    teardown();
}

KT_TEST(IoBuildAsynchronousFsdRequest_buffered_freed_by_caller)
{
    async_read(DO_BUFFERED_IO);
}

KT_TEST(IoBuildAsynchronousFsdRequest_direct_freed_by_caller)
{
    async_read(DO_DIRECT_IO);
}

/* A buffer that cannot be read or locked: Driver Verifier's 0xC9/0x09
 * (control request: P2 the device, P3 the control code, P4 the status) and
 * 0xC9/0x08 (other requests: P3 the major function). */
static char *no_access_page(void)
{
    return mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void ioctl_bad_input(void *arg)
{
    char out[4];
    (void)arg;
    IoBuildDeviceIoControlRequest(IOCTL_TEST(METHOD_BUFFERED), test_device, no_access_page(), 4, out, 4, FALSE,
                                  &test_event, &test_iosb);
}

KT_TEST(IoBuildDeviceIoControlRequest_bad_buffer_bugchecks)
{
    setup(0, NULL, STATUS_SUCCESS, 0);
    char params[128];
    snprintf(params, sizeof params, "(0x0000000000000009,0x%016llX,0x%016llX,0x00000000C0000005)",
             (unsigned long long)(ULONG_PTR)test_device, (unsigned long long)IOCTL_TEST(METHOD_BUFFERED));
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x09, ioctl_bad_input, NULL);
    if (out)
        KT_CONTAINS(out, params);
    teardown();
}

static void fsd_bad_buffer(void *arg)
{
    (void)arg;
    IoBuildSynchronousFsdRequest(IRP_MJ_READ, test_device, no_access_page(), 16, NULL, &test_event, &test_iosb);
}

KT_TEST(IoBuildSynchronousFsdRequest_bad_buffer_bugchecks)
{
    setup(DO_DIRECT_IO, NULL, STATUS_SUCCESS, 0);
    char params[128];
    snprintf(params, sizeof params, "(0x0000000000000008,0x%016llX,0x0000000000000003,0x00000000C0000005)",
             (unsigned long long)(ULONG_PTR)test_device);
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x08, fsd_bad_buffer, NULL);
    if (out)
        KT_CONTAINS(out, params);
    teardown();
}
