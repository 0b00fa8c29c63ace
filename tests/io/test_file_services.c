/* tests/io/test_file_services.c: NtReadFile, NtWriteFile,
 * NtDeviceIoControlFile and NtFsControlFile from a client process: the
 * access the handle must grant, each buffering method as the dispatch
 * routine sees it, the bytes copied back, requests the driver completes
 * later (the service waits on a synchronous file and returns
 * STATUS_PENDING on another), the file position of synchronous files, and
 * bad user buffers (a status, never a fault). */
#include "devtest.h"

#include "ex/pool.h"

#include <sys/mman.h>

#define DT_CODE(function, method, access) CTL_CODE(FILE_DEVICE_UNKNOWN, (function), (method), (access))

/* One driver for the whole file, with a device of each kind of I/O. */
static PDRIVER_OBJECT svc_driver;

static void svc_setup(void)
{
    if (svc_driver)
        return;
    svc_driver = dt_driver("DtServices");
    dt_device(svc_driver, L"\\Device\\DtBuffered", DO_BUFFERED_IO, FALSE);
    dt_device(svc_driver, L"\\Device\\DtDirect", DO_DIRECT_IO, FALSE);
    dt_device(svc_driver, L"\\Device\\DtNeither", 0, FALSE);
}

/* Pages: read-write, read-only, inaccessible. */
static char *pages;

static void map_pages(void)
{
    if (pages)
        return;
    pages = mmap(NULL, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_READ);
    mprotect(pages + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE);
}

/* A client process and a user-mode handle to one of the devices. */
struct session {
    PEPROCESS client;
    HANDLE h;
};

static bool session_open(struct session *s, const WCHAR *path, ACCESS_MASK access, ULONG options)
{
    svc_setup();
    s->client = dt_client_enter();
    dt_reset();
    return KT_EQ_STATUS(dt_open_as(UserMode, path, access, options, &s->h), STATUS_SUCCESS);
}

static void session_close(struct session *s)
{
    NtClose(s->h);
    dt_client_leave(s->client);
}

static NTSTATUS ioctl(HANDLE h, PIO_STATUS_BLOCK iosb, ULONG code, PVOID in, ULONG in_len, PVOID out, ULONG out_len)
{
    return NtDeviceIoControlFile(h, NULL, NULL, NULL, iosb, code, in, in_len, out, out_len);
}

/* "FILE_READ_DATA ... is required to read": without it NtReadFile is
 * STATUS_ACCESS_DENIED and the driver sees nothing; likewise
 * FILE_WRITE_DATA for NtWriteFile. Kernel-mode callers are not checked. */
KT_TEST(NtReadFile_NtWriteFile_need_data_access)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    UCHAR buffer[8] = "data";
    HANDLE kh;

    KT_REQUIRE(session_open(&s, L"\\Device\\DtBuffered", FILE_WRITE_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(NtWriteFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_STR(dt.log, "create write");
    session_close(&s);

    KT_REQUIRE(session_open(&s, L"\\Device\\DtBuffered", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));
    KT_EQ_STATUS(NtWriteFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_STR(dt.log, "create read");
    KT_EQ_STATUS(dt_open(L"\\Device\\DtBuffered", SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT, &kh), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwReadFile(kh, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwWriteFile(kh, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
    ZwClose(kh);
    session_close(&s);
}

/* An I/O control code names the access it needs: FILE_READ_ACCESS needs
 * FILE_READ_DATA, FILE_WRITE_ACCESS FILE_WRITE_DATA, FILE_ANY_ACCESS
 * nothing; a handle without it gets STATUS_ACCESS_DENIED. */
KT_TEST(NtDeviceIoControlFile_access_from_the_code)
{
    static const struct { ACCESS_MASK handle; ULONG access; NTSTATUS status; } cases[] = {
        { FILE_READ_DATA, FILE_WRITE_ACCESS, STATUS_ACCESS_DENIED },
        { FILE_READ_DATA, FILE_READ_ACCESS, STATUS_SUCCESS },
        { FILE_READ_DATA, FILE_ANY_ACCESS, STATUS_SUCCESS },
        { FILE_READ_DATA, FILE_READ_ACCESS | FILE_WRITE_ACCESS, STATUS_ACCESS_DENIED },
        { FILE_WRITE_DATA, FILE_READ_ACCESS, STATUS_ACCESS_DENIED },
        { FILE_WRITE_DATA, FILE_WRITE_ACCESS, STATUS_SUCCESS },
        { FILE_READ_DATA | FILE_WRITE_DATA, FILE_READ_ACCESS | FILE_WRITE_ACCESS, STATUS_SUCCESS },
        { FILE_READ_ATTRIBUTES, FILE_ANY_ACCESS, STATUS_SUCCESS },
        { FILE_READ_ATTRIBUTES, FILE_READ_ACCESS, STATUS_ACCESS_DENIED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct session s;
        IO_STATUS_BLOCK iosb;
        KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", cases[i].handle | SYNCHRONIZE,
                                FILE_SYNCHRONOUS_IO_NONALERT));
        NTSTATUS status = ioctl(s.h, &iosb, DT_CODE(0x800, METHOD_BUFFERED, cases[i].access), NULL, 0, NULL, 0);
        if (status != cases[i].status)
            kt_fail(__FILE__, __LINE__, "handle access 0x%x, code access %u: status 0x%08X, expected 0x%08X",
                    (unsigned)cases[i].handle, (unsigned)cases[i].access, (unsigned)status,
                    (unsigned)cases[i].status);
        KT_EQ_STR(dt.log, NT_SUCCESS(cases[i].status) ? "create ioctl" : "create");
        session_close(&s);
    }
}

/* METHOD_BUFFERED: one system buffer, holding the input; Information
 * bytes of it are copied to the caller's output, the rest of which stays
 * as it was; the buffer is gone afterwards. */
KT_TEST(NtDeviceIoControlFile_method_buffered)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    char in[] = "abcdef", out[16];
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));
    size_t pool = ex_pool_outstanding(NULL);

    memset(out, '.', sizeof out);
    dt.information = 4;
    KT_EQ_STATUS(ioctl(s.h, &iosb, DT_CODE(0x801, METHOD_BUFFERED, FILE_ANY_ACCESS), in, 6, out, sizeof out),
                 STATUS_SUCCESS);
    KT_TRUE(dt.system_buffer != NULL && dt.system_buffer != in && dt.system_buffer != out);
    KT_EQ_MEM(dt.input, "abcdef", 6);
    KT_EQ_PTR(dt.user_buffer, out);
    KT_EQ_PTR(dt.mdl, NULL);
    KT_EQ_HEX(dt.irp_flags & (IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION),
              IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | IRP_INPUT_OPERATION);
    KT_EQ_INT(dt.stack.Parameters.DeviceIoControl.InputBufferLength, 6);
    KT_EQ_INT(dt.stack.Parameters.DeviceIoControl.OutputBufferLength, 16);
    KT_EQ_INT(dt.requestor_mode, UserMode);
    KT_EQ_STATUS(iosb.Status, STATUS_SUCCESS);
    KT_EQ_INT(iosb.Information, 4);
    KT_EQ_MEM(out, "ZZZZ............", 16);
    KT_EQ_INT(ex_pool_outstanding(NULL), pool);
    session_close(&s);
}

/* METHOD_IN_DIRECT: the input in a system buffer, the second buffer
 * locked in an MDL the driver reads; METHOD_OUT_DIRECT: the same, the MDL
 * written by the driver straight into the caller's buffer. */
KT_TEST(NtDeviceIoControlFile_method_direct)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    char in[] = "x", data[] = "a banana, a bandana", out[16];
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                            FILE_SYNCHRONOUS_IO_NONALERT));

    dt.information = 3;
    KT_EQ_STATUS(ioctl(s.h, &iosb, DT_CODE(0x802, METHOD_IN_DIRECT, FILE_READ_ACCESS), in, 1, data, 19),
                 STATUS_SUCCESS);
    KT_TRUE(dt.system_buffer != NULL && dt.system_buffer != in);
    KT_EQ_MEM(dt.input, "x", 1);
    KT_TRUE(dt.mdl != NULL);
    KT_EQ_INT(dt.mdl_bytes, 19);
    KT_EQ_PTR(dt.user_buffer, data);
    KT_EQ_HEX(dt.irp_flags & IRP_INPUT_OPERATION, 0);
    KT_EQ_INT(iosb.Information, 3);
    KT_EQ_STR(data, "a banana, a bandana");

    memset(out, '.', sizeof out);
    dt.information = 5;
    KT_EQ_STATUS(ioctl(s.h, &iosb, DT_CODE(0x803, METHOD_OUT_DIRECT, FILE_WRITE_ACCESS), in, 1, out, sizeof out),
                 STATUS_SUCCESS);
    KT_EQ_INT(dt.mdl_bytes, 16);
    KT_EQ_MEM(dt.input, "x", 1);
    KT_EQ_MEM(out, "ZZZZZ...........", 16);
    KT_EQ_INT(iosb.Information, 5);
    session_close(&s);
}

/* METHOD_NEITHER: the caller's own pointers, Type3InputBuffer and
 * UserBuffer; no system buffer, no MDL. */
KT_TEST(NtDeviceIoControlFile_method_neither)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    char in[] = "raw", out[8];
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));

    memset(out, '.', sizeof out);
    dt.information = 2;
    KT_EQ_STATUS(ioctl(s.h, &iosb, DT_CODE(0x804, METHOD_NEITHER, FILE_ANY_ACCESS), in, 3, out, sizeof out),
                 STATUS_SUCCESS);
    KT_EQ_PTR(dt.stack.Parameters.DeviceIoControl.Type3InputBuffer, in);
    KT_EQ_PTR(dt.user_buffer, out);
    KT_EQ_PTR(dt.system_buffer, NULL);
    KT_EQ_PTR(dt.mdl, NULL);
    KT_EQ_MEM(dt.input, "raw", 3);
    KT_EQ_MEM(out, "ZZ......", 8);
    session_close(&s);
}

/* NtFsControlFile: IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MN_USER_FS_REQUEST,
 * the code in Parameters.FileSystemControl. */
KT_TEST(NtFsControlFile_request)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    char out[4];
    ULONG code = CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS);
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));

    KT_EQ_STATUS(NtFsControlFile(s.h, NULL, NULL, NULL, &iosb, code, NULL, 0, out, sizeof out), STATUS_SUCCESS);
    KT_EQ_STR(dt.log, "create fsctl");
    KT_EQ_INT(dt.stack.MinorFunction, IRP_MN_USER_FS_REQUEST);
    KT_EQ_HEX(dt.stack.Parameters.FileSystemControl.FsControlCode, code);
    KT_EQ_INT(iosb.Information, sizeof out);
    session_close(&s);
}

/* Reads and writes as the device asks: DO_BUFFERED_IO through a system
 * buffer (Information bytes copied back), DO_DIRECT_IO through an MDL,
 * neither with the caller's pointer. */
KT_TEST(NtReadFile_NtWriteFile_buffering_by_device)
{
    static const WCHAR *const devices[] = { L"\\Device\\DtBuffered", L"\\Device\\DtDirect", L"\\Device\\DtNeither" };
    for (int i = 0; i < 3; i++) {
        struct session s;
        IO_STATUS_BLOCK iosb;
        char buffer[8];
        KT_REQUIRE(session_open(&s, devices[i], FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                                FILE_SYNCHRONOUS_IO_NONALERT));
        memset(buffer, '.', sizeof buffer);
        dt.information = 5;
        KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
        KT_EQ_INT(dt.stack.Parameters.Read.Length, sizeof buffer);
        KT_EQ_PTR(dt.user_buffer, buffer);
        KT_EQ_INT(iosb.Information, 5);
        KT_EQ_MEM(buffer, "ZZZZZ...", 8);
        if (i == 0) {
            KT_TRUE(dt.system_buffer != NULL && dt.system_buffer != buffer);
            KT_EQ_PTR(dt.mdl, NULL);
        } else if (i == 1) {
            KT_EQ_PTR(dt.system_buffer, NULL);
            KT_EQ_INT(dt.mdl_bytes, sizeof buffer);
        } else {
            KT_EQ_PTR(dt.system_buffer, NULL);
            KT_EQ_PTR(dt.mdl, NULL);
        }
        memcpy(buffer, "written", 8);
        dt.information = DT_LENGTH;
        KT_EQ_STATUS(NtWriteFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
        KT_EQ_MEM(dt.input, "written", 8);
        KT_EQ_INT(iosb.Information, sizeof buffer);
        KT_EQ_STR(dt.log, "create read write");
        session_close(&s);
    }
}

/* A warning (STATUS_BUFFER_OVERFLOW) still copies Information bytes back
 * and fills the status block; an error copies nothing. */
KT_TEST(NtDeviceIoControlFile_warning_copies_error_does_not)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    char in[] = "abcdef", out[16];
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));

    memset(out, '.', sizeof out);
    dt.status = STATUS_BUFFER_OVERFLOW;
    dt.information = 8;
    KT_EQ_STATUS(ioctl(s.h, &iosb, DT_CODE(0x806, METHOD_BUFFERED, FILE_ANY_ACCESS), in, 6, out, sizeof out),
                 STATUS_BUFFER_OVERFLOW);
    KT_EQ_STATUS(iosb.Status, STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(iosb.Information, 8);
    KT_EQ_MEM(out, "ZZZZZZZZ........", 16);

    memset(out, '.', sizeof out);
    dt.status = STATUS_INVALID_DEVICE_REQUEST;
    dt.information = 4;
    KT_EQ_STATUS(ioctl(s.h, &iosb, DT_CODE(0x806, METHOD_BUFFERED, FILE_ANY_ACCESS), in, 6, out, sizeof out),
                 STATUS_INVALID_DEVICE_REQUEST);
    KT_EQ_MEM(out, "................", 16);
    session_close(&s);
}

/* On a synchronous file a request the driver pends and completes later,
 * from another thread, is waited for: the service returns the final
 * status, with the data and the status block in place. */
KT_TEST(NtReadFile_pending_on_synchronous_file_waits)
{
    struct session s;
    struct dt_later later;
    IO_STATUS_BLOCK iosb;
    char buffer[8];
    KT_REQUIRE(session_open(&s, L"\\Device\\DtBuffered", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));

    memset(buffer, '.', sizeof buffer);
    dt.pend = TRUE;
    dt_complete_later(&later, STATUS_SUCCESS, 3, NULL);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
    pthread_join(later.thread, NULL);
    KT_TRUE(later.completed);
    KT_EQ_STATUS(iosb.Status, STATUS_SUCCESS);
    KT_EQ_INT(iosb.Information, 3);
    KT_EQ_MEM(buffer, "ZZZ.....", 8);
    KT_EQ_INT(dt_file(s.h)->CurrentByteOffset.QuadPart, 3);
    session_close(&s);
}

/* On a file opened without FILE_SYNCHRONOUS_IO_* the service returns
 * STATUS_PENDING; the completion later fills the caller's status block and
 * buffer and signals the caller's event (or, without one, the file). */
KT_TEST(NtReadFile_pending_on_asynchronous_file_returns)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset = { .QuadPart = 0 };
    char buffer[8];
    PKEVENT event;
    HANDLE event_handle;
    KT_REQUIRE(session_open(&s, L"\\Device\\DtBuffered", FILE_READ_DATA, 0));
    KT_REQUIRE(KT_EQ_STATUS(ob_create_object(*ExEventObjectType, NULL, UserMode, 0, (void **)&event),
                            STATUS_SUCCESS));
    KeInitializeEvent(event, NotificationEvent, TRUE);
    KT_REQUIRE(KT_EQ_STATUS(ob_insert_object(event, EVENT_ALL_ACCESS, NULL, &event_handle), STATUS_SUCCESS));

    memset(buffer, '.', sizeof buffer);
    memset(&iosb, 0, sizeof iosb);
    dt.pend = TRUE;
    KT_EQ_STATUS(NtReadFile(s.h, event_handle, NULL, NULL, &iosb, buffer, sizeof buffer, &offset, NULL),
                 STATUS_PENDING);
    KT_EQ_INT(KeReadStateEvent(event), 0); /* cleared when the request started */
    PIRP irp = dt_wait_pended();
    KT_REQUIRE(KT_TRUE(irp != NULL));
    dt_finish(irp, STATUS_SUCCESS, 2);
    KT_EQ_INT(KeReadStateEvent(event), 1);
    KT_EQ_STATUS(iosb.Status, STATUS_SUCCESS);
    KT_EQ_INT(iosb.Information, 2);
    KT_EQ_MEM(buffer, "ZZ......", 8);

    PFILE_OBJECT file = dt_file(s.h);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, &offset, NULL), STATUS_PENDING);
    KT_EQ_INT(KeReadStateEvent(&file->Event), 0);
    irp = dt_wait_pended();
    KT_REQUIRE(KT_TRUE(irp != NULL));
    dt_finish(irp, STATUS_SUCCESS, 1);
    KT_EQ_INT(KeReadStateEvent(&file->Event), 1);
    KT_EQ_INT(file->CurrentByteOffset.QuadPart, 0); /* only synchronous files keep a position */
    NtClose(event_handle);
    session_close(&s);
}

/* A synchronous file keeps its position: each read or write without a
 * ByteOffset starts there and moves it by the bytes transferred; one with
 * a ByteOffset starts at it and leaves the position after it. A failed
 * request leaves the position alone. */
KT_TEST(NtReadFile_synchronous_file_position)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER at100 = { .QuadPart = 100 };
    char buffer[10];
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                            FILE_SYNCHRONOUS_IO_NONALERT));
    PFILE_OBJECT file = dt_file(s.h);

    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_INT(dt.stack.Parameters.Read.ByteOffset.QuadPart, 0);
    KT_EQ_INT(file->CurrentByteOffset.QuadPart, 10);
    dt.information = 4;
    KT_EQ_STATUS(NtWriteFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_INT(dt.stack.Parameters.Write.ByteOffset.QuadPart, 10);
    KT_EQ_INT(file->CurrentByteOffset.QuadPart, 14);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, &at100, NULL), STATUS_SUCCESS);
    KT_EQ_INT(dt.stack.Parameters.Read.ByteOffset.QuadPart, 100);
    KT_EQ_INT(file->CurrentByteOffset.QuadPart, 104);
    dt.status = STATUS_END_OF_FILE;
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, NULL, NULL), STATUS_END_OF_FILE);
    KT_EQ_INT(dt.stack.Parameters.Read.ByteOffset.QuadPart, 104);
    KT_EQ_INT(file->CurrentByteOffset.QuadPart, 104);
    session_close(&s);
}

/* ZwReadFile's ByteOffset rules: FILE_USE_FILE_POINTER_POSITION means the
 * synchronous file's own position; a file opened without synchronous I/O
 * has no position, so a read or write there must give an offset:
 * STATUS_INVALID_PARAMETER otherwise, before any IRP is sent. */
KT_TEST(NtReadFile_byte_offset_rules)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER use_position = { .LowPart = FILE_USE_FILE_POINTER_POSITION, .HighPart = -1 };
    char buffer[10];
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                            FILE_SYNCHRONOUS_IO_NONALERT));
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, &use_position, NULL), STATUS_SUCCESS);
    KT_EQ_INT(dt.stack.Parameters.Read.ByteOffset.QuadPart, 10);
    KT_EQ_INT(dt_file(s.h)->CurrentByteOffset.QuadPart, 20);
    session_close(&s);

    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | FILE_WRITE_DATA, 0));
    char log_before[sizeof dt.log];
    memcpy(log_before, dt.log, sizeof log_before);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, NULL, NULL), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(NtWriteFile(s.h, NULL, NULL, NULL, &iosb, buffer, 10, &use_position, NULL),
                 STATUS_INVALID_PARAMETER);
    KT_EQ_STR(dt.log, log_before); /* no request reached the driver */
    session_close(&s);
}

/* Buffers a user-mode caller cannot use are STATUS_ACCESS_VIOLATION
 * before any IRP is built: NULL, unmapped, read-only where the request
 * writes, or kernel addresses; a status block that cannot be written too. */
KT_TEST(file_services_bad_user_buffers)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    char in[4] = "abc", out[16];
    PVOID kernel = (PVOID)0xFFFF800000001000ULL;
    ULONG buffered = DT_CODE(0x807, METHOD_BUFFERED, FILE_ANY_ACCESS);
    ULONG out_direct = DT_CODE(0x808, METHOD_OUT_DIRECT, FILE_ANY_ACCESS);
    map_pages();
    KT_REQUIRE(session_open(&s, L"\\Device\\DtBuffered", FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
                            FILE_SYNCHRONOUS_IO_NONALERT));
    size_t pool = ex_pool_outstanding(NULL);

    KT_EQ_STATUS(ioctl(s.h, &iosb, buffered, in, 4, NULL, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, &iosb, buffered, NULL, 4, out, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, &iosb, buffered, pages + 2 * PAGE_SIZE, 4, out, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, &iosb, buffered, in, 4, pages + PAGE_SIZE, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, &iosb, buffered, in, 4, kernel, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, &iosb, out_direct, in, 4, pages + PAGE_SIZE, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, &iosb, out_direct, in, 4, NULL, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, NULL, buffered, in, 4, out, 16), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ioctl(s.h, (PIO_STATUS_BLOCK)(pages + PAGE_SIZE), buffered, in, 4, out, 16),
                 STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, NULL, 8, NULL, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, pages + PAGE_SIZE, 8, NULL, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(NtWriteFile(s.h, NULL, NULL, NULL, &iosb, pages + 2 * PAGE_SIZE, 8, NULL, NULL),
                 STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(NtWriteFile(s.h, NULL, NULL, NULL, &iosb, kernel, 8, NULL, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ_STR(dt.log, "create");
    KT_EQ_INT(ex_pool_outstanding(NULL), pool);
    /* Zero bytes at NULL is no buffer at all. */
    dt.information = 0;
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, NULL, 0, NULL, NULL), STATUS_SUCCESS);
    session_close(&s);
}

/* A buffer that goes bad while the request runs: the copy back at
 * completion cannot write it, so the request ends with
 * STATUS_ACCESS_VIOLATION instead of a fault. */
static char *vanishing;

static void make_output_read_only(void)
{
    mprotect(vanishing, PAGE_SIZE, PROT_READ);
}

KT_TEST(NtDeviceIoControlFile_copy_back_into_vanished_buffer)
{
    struct session s;
    struct dt_later later;
    IO_STATUS_BLOCK iosb;
    char *out = vanishing = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KT_REQUIRE(session_open(&s, L"\\Device\\DtNeither", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));

    dt.pend = TRUE;
    dt_complete_later(&later, STATUS_SUCCESS, 4, make_output_read_only);
    KT_EQ_STATUS(ioctl(s.h, &iosb, DT_CODE(0x809, METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0, out, 16),
                 STATUS_ACCESS_VIOLATION);
    pthread_join(later.thread, NULL);
    KT_EQ_STATUS(iosb.Status, STATUS_ACCESS_VIOLATION);
    munmap(out, PAGE_SIZE);
    session_close(&s);
}

/* A handle that is not open: STATUS_INVALID_HANDLE; a handle to something
 * other than a file: STATUS_OBJECT_TYPE_MISMATCH. */
KT_TEST(file_services_bad_handles)
{
    IO_STATUS_BLOCK iosb;
    char buffer[4];
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device");
    HANDLE directory;
    PEPROCESS client = dt_client_enter();

    KT_EQ_STATUS(NtReadFile((HANDLE)0x1234, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL),
                 STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(NtDeviceIoControlFile((HANDLE)0x1234, NULL, NULL, NULL, &iosb, 0, NULL, 0, NULL, 0),
                 STATUS_INVALID_HANDLE);
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_REQUIRE(KT_EQ_STATUS(ZwOpenDirectoryObject(&directory, DIRECTORY_QUERY, &oa), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwReadFile(directory, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(directory);
    dt_client_leave(client);
}

/* ExGetPreviousMode in a dispatch routine is the request's RequestorMode:
 * UserMode for a client's Nt service, KernelMode for a driver's Zw one;
 * after the service the thread's own (KernelMode) is back. */
KT_TEST(ExGetPreviousMode_follows_the_request)
{
    struct session s;
    IO_STATUS_BLOCK iosb;
    char buffer[8];

    KT_REQUIRE(session_open(&s, L"\\Device\\DtBuffered", FILE_READ_DATA | SYNCHRONIZE, FILE_SYNCHRONOUS_IO_NONALERT));
    KT_EQ_STATUS(NtReadFile(s.h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_INT(dt.previous_mode, UserMode);
    KT_EQ_INT(ExGetPreviousMode(), KernelMode);
    session_close(&s);

    HANDLE h;
    KT_REQUIRE(KT_EQ_STATUS(dt_open(L"\\Device\\DtBuffered", FILE_READ_DATA, FILE_SYNCHRONOUS_IO_NONALERT, &h),
                            STATUS_SUCCESS));
    KT_EQ_INT(dt.previous_mode, KernelMode);
    KT_EQ_STATUS(ZwReadFile(h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_SUCCESS);
    KT_EQ_INT(dt.previous_mode, KernelMode);
    ZwClose(h);
}

/* ZwQueryInformationFile sends IRP_MJ_QUERY_INFORMATION with a system
 * buffer of the caller's length and copies IoStatus.Information bytes
 * back; a too-small buffer and an unsupported class fail before any
 * request; FilePositionInformation on a synchronous file is answered from
 * the file's position without one. */
KT_TEST(ZwQueryInformationFile_standard_basic_position)
{
    HANDLE h, async;
    IO_STATUS_BLOCK iosb;
    FILE_STANDARD_INFORMATION standard;
    FILE_BASIC_INFORMATION basic;
    FILE_POSITION_INFORMATION position;
    char buffer[16];

    svc_setup();
    dt_reset();
    KT_REQUIRE(KT_EQ_STATUS(dt_open(L"\\Device\\DtBuffered", FILE_READ_DATA | FILE_READ_ATTRIBUTES,
                                    FILE_SYNCHRONOUS_IO_NONALERT, &h), STATUS_SUCCESS));
    dt.information = sizeof standard;
    memset(&standard, 0, sizeof standard);
    KT_EQ_STATUS(ZwQueryInformationFile(h, &iosb, &standard, sizeof standard, FileStandardInformation),
                 STATUS_SUCCESS);
    KT_EQ_INT(dt.stack.MajorFunction, IRP_MJ_QUERY_INFORMATION);
    KT_EQ_INT(dt.stack.Parameters.QueryFile.Length, sizeof standard);
    KT_EQ_INT(dt.stack.Parameters.QueryFile.FileInformationClass, FileStandardInformation);
    KT_TRUE(dt.system_buffer != NULL && dt.system_buffer != (PVOID)&standard);
    KT_EQ_HEX(((UCHAR *)&standard)[0], DT_FILL);
    KT_EQ_HEX(((UCHAR *)&standard)[sizeof standard - 1], DT_FILL);
    KT_EQ_INT(iosb.Information, sizeof standard);

    dt.information = 8;
    memset(&basic, 0, sizeof basic);
    KT_EQ_STATUS(ZwQueryInformationFile(h, &iosb, &basic, sizeof basic, FileBasicInformation), STATUS_SUCCESS);
    KT_EQ_HEX(((UCHAR *)&basic)[7], DT_FILL);
    KT_EQ_HEX(((UCHAR *)&basic)[8], 0); /* only Information bytes come back */

    KT_EQ_STATUS(ZwQueryInformationFile(h, &iosb, &basic, sizeof basic - 1, FileBasicInformation),
                 STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ_STATUS(ZwQueryInformationFile(h, &iosb, buffer, sizeof buffer, FileNameInformation),
                 STATUS_INVALID_INFO_CLASS);

    dt.information = DT_LENGTH;
    KT_EQ_STATUS(ZwReadFile(h, NULL, NULL, NULL, &iosb, buffer, 10, NULL, NULL), STATUS_SUCCESS);
    dt_reset();
    KT_EQ_STATUS(ZwQueryInformationFile(h, &iosb, &position, sizeof position, FilePositionInformation),
                 STATUS_SUCCESS);
    KT_EQ_INT(position.CurrentByteOffset.QuadPart, 10);
    KT_EQ_INT(iosb.Information, sizeof position);
    KT_EQ_STR(dt.log, ""); /* the I/O manager answered */
    ZwClose(h);

    /* An asynchronous file's position is the driver's to answer. */
    KT_REQUIRE(KT_EQ_STATUS(dt_open(L"\\Device\\DtBuffered", FILE_READ_DATA, 0, &async), STATUS_SUCCESS));
    dt_reset();
    dt.status = STATUS_INVALID_DEVICE_REQUEST;
    dt.information = 0;
    KT_EQ_STATUS(ZwQueryInformationFile(async, &iosb, &position, sizeof position, FilePositionInformation),
                 STATUS_INVALID_DEVICE_REQUEST);
    KT_EQ_STR(dt.log, "query");
    ZwClose(async);
}
