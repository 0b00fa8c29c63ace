/* rtl/dos_error.h: NTSTATUS -> Win32 error mapping internals: the table
 * (rtl/dos_error_table.c) and the thread's last status, which
 * RtlNtStatusToDosError records as Windows records it in the TEB. */
#ifndef NTBOX_RTL_DOS_ERROR_H
#define NTBOX_RTL_DOS_ERROR_H

#include <ntddk.h>

struct rtl_dos_error {
    NTSTATUS status;
    ULONG error;
};

/* Sorted by status taken as a ULONG, each status once. */
extern const struct rtl_dos_error rtl_dos_error_table[];
extern const unsigned rtl_dos_error_table_count;

/* The status the last RtlNtStatusToDosError on this thread was given
 * (LastStatusValue in a Windows TEB); STATUS_SUCCESS before the first call. */
NTSTATUS rtl_last_status(void);

#endif
