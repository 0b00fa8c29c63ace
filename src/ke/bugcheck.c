/* ke/bugcheck.c: KeBugCheckEx, KeBugCheck, and faults in driver code.
 *
 * On Windows a bugcheck stops the machine; in ntbox it stops the run: the
 * report Windows people know (STOP line, name, parameters), what went wrong,
 * where in the driver, a backtrace, the IRQL, the thread and process, then
 * exit status 3; the same as JSON when the run asked for a report
 * (src/verifier/report.c). A fault in driver code (SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE) becomes what Windows makes of it: a special pool bugcheck (0xD6,
 * 0xD5) when special pool's guard or freed pages were touched, 0xD1 at
 * DISPATCH_LEVEL and above, 0x50 for an invalid system-space address, and
 * otherwise an unhandled exception: 0x7E in a system thread (DriverEntry,
 * DriverUnload), 0x3B in a system service a client called. */
#include "ke/bugcheck.h"

#include "base/diag.h"
#include "base/safe_read.h"
#include "ex/pool.h"
#include "ke/bugcheck_names.h"
#include "ke/emulate.h"
#include "ke/irql.h"
#include "ke/kuser.h"
#include "ke/seh.h"
#include "loader/module.h"
#include "loader/pe_load.h"
#include "loader/symbols.h"
#include "mm/pageable.h"
#include "ps/process.h"
#include "rtl/list_check.h"
#include "rtl/status_name.h"
#include "verifier/report.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define KE_BACKTRACE_MAX 16
/* Windows x64's system space starts here; on Linux these addresses are the
 * kernel's, never the process's. */
#define KE_SYSTEM_SPACE_START 0xFFFF800000000000ULL

static int ke_bugcheck_in_progress;

/* Frame-pointer walk, bounded by the current thread's stack so a corrupt
 * chain ends the walk instead of faulting inside the report. Returns the
 * number of return addresses stored. */
static int ke_walk_frames(const void *const *frame, const void **out, int max)
{
    pthread_attr_t attr;
    void *stack_lo = NULL;
    size_t stack_size = 0;
    int n = 0;

    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &stack_lo, &stack_size);
        pthread_attr_destroy(&attr);
    }
    uintptr_t lo = (uintptr_t)stack_lo, hi = lo + stack_size;
    while (n < max && frame) {
        uintptr_t f = (uintptr_t)frame;
        if (f < lo || f + 16 > hi || (f & 7) || !frame[1])
            break;
        out[n++] = frame[1];
        const void *const *next = (const void *const *)frame[0];
        if ((uintptr_t)next <= f)
            break;
        frame = next;
    }
    return n;
}

/* The backtrace shown: the faulting pc (when `at` is one, not a return
 * address) and the return addresses of the frame chain, or none at all
 * unless it passes through driver code: a report about ntbox's own
 * bookkeeping (a leak found at unload) has none to show. Returns the count. */
static int ke_backtrace(const void *pc, const void *const *frame, const void **out)
{
    int k = 0;
    if (pc)
        out[k++] = pc;
    int n = k + ke_walk_frames(frame, out + k, KE_BACKTRACE_MAX - k);
    for (int i = 0; i < n; i++)
        if (ldr_module_at(out[i]))
            return n;
    return 0;
}

static void ke_report(ULONG code, const ULONG_PTR p[4], const void *at, bool at_is_return, const void *const *frame,
                      const char *detail)
{
    const struct ke_bugcheck_info *info = ke_bugcheck_info(code);
    const void *frames[KE_BACKTRACE_MAX];
    char where[512];
    /* System for DriverEntry, DriverUnload and system threads, a client's
     * process for the system services it calls. */
    PEPROCESS process = PsGetCurrentProcess();
    struct vf_bugcheck report = {
        .code = code,
        .parameters = { p[0], p[1], p[2], p[3] },
        .name = info ? info->name : NULL,
        .meaning = info ? info->meaning : NULL,
        .detail = detail,
        .driver = at ? ldr_driver_name_at(at) : NULL,
        .at = at,
        .at_is_return = at_is_return,
        .frames = frames,
        .frame_count = ke_backtrace(at_is_return ? NULL : at, frame, frames),
        .irql = KeGetCurrentIrql(),
        .thread = (long)(ULONG_PTR)PsGetCurrentThreadId(), /* the id drivers and hang reports show */
        .process = process ? ps_process_name(process) : "System",
        .process_id = process ? ps_process_id(process) : 4,
    };

    fflush(stdout);
    printf("\n*** STOP: 0x%08X (0x%016llX,0x%016llX,0x%016llX,0x%016llX)\n", (unsigned)code,
           (unsigned long long)p[0], (unsigned long long)p[1], (unsigned long long)p[2], (unsigned long long)p[3]);
    printf("%s\n", info ? info->name : "UNKNOWN_BUGCHECK_CODE");
    if (info)
        printf("%s\n", info->meaning);
    if (detail && *detail)
        printf("%s%s", detail, detail[strlen(detail) - 1] == '\n' ? "" : "\n");
    if (report.driver)
        printf("Driver: %s\n", report.driver);
    if (at)
        printf("At: %s\n", ldr_describe_address(at, at_is_return, where, sizeof where));
    printf("IRQL: %s (%u)\n", ke_irql_name(report.irql), report.irql);
    printf("Thread: %ld in process %s (PID %u)\n", report.thread, report.process, (unsigned)report.process_id);
    if (report.frame_count)
        printf("Backtrace:\n");
    for (int i = 0; i < report.frame_count; i++)
        printf("  #%d %s\n", i, ldr_describe_address(frames[i], i > 0 || at_is_return, where, sizeof where));
    fflush(stdout);
    vf_report_bugcheck(&report);
}

/* Only the first bugcheck reports; a second thread arriving meanwhile waits
 * for the exit that is coming. */
void ke_enter_bugcheck(void)
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

/* An unhandled exception: in the System process (DriverEntry, DriverUnload,
 * system threads) SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, P1 the exception code,
 * P2 its address, P3/P4 the exception and context records; in a system
 * service a client's thread called (a dispatch routine running for its
 * request) SYSTEM_SERVICE_EXCEPTION, P1 the code, P2 the address, P3 the
 * context record, P4 0. */
__attribute__((noreturn)) static void ke_bugcheck_exception(NTSTATUS status, const void *pc, bool pc_is_return,
                                                            const void *record, const void *context,
                                                            const void *const *frame, const char *detail)
{
    PEPROCESS process = PsGetCurrentProcess();
    if (process && process != ps_system_process()) {
        const ULONG_PTR p[4] = { (ULONG)status, (ULONG_PTR)pc, (ULONG_PTR)context, 0 };
        ke_report(0x3B, p, pc, pc_is_return, frame, detail);
    } else {
        const ULONG_PTR p[4] = { (ULONG)status, (ULONG_PTR)pc, (ULONG_PTR)record, (ULONG_PTR)context };
        ke_report(0x7E, p, pc, pc_is_return, frame, detail);
    }
    _exit(KE_BUGCHECK_EXIT_STATUS);
}

void ke_unhandled_exception(NTSTATUS status, const void *address, const char *detail)
{
    char name[96], text[512];

    ke_enter_bugcheck();
    snprintf(text, sizeof text, "Exception %s was raised and no handler caught it.%s%s",
             rtl_status_describe(status, name, sizeof name), detail ? " " : "", detail ? detail : "");
    ke_bugcheck_exception(status, address, true, NULL, NULL, (const void *const *)__builtin_frame_address(0), text);
}

/* The exception Windows raises for each fault. */
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
    case SIGTRAP:
        return STATUS_BREAKPOINT;
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

/* The PROT_* a fault's access needed. */
static int ke_fault_prot(ULONG_PTR access)
{
    return access == 1 ? PROT_WRITE : access == 8 ? PROT_EXEC : PROT_READ;
}

/* `int 0x29` is __fastfail(code): ECX holds the FAST_FAIL_* code; the kernel
 * answers with KERNEL_SECURITY_CHECK_FAILURE, P1 the code. ntbox's own list
 * inlines also pass the checked LIST_ENTRY in RDX, so it can be described. */
__attribute__((noreturn)) static void ke_fast_fail(const ucontext_t *uc, const void *pc, const void *const *frame)
{
    ULONG code = (ULONG)uc->uc_mcontext.gregs[REG_RCX];
    const ULONG_PTR p[4] = { code, (ULONG_PTR)uc, 0, 0 };
    char text[512];

    snprintf(text, sizeof text, "__fastfail(%u): the driver's own integrity check failed%s.", (unsigned)code,
             code == 3 ? " (FAST_FAIL_CORRUPT_LIST_ENTRY: a LIST_ENTRY's neighbours do not point back at it)" : "");
    if (code == 3) {
        size_t used = strlen(text);
        text[used++] = '\n';
        if (!rtl_list_describe_corruption((const LIST_ENTRY *)uc->uc_mcontext.gregs[REG_RDX], text + used,
                                          sizeof text - used))
            text[used - 1] = 0;
    }
    ke_report(0x139, p, pc, false, frame, text);
    _exit(KE_BUGCHECK_EXIT_STATUS);
}

/* "writing 0x0000...", for the reports of page faults. */
static const char *ke_fault_verb(ULONG_PTR access)
{
    return access == 1 ? "writing" : access == 8 ? "executing" : "reading";
}

/* Bugcheck 0x50's P2 on x64 since Windows 10 1507: 0 read, 2 write, 0x10
 * execute. */
static ULONG_PTR ke_fault_0x50_access(ULONG_PTR access)
{
    return access == 1 ? 2 : access == 8 ? 0x10 : 0;
}

/* For 0xD1 in a driver's pageable section: which section, and for a call
 * into it (the fault on the routine's first instruction) the call's line,
 * which the return address on the stack gives. */
static void ke_pageable_note(const void *addr, const ucontext_t *uc, const void *pc, char *out, size_t n)
{
    const char *image, *section;
    const void *ret = NULL;
    char where[512];

    if (!mm_pageable_at(addr, &image, &section))
        return;
    int k = snprintf(out, n, " It is in %s's pageable %s section, kept inaccessible at DISPATCH_LEVEL and above so "
                     "that this shows every time, not only when the page happens to be out.", image, section);
    if (addr == pc && k > 0 && (size_t)k < n &&
        safe_read((const void *)uc->uc_mcontext.gregs[REG_RSP], &ret, sizeof ret) && ldr_module_at(ret))
        snprintf(out + k, n - (size_t)k, " Called from %s.", ldr_describe_address(ret, true, where, sizeof where));
}

/* A page fault at addr that Windows does not turn into an exception:
 * special pool's guard page after a block (0xD6) or a freed block's page
 * (0xD5), P1 the address, P2 0 read / 1 write, P3 the instruction; any
 * fault at DISPATCH_LEVEL or above (0xD1: no page fault can be taken
 * there); a discarded INIT section or an invalid system-space address
 * (0x50: PAGE_FAULT_IN_NONPAGED_AREA, freed memory or a wild pointer; P3
 * the instruction, P4 0 for a freed page). Returns for the rest, the
 * access violations. */
static void ke_page_fault(const void *addr, const ucontext_t *uc, const void *pc, const void *const *frame)
{
    ULONG_PTR a = (ULONG_PTR)addr, access = ke_fault_access(uc);
    KIRQL irql = KeGetCurrentIrql();
    struct vf_block block;
    char what[1024], desc[512];
    enum ex_pool_fault kind = ex_pool_classify_fault(addr, &block);

    if (kind != EX_POOL_FAULT_NONE) {
        const ULONG_PTR p[4] = { a, access == 1, (ULONG_PTR)pc, 0 };
        ULONG_PTR start = (ULONG_PTR)block.address;
        ex_pool_describe_block(&block, desc, sizeof desc);
        if (kind == EX_POOL_FAULT_BEYOND_END)
            snprintf(what, sizeof what,
                     "The driver faulted %s 0x%016llX, %llu bytes past the end of the special-pool block at "
                     "0x%016llX (%s): the guard page after it.",
                     ke_fault_verb(access), (unsigned long long)a, (unsigned long long)(a - start - block.size),
                     (unsigned long long)start, desc);
        else
            snprintf(what, sizeof what, "The driver faulted %s 0x%016llX, in the special-pool block at 0x%016llX "
                     "after it was freed (%s).",
                     ke_fault_verb(access), (unsigned long long)a, (unsigned long long)start, desc);
        vf_report_note_block(&block);
        ke_report(kind == EX_POOL_FAULT_BEYOND_END ? 0xD6 : 0xD5, p, pc, false, frame, what);
        _exit(KE_BUGCHECK_EXIT_STATUS);
    }
    if (irql >= DISPATCH_LEVEL) {
        const ULONG_PTR p[4] = { a, irql, access, (ULONG_PTR)pc };
        int k = snprintf(what, sizeof what, "The driver touched address 0x%016llX at %s: no page fault can be taken "
                         "there.", (unsigned long long)a, ke_irql_name(irql));
        if (ex_pool_paged_block(addr, &block)) {
            vf_report_note_block(&block);
            snprintf(what + k, sizeof what - k, " It is paged pool (%s), kept inaccessible at DISPATCH_LEVEL and "
                     "above so that this shows every time, not only when the page happens to be out.",
                     ex_pool_describe_block(&block, desc, sizeof desc));
        } else {
            ke_pageable_note(addr, uc, pc, what + k, sizeof what - k);
        }
        ke_report(0xD1, p, pc, false, frame, what);
        _exit(KE_BUGCHECK_EXIT_STATUS);
    }
    const struct ldr_module *m = ldr_module_at(addr);
    const char *discarded = m ? ldr_pe_discarded_section(m, a) : NULL;
    if (discarded) {
        const ULONG_PTR p[4] = { a, ke_fault_0x50_access(access), (ULONG_PTR)pc, 0 };
        snprintf(what, sizeof what, "The driver faulted %s 0x%016llX, in %s's %s section, freed when DriverEntry "
                 "returned (Windows frees the code and data only initialization uses).", ke_fault_verb(access),
                 (unsigned long long)a, m->image_name, discarded);
        ke_report(0x50, p, pc, false, frame, what);
        _exit(KE_BUGCHECK_EXIT_STATUS);
    }
    if (a >= KE_SYSTEM_SPACE_START) {
        const ULONG_PTR p[4] = { a, ke_fault_0x50_access(access), (ULONG_PTR)pc, 0 };
        snprintf(what, sizeof what, "The driver faulted %s 0x%016llX: no valid system memory is there (a wild or "
                 "stale pointer).", ke_fault_verb(access), (unsigned long long)a);
        ke_report(0x50, p, pc, false, frame, what);
        _exit(KE_BUGCHECK_EXIT_STATUS);
    }
}

/* A store to memory Windows maps read-only in system space: KUSER_SHARED_DATA
 * (at its fixed address or through the page the loader points drivers at)
 * or a driver image's read-only section. Windows does not raise an
 * exception for it: bugcheck 0xBE ATTEMPTED_WRITE_TO_READONLY_MEMORY, P1 the
 * address written (KUSER's fixed one), P2 the PTE (ntbox has none: 0). */
static void ke_readonly_write(const siginfo_t *si, const ucontext_t *uc, const void *pc, const void *const *frame)
{
    const char *image, *section;
    uint64_t windows;
    char what[256];

    if (si->si_signo != SIGSEGV || ke_fault_access(uc) != 1)
        return;
    if (ke_kuser_contains(si->si_addr, &windows))
        snprintf(what, sizeof what, "The driver wrote to KUSER_SHARED_DATA at 0x%016llX: the page is read-only.",
                 (unsigned long long)windows);
    else if (si->si_code == SEGV_ACCERR && ldr_module_at(si->si_addr) &&
             !ldr_pe_discarded_section(ldr_module_at(si->si_addr), (uintptr_t)si->si_addr) &&
             !(KeGetCurrentIrql() >= DISPATCH_LEVEL && mm_pageable_at(si->si_addr, &image, &section)))
        snprintf(what, sizeof what, "The driver wrote to 0x%016llX, in a read-only section of %s.",
                 (unsigned long long)(windows = (uintptr_t)si->si_addr), ldr_module_at(si->si_addr)->image_name);
    else
        return;
    const ULONG_PTR p[4] = { (ULONG_PTR)windows, 0, 0, 0 };
    ke_enter_bugcheck();
    ke_report(0xBE, p, pc, false, frame, what);
    _exit(KE_BUGCHECK_EXIT_STATUS);
}

static void ke_fault_handler(int sig, siginfo_t *si, void *ctx)
{
    if (ke_emulate_fault(sig, si, ctx))
        return;
    /* Paged pool or a driver's PAGE section trimmed by a raise, touched
     * below DISPATCH_LEVEL. */
    ucontext_t *uc = ctx;
    if (sig == SIGSEGV &&
        (ex_pool_paged_reopen(si->si_addr) || mm_pageable_reopen(si->si_addr, ke_fault_prot(ke_fault_access(uc)))))
        return;
    const void *pc = (const void *)uc->uc_mcontext.gregs[REG_RIP];
    const void *const *frame = (const void *const *)uc->uc_mcontext.gregs[REG_RBP];
    NTSTATUS status = ke_fault_status(sig, si->si_code);
    unsigned char insn[2] = { 0, 0 };
    char what[200];

    base_fault_recover(); /* a fault inside safe_read/safe_write is theirs to report */
    ke_readonly_write(si, uc, pc, frame);
    if (ke_seh_fault(status, sig, si, uc)) /* an exception a driver's handler may take */
        return;
    ke_enter_bugcheck();
    /* A software interrupt Linux does not allow from user mode arrives as a
     * general-protection SIGSEGV at the `int` instruction itself. */
    if (sig == SIGSEGV && si->si_code == SI_KERNEL && safe_read(pc, insn, 2) && insn[0] == 0xCD) {
        if (insn[1] == 0x29)
            ke_fast_fail(uc, pc, frame);
        if (insn[1] == 0x2C)
            ke_bugcheck_exception(STATUS_ASSERTION_FAILURE, pc, false, si, uc, frame,
                                  "The driver's assertion failed (int 0x2c, NT_ASSERT) and no debugger is attached.");
    }
    if (sig == SIGTRAP) {
        pc = (const char *)pc - 1; /* the int3 byte, not the one after it */
        ke_bugcheck_exception(STATUS_BREAKPOINT, pc, false, si, uc, frame,
                              "The driver hit a breakpoint (int 3, DbgBreakPoint) and no kernel debugger is attached.");
    }
    /* A #GP (SI_KERNEL) gives no address: it stays an access violation. */
    if (status == STATUS_ACCESS_VIOLATION && si->si_code != SI_KERNEL)
        ke_page_fault(si->si_addr, uc, pc, frame);
    if (sig == SIGSEGV || sig == SIGBUS)
        snprintf(what, sizeof what, "The driver's code faulted %s address 0x%016llX.",
                 ke_fault_verb(ke_fault_access(uc)), (unsigned long long)(ULONG_PTR)si->si_addr);
    else
        snprintf(what, sizeof what, "The driver's code raised %s.",
                 sig == SIGILL ? "an illegal-instruction fault" : "an arithmetic fault");
    ke_bugcheck_exception(status, pc, false, si, uc, frame, what);
}

void ke_bugcheck_install_fault_handlers(void)
{
    static char altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    struct sigaction sa;

    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = ke_fault_handler;
    /* SA_NODEFER: a recovered fault leaves the handler by siglongjmp,
     * which must not leave the signal blocked. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
}

/* ntbox is the kernel: its fault handling is in place before any driver,
 * test or benchmark runs, and the I/O manager's user-buffer copies rely on
 * it to survive bad pointers. */
__attribute__((constructor)) static void ke_bugcheck_install_at_startup(void)
{
    ke_bugcheck_install_fault_handlers();
}
