/* ke/seh_context.c: machine contexts for exception handling:
 * RtlCaptureContext and RtlRestoreContext (Windows' CONTEXT, x64), ntbox's
 * own resume points, and the context of a driver frame that called into
 * ntbox, found with libgcc's unwinder over ntbox's frames.
 *
 * Surprise: the segment registers a captured context shows are Windows
 * kernel mode's (CS 0x10, SS 0x18), as a driver would see on Windows; the
 * real ones are Linux user mode's and are never restored. */
#include "ke/seh.h"

#include "rtl/unwind.h"

#include <unwind.h>

/* Fills ContextRecord with the caller's registers at the call: RIP the
 * return address, RSP as after the return, every integer and XMM register,
 * flags and MXCSR; ContextFlags CONTEXT_FULL | CONTEXT_SEGMENTS. Any IRQL
 * (WDK, RtlCaptureContext). */
__asm__(".text\n"
        ".globl RtlCaptureContext\n.type RtlCaptureContext,@function\n.p2align 4\nRtlCaptureContext:\n"
        ".cfi_startproc\n"
        "pushfq\n.cfi_adjust_cfa_offset 8\n"
        "mov %rax,0x78(%rcx)\n"
        "pop %rax\n.cfi_adjust_cfa_offset -8\n"
        "mov %eax,0x44(%rcx)\n"
        "mov %rcx,0x80(%rcx)\nmov %rdx,0x88(%rcx)\nmov %rbx,0x90(%rcx)\n"
        "lea 8(%rsp),%rax\nmov %rax,0x98(%rcx)\n"
        "mov %rbp,0xa0(%rcx)\nmov %rsi,0xa8(%rcx)\nmov %rdi,0xb0(%rcx)\n"
        "mov %r8,0xb8(%rcx)\nmov %r9,0xc0(%rcx)\nmov %r10,0xc8(%rcx)\nmov %r11,0xd0(%rcx)\n"
        "mov %r12,0xd8(%rcx)\nmov %r13,0xe0(%rcx)\nmov %r14,0xe8(%rcx)\nmov %r15,0xf0(%rcx)\n"
        "mov (%rsp),%rax\nmov %rax,0xf8(%rcx)\n"
        "fxsaveq 0x100(%rcx)\n"
        "stmxcsr 0x34(%rcx)\n"
        "movw $0x10,0x38(%rcx)\nmovw $0x2b,0x3a(%rcx)\nmovw $0x2b,0x3c(%rcx)\n"
        "movw $0x53,0x3e(%rcx)\nmovw $0x2b,0x40(%rcx)\nmovw $0x18,0x42(%rcx)\n"
        "movl $0x10000f,0x30(%rcx)\n"
        "mov 0x78(%rcx),%rax\n"
        "ret\n"
        ".cfi_endproc\n.size RtlCaptureContext,.-RtlCaptureContext\n");

/* Resumes the context ContextRecord describes: integer, XMM and x87
 * registers, MXCSR, flags, RSP and RIP; ExceptionRecord (unwind
 * consolidation, for C++) is not used (WDK, RtlRestoreContext). The
 * target's RIP, RCX and RAX go just below the 128-byte red zone under its
 * RSP (dead memory by the ABI), so that the last three instructions, which
 * change no flags, can load them: pop, pop, `ret 128`. */
__asm__(".text\n"
        ".globl RtlRestoreContext\n.type RtlRestoreContext,@function\n.p2align 4\nRtlRestoreContext:\n"
        "fxrstorq 0x100(%rcx)\n"
        "ldmxcsr 0x34(%rcx)\n"
        "mov 0x44(%rcx),%eax\npush %rax\npopfq\n"
        "mov 0x98(%rcx),%rax\n"
        "mov 0xf8(%rcx),%rdx\nmov %rdx,-0x88(%rax)\n"
        "mov 0x80(%rcx),%rdx\nmov %rdx,-0x90(%rax)\n"
        "mov 0x78(%rcx),%rdx\nmov %rdx,-0x98(%rax)\n"
        "mov 0x90(%rcx),%rbx\nmov 0xa0(%rcx),%rbp\nmov 0xa8(%rcx),%rsi\nmov 0xb0(%rcx),%rdi\n"
        "mov 0xb8(%rcx),%r8\nmov 0xc0(%rcx),%r9\nmov 0xc8(%rcx),%r10\nmov 0xd0(%rcx),%r11\n"
        "mov 0xd8(%rcx),%r12\nmov 0xe0(%rcx),%r13\nmov 0xe8(%rcx),%r14\nmov 0xf0(%rcx),%r15\n"
        "mov 0x88(%rcx),%rdx\n"
        "lea -0x98(%rax),%rsp\n"
        "pop %rax\npop %rcx\n"
        "ret $0x80\n"
        ".size RtlRestoreContext,.-RtlRestoreContext\n");

__asm__(".text\n"
        ".globl ke_seh_save\n.hidden ke_seh_save\n.type ke_seh_save,@function\n.p2align 4\nke_seh_save:\n"
        "mov %rbx,(%rdi)\nmov %rbp,8(%rdi)\nmov %r12,16(%rdi)\nmov %r13,24(%rdi)\nmov %r14,32(%rdi)\n"
        "mov %r15,40(%rdi)\nlea 8(%rsp),%rax\nmov %rax,48(%rdi)\nmov (%rsp),%rax\nmov %rax,56(%rdi)\n"
        "xor %eax,%eax\nret\n"
        ".size ke_seh_save,.-ke_seh_save\n"
        ".globl ke_seh_jump\n.hidden ke_seh_jump\n.type ke_seh_jump,@function\n.p2align 4\nke_seh_jump:\n"
        "mov (%rdi),%rbx\nmov 8(%rdi),%rbp\nmov 16(%rdi),%r12\nmov 24(%rdi),%r13\nmov 32(%rdi),%r14\n"
        "mov 40(%rdi),%r15\nmov 48(%rdi),%rsp\nmov $1,%eax\njmp *56(%rdi)\n"
        ".size ke_seh_jump,.-ke_seh_jump\n");

__attribute__((noreturn)) void ke_seh_jump(struct ke_seh_jmp *jmp);

void ke_seh_resume(struct ke_seh_jmp *jmp)
{
    ke_seh_forget_stack();
    ke_seh_jump(jmp);
}

void ke_seh_continue(CONTEXT *context)
{
    ke_seh_forget_stack();
    RtlRestoreContext(context, NULL);
}

struct ke_seh_walk {
    CONTEXT *context;
    const void *return_address;
    unsigned frames;
    bool found;
};

static _Unwind_Reason_Code ke_seh_walk_frame(struct _Unwind_Context *uc, void *arg)
{
    struct ke_seh_walk *w = arg;
    ULONG64 ip = _Unwind_GetIP(uc);
    CONTEXT *c = w->context;

    if (++w->frames > 256)
        return _URC_END_OF_STACK;
    if (w->return_address ? ip != (ULONG64)(uintptr_t)w->return_address : !rtl_function_table_covers(ip))
        return _URC_NO_REASON;
    /* DWARF numbers: rbx 3, rsi 4, rdi 5, rbp 6, r12-r15 12-15. libgcc keeps
     * no RSP; the context's CFA is the frame below's, which is this RSP. */
    c->Rip = ip;
    c->Rsp = _Unwind_GetCFA(uc);
    c->Rbx = _Unwind_GetGR(uc, 3);
    c->Rsi = _Unwind_GetGR(uc, 4);
    c->Rdi = _Unwind_GetGR(uc, 5);
    c->Rbp = _Unwind_GetGR(uc, 6);
    c->R12 = _Unwind_GetGR(uc, 12);
    c->R13 = _Unwind_GetGR(uc, 13);
    c->R14 = _Unwind_GetGR(uc, 14);
    c->R15 = _Unwind_GetGR(uc, 15);
    w->found = true;
    return _URC_END_OF_STACK;
}

/* Microsoft ABI on purpose: its prolog saves RSI and RDI with unwind rules,
 * so libgcc knows a location for them in every frame above (it faults on a
 * register no frame has saved), and the Microsoft-ABI routine the driver
 * called saved the driver's own. */
__attribute__((ms_abi, noinline)) static bool ke_seh_walk(struct ke_seh_walk *w)
{
    _Unwind_Backtrace(ke_seh_walk_frame, w);
    return w->found;
}

bool ke_seh_context_of_caller(CONTEXT *context, const void *return_address)
{
    struct ke_seh_walk w = { context, return_address, 0, false };
    RtlCaptureContext(context);
    return ke_seh_walk(&w);
}
