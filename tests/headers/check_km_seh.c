/* tests/headers/check_km_seh.c: km_seh.h's __try, __except, __finally and
 * __leave in the shapes drivers write them, with its exception and unwind
 * types and routines (as C here, as C++ through the .cpp twin). Compiling
 * this file is the test. */
#include <wdm.h>

NTSTATUS CheckSehShapes(PVOID UserBuffer, ULONG Length);

static LONG CheckFilter(PEXCEPTION_POINTERS Pointers)
{
    return Pointers->ExceptionRecord->ExceptionCode == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER
                                                                               : EXCEPTION_CONTINUE_SEARCH;
}

NTSTATUS CheckSehShapes(PVOID UserBuffer, ULONG Length)
{
    volatile NTSTATUS status = STATUS_SUCCESS;
    CONTEXT context;
    ULONG64 base;

    __try {
        ProbeForRead(UserBuffer, Length, sizeof(UCHAR));
        __try {
            if (!Length)
                __leave;
            status = STATUS_PENDING;
        } __finally {
            if (AbnormalTermination())
                status = STATUS_UNSUCCESSFUL;
        }
    } __except (CheckFilter(GetExceptionInformation())) {
        status = GetExceptionCode();
    }
    __try {
        ExRaiseStatus(STATUS_INVALID_PARAMETER);
    } __except (_exception_code() == STATUS_INVALID_PARAMETER ? EXCEPTION_EXECUTE_HANDLER
                                                              : EXCEPTION_CONTINUE_SEARCH) {
        status = STATUS_INVALID_PARAMETER;
    }
    RtlCaptureContext(&context);
    if (!RtlLookupFunctionEntry(context.Rip, &base, NULL))
        status = STATUS_NOT_FOUND;
    return status;
}
