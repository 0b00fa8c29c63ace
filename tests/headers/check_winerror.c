/* tests/headers/check_winerror.c: ntbox/winerror.h on its own, then with
 * ntddk.h, whose RtlNtStatusToDosError returns its codes (as C here, as C++
 * through the .cpp twin). Compiling this file is the test. */
#include <ntbox/winerror.h>
#include <ntddk.h>
#include <ntbox/winerror.h>

C_ASSERT(ERROR_SUCCESS == 0 && NO_ERROR == 0);
C_ASSERT(ERROR_MR_MID_NOT_FOUND == 317 && ERROR_NO_SYSTEM_RESOURCES == 1450);
C_ASSERT(sizeof(HRESULT) == 4 && SEC_E_NO_TGT_REPLY < 0);

NTBOX_EXTERN_C BOOLEAN check_winerror_is_access_denied(NTSTATUS status);
BOOLEAN check_winerror_is_access_denied(NTSTATUS status)
{
    return RtlNtStatusToDosErrorNoTeb(status) == ERROR_ACCESS_DENIED;
}
