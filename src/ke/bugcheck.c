/* ke/bugcheck.c: KeBugCheckEx, KeBugCheck, and faults in driver code.
 *
 * On Windows a bugcheck stops the machine; in ntbox it stops the run: the
 * report Windows people know (STOP line, name, parameters), what went wrong,
 * where in the driver, a backtrace, the IRQL, then exit status 3. A fault in
 * driver code (SIGSEGV, SIGBUS, SIGILL, SIGFPE) is the exception Windows would
 * raise, unhandled, so it becomes the bugcheck Windows gives in that context. */
#include "ke/bugcheck.h"

#include "base/diag.h"
#include "ke/bugcheck_names.h"
#include "ke/irql.h"
#include "loader/symbols.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define KE_BACKTRACE_MAX 16

static int ke_bugcheck_in_progress;

/* Frame-pointer walk, bounded by the current thread's stack so a corrupt
 * chain ends the walk instead of faulting inside the report. */
static void ke_print_backtrace(const void *pc, const void *const *frame)
{
    pthread_attr_t attr;
    void *stack_lo = NULL;
    size_t stack_size = 0;
    char where[512];

    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &stack_lo, &stack_size);
        pthread_attr_destroy(&attr);
    }
    uintptr_t lo = (uintptr_t)stack_lo, hi = lo + stack_size;

    printf("Backtrace:\n");
    if (pc)
        printf("  #0 %s\n", ldr_describe_address(pc, false, where, sizeof where));
    for (int i = pc ? 1 : 0; i < KE_BACKTRACE_MAX && frame; i++) {
        uintptr_t f = (uintptr_t)frame;
        if (f < lo || f + 16 > hi || (f & 7))
            break;
        const void *ret = frame[1];
        if (!ret)
            break;
        printf("  #%d %s\n", i, ldr_describe_address(ret, true, where, sizeof where));
        const void *const *next = (const void *const *)frame[0];
        if ((uintptr_t)next <= f)
            break;
        frame = next;
    }
}

static void ke_report(ULONG code, const ULONG_PTR p[4], const void *at, bool at_is_return, const void *const *frame,
                      const char *detail)
{
    const struct ke_bugcheck_info *info = ke_bugcheck_info(code);
    char where[512];
    const char *driver = at ? ldr_driver_name_at(at) : NULL;

    fflush(stdout);
    printf("\n*** STOP: 0x%08X (0x%016llX,0x%016llX,0x%016llX,0x%016llX)\n", (unsigned)code,
           (unsigned long long)p[0], (unsigned long long)p[1], (unsigned long long)p[2], (unsigned long long)p[3]);
    printf("%s\n", info ? info->name : "UNKNOWN_BUGCHECK_CODE");
    if (info)
        printf("%s\n", info->meaning);
    if (detail && *detail)
        printf("%s\n", detail);
    if (driver)
        printf("Driver: %s\n", driver);
    if (at)
        printf("At: %s\n", ldr_describe_address(at, at_is_return, where, sizeof where));
    KIRQL irql = KeGetCurrentIrql();
    printf("IRQL: %s (%u)\n", ke_irql_name(irql), irql);
    printf("Thread: %ld in process System (PID 4)\n", (long)syscall(SYS_gettid));
    ke_print_backtrace(at_is_return ? NULL : at, frame);
    fflush(stdout);
}

/* Only the first bugcheck reports; a second thread arriving meanwhile waits
 * for the exit that is coming. */
static void ke_enter_bugcheck(void)
{
    if (__atomic_exchange_n(&ke_bugcheck_in_progress, 1, __ATOMIC_SEQ_CST))
        for (;;)
            pause();
}

void ke_bugcheck(ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3, ULONG_PTR p4, const void *at,
                 const char *detail, ...)
{
    const ULONG_PTR p[4] = { p1, p2, p3, p4 };
    char text[4096] = "";
    va_list ap;

    ke_enter_bugcheck();
    if (detail) {
        va_start(ap, detail);
        vsnprintf(text, sizeof text, detail, ap);
        va_end(ap);
    }
    ke_report(code, p, at, true, (const void *const *)__builtin_frame_address(0), text);
    _exit(KE_BUGCHECK_EXIT_STATUS);
}

/* Brings down the system in a controlled manner (WDK, KeBugCheckEx). */
VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                        ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4)
{
    ke_bugcheck(BugCheckCode, BugCheckParameter1, BugCheckParameter2, BugCheckParameter3, BugCheckParameter4,
                __builtin_return_address(0), "The driver called KeBugCheckEx.");
}

/* KeBugCheckEx with all four parameters zero (WDK, KeBugCheck). */
VOID NTAPI KeBugCheck(ULONG BugCheckCode)
{
    ke_bugcheck(BugCheckCode, 0, 0, 0, 0, __builtin_return_address(0), "The driver called KeBugCheck.");
}

/* The exception Windows raises for each fault, and how it is described. */
static NTSTATUS ke_fault_status(int sig, int si_code)
{
    switch (sig) {
    case SIGILL:
        return si_code == ILL_PRVOPC ? STATUS_PRIVILEGED_INSTRUCTION : STATUS_ILLEGAL_INSTRUCTION;
    case SIGFPE:
        if (si_code == FPE_INTDIV)
            return STATUS_INTEGER_DIVIDE_BY_ZERO;
        if (si_code == FPE_INTOVF)
            return STATUS_INTEGER_OVERFLOW;
        return STATUS_FLOAT_DIVIDE_BY_ZERO;
    case SIGBUS:
        return si_code == BUS_ADRALN ? STATUS_DATATYPE_MISALIGNMENT : STATUS_ACCESS_VIOLATION;
    default:
        return STATUS_ACCESS_VIOLATION;
    }
}

/* Windows' x64 page-fault error code: bit 1 write, bit 4 instruction fetch.
 * As bugcheck 0xD1's third parameter: 0 read, 1 write, 8 execute. */
static ULONG_PTR ke_fault_access(const ucontext_t *uc)
{
    unsigned long err = (unsigned long)uc->uc_mcontext.gregs[REG_ERR];
    if (err & 0x10)
        return 8;
    return (err & 2) ? 1 : 0;
}

static void ke_fault_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    const void *pc = (const void *)uc->uc_mcontext.gregs[REG_RIP];
    const void *const *frame = (const void *const *)uc->uc_mcontext.gregs[REG_RBP];
    NTSTATUS status = ke_fault_status(sig, si->si_code);
    KIRQL irql = KeGetCurrentIrql();
    ULONG code;
    ULONG_PTR p[4];
    char what[160];

    ke_enter_bugcheck();
    if (status == STATUS_ACCESS_VIOLATION && irql >= DISPATCH_LEVEL) {
        /* Windows cannot take the page fault at this IRQL at all. */
        code = 0xD1;
        p[0] = (ULONG_PTR)si->si_addr;
        p[1] = irql;
        p[2] = ke_fault_access(uc);
        p[3] = (ULONG_PTR)pc;
    } else {
        /* DriverEntry, DriverUnload and system threads run in the System
         * process: an unhandled exception there is 0x7E. */
        code = 0x7E;
        p[0] = (ULONG)status;
        p[1] = (ULONG_PTR)pc;
        p[2] = (ULONG_PTR)si;
        p[3] = (ULONG_PTR)uc;
    }
    if (sig == SIGSEGV || sig == SIGBUS)
        snprintf(what, sizeof what, "The driver's code faulted (%s) %s address 0x%016llX.",
                 status == STATUS_ACCESS_VIOLATION ? "STATUS_ACCESS_VIOLATION" : "STATUS_DATATYPE_MISALIGNMENT",
                 ke_fault_access(uc) == 1 ? "writing" : ke_fault_access(uc) == 8 ? "executing" : "reading",
                 (unsigned long long)(ULONG_PTR)si->si_addr);
    else
        snprintf(what, sizeof what, "The driver's code raised exception 0x%08X (%s).", (unsigned)status,
                 sig == SIGILL ? "illegal instruction" : "arithmetic fault");
    ke_report(code, p, pc, false, frame, what);
    _exit(KE_BUGCHECK_EXIT_STATUS);
}

void ke_bugcheck_install_fault_handlers(void)
{
    static char altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    struct sigaction sa;

    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = ke_fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
}
