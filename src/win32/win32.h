/* win32/win32.h: what the client API's files share. */
#ifndef NTBOX_WIN32_WIN32_H
#define NTBOX_WIN32_WIN32_H

#include <ntddk.h>
#include <windows.h>

/* Records the Win32 error for an NTSTATUS (RtlNtStatusToDosError) as the
 * thread's last error. */
void win32_set_last_status(NTSTATUS status);

/* A counted UTF-16 copy of a NUL-terminated ANSI (Windows-1252) string, as
 * the A forms of the API pass it on; free with RtlFreeUnicodeString.
 * Returns FALSE, with the last error set, when it cannot be made. */
BOOL win32_ansi_to_unicode(LPCSTR text, PUNICODE_STRING out);

#endif
