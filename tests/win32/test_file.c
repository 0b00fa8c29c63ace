/* tests/win32/test_file.c: the client API over the file services:
 * CreateFileW/A (path forms, dispositions, ERROR_ALREADY_EXISTS), the last
 * error after each failure (RtlNtStatusToDosError of the NTSTATUS, as
 * kernelbase sets it), DeviceIoControl (bytes returned, STATUS_BUFFER_OVERFLOW
 * as ERROR_MORE_DATA, file system controls), ReadFile and WriteFile, and
 * CloseHandle. Every call runs in a client process. */
#include "../io/devtest.h"

#include <windows.h>

#define DT_IOCTL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x810, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* One driver for the file: \Device\DtWin (\??\DtWin) and an exclusive
 * \Device\DtWinExcl (\??\DtWinExcl). */
static PDRIVER_OBJECT win_driver;

static PEPROCESS win_enter(void)
{
    if (!win_driver) {
        UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\DtWin"), target = RTL_CONSTANT_STRING(L"\\Device\\DtWin");
        UNICODE_STRING link2 = RTL_CONSTANT_STRING(L"\\??\\DtWinExcl");
        UNICODE_STRING target2 = RTL_CONSTANT_STRING(L"\\Device\\DtWinExcl");
        win_driver = dt_driver("DtWin");
        dt_device(win_driver, L"\\Device\\DtWin", DO_BUFFERED_IO, FALSE);
        dt_device(win_driver, L"\\Device\\DtWinExcl", DO_BUFFERED_IO, TRUE);
        IoCreateSymbolicLink(&link, &target);
        IoCreateSymbolicLink(&link2, &target2);
    }
    dt_reset();
    return dt_client_enter();
}

static HANDLE open_w(const WCHAR *path)
{
    return CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
}

/* \\.\X and \\?\X open \??\X, in either function, '/' or '\' after \\.;
 * the rest of the path reaches the driver in FileObject->FileName. */
KT_TEST(CreateFile_device_path_forms)
{
    static const WCHAR *const paths[] = { L"\\\\.\\DtWin", L"\\\\?\\DtWin", L"//./DtWin", L"\\\\.\\dtwin" };
    PEPROCESS client = win_enter();
    HANDLE h;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        h = open_w(paths[i]);
        KT_TRUE(h != INVALID_HANDLE_VALUE);
        KT_EQ_INT(GetLastError(), ERROR_SUCCESS);
        KT_EQ_STR(dt.file_name, "");
        KT_TRUE(CloseHandle(h));
    }
    h = CreateFileA("\\\\.\\DtWin\\sub", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    KT_TRUE(h != INVALID_HANDLE_VALUE);
    KT_EQ_STR(dt.file_name, "\\sub");
    CloseHandle(h);
    /* \\?\ takes the name as it is: '/' is no separator there. */
    KT_EQ_PTR(open_w(L"\\\\?\\DtWin/sub"), INVALID_HANDLE_VALUE);
    KT_EQ_INT(GetLastError(), ERROR_FILE_NOT_FOUND);
    dt_client_leave(client);
}

/* Names that reach nothing, with the error Windows gives: a device name
 * nobody created, or a file in the (empty) current directory:
 * ERROR_FILE_NOT_FOUND; a missing directory on the way, or a drive that
 * does not exist: ERROR_PATH_NOT_FOUND; an empty name: ERROR_PATH_NOT_FOUND. */
KT_TEST(CreateFile_missing_names)
{
    static const struct { const WCHAR *path; DWORD error; } cases[] = {
        { L"\\\\.\\DtNoSuchDevice", ERROR_FILE_NOT_FOUND },
        { L"DtWin", ERROR_FILE_NOT_FOUND },
        { L"\\DtWin", ERROR_FILE_NOT_FOUND },
        { L"C:\\notes.txt", ERROR_FILE_NOT_FOUND },
        { L"c:/notes.txt", ERROR_FILE_NOT_FOUND },
        { L"sub\\notes.txt", ERROR_PATH_NOT_FOUND },
        { L"C:\\sub\\notes.txt", ERROR_PATH_NOT_FOUND },
        { L"Q:\\notes.txt", ERROR_PATH_NOT_FOUND },
        { L"\\\\.\\DtNoDir\\x", ERROR_PATH_NOT_FOUND },
        { L"", ERROR_PATH_NOT_FOUND },
    };
    PEPROCESS client = win_enter();

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SetLastError(0xDEAD);
        HANDLE h = open_w(cases[i].path);
        DWORD error = GetLastError();
        if (h != INVALID_HANDLE_VALUE || error != cases[i].error) {
            char name[64];
            size_t n;
            for (n = 0; cases[i].path[n] && n + 1 < sizeof name; n++)
                name[n] = (char)cases[i].path[n];
            name[n] = 0;
            kt_fail(__FILE__, __LINE__, "CreateFileW(\"%s\"): handle %p, error %u; expected error %u", name, h,
                    (unsigned)error, (unsigned)cases[i].error);
        }
    }
    SetLastError(0xDEAD);
    KT_EQ_PTR(CreateFileA(NULL, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL), INVALID_HANDLE_VALUE);
    KT_EQ_INT(GetLastError(), ERROR_PATH_NOT_FOUND);
    KT_EQ_PTR(CreateFileA("NoSuchFile.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL), INVALID_HANDLE_VALUE);
    KT_EQ_INT(GetLastError(), ERROR_FILE_NOT_FOUND);
    KT_EQ_STR(dt.log, "");
    dt_client_leave(client);
}

/* CreateFile's dispositions are NtCreateFile's under other numbers (the
 * high byte of Parameters.Create.Options); anything else is
 * ERROR_INVALID_PARAMETER before any name is looked at. The handle is
 * synchronous unless FILE_FLAG_OVERLAPPED, and asks for SYNCHRONIZE and
 * FILE_READ_ATTRIBUTES besides the caller's access. */
KT_TEST(CreateFile_dispositions_and_options)
{
    static const struct { DWORD win32; ULONG nt; } cases[] = {
        { CREATE_NEW, FILE_CREATE }, { CREATE_ALWAYS, FILE_OVERWRITE_IF }, { OPEN_EXISTING, FILE_OPEN },
        { OPEN_ALWAYS, FILE_OPEN_IF }, { TRUNCATE_EXISTING, FILE_OVERWRITE },
    };
    PEPROCESS client = win_enter();

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        HANDLE h = CreateFileW(L"\\\\.\\DtWin", GENERIC_READ, 0, NULL, cases[i].win32, 0, NULL);
        KT_TRUE(h != INVALID_HANDLE_VALUE);
        KT_EQ_INT(dt.stack.Parameters.Create.Options >> 24, cases[i].nt);
        KT_EQ_HEX(dt.stack.Parameters.Create.Options & 0xFFFFFF,
                  FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE);
        KT_EQ_HEX(dt.create_access, GENERIC_READ | SYNCHRONIZE | FILE_READ_ATTRIBUTES);
        CloseHandle(h);
    }
    HANDLE h = CreateFileW(L"\\\\.\\DtWin", 0, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    KT_EQ_HEX(dt.stack.Parameters.Create.Options & 0xFFFFFF, FILE_NON_DIRECTORY_FILE);
    KT_EQ_HEX(dt_file(h)->Flags & FO_SYNCHRONOUS_IO, 0);
    CloseHandle(h);

    dt_reset();
    KT_EQ_PTR(CreateFileW(L"\\\\.\\DtWin", GENERIC_READ, 0, NULL, 0, 0, NULL), INVALID_HANDLE_VALUE);
    KT_EQ_INT(GetLastError(), ERROR_INVALID_PARAMETER);
    KT_EQ_PTR(CreateFileW(L"\\\\.\\DtWin", GENERIC_READ, 0, NULL, TRUNCATE_EXISTING + 1, 0, NULL),
              INVALID_HANDLE_VALUE);
    KT_EQ_INT(GetLastError(), ERROR_INVALID_PARAMETER);
    KT_EQ_STR(dt.log, "");
    dt_client_leave(client);
}

/* "If the specified file exists" with CREATE_ALWAYS (the driver says
 * FILE_OVERWRITTEN) or OPEN_ALWAYS (FILE_OPENED), CreateFile succeeds with
 * the last error ERROR_ALREADY_EXISTS; every other success sets it to 0. */
KT_TEST(CreateFile_already_exists_rules)
{
    static const struct { DWORD disposition; ULONG_PTR information; DWORD error; } cases[] = {
        { CREATE_ALWAYS, FILE_OVERWRITTEN, ERROR_ALREADY_EXISTS }, { CREATE_ALWAYS, FILE_CREATED, ERROR_SUCCESS },
        { CREATE_ALWAYS, FILE_SUPERSEDED, ERROR_SUCCESS },         { OPEN_ALWAYS, FILE_OPENED, ERROR_ALREADY_EXISTS },
        { OPEN_ALWAYS, FILE_CREATED, ERROR_SUCCESS },              { OPEN_EXISTING, FILE_OPENED, ERROR_SUCCESS },
        { CREATE_NEW, FILE_OPENED, ERROR_SUCCESS },
    };
    PEPROCESS client = win_enter();

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dt.create_information = cases[i].information;
        SetLastError(ERROR_ACCESS_DENIED);
        HANDLE h = CreateFileW(L"\\\\.\\DtWin", GENERIC_READ, 0, NULL, cases[i].disposition, 0, NULL);
        KT_TRUE(h != INVALID_HANDLE_VALUE);
        if (GetLastError() != cases[i].error)
            kt_fail(__FILE__, __LINE__, "disposition %u, Information %u: last error %u, expected %u",
                    (unsigned)cases[i].disposition, (unsigned)cases[i].information, (unsigned)GetLastError(),
                    (unsigned)cases[i].error);
        CloseHandle(h);
    }
    dt_client_leave(client);
}

/* A failed CreateFile sets the last error from the driver's status
 * (RtlNtStatusToDosError), except that STATUS_OBJECT_NAME_COLLISION for
 * CREATE_NEW is ERROR_FILE_EXISTS; an exclusive device's second open is
 * ERROR_ACCESS_DENIED. */
KT_TEST(CreateFile_last_error_from_status)
{
    static const struct { NTSTATUS status; DWORD disposition, error; } cases[] = {
        { STATUS_ACCESS_DENIED, OPEN_EXISTING, ERROR_ACCESS_DENIED },
        { STATUS_DEVICE_NOT_READY, OPEN_EXISTING, ERROR_NOT_READY },
        { STATUS_NO_SUCH_DEVICE, OPEN_EXISTING, ERROR_NO_SUCH_DEVICE }, /* since Windows 10 1809 */
        { STATUS_INVALID_DEVICE_REQUEST, OPEN_EXISTING, ERROR_INVALID_FUNCTION },
        { STATUS_SHARING_VIOLATION, OPEN_EXISTING, ERROR_SHARING_VIOLATION },
        { STATUS_OBJECT_NAME_COLLISION, CREATE_NEW, ERROR_FILE_EXISTS },
        { STATUS_OBJECT_NAME_COLLISION, OPEN_ALWAYS, ERROR_ALREADY_EXISTS },
    };
    PEPROCESS client = win_enter();

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dt.create_status = cases[i].status;
        HANDLE h = CreateFileW(L"\\\\.\\DtWin", GENERIC_READ, 0, NULL, cases[i].disposition, 0, NULL);
        KT_EQ_PTR(h, INVALID_HANDLE_VALUE);
        if (GetLastError() != cases[i].error)
            kt_fail(__FILE__, __LINE__, "status 0x%08X: last error %u, expected %u", (unsigned)cases[i].status,
                    (unsigned)GetLastError(), (unsigned)cases[i].error);
    }
    dt.create_status = STATUS_SUCCESS;
    HANDLE h = open_w(L"\\\\.\\DtWinExcl");
    KT_TRUE(h != INVALID_HANDLE_VALUE);
    KT_EQ_PTR(open_w(L"\\\\.\\DtWinExcl"), INVALID_HANDLE_VALUE);
    KT_EQ_INT(GetLastError(), ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = open_w(L"\\\\.\\DtWinExcl");
    KT_TRUE(h != INVALID_HANDLE_VALUE);
    CloseHandle(h);
    dt_client_leave(client);
}

/* DeviceIoControl: TRUE and the bytes returned; a warning
 * (STATUS_BUFFER_OVERFLOW) is FALSE with ERROR_MORE_DATA, the data and
 * byte count still delivered; an error is FALSE with its error and the
 * count left alone. */
KT_TEST(DeviceIoControl_results)
{
    PEPROCESS client = win_enter();
    HANDLE h = open_w(L"\\\\.\\DtWin");
    char in[] = "input", out[16];
    DWORD bytes;

    memset(out, '.', sizeof out);
    dt.information = 6;
    KT_TRUE(DeviceIoControl(h, DT_IOCTL, in, 5, out, sizeof out, &bytes, NULL));
    KT_EQ_INT(bytes, 6);
    KT_EQ_MEM(out, "ZZZZZZ..........", 16);
    KT_EQ_MEM(dt.input, "input", 5);

    memset(out, '.', sizeof out);
    dt.status = STATUS_BUFFER_OVERFLOW;
    dt.information = 16;
    bytes = 0xDEAD;
    KT_FALSE(DeviceIoControl(h, DT_IOCTL, in, 5, out, sizeof out, &bytes, NULL));
    KT_EQ_INT(GetLastError(), ERROR_MORE_DATA);
    KT_EQ_INT(bytes, 16);
    KT_EQ_MEM(out, "ZZZZZZZZZZZZZZZZ", 16);

    dt.status = STATUS_BUFFER_TOO_SMALL;
    dt.information = 0;
    bytes = 0xDEAD;
    KT_FALSE(DeviceIoControl(h, DT_IOCTL, NULL, 0, out, 4, &bytes, NULL));
    KT_EQ_INT(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    KT_EQ_INT(bytes, 0xDEAD);
    dt.status = STATUS_INVALID_DEVICE_REQUEST;
    KT_FALSE(DeviceIoControl(h, DT_IOCTL, NULL, 0, NULL, 0, &bytes, NULL));
    KT_EQ_INT(GetLastError(), ERROR_INVALID_FUNCTION);
    dt.status = STATUS_INVALID_BUFFER_SIZE;
    KT_FALSE(DeviceIoControl(h, DT_IOCTL, NULL, 0, NULL, 0, &bytes, NULL));
    KT_EQ_INT(GetLastError(), ERROR_INVALID_USER_BUFFER);

    /* A file system control code goes to IRP_MJ_FILE_SYSTEM_CONTROL. */
    dt.status = STATUS_SUCCESS;
    dt_reset();
    KT_TRUE(DeviceIoControl(h, CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x811, METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0,
                            NULL, 0, &bytes, NULL));
    KT_EQ_STR(dt.log, "fsctl");
    /* A user buffer the I/O manager cannot use: ERROR_NOACCESS. */
    KT_FALSE(DeviceIoControl(h, DT_IOCTL, NULL, 0, NULL, 8, &bytes, NULL));
    KT_EQ_INT(GetLastError(), ERROR_NOACCESS);
    CloseHandle(h);
    dt_client_leave(client);
}

/* On a handle opened with FILE_FLAG_OVERLAPPED, a call made without an
 * OVERLAPPED waits for a request the driver completes later (from another
 * thread) and returns its result, as kernelbase does. */
KT_TEST(DeviceIoControl_overlapped_handle_without_overlapped_waits)
{
    PEPROCESS client = win_enter();
    HANDLE h = CreateFileW(L"\\\\.\\DtWin", GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    struct dt_later later;
    char out[8];
    DWORD bytes = 0;

    memset(out, '.', sizeof out);
    dt.pend = TRUE;
    dt_complete_later(&later, STATUS_SUCCESS, 3, NULL);
    KT_TRUE(DeviceIoControl(h, DT_IOCTL, NULL, 0, out, sizeof out, &bytes, NULL));
    pthread_join(later.thread, NULL);
    KT_EQ_INT(bytes, 3);
    KT_EQ_MEM(out, "ZZZ.....", 8);
    CloseHandle(h);
    dt_client_leave(client);
}

/* ReadFile and WriteFile: the bytes transferred; a synchronous read at
 * the end of the file (STATUS_END_OF_FILE) is a successful read of 0
 * bytes; errors set the last error. */
KT_TEST(ReadFile_WriteFile_results)
{
    PEPROCESS client = win_enter();
    HANDLE h = open_w(L"\\\\.\\DtWin");
    char buffer[8] = "payload";
    DWORD bytes;

    KT_TRUE(WriteFile(h, buffer, sizeof buffer, &bytes, NULL));
    KT_EQ_INT(bytes, sizeof buffer);
    KT_EQ_MEM(dt.input, "payload", 8);
    dt.information = 5;
    KT_TRUE(ReadFile(h, buffer, sizeof buffer, &bytes, NULL));
    KT_EQ_INT(bytes, 5);
    KT_EQ_MEM(buffer, "ZZZZZad", 8);
    dt.status = STATUS_END_OF_FILE;
    dt.information = 0;
    bytes = 0xDEAD;
    KT_TRUE(ReadFile(h, buffer, sizeof buffer, &bytes, NULL));
    KT_EQ_INT(bytes, 0);
    dt.status = STATUS_INVALID_BUFFER_SIZE;
    KT_FALSE(ReadFile(h, buffer, 0, &bytes, NULL));
    KT_EQ_INT(GetLastError(), ERROR_INVALID_USER_BUFFER);
    KT_EQ_INT(bytes, 0);
    CloseHandle(h);

    h = CreateFileW(L"\\\\.\\DtWin", GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    KT_FALSE(ReadFile(h, buffer, sizeof buffer, &bytes, NULL));
    KT_EQ_INT(GetLastError(), ERROR_ACCESS_DENIED);
    CloseHandle(h);
    dt_client_leave(client);
}

/* CloseHandle: TRUE for an open handle; FALSE and ERROR_INVALID_HANDLE
 * for one that is not (closed already, never opened). */
KT_TEST(CloseHandle_bad_handle)
{
    PEPROCESS client = win_enter();
    HANDLE h = open_w(L"\\\\.\\DtWin");

    KT_TRUE(CloseHandle(h));
    KT_EQ_STR(dt.log, "create cleanup close");
    SetLastError(0);
    KT_FALSE(CloseHandle(h));
    KT_EQ_INT(GetLastError(), ERROR_INVALID_HANDLE);
    KT_FALSE(CloseHandle((HANDLE)0x7654));
    KT_EQ_INT(GetLastError(), ERROR_INVALID_HANDLE);
    KT_FALSE(CloseHandle(NULL));
    KT_EQ_INT(GetLastError(), ERROR_INVALID_HANDLE);
    dt_client_leave(client);
}
