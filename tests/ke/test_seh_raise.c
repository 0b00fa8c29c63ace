/* tests/ke/test_seh_raise.c: raising: ExRaiseStatus,
 * ExRaiseAccessViolation, ExRaiseDatatypeMisalignment, RtlRaiseException,
 * and the routines that raise on a driver's behalf (ProbeForRead,
 * ProbeForWrite, a pool allocation with a raise flag); continuing an
 * exception; what no handler taking it does (0x7E in the System process,
 * 0x3B in a client's); RtlCaptureContext and RtlRestoreContext. */
#include "ktest.h"

#include "ps/process.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

/* Calls fn and returns the code of the exception it raised, 0 if none. */
static NTSTATUS caught(void (*fn)(void))
{
    volatile NTSTATUS code = 0;
    __try {
        fn();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    return code;
}

static void raise_access(void)
{
    ExRaiseAccessViolation();
}

static void raise_misalignment(void)
{
    ExRaiseDatatypeMisalignment();
}

/* "ExRaiseAccessViolation raises an exception with the exception code set
 * to STATUS_ACCESS_VIOLATION"; ExRaiseDatatypeMisalignment with
 * STATUS_DATATYPE_MISALIGNMENT. */
KT_TEST(ExRaise_routines_codes)
{
    KT_EQ_STATUS(caught(raise_access), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(caught(raise_misalignment), STATUS_DATATYPE_MISALIGNMENT);
}

static EXCEPTION_RECORD g_record;
static volatile PEXCEPTION_RECORD g_seen_record;
static volatile int g_after_raise;

__attribute__((noinline)) static void raise_record(void)
{
    RtlRaiseException(&g_record);
    g_after_raise = 1;
}

static LONG continue_it(PEXCEPTION_POINTERS p)
{
    g_seen_record = p->ExceptionRecord;
    return EXCEPTION_CONTINUE_EXECUTION;
}

/* RtlRaiseException raises the caller's own record, its ExceptionAddress
 * set to the return address; a filter that continues it makes
 * RtlRaiseException return. */
KT_TEST(RtlRaiseException_continued)
{
    memset(&g_record, 0, sizeof g_record);
    g_record.ExceptionCode = (NTSTATUS)0xE0000001;
    g_record.NumberParameters = 1;
    g_record.ExceptionInformation[0] = 0x1234;
    g_after_raise = 0;
    __try {
        raise_record();
    } __except (continue_it(GetExceptionInformation())) {
    }
    KT_EQ_INT(g_after_raise, 1);
    KT_EQ_PTR(g_seen_record, &g_record);
    KT_TRUE((uintptr_t)g_record.ExceptionAddress > (uintptr_t)raise_record &&
            (uintptr_t)g_record.ExceptionAddress < (uintptr_t)raise_record + 64);
    KT_EQ_HEX(g_record.ExceptionInformation[0], 0x1234);
}

/* Taken, the record's code is GetExceptionCode() in the __except block. */
KT_TEST(RtlRaiseException_taken)
{
    memset(&g_record, 0, sizeof g_record);
    g_record.ExceptionCode = (NTSTATUS)0xE0000002;
    g_after_raise = 0;
    KT_EQ_HEX((ULONG)caught(raise_record), 0xE0000002);
    KT_EQ_INT(g_after_raise, 0);
}

static void raise_invalid(void)
{
    ExRaiseStatus(STATUS_INVALID_DEVICE_REQUEST);
}

static volatile ULONG g_chained;

static LONG note_chain(PEXCEPTION_POINTERS p)
{
    g_chained = p->ExceptionRecord->ExceptionRecord ? (ULONG)p->ExceptionRecord->ExceptionRecord->ExceptionCode : 0;
    return EXCEPTION_EXECUTE_HANDLER;
}

/* ExRaiseStatus's exceptions are noncontinuable: continuing one raises
 * STATUS_NONCONTINUABLE_EXCEPTION, whose record chains to the first. */
KT_TEST(continuing_a_noncontinuable_exception)
{
    volatile NTSTATUS code = 0;
    __try {
        __try {
            raise_invalid();
        } __except (GetExceptionCode() == STATUS_INVALID_DEVICE_REQUEST ? EXCEPTION_CONTINUE_EXECUTION
                                                                        : EXCEPTION_CONTINUE_SEARCH) {
        }
    } __except (note_chain(GetExceptionInformation())) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_NONCONTINUABLE_EXCEPTION);
    KT_EQ_HEX(g_chained, (ULONG)STATUS_INVALID_DEVICE_REQUEST);
}

static void continue_everything(void *arg)
{
    (void)arg;
    __try {
        raise_invalid();
    } __except (EXCEPTION_CONTINUE_EXECUTION) {
    }
}

/* A filter that continues the STATUS_NONCONTINUABLE_EXCEPTION too would
 * loop until the kernel stack overflows on Windows; ntbox stops there. */
KT_TEST(continuing_again_stops_the_run)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_NONCONTINUABLE_EXCEPTION,
                                         continue_everything, NULL);
    KT_CONTAINS(out, "A filter returned EXCEPTION_CONTINUE_EXECUTION for STATUS_INVALID_DEVICE_REQUEST (0xC0000010)");
    KT_CONTAINS(out, "continued the STATUS_NONCONTINUABLE_EXCEPTION raised for it too");
}

static void raise_record_unhandled(void *arg)
{
    (void)arg;
    memset(&g_record, 0, sizeof g_record);
    g_record.ExceptionCode = (NTSTATUS)0xE0000003;
    raise_record();
}

/* No handler: 0x7E in the System process, P1 the code. */
KT_TEST(RtlRaiseException_unhandled_is_0x7E)
{
    const char *out =
        KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, 0xE0000003, raise_record_unhandled, NULL);
    KT_CONTAINS(out, "The driver called RtlRaiseException.");
}

static void raise_in_a_client(void *arg)
{
    PEPROCESS client = ps_process_create("client.exe");
    (void)arg;
    ps_process_attach(client);
    raise_invalid();
}

/* In a client program's thread the raise happens inside the system service
 * the client called: SYSTEM_SERVICE_EXCEPTION (0x3B), P1 the code, P2 its
 * address. */
KT_TEST(unhandled_in_a_client_thread_is_0x3B)
{
    const char *out = KT_EXPECT_BUGCHECK(0x3B, (ULONG)STATUS_INVALID_DEVICE_REQUEST, raise_in_a_client, NULL);
    KT_CONTAINS(out, "SYSTEM_SERVICE_EXCEPTION");
}

static ULONG g_aligned[4];
static void *g_read_only;

static void probe_read_misaligned(void)
{
    ProbeForRead((PUCHAR)g_aligned + 1, sizeof(ULONG), sizeof(ULONG));
}

static void probe_read_kernel_range(void)
{
    ProbeForRead((PVOID)(MmUserProbeAddress - 4), 8, 1);
}

static void probe_write_read_only(void)
{
    ProbeForWrite(g_read_only, 16, 1);
}

static void probe_fine(void)
{
    ProbeForWrite(g_aligned, sizeof g_aligned, sizeof(ULONG));
}

/* "If the specified range of memory is not within the user-mode address
 * range, ProbeForRead raises the STATUS_ACCESS_VIOLATION exception. If the
 * beginning of the address range is not aligned on the byte boundary that
 * is specified by Alignment, ProbeForRead raises the
 * STATUS_DATATYPE_MISALIGNMENT exception"; ProbeForWrite also when a page
 * cannot be written. The driver's __except takes them. */
KT_TEST(probes_raise_into_the_handler)
{
    g_read_only = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KT_REQUIRE(KT_TRUE(g_read_only != MAP_FAILED));
    KT_EQ_STATUS(caught(probe_read_misaligned), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ_STATUS(caught(probe_read_kernel_range), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(caught(probe_write_read_only), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(caught(probe_fine), STATUS_SUCCESS);
    munmap(g_read_only, PAGE_SIZE);
}

static void allocate_or_raise(void)
{
    ExAllocatePoolWithTag((POOL_TYPE)(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE), (SIZE_T)1 << 62, 'hesT');
}

/* "POOL_RAISE_IF_ALLOCATION_FAILURE: ... raises an exception if the request
 * cannot be satisfied": STATUS_INSUFFICIENT_RESOURCES, for the driver's
 * handler. */
KT_TEST(pool_raise_into_the_handler)
{
    KT_EQ_STATUS(caught(allocate_or_raise), STATUS_INSUFFICIENT_RESOURCES);
}

/* RtlCaptureContext: the caller's registers at the call, RIP the return
 * address, RSP as after the return; CONTEXT_FULL | CONTEXT_SEGMENTS, with
 * kernel mode's selectors. */
KT_TEST(RtlCaptureContext_captures_the_caller)
{
    static CONTEXT context;
    memset(&context, 0xCC, sizeof context);
    RtlCaptureContext(&context);
    KT_EQ_HEX(context.ContextFlags, CONTEXT_FULL | CONTEXT_SEGMENTS);
    KT_EQ_HEX(context.SegCs, 0x10);
    KT_EQ_HEX(context.SegSs, 0x18);
    KT_TRUE(context.Rip > (uintptr_t)RtlCaptureContext_captures_the_caller &&
            context.Rip < (uintptr_t)RtlCaptureContext_captures_the_caller + 512);
    KT_TRUE(context.Rsp < (uintptr_t)__builtin_frame_address(0) &&
            (uintptr_t)__builtin_frame_address(0) - context.Rsp < 4096);
    KT_EQ_HEX(context.Rbp, (uintptr_t)__builtin_frame_address(0));
    KT_EQ_HEX(context.MxCsr, context.FltSave.MxCsr);
}

/* RtlRestoreContext resumes a captured context: RtlCaptureContext returns
 * a second time. */
KT_TEST(RtlRestoreContext_resumes)
{
    static CONTEXT context;
    static volatile int passes;
    passes = 0;
    RtlCaptureContext(&context);
    if (++passes == 1)
        RtlRestoreContext(&context, NULL);
    KT_EQ_INT(passes, 2);
}
