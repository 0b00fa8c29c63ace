/* win32/file.c: CreateFile, DeviceIoControl, ReadFile, WriteFile and
 * CloseHandle, each the thin kernelbase layer over its system service:
 * argument translation on the way in, the NTSTATUS turned into a BOOL and a
 * last error on the way out, and, as kernelbase, a wait for a request still
 * pending on an overlapped handle used without an OVERLAPPED. */
#include "win32/win32.h"

#include "ob/ob.h"

#include <ntbox/km_file.h>

#include <stdlib.h>
#include <string.h>

/* RtlDosPathNameToNtPathName's forms: \\.\X and \\?\X name the object
 * namespace's \??\X directly, \\server\share is \??\UNC\server\share, a
 * drive path is \??\C:\x; '/' is '\' except after \\?\, which takes the
 * name as it is. ntbox has no file system: the current directory is the
 * root of an empty drive C:, so a relative name is \??\C:\name (see
 * win32_empty_drive_status). "." and ".." are not resolved. */
static BOOL win32_nt_path(LPCWSTR dos, PUNICODE_STRING nt)
{
    static const WCHAR dos_devices[] = { '\\', '?', '?', '\\' };
    static const WCHAR unc[] = { 'U', 'N', 'C', '\\' };
    static const WCHAR c_root[] = { 'C', ':', '\\' };
    const WCHAR *prefix2 = NULL;
    size_t prefix2_len = 0, n = 0;
    BOOL verbatim = dos[0] == '\\' && dos[1] == '\\' && dos[2] == '?' && dos[3] == '\\';

    while (dos[n])
        n++;
    WCHAR *path = malloc((n + 1) * sizeof(WCHAR));
    if (!path) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    for (size_t i = 0; i <= n; i++)
        path[i] = dos[i] == '/' && !verbatim ? '\\' : dos[i];
    const WCHAR *name = path;
    if (n >= 4 && name[0] == '\\' && name[1] == '\\' && (name[2] == '.' || name[2] == '?') && name[3] == '\\') {
        name += 4;
        n -= 4;
    } else if (n >= 2 && name[0] == '\\' && name[1] == '\\') {
        name += 2;
        n -= 2;
        prefix2 = unc;
        prefix2_len = 4;
    } else if (!(n >= 2 && name[1] == ':')) {
        prefix2 = c_root;
        prefix2_len = name[0] == '\\' ? 2 : 3;
    }
    size_t total = 4 + prefix2_len + n;
    if (total * sizeof(WCHAR) > 0xFFFC) {
        free(path);
        SetLastError(ERROR_FILENAME_EXCED_RANGE);
        return FALSE;
    }
    nt->Buffer = malloc(total * sizeof(WCHAR));
    if (!nt->Buffer) {
        free(path);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    memcpy(nt->Buffer, dos_devices, sizeof dos_devices);
    if (prefix2_len) /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(nt->Buffer + 4, prefix2, prefix2_len * sizeof(WCHAR));
    memcpy(nt->Buffer + 4 + prefix2_len, name, n * sizeof(WCHAR));
    nt->Length = nt->MaximumLength = (USHORT)(total * sizeof(WCHAR));
    free(path);
    return TRUE;
}

/* The empty drive C: has no directory \??\C: could lead the lookup into,
 * so the object manager says STATUS_OBJECT_PATH_NOT_FOUND for any name on
 * it; a file system would say the name itself is not there when it is
 * directly in the root (C:\name): STATUS_OBJECT_NAME_NOT_FOUND. */
static NTSTATUS win32_empty_drive_status(NTSTATUS status, PCUNICODE_STRING nt)
{
    static const WCHAR c_root[] = { '\\', '?', '?', '\\', 'C', ':', '\\' };
    USHORT n = nt->Length / sizeof(WCHAR), root = sizeof c_root / sizeof c_root[0];

    if (status != STATUS_OBJECT_PATH_NOT_FOUND || n <= root ||
        memcmp(nt->Buffer, c_root, 4 * sizeof(WCHAR)) != 0 || (nt->Buffer[4] | 0x20) != 'c' ||
        memcmp(nt->Buffer + 5, c_root + 5, 2 * sizeof(WCHAR)) != 0)
        return status;
    for (USHORT i = root; i < n; i++)
        if (nt->Buffer[i] == '\\')
            return status;
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

/* CreateFile's dispositions are NtCreateFile's under other numbers. */
static BOOL win32_disposition(DWORD creation, ULONG *nt)
{
    switch (creation) {
    case CREATE_NEW: *nt = FILE_CREATE; return TRUE;
    case CREATE_ALWAYS: *nt = FILE_OVERWRITE_IF; return TRUE;
    case OPEN_EXISTING: *nt = FILE_OPEN; return TRUE;
    case OPEN_ALWAYS: *nt = FILE_OPEN_IF; return TRUE;
    case TRUNCATE_EXISTING: *nt = FILE_OVERWRITE; return TRUE;
    default: return FALSE;
    }
}

static ULONG win32_create_options(DWORD flags)
{
    static const struct { DWORD flag; ULONG option; } map[] = {
        { FILE_FLAG_WRITE_THROUGH, FILE_WRITE_THROUGH },
        { FILE_FLAG_NO_BUFFERING, FILE_NO_INTERMEDIATE_BUFFERING },
        { FILE_FLAG_RANDOM_ACCESS, FILE_RANDOM_ACCESS },
        { FILE_FLAG_SEQUENTIAL_SCAN, FILE_SEQUENTIAL_ONLY },
        { FILE_FLAG_DELETE_ON_CLOSE, FILE_DELETE_ON_CLOSE },
        { FILE_FLAG_BACKUP_SEMANTICS, FILE_OPEN_FOR_BACKUP_INTENT },
        { FILE_FLAG_OPEN_REPARSE_POINT, FILE_OPEN_REPARSE_POINT },
        { FILE_FLAG_OPEN_NO_RECALL, FILE_OPEN_NO_RECALL },
    };
    ULONG options = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (flags & map[i].flag)
            options |= map[i].option;
    if (!(flags & FILE_FLAG_BACKUP_SEMANTICS))
        options |= FILE_NON_DIRECTORY_FILE;
    if (!(flags & FILE_FLAG_OVERLAPPED))
        options |= FILE_SYNCHRONOUS_IO_NONALERT;
    return options;
}

HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK iosb = { 0 };
    HANDLE handle = NULL;
    ULONG disposition;

    (void)hTemplateFile; /* Windows ignores it when opening an existing file or a device */
    if (!win32_disposition(dwCreationDisposition, &disposition)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    if (!lpFileName || !lpFileName[0]) {
        SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    if (!win32_nt_path(lpFileName, &name))
        return INVALID_HANDLE_VALUE;
    ULONG attr = (dwFlagsAndAttributes & FILE_FLAG_POSIX_SEMANTICS) ? 0 : OBJ_CASE_INSENSITIVE;
    if (lpSecurityAttributes && lpSecurityAttributes->bInheritHandle)
        attr |= OBJ_INHERIT;
    InitializeObjectAttributes(&attributes, &name, attr, NULL,
                               lpSecurityAttributes ? lpSecurityAttributes->lpSecurityDescriptor : NULL);
    ACCESS_MASK access = dwDesiredAccess | SYNCHRONIZE | FILE_READ_ATTRIBUTES;
    if (dwFlagsAndAttributes & FILE_FLAG_DELETE_ON_CLOSE)
        access |= DELETE;
    NTSTATUS status = NtCreateFile(&handle, access, &attributes, &iosb, NULL,
                                   dwFlagsAndAttributes & FILE_ATTRIBUTE_VALID_FLAGS, dwShareMode, disposition,
                                   win32_create_options(dwFlagsAndAttributes), NULL, 0);
    status = win32_empty_drive_status(status, &name);
    free(name.Buffer);
    if (!NT_SUCCESS(status)) {
        /* kernelbase tells CREATE_NEW's collision apart from the others. */
        if (status == STATUS_OBJECT_NAME_COLLISION && dwCreationDisposition == CREATE_NEW)
            SetLastError(ERROR_FILE_EXISTS);
        else
            win32_set_last_status(status);
        return INVALID_HANDLE_VALUE;
    }
    /* "If the file exists" for CREATE_ALWAYS and OPEN_ALWAYS the call
     * succeeds with ERROR_ALREADY_EXISTS; every other success clears it. */
    BOOL existed = (dwCreationDisposition == CREATE_ALWAYS && iosb.Information == FILE_OVERWRITTEN) ||
                   (dwCreationDisposition == OPEN_ALWAYS && iosb.Information == FILE_OPENED);
    SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return handle;
}

HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
{
    UNICODE_STRING wide;
    if (!lpFileName)
        return CreateFileW(NULL, dwDesiredAccess, dwShareMode, lpSecurityAttributes, dwCreationDisposition,
                           dwFlagsAndAttributes, hTemplateFile);
    if (!win32_ansi_to_unicode(lpFileName, &wide))
        return INVALID_HANDLE_VALUE;
    HANDLE h = CreateFileW(wide.Buffer, dwDesiredAccess, dwShareMode, lpSecurityAttributes, dwCreationDisposition,
                           dwFlagsAndAttributes, hTemplateFile);
    RtlFreeUnicodeString(&wide);
    return h;
}

/* A request on a handle opened with FILE_FLAG_OVERLAPPED, made without an
 * OVERLAPPED, may still be running when the service returns: kernelbase
 * then waits on the file handle (the file's event is signalled when the
 * request ends) and takes the final status from the status block, which
 * lives in the caller's frame and so must not be left behind. */
static NTSTATUS win32_wait_pending(HANDLE handle, NTSTATUS status, const IO_STATUS_BLOCK *iosb)
{
    PFILE_OBJECT file;

    if (status != STATUS_PENDING)
        return status;
    status = ob_reference_object_by_handle(handle, SYNCHRONIZE, *IoFileObjectType, UserMode, (void **)&file, NULL);
    if (!NT_SUCCESS(status))
        return status;
    KeWaitForSingleObject(&file->Event, Executive, UserMode, FALSE, NULL);
    ob_dereference_object(file);
    return iosb->Status;
}

/* How every I/O call ends. With an OVERLAPPED the status block is the
 * OVERLAPPED itself (Internal, InternalHigh) and STATUS_PENDING is
 * ERROR_IO_PENDING; on a synchronous handle the I/O manager has already
 * waited. Warnings (STATUS_BUFFER_OVERFLOW) fail the call but still report
 * the bytes transferred, as kernelbase does. */
static BOOL win32_io_result(NTSTATUS status, const IO_STATUS_BLOCK *iosb, LPDWORD transferred)
{
    if (NT_SUCCESS(status) && status != STATUS_PENDING) {
        if (transferred)
            *transferred = (DWORD)iosb->Information;
        return TRUE;
    }
    if (transferred && !NT_ERROR(status) && status != STATUS_PENDING)
        *transferred = (DWORD)iosb->Information;
    win32_set_last_status(status);
    return FALSE;
}

BOOL WINAPI DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer, DWORD nInBufferSize,
                            LPVOID lpOutBuffer, DWORD nOutBufferSize, LPDWORD lpBytesReturned,
                            LPOVERLAPPED lpOverlapped)
{
    IO_STATUS_BLOCK local = { 0 };
    PIO_STATUS_BLOCK iosb = lpOverlapped ? (PIO_STATUS_BLOCK)lpOverlapped : &local;
    HANDLE event = lpOverlapped ? lpOverlapped->hEvent : NULL;
    NTSTATUS status;

    if (lpOverlapped)
        lpOverlapped->Internal = (ULONG_PTR)STATUS_PENDING;
    /* File system control codes go to IRP_MJ_FILE_SYSTEM_CONTROL. */
    if (DEVICE_TYPE_FROM_CTL_CODE(dwIoControlCode) == FILE_DEVICE_FILE_SYSTEM)
        status = NtFsControlFile(hDevice, event, NULL, NULL, iosb, dwIoControlCode, lpInBuffer, nInBufferSize,
                                 lpOutBuffer, nOutBufferSize);
    else
        status = NtDeviceIoControlFile(hDevice, event, NULL, NULL, iosb, dwIoControlCode, lpInBuffer,
                                       nInBufferSize, lpOutBuffer, nOutBufferSize);
    if (!lpOverlapped)
        status = win32_wait_pending(hDevice, status, iosb);
    return win32_io_result(status, iosb, lpBytesReturned);
}

/* ReadFile and WriteFile differ only in the service they call. */
typedef NTSTATUS NTAPI win32_transfer_fn(HANDLE, HANDLE, PIO_APC_ROUTINE, PVOID, PIO_STATUS_BLOCK, PVOID, ULONG,
                                          PLARGE_INTEGER, PULONG);

static BOOL win32_transfer(win32_transfer_fn *service, HANDLE file, PVOID buffer, DWORD length,
                           LPDWORD transferred, LPOVERLAPPED overlapped)
{
    IO_STATUS_BLOCK local = { 0 };
    PIO_STATUS_BLOCK iosb = overlapped ? (PIO_STATUS_BLOCK)overlapped : &local;
    LARGE_INTEGER offset, *at = NULL;

    if (transferred)
        *transferred = 0;
    if (overlapped) {
        offset.LowPart = overlapped->Offset;
        offset.HighPart = (LONG)overlapped->OffsetHigh;
        at = &offset;
        overlapped->Internal = (ULONG_PTR)STATUS_PENDING;
    }
    NTSTATUS status = service(file, overlapped ? overlapped->hEvent : NULL, NULL, NULL, iosb, buffer, length, at,
                              NULL);
    if (!overlapped)
        status = win32_wait_pending(file, status, iosb);
    /* End of file is a successful read of zero bytes for synchronous reads. */
    if (status == STATUS_END_OF_FILE && !overlapped)
        return TRUE;
    return win32_io_result(status, iosb, transferred);
}

BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPDWORD lpNumberOfBytesRead,
                     LPOVERLAPPED lpOverlapped)
{
    return win32_transfer(NtReadFile, hFile, lpBuffer, nNumberOfBytesToRead, lpNumberOfBytesRead, lpOverlapped);
}

BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, LPDWORD lpNumberOfBytesWritten,
                      LPOVERLAPPED lpOverlapped)
{
    return win32_transfer(NtWriteFile, hFile, (PVOID)lpBuffer, nNumberOfBytesToWrite, lpNumberOfBytesWritten,
                          lpOverlapped);
}

BOOL WINAPI CloseHandle(HANDLE hObject)
{
    NTSTATUS status = NtClose(hObject);
    if (!NT_SUCCESS(status)) {
        win32_set_last_status(status);
        return FALSE;
    }
    return TRUE;
}
