/* ke/seh_fault.c: faults as exceptions a driver's handlers can take. The
 * fault handler (ke/bugcheck.c) asks here first. When a handler might take
 * the fault, the thread leaves the signal handler for the dispatcher,
 * which runs on the thread's own stack below the faulting frame (past its
 * red zone) with the record and context Windows builds: an access
 * violation's ExceptionInformation is 0 (read), 1 (write) or 8 (execute)
 * and the address. When no handler takes it, the faulting instruction is
 * resumed once more, faults again, and is left to the fault handler: the
 * report every unhandled fault gets.
 *
 * Not exceptions, on Windows as here: faults on kernel addresses (pool
 * blocks, driver images, addresses from MmUserProbeAddress up: Windows
 * bugchecks, 0x50 and others), page faults at DISPATCH_LEVEL or above (0xD1),
 * stack overflows, and the general-protection faults of privileged and
 * software-interrupt instructions, which the fault handler itself decodes. */
#include "ke/seh.h"

#include "ex/pool.h"
#include "ke/irql.h"
#include "loader/module.h"
#include "ps/process.h"
#include "rtl/unwind.h"

#include <stdio.h>
#include <string.h>
#include <ucontext.h>

/* What the signal handler hands the dispatcher. */
struct ke_seh_handoff {
    EXCEPTION_RECORD record;
    CONTEXT context;
    CONTEXT pe_start;
    bool pe;
    int signal;
    ULONG64 address;
};

static __thread struct ke_seh_handoff ke_seh_handoff;

/* 1 while ke_seh_fault runs, 2 from the hand-off until the dispatcher has
 * taken it: a fault then (a bad stack under the trampoline) is not
 * dispatched again. */
static __thread volatile int ke_seh_fault_phase;

/* The unhandled fault resumed to fault again: signal, address and RIP. */
static __thread struct {
    int signal;
    ULONG64 address, rip;
} ke_seh_refault;

__attribute__((noreturn, used)) static void ke_seh_fault_dispatch(void);
void ke_seh_fault_trampoline(void);

/* Entered from the signal handler's return with RSP below the faulting
 * frame's red zone, R12 the faulting RIP, R13 its RBP: a frame record of
 * them keeps backtraces going into the faulting code. */
__asm__(".text\n.globl ke_seh_fault_trampoline\n.hidden ke_seh_fault_trampoline\n"
        ".type ke_seh_fault_trampoline,@function\n.p2align 4\nke_seh_fault_trampoline:\n"
        ".cfi_startproc\n.cfi_undefined rip\n"
        "push %r12\npush %r13\nmov %rsp,%rbp\n"
        "call ke_seh_fault_dispatch\nud2\n"
        ".cfi_endproc\n.size ke_seh_fault_trampoline,.-ke_seh_fault_trampoline\n");

/* glibc's gregs index of each CONTEXT register from Rax to R15. */
static const unsigned char ke_seh_gregs[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                                REG_R12, REG_R13, REG_R14, REG_R15 };

/* Whether Windows would raise an exception for this fault at all. */
static bool ke_seh_fault_is_exception(NTSTATUS status, int sig, const siginfo_t *si, const ucontext_t *uc)
{
    uintptr_t address = (uintptr_t)si->si_addr, rsp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];

    if (sig != SIGSEGV && sig != SIGBUS && sig != SIGFPE && sig != SIGILL)
        return false;
    if (sig == SIGSEGV && si->si_code == SI_KERNEL)
        return false;
    if (status != STATUS_ACCESS_VIOLATION)
        return true;
    if (ke_irql_get() >= DISPATCH_LEVEL || address >= MmUserProbeAddress || ex_pool_owns_address(si->si_addr) ||
        ldr_module_at(si->si_addr))
        return false;
    /* near the stack pointer: the guard page below the stack */
    return !(address < rsp + 0x10000 && address + 0x100000 > rsp);
}

bool ke_seh_fault(NTSTATUS status, int sig, siginfo_t *si, void *ucontext)
{
    ucontext_t *uc = ucontext;
    greg_t *g = uc->uc_mcontext.gregs;
    struct ke_seh_handoff *h = &ke_seh_handoff;
    ULONG64 rip = (ULONG64)g[REG_RIP];

    if (ke_seh_refault.rip == rip && ke_seh_refault.signal == sig &&
        ke_seh_refault.address == (ULONG64)(uintptr_t)si->si_addr) {
        memset(&ke_seh_refault, 0, sizeof ke_seh_refault);
        return false;
    }
    if (ke_seh_fault_phase || !ke_seh_fault_is_exception(status, sig, si, uc))
        return false;
    /* Nothing could take it: a System thread reports it right away. */
    if (!ke_seh_native_active() && !rtl_function_tables_have_handlers() &&
        PsGetCurrentProcess() == ps_system_process())
        return false;
    ke_seh_fault_phase = 1;
    memset(&h->record, 0, sizeof h->record);
    h->record.ExceptionCode = status;
    h->record.ExceptionAddress = (PVOID)(uintptr_t)rip;
    if (status == STATUS_ACCESS_VIOLATION) {
        /* the page-fault error code: bit 1 write, bit 4 instruction fetch */
        unsigned long err = (unsigned long)g[REG_ERR];
        h->record.NumberParameters = 2;
        h->record.ExceptionInformation[0] = err & 0x10 ? 8 : err & 2 ? 1 : 0;
        h->record.ExceptionInformation[1] = (ULONG_PTR)si->si_addr;
    }
    RtlCaptureContext(&h->context); /* flags and selectors; the registers are the fault's: */
    for (int i = 0; i < 16; i++)
        (&h->context.Rax)[i] = (ULONG64)g[ke_seh_gregs[i]];
    h->context.Rip = rip;
    h->context.EFlags = (ULONG)g[REG_EFL];
    if (uc->uc_mcontext.fpregs) {
        memcpy(&h->context.FltSave, uc->uc_mcontext.fpregs, sizeof h->context.FltSave);
        h->context.MxCsr = h->context.FltSave.MxCsr;
    }
    h->pe = false;
    if (rtl_function_table_covers(rip)) {
        h->pe_start = h->context;
        h->pe = true;
    } else if (rtl_function_tables_have_handlers()) {
        h->pe = ke_seh_context_of_caller(&h->pe_start, NULL); /* through the signal frame */
    }
    h->signal = sig;
    h->address = (ULONG64)(uintptr_t)si->si_addr;
    ke_seh_fault_phase = 2;
    uintptr_t sp = ((uintptr_t)g[REG_RSP] - 128) & ~(uintptr_t)15;
    g[REG_R12] = (greg_t)rip;
    g[REG_R13] = g[REG_RBP];
    g[REG_RSP] = (greg_t)sp;
    g[REG_RIP] = (greg_t)(uintptr_t)ke_seh_fault_trampoline;
    g[REG_EFL] &= ~(greg_t)0x40500; /* DF, TF, AC: C code runs next */
    return true;
}

static void ke_seh_fault_dispatch(void)
{
    struct ke_seh_handoff *h = &ke_seh_handoff;
    struct ke_seh_dispatch d;
    const ULONG64 *info = h->record.ExceptionInformation;

    /* `at` is a return address to reports: one past the faulting RIP names its line */
    ke_seh_dispatch_init(&d, h->record.ExceptionCode, 0, (const char *)h->record.ExceptionAddress + 1,
                         &h->context);
    d.own_record = h->record;
    d.pe_start = h->pe_start;
    d.pe = h->pe;
    d.fault_signal = h->signal;
    d.fault_address = h->address;
    ke_seh_fault_phase = 0;
    if (d.own_record.ExceptionCode == STATUS_ACCESS_VIOLATION)
        snprintf(d.text, sizeof d.text, "The driver's code faulted %s address 0x%016llX.",
                 info[0] == 8 ? "executing" : info[0] ? "writing" : "reading", (unsigned long long)info[1]);
    else
        snprintf(d.text, sizeof d.text, "The driver's code faulted at 0x%016llX.",
                 (unsigned long long)(uintptr_t)d.own_record.ExceptionAddress);
    d.detail = d.text;
    ke_seh_raise(&d);
    ke_seh_continue(&d.context);
}

void ke_seh_fault_unhandled(struct ke_seh_dispatch *d)
{
    ke_seh_refault.signal = d->fault_signal;
    ke_seh_refault.address = d->fault_address;
    ke_seh_refault.rip = (ULONG64)(uintptr_t)d->own_record.ExceptionAddress;
    ke_seh_continue(&d->context);
}
