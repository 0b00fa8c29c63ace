/* A driver that uses structured exception handling the way drivers do,
 * and prints what each construct did. Built three ways, it must print the
 * same: natively and with mingw-w64 gcc (ntbox's __try macros), and with
 * clang (real __try: scope tables and __C_specific_handler). Faults happen
 * in called functions: clang guards only calls inside a __try body. */
#include <ntddk.h>

static volatile int g_zero;
static volatile LONG g_log[8];
static volatile int g_logged;

static void Log(LONG step)
{
    g_log[g_logged++] = step;
}

DECLSPEC_NOINLINE static void Raise(NTSTATUS status)
{
    ExRaiseStatus(status);
}

DECLSPEC_NOINLINE static void Poke(volatile ULONG *p)
{
    *p = 1;
}

DECLSPEC_NOINLINE static ULONG Peek(volatile ULONG *p)
{
    return *p;
}

DECLSPEC_NOINLINE static int Divide(int a)
{
    return a / g_zero;
}

/* Raises at the bottom of `level` nested calls, each with a __finally. */
DECLSPEC_NOINLINE static void Deep(int level, volatile int *finallies)
{
    __try {
        if (level == 0)
            Raise(STATUS_INVALID_PARAMETER);
        else
            Deep(level - 1, finallies);
    } __finally {
        (*finallies)++;
    }
}

static LONG AccessFilter(PEXCEPTION_POINTERS pointers, volatile ULONG_PTR *info)
{
    info[0] = pointers->ExceptionRecord->ExceptionInformation[0];
    info[1] = pointers->ExceptionRecord->ExceptionInformation[1];
    return EXCEPTION_EXECUTE_HANDLER;
}

/* A filter with a __try of its own, which takes an exception of its own. */
static LONG FilterWithTry(void)
{
    volatile LONG result = EXCEPTION_CONTINUE_SEARCH;
    __try {
        Raise(STATUS_CANCELLED);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        result = EXCEPTION_EXECUTE_HANDLER;
    }
    return result;
}

static void TestRaise(void)
{
    volatile ULONG code = 0, flags = 9;
    volatile int reached = 0;

    __try {
        Raise(STATUS_INSUFFICIENT_RESOURCES);
        reached = 1;
    } __except (flags = GetExceptionInformation()->ExceptionRecord->ExceptionFlags, EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: ExRaiseStatus: caught %08X (flags %u), the rest of the body skipped: %d\n", code, flags,
             !reached);
    __try {
        ExRaiseAccessViolation();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: ExRaiseAccessViolation: %08X\n", code);
    __try {
        ExRaiseDatatypeMisalignment();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: ExRaiseDatatypeMisalignment: %08X\n", code);
}

static void TestOrder(void)
{
    g_logged = 0;
    __try {
        __try {
            __try {
                Raise(STATUS_UNSUCCESSFUL);
            } __finally {
                Log(AbnormalTermination() ? 3 : 30);
            }
        } __except (Log(1), EXCEPTION_CONTINUE_SEARCH) {
            Log(99);
        }
    } __except (Log(2), EXCEPTION_EXECUTE_HANDLER) {
        Log(4);
    }
    DbgPrint("seh: inner filter, outer filter, inner __finally (abnormal), outer __except: %d %d %d %d (%d steps)\n",
             (int)g_log[0], (int)g_log[1], (int)g_log[2], (int)g_log[3], g_logged);
}

static void TestFinally(void)
{
    volatile int abnormal = -1, rest = 0, finallies = 0;

    __try {
        rest = 1;
    } __finally {
        abnormal = AbnormalTermination();
    }
    DbgPrint("seh: __finally after the body's end: abnormal %d\n", abnormal);
    rest = 0;
    __try {
        if (!rest)
            __leave;
        rest = 1;
    } __finally {
        abnormal = AbnormalTermination();
    }
    DbgPrint("seh: __leave: the rest skipped %d, __finally abnormal %d\n", !rest, abnormal);
    __try {
        Deep(3, &finallies);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        rest = (int)GetExceptionCode();
    }
    DbgPrint("seh: an exception 4 calls down ran %d __finally blocks, then the __except (%08X)\n", finallies,
             (ULONG)rest);
}

static void TestFaults(void)
{
    volatile ULONG code = 0;
    volatile ULONG_PTR info[2] = { 9, 9 };
    UNICODE_STRING string;

    __try {
        Poke(NULL);
    } __except (AccessFilter(GetExceptionInformation(), info)) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: NULL write: %08X, ExceptionInformation %u 0x%X\n", code, (ULONG)info[0], (ULONG)info[1]);
    __try {
        code = Peek((volatile ULONG *)(ULONG_PTR)0x10);
    } __except (AccessFilter(GetExceptionInformation(), info)) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: read at 0x10: %08X, ExceptionInformation %u 0x%X\n", code, (ULONG)info[0], (ULONG)info[1]);
    __try {
        code = (ULONG)Divide(10);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: division by zero: %08X\n", code);
    __try {
        RtlInitUnicodeString(&string, (PCWSTR)(ULONG_PTR)0x10);
        code = 0;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: a fault inside RtlInitUnicodeString: %08X\n", code);
}

static void TestProbes(void)
{
    volatile ULONG code = 0;
    ULONG buffer[2];

    __try {
        ProbeForRead((PUCHAR)buffer + 1, sizeof(ULONG), sizeof(ULONG));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: ProbeForRead of a misaligned buffer: %08X\n", code);
    __try {
        ProbeForWrite((PVOID)(ULONG_PTR)0x800000000000ULL, sizeof buffer, sizeof(UCHAR));
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: ProbeForWrite of a kernel-range buffer: %08X\n", code);
}

static void TestContinue(void)
{
    EXCEPTION_RECORD record;
    volatile int continued = 0;
    volatile ULONG outer = 0, inner = 0;

    RtlZeroMemory(&record, sizeof record);
    record.ExceptionCode = (NTSTATUS)0xE0000001L;
    __try {
        RtlRaiseException(&record);
        continued = 1;
    } __except ((ULONG)GetExceptionCode() == 0xE0000001u ? EXCEPTION_CONTINUE_EXECUTION : EXCEPTION_EXECUTE_HANDLER) {
        continued = 2;
    }
    DbgPrint("seh: RtlRaiseException continued: %d, its address recorded: %d\n", continued,
             record.ExceptionAddress != NULL);
    __try {
        __try {
            Raise(STATUS_INVALID_DEVICE_REQUEST);
        } __except ((ULONG)GetExceptionCode() == (ULONG)STATUS_INVALID_DEVICE_REQUEST ? EXCEPTION_CONTINUE_EXECUTION
                                                                                      : EXCEPTION_CONTINUE_SEARCH) {
            continued = 3;
        }
    } __except (outer = GetExceptionCode(),
                inner = (ULONG)GetExceptionInformation()->ExceptionRecord->ExceptionRecord->ExceptionCode,
                EXCEPTION_EXECUTE_HANDLER) {
        continued = 4;
    }
    DbgPrint("seh: continuing ExRaiseStatus's exception raises %08X for %08X\n", outer, inner);
}

static void TestNesting(void)
{
    volatile ULONG code = 0;

    __try {
        __try {
            Raise(STATUS_UNSUCCESSFUL);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            Raise(STATUS_NO_MEMORY);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: raised in an __except block, taken outside: %08X\n", code);
    __try {
        Raise(STATUS_UNSUCCESSFUL);
    } __except (FilterWithTry()) {
        code = GetExceptionCode();
    }
    DbgPrint("seh: a filter's own __try took its exception; the filter's frame then took %08X\n", code);
}

EXTERN_C NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    TestRaise();
    TestOrder();
    TestFinally();
    TestFaults();
    TestProbes();
    TestContinue();
    TestNesting();
    return STATUS_SUCCESS;
}
