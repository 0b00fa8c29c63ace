/* tests/rtl/test_dos_error.c: RtlNtStatusToDosError, RtlNtStatusToDosErrorNoTeb.
 *
 * Expected values are written as numbers, the Win32 error's name beside
 * them, so a wrong value in ntbox/winerror.h fails here too. Sources: the
 * KB 113996 table "Mapping NT Status Error Codes to Win32 Error Codes", what
 * Windows 10/11 returns where it differs or the table is silent, and the
 * WDK's RtlNtStatusToDosError pages. */
#include "ktest.h"

#include "rtl/dos_error.h"
#include "rtl/status_name.h"

#include <ntbox/winerror.h>
#include <pthread.h>

/* Both forms give the same answer; checks it. */
#define KT_MAPS(status, error) \
    do { \
        KT_EQ_HEX(RtlNtStatusToDosErrorNoTeb((NTSTATUS)(status)), (ULONG)(error)); \
        KT_EQ_HEX(RtlNtStatusToDosError((NTSTATUS)(status)), (ULONG)(error)); \
    } while (0)

/* The pairs a driver meets most, from the KB 113996 table. */
KT_TEST(RtlNtStatusToDosError_common_driver_statuses)
{
    KT_MAPS(STATUS_SUCCESS, 0);                          /* ERROR_SUCCESS */
    KT_MAPS(STATUS_PENDING, 997);                        /* ERROR_IO_PENDING */
    KT_MAPS(STATUS_INVALID_HANDLE, 6);                   /* ERROR_INVALID_HANDLE */
    KT_MAPS(STATUS_ACCESS_DENIED, 5);                    /* ERROR_ACCESS_DENIED */
    KT_MAPS(STATUS_OBJECT_NAME_NOT_FOUND, 2);            /* ERROR_FILE_NOT_FOUND */
    KT_MAPS(STATUS_OBJECT_PATH_NOT_FOUND, 3);            /* ERROR_PATH_NOT_FOUND */
    KT_MAPS(STATUS_OBJECT_NAME_COLLISION, 183);          /* ERROR_ALREADY_EXISTS */
    KT_MAPS(STATUS_OBJECT_NAME_INVALID, 123);            /* ERROR_INVALID_NAME */
    KT_MAPS(STATUS_INVALID_DEVICE_REQUEST, 1);           /* ERROR_INVALID_FUNCTION */
    KT_MAPS(STATUS_BUFFER_TOO_SMALL, 122);               /* ERROR_INSUFFICIENT_BUFFER */
    KT_MAPS(STATUS_BUFFER_OVERFLOW, 234);                /* ERROR_MORE_DATA */
    KT_MAPS(STATUS_INVALID_PARAMETER, 87);               /* ERROR_INVALID_PARAMETER */
    KT_MAPS(STATUS_SHARING_VIOLATION, 32);               /* ERROR_SHARING_VIOLATION */
    KT_MAPS(STATUS_INSUFFICIENT_RESOURCES, 1450);        /* ERROR_NO_SYSTEM_RESOURCES */
    KT_MAPS(STATUS_NOT_IMPLEMENTED, 1);                  /* ERROR_INVALID_FUNCTION */
    KT_MAPS(STATUS_CANCELLED, 995);                      /* ERROR_OPERATION_ABORTED */
    KT_MAPS(STATUS_OBJECT_TYPE_MISMATCH, 6);             /* ERROR_INVALID_HANDLE */
    KT_MAPS(STATUS_NOT_SUPPORTED, 50);                   /* ERROR_NOT_SUPPORTED */
    KT_MAPS(STATUS_DEVICE_NOT_READY, 21);                /* ERROR_NOT_READY */
}

/* More rows of the KB 113996 table: one NTSTATUS family to one Win32 code. */
KT_TEST(RtlNtStatusToDosError_kb113996_rows)
{
    KT_MAPS(STATUS_ACCESS_VIOLATION, 998);               /* ERROR_NOACCESS */
    KT_MAPS(STATUS_DATATYPE_MISALIGNMENT, 998);          /* ERROR_NOACCESS */
    KT_MAPS(STATUS_UNSUCCESSFUL, 31);                    /* ERROR_GEN_FAILURE */
    KT_MAPS(STATUS_INVALID_PARAMETER_3, 87);             /* ERROR_INVALID_PARAMETER */
    KT_MAPS(STATUS_NO_SUCH_FILE, 2);                     /* ERROR_FILE_NOT_FOUND */
    KT_MAPS(STATUS_END_OF_FILE, 38);                     /* ERROR_HANDLE_EOF */
    KT_MAPS(STATUS_NO_MORE_FILES, 18);                   /* ERROR_NO_MORE_FILES */
    KT_MAPS(STATUS_NO_MORE_ENTRIES, 259);                /* ERROR_NO_MORE_ITEMS */
    KT_MAPS(STATUS_MORE_ENTRIES, 234);                   /* ERROR_MORE_DATA */
    KT_MAPS(STATUS_MORE_PROCESSING_REQUIRED, 234);       /* ERROR_MORE_DATA */
    KT_MAPS(STATUS_NO_MEMORY, 8);                        /* ERROR_NOT_ENOUGH_MEMORY */
    KT_MAPS(STATUS_QUOTA_EXCEEDED, 1816);                /* ERROR_NOT_ENOUGH_QUOTA */
    KT_MAPS(STATUS_DELETE_PENDING, 5);                   /* ERROR_ACCESS_DENIED */
    KT_MAPS(STATUS_FILE_IS_A_DIRECTORY, 5);              /* ERROR_ACCESS_DENIED */
    KT_MAPS(STATUS_CANNOT_DELETE, 5);                    /* ERROR_ACCESS_DENIED */
    KT_MAPS(STATUS_NOT_A_DIRECTORY, 267);                /* ERROR_DIRECTORY */
    KT_MAPS(STATUS_DIRECTORY_NOT_EMPTY, 145);            /* ERROR_DIR_NOT_EMPTY */
    KT_MAPS(STATUS_OBJECT_PATH_SYNTAX_BAD, 161);         /* ERROR_BAD_PATHNAME */
    KT_MAPS(STATUS_NAME_TOO_LONG, 206);                  /* ERROR_FILENAME_EXCED_RANGE */
    KT_MAPS(STATUS_DISK_FULL, 112);                      /* ERROR_DISK_FULL */
    KT_MAPS(STATUS_MEDIA_WRITE_PROTECTED, 19);           /* ERROR_WRITE_PROTECT */
    KT_MAPS(STATUS_NO_MEDIA_IN_DEVICE, 21);              /* ERROR_NOT_READY */
    KT_MAPS(STATUS_NONEXISTENT_SECTOR, 27);              /* ERROR_SECTOR_NOT_FOUND */
    KT_MAPS(STATUS_DATA_ERROR, 23);                      /* ERROR_CRC */
    KT_MAPS(STATUS_CRC_ERROR, 23);                       /* ERROR_CRC */
    KT_MAPS(STATUS_IO_DEVICE_ERROR, 1117);               /* ERROR_IO_DEVICE */
    KT_MAPS(STATUS_INVALID_DEVICE_STATE, 22);            /* ERROR_BAD_COMMAND */
    KT_MAPS(STATUS_DEVICE_BUSY, 170);                    /* ERROR_BUSY */
    KT_MAPS(STATUS_IO_TIMEOUT, 121);                     /* ERROR_SEM_TIMEOUT */
    KT_MAPS(STATUS_PIPE_BROKEN, 109);                    /* ERROR_BROKEN_PIPE */
    KT_MAPS(STATUS_INFO_LENGTH_MISMATCH, 24);            /* ERROR_BAD_LENGTH */
    KT_MAPS(STATUS_PRIVILEGE_NOT_HELD, 1314);            /* ERROR_PRIVILEGE_NOT_HELD */
    KT_MAPS(STATUS_NOT_FOUND, 1168);                     /* ERROR_NOT_FOUND */
    KT_MAPS(STATUS_INVALID_USER_BUFFER, 1784);           /* ERROR_INVALID_USER_BUFFER */
    KT_MAPS(STATUS_INTEGER_OVERFLOW, 534);               /* ERROR_ARITHMETIC_OVERFLOW */
    KT_MAPS(STATUS_LOCK_NOT_GRANTED, 33);                /* ERROR_LOCK_VIOLATION */
    KT_MAPS(STATUS_FILE_LOCK_CONFLICT, 33);              /* ERROR_LOCK_VIOLATION */
    KT_MAPS(STATUS_NOT_LOCKED, 158);                     /* ERROR_NOT_LOCKED */
    KT_MAPS(STATUS_FILE_CLOSED, 6);                      /* ERROR_INVALID_HANDLE */
    KT_MAPS(STATUS_TOO_MANY_OPENED_FILES, 4);            /* ERROR_TOO_MANY_OPEN_FILES */
    KT_MAPS(STATUS_ILLEGAL_FUNCTION, 1);                 /* ERROR_INVALID_FUNCTION */
    KT_MAPS(STATUS_DLL_NOT_FOUND, 126);                  /* ERROR_MOD_NOT_FOUND */
    KT_MAPS(STATUS_PROCEDURE_NOT_FOUND, 127);            /* ERROR_PROC_NOT_FOUND */
    KT_MAPS(STATUS_INVALID_IMAGE_FORMAT, 193);           /* ERROR_BAD_EXE_FORMAT */
    KT_MAPS(STATUS_PARTIAL_COPY, 299);                   /* ERROR_PARTIAL_COPY */
    KT_MAPS(STATUS_INVALID_ADDRESS, 59);                 /* ERROR_UNEXP_NET_ERR */
    KT_MAPS(STATUS_CONNECTION_REFUSED, 1225);            /* ERROR_CONNECTION_REFUSED */
}

/* Where Windows 10/11 departs from KB 113996: STATUS_NO_SUCH_DEVICE gives
 * ERROR_NO_SUCH_DEVICE (ERROR_FILE_NOT_FOUND up to Windows 10 1809),
 * STATUS_LPC_REPLY_LOST ERROR_CONNECTION_ABORTED (ERROR_INTERNAL_ERROR in
 * the table), and codes newer than the table have their own rows. */
KT_TEST(RtlNtStatusToDosError_current_windows_rows)
{
    KT_MAPS(STATUS_NO_SUCH_DEVICE, 433);                 /* ERROR_NO_SUCH_DEVICE */
    KT_MAPS(STATUS_LPC_REPLY_LOST, 1236);                /* ERROR_CONNECTION_ABORTED */
    KT_MAPS(STATUS_DUPLICATE_OBJECTID, 5010);            /* ERROR_OBJECT_ALREADY_EXISTS */
    KT_MAPS(STATUS_DATA_LOST_REPAIR, 6843);              /* ERROR_DATA_LOST_REPAIR */
    KT_MAPS(STATUS_REPARSE_POINT_ENCOUNTERED, 4395);     /* ERROR_REPARSE_POINT_ENCOUNTERED */
    KT_MAPS(STATUS_CALLBACK_BYPASS, 21);                 /* ERROR_NOT_READY */
    KT_MAPS(STATUS_WOW_ASSERTION, 670);                  /* ERROR_WOW_ASSERTION */
}

/* Success and informational codes have Win32 twins too. STATUS_TIMEOUT is
 * ERROR_TIMEOUT (1460), not WAIT_TIMEOUT (258, which only shares its value);
 * STATUS_ABANDONED_WAIT_0 is ERROR_WAIT_NO_CHILDREN (128, its own value). */
KT_TEST(RtlNtStatusToDosError_success_and_informational)
{
    KT_MAPS(STATUS_WAIT_0, 0);                           /* ERROR_SUCCESS */
    KT_MAPS(STATUS_WAIT_1, 731);                         /* ERROR_WAIT_1 */
    KT_MAPS(STATUS_WAIT_2, 732);                         /* ERROR_WAIT_2 */
    KT_MAPS(STATUS_WAIT_63, 734);                        /* ERROR_WAIT_63 */
    KT_MAPS(STATUS_ABANDONED_WAIT_0, 128);               /* ERROR_WAIT_NO_CHILDREN */
    KT_MAPS(STATUS_ABANDONED_WAIT_63, 736);              /* ERROR_ABANDONED_WAIT_63 */
    KT_MAPS(STATUS_USER_APC, 737);                       /* ERROR_USER_APC */
    KT_MAPS(STATUS_KERNEL_APC, 738);                     /* ERROR_KERNEL_APC */
    KT_MAPS(STATUS_ALERTED, 739);                        /* ERROR_ALERTED */
    KT_MAPS(STATUS_TIMEOUT, 1460);                       /* ERROR_TIMEOUT */
    KT_MAPS(STATUS_REPARSE, 741);                        /* ERROR_REPARSE */
    KT_MAPS(STATUS_NOTIFY_CLEANUP, 745);                 /* ERROR_NOTIFY_CLEANUP */
    KT_MAPS(STATUS_NOTIFY_ENUM_DIR, 1022);               /* ERROR_NOTIFY_ENUM_DIR */
    KT_MAPS(STATUS_SOME_NOT_MAPPED, 1301);               /* ERROR_SOME_NOT_MAPPED */
    KT_MAPS(STATUS_OBJECT_NAME_EXISTS, 698);             /* ERROR_OBJECT_NAME_EXISTS */
    KT_MAPS(STATUS_IMAGE_NOT_AT_BASE, 700);              /* ERROR_IMAGE_NOT_AT_BASE */
}

/* Exception codes have no Win32 code: Windows returns them unchanged. A few
 * security statuses give HRESULTs (SEC_E_..., NTE_...). */
KT_TEST(RtlNtStatusToDosError_exception_codes_and_hresults)
{
    KT_MAPS(STATUS_BREAKPOINT, 0x80000003);
    KT_MAPS(STATUS_SINGLE_STEP, 0x80000004);
    KT_MAPS(STATUS_GUARD_PAGE_VIOLATION, 0x80000001);
    KT_MAPS(STATUS_INTEGER_DIVIDE_BY_ZERO, 0xC0000094);
    KT_MAPS(STATUS_ILLEGAL_INSTRUCTION, 0xC000001D);
    KT_MAPS(STATUS_NO_TGT_REPLY, 0x80090334);            /* SEC_E_NO_TGT_REPLY */
    KT_MAPS(STATUS_INVALID_SIGNATURE, 0x80090006);       /* NTE_BAD_SIGNATURE */
    KT_MAPS(STATUS_IMAGE_CERT_REVOKED, 0x800B010C);      /* CERT_E_REVOKED */
}

/* FACILITY_NTWIN32: a Win32 error carried in the warning form 0x8007xxxx
 * (as HRESULT_FROM_WIN32 builds it) comes back as its low 16 bits. The
 * error form 0xC007xxxx of the WDK's NTSTATUS_FROM_WIN32 is not unwrapped:
 * Windows has no row for it. */
KT_TEST(RtlNtStatusToDosError_ntwin32_facility)
{
    KT_MAPS(0x80070005, 5);                              /* ERROR_ACCESS_DENIED */
    KT_MAPS(0x800703E5, 997);                            /* ERROR_IO_PENDING */
    KT_MAPS(0x8007FFFF, 0xFFFF);
    KT_MAPS(0xC0070005, 317);                            /* ERROR_MR_MID_NOT_FOUND */
    KT_MAPS(0xC00703E5, 317);
}

/* Customer codes (bit 29) are the caller's own and pass through unchanged,
 * whatever their severity. */
KT_TEST(RtlNtStatusToDosError_customer_codes_pass_through)
{
    KT_MAPS(0xE0000001, 0xE0000001);
    KT_MAPS(0xE0070005, 0xE0070005);
    KT_MAPS(0xA0001234, 0xA0001234);
    KT_MAPS(0x20000000, 0x20000000);
}

/* An NTSTATUS carried as an HRESULT (HRESULT_FROM_NT sets bit 28 of an error
 * code) maps like the NTSTATUS itself. */
KT_TEST(RtlNtStatusToDosError_hresult_from_nt)
{
    KT_MAPS(0xD0000022, 5);                              /* STATUS_ACCESS_DENIED */
    KT_MAPS(0xD0000034, 2);                              /* STATUS_OBJECT_NAME_NOT_FOUND */
    KT_MAPS(0xD0000094, 0xC0000094);                     /* STATUS_INTEGER_DIVIDE_BY_ZERO */
}

/* 0xC001xxxx carries an OS/2 error the redirector could not map: the low 16
 * bits are that error. */
KT_TEST(RtlNtStatusToDosError_redirector_os2_codes)
{
    KT_MAPS(0xC0010041, 65);                             /* ERROR_NETWORK_ACCESS_DENIED */
    KT_MAPS(0xC0010032, 50);                             /* ERROR_NOT_SUPPORTED */
}

/* "returns ERROR_MR_MID_NOT_FOUND when the specified NTSTATUS code does not
 * have a corresponding system error code" (WDK), including codes ntstatus.h
 * defines but Windows leaves unmapped. */
KT_TEST(RtlNtStatusToDosError_unmapped)
{
    KT_MAPS(0xC000FFFF, 317);                            /* ERROR_MR_MID_NOT_FOUND */
    KT_MAPS(0xC0000000, 317);
    KT_MAPS(0x40000FFF, 317);
    KT_MAPS(0x00000005, 317);
    KT_MAPS(STATUS_MESSAGE_NOT_FOUND, 317);
    KT_MAPS(STATUS_PROCESS_CLONED, 317);
    KT_MAPS(STATUS_FILE_LOCKED_WITH_WRITERS, 317);
    KT_EQ_INT(ERROR_MR_MID_NOT_FOUND, 317);
}

/* RtlNtStatusToDosError remembers the status it was given, as passed (not
 * as mapped), as the thread's last status; the NoTeb form leaves it alone. */
KT_TEST(RtlNtStatusToDosError_records_last_status)
{
    RtlNtStatusToDosError(STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(rtl_last_status(), STATUS_ACCESS_DENIED);
    RtlNtStatusToDosError((NTSTATUS)0xD0000034);
    KT_EQ_HEX((ULONG)rtl_last_status(), 0xD0000034);
    RtlNtStatusToDosError(STATUS_SUCCESS);
    KT_EQ_STATUS(rtl_last_status(), STATUS_SUCCESS);
}

KT_TEST(RtlNtStatusToDosErrorNoTeb_leaves_last_status)
{
    RtlNtStatusToDosError(STATUS_PENDING);
    KT_EQ_INT(RtlNtStatusToDosErrorNoTeb(STATUS_INVALID_HANDLE), 6);
    KT_EQ_INT(RtlNtStatusToDosErrorNoTeb((NTSTATUS)0xC000FFFF), 317);
    KT_EQ_STATUS(rtl_last_status(), STATUS_PENDING);
}

static void *last_status_thread(void *arg)
{
    NTSTATUS *seen = arg;
    seen[0] = rtl_last_status();
    RtlNtStatusToDosError(STATUS_DISK_FULL);
    seen[1] = rtl_last_status();
    return NULL;
}

/* The last status is per thread, as a TEB field is: another thread starts at
 * STATUS_SUCCESS and its calls do not change this thread's value. */
KT_TEST(RtlNtStatusToDosError_last_status_is_per_thread)
{
    NTSTATUS seen[2] = { STATUS_UNSUCCESSFUL, STATUS_UNSUCCESSFUL };
    pthread_t thread;
    RtlNtStatusToDosError(STATUS_NOT_FOUND);
    KT_REQUIRE(KT_EQ_INT(pthread_create(&thread, NULL, last_status_thread, seen), 0));
    pthread_join(thread, NULL);
    KT_EQ_STATUS(seen[0], STATUS_SUCCESS);
    KT_EQ_STATUS(seen[1], STATUS_DISK_FULL);
    KT_EQ_STATUS(rtl_last_status(), STATUS_NOT_FOUND);
}

/* The table is sorted by status (the lookup is a binary search), holds each
 * status once, and only codes ntstatus.h defines (its name table lists the
 * STATUS_ codes; DBG_PRINTEXCEPTION_C is the one other). */
KT_TEST(RtlNtStatusToDosError_table_is_sorted)
{
    KT_REQUIRE(KT_TRUE(rtl_dos_error_table_count > 800));
    for (unsigned i = 0; i < rtl_dos_error_table_count; i++) {
        NTSTATUS status = rtl_dos_error_table[i].status;
        if (i && (ULONG)rtl_dos_error_table[i - 1].status >= (ULONG)status)
            kt_fail(__FILE__, __LINE__, "row %u (0x%08X) is not above row %u (0x%08X)", i, (unsigned)status, i - 1,
                    (unsigned)rtl_dos_error_table[i - 1].status);
        if (!rtl_status_name(status) && status != DBG_PRINTEXCEPTION_C)
            kt_fail(__FILE__, __LINE__, "row %u: 0x%08X is not in ntstatus.h", i, (unsigned)status);
    }
}

/* Every row is reachable: looking its status up gives its own error. */
KT_TEST(RtlNtStatusToDosError_every_row_found)
{
    for (unsigned i = 0; i < rtl_dos_error_table_count; i++)
        KT_EQ_HEX(RtlNtStatusToDosErrorNoTeb(rtl_dos_error_table[i].status), rtl_dos_error_table[i].error);
}
