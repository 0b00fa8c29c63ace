/* rtl/dos_error.c: NTSTATUS -> Win32 error code (Rtl): RtlNtStatusToDosError,
 * RtlNtStatusToDosErrorNoTeb.
 *
 * Windows applies these rules in this order (Windows Research Kernel,
 * base/ntos/rtl/error.c): a customer code (bit 29 set) is returned as it is;
 * 0x8007xxxx, a Win32 error carried as an HRESULT, gives its low 16 bits;
 * 0xDxxxxxxx, an NTSTATUS carried as an HRESULT (HRESULT_FROM_NT), is looked
 * up as 0xCxxxxxxx; then the table (rtl/dos_error_table.c); a code the table
 * lacks gives its low 16 bits when it is 0xC001xxxx (an OS/2 error the
 * redirector wrapped), else ERROR_MR_MID_NOT_FOUND.
 * Surprise kept from Windows: the 0xC007xxxx form that the WDK's
 * NTSTATUS_FROM_WIN32 builds is not unwrapped; only the 0x8007xxxx form
 * round-trips. The last status lives in a __thread variable, ntbox's TEB. */
#include "rtl/dos_error.h"

#include <ntbox/winerror.h>

#include <stdlib.h>

static __thread NTSTATUS rtl_last_status_value;

NTSTATUS rtl_last_status(void)
{
    return rtl_last_status_value;
}

static int rtl_dos_error_compare(const void *key, const void *row)
{
    ULONG a = *(const ULONG *)key, b = (ULONG)((const struct rtl_dos_error *)row)->status;
    return a < b ? -1 : a > b;
}

/* Maps without touching the thread's last status; ERROR_MR_MID_NOT_FOUND
 * when Windows has no system error code for Status (WDK,
 * RtlNtStatusToDosErrorNoTeb). */
NTSYSAPI ULONG NTAPI RtlNtStatusToDosErrorNoTeb(NTSTATUS Status)
{
    ULONG code = (ULONG)Status;
    if (code & 0x20000000)
        return code;
    if ((code & 0xFFFF0000) == 0x80070000)
        return code & 0xFFFF;
    if ((code & 0xF0000000) == 0xD0000000)
        code &= 0xCFFFFFFF;
    const struct rtl_dos_error *row = bsearch(&code, rtl_dos_error_table, rtl_dos_error_table_count,
                                              sizeof(*row), rtl_dos_error_compare);
    if (row)
        return row->error;
    if ((code >> 16) == 0xC001)
        return code & 0xFFFF;
    return ERROR_MR_MID_NOT_FOUND;
}

/* As RtlNtStatusToDosErrorNoTeb, and records Status as the thread's last
 * status, as Windows does in the TEB (WDK, RtlNtStatusToDosError). */
NTSYSAPI ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status)
{
    rtl_last_status_value = Status;
    return RtlNtStatusToDosErrorNoTeb(Status);
}
