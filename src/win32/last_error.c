/* win32/last_error.c: the thread's last error (a TEB field on Windows) and
 * the conversions the client API's A forms share. */
#include "win32/win32.h"

static __thread DWORD win32_last_error;

DWORD WINAPI GetLastError(VOID)
{
    return win32_last_error;
}

VOID WINAPI SetLastError(DWORD dwErrCode)
{
    win32_last_error = dwErrCode;
}

void win32_set_last_status(NTSTATUS status)
{
    win32_last_error = RtlNtStatusToDosError(status);
}

BOOL win32_ansi_to_unicode(LPCSTR text, PUNICODE_STRING out)
{
    ANSI_STRING ansi;
    NTSTATUS status = RtlInitAnsiStringEx(&ansi, text);
    if (NT_SUCCESS(status))
        status = RtlAnsiStringToUnicodeString(out, &ansi, TRUE);
    if (!NT_SUCCESS(status)) {
        /* A name longer than a UNICODE_STRING holds is too long a path. */
        SetLastError(status == STATUS_NAME_TOO_LONG ? ERROR_FILENAME_EXCED_RANGE : RtlNtStatusToDosError(status));
        return FALSE;
    }
    return TRUE;
}
