/* ke/seh.h: structured exception handling inside ntbox: the dispatch of
 * one exception (ke/seh_dispatch.c), its unwind (ke/seh_unwind.c), the
 * frames gcc-built drivers' __try pushes (ke/seh_frames.c), contexts
 * (ke/seh_context.c) and faults (ke/seh_fault.c).
 *
 * An exception is searched for in two kinds of frames: .sys frames, found by
 * walking the stack with the image's unwind data (rtl/unwind.c) from the
 * innermost frame in a .sys, and the __try frames of gcc-built drivers, a
 * per-thread list. Both are visited innermost first; a gcc frame goes before
 * the .sys frames whose stack pointer is above it. */
#ifndef NTBOX_KE_SEH_H
#define NTBOX_KE_SEH_H

#include <ntddk.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

/* A resume point in ntbox's own (System V) code: callee-saved registers,
 * stack pointer, return address. */
struct ke_seh_jmp {
    ULONG64 rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

/* Saves a resume point; returns 0, then 1 when ke_seh_resume comes back. */
__attribute__((returns_twice)) int ke_seh_save(struct ke_seh_jmp *jmp);
__attribute__((noreturn)) void ke_seh_resume(struct ke_seh_jmp *jmp);

/* Before any jump up the stack: frames the jump abandons must not keep
 * AddressSanitizer's poisoned redzones. */
static inline void ke_seh_forget_stack(void)
{
#if defined(__SANITIZE_ADDRESS__)
    __asan_handle_no_return();
#endif
}

/* How many frames a walk over .sys frames takes at most. */
#define KE_SEH_MAX_FRAMES 4096

/* One exception being dispatched; it lives on the dispatching stack. */
struct ke_seh_dispatch {
    EXCEPTION_RECORD *record;       /* what handlers see: RtlRaiseException's caller's, or own_record */
    EXCEPTION_RECORD own_record;
    EXCEPTION_RECORD noncontinuable; /* raised when a filter continues a noncontinuable exception */
    CONTEXT context;                /* the exception's: filters see it, EXCEPTION_CONTINUE_EXECUTION resumes it */
    CONTEXT pe_start;               /* the innermost frame in a .sys image */
    bool pe;                        /* pe_start is valid: walk .sys frames */
    int fault_signal;               /* a fault raised it: its signal, and ... */
    ULONG64 fault_address;          /* ... the address the signal named */
    EXCEPTION_POINTERS pointers;
    UNWIND_HISTORY_TABLE history;   /* given to language handlers; names this dispatch to RtlUnwindEx */
    struct ke_seh_jmp resume;       /* where a __try frame's filter or __finally comes back to */
    LONG filter_result;
    const void *at;                 /* the driver address a report charges the exception to */
    const char *detail;             /* what the report says about how it was raised */
    char text[320];
};

/* Prepares d for an exception with code, flags and address, with context
 * as the exception's context (and address as the driver address reports
 * charge it to). */
void ke_seh_dispatch_init(struct ke_seh_dispatch *d, NTSTATUS code, ULONG flags, const void *address,
                          const CONTEXT *context);

/* Finds where the walk over .sys frames starts for an exception raised on
 * this stack: the exception's context when it is in a .sys, else the first
 * .sys frame above (libgcc's unwinder over ntbox's own frames), if any. */
void ke_seh_dispatch_find_pe(struct ke_seh_dispatch *d);

/* Dispatches d's exception. Returns when a filter continues it (the caller
 * resumes d->context); otherwise never: the chosen handler runs, or the run
 * stops with the bugcheck Windows gives for an unhandled exception. */
void ke_seh_raise(struct ke_seh_dispatch *d);

/* The unwind phase: runs the termination handlers (.sys) and __finally
 * blocks (gcc __try frames) of every frame below the target, innermost
 * first, then resumes the target: the .sys frame target_frame at target_ip
 * with return_value in RAX, or the __except block of native_target. */
__attribute__((noreturn)) void ke_seh_unwind(struct ke_seh_dispatch *d, ULONG64 target_frame, PVOID target_ip,
                                             PVOID return_value, PNTBOX_SEH_FRAME native_target);

/* The dispatch whose history table this is (RtlUnwindEx is handed one by
 * language handlers), or NULL for any other table. */
struct ke_seh_dispatch *ke_seh_dispatch_of(PUNWIND_HISTORY_TABLE history);

/* Stops the run for an exception no handler took (d->record): 0x1E when a
 * client process's thread raised it, else 0x7E, as Windows. */
__attribute__((noreturn)) void ke_seh_unhandled(struct ke_seh_dispatch *d);

/* Called first by the fault handler, with the status Windows raises for
 * the fault: true when the fault is an exception some handler might take,
 * and the thread, leaving the signal handler, goes on into the dispatcher
 * (the fault handler must return at once); false when it is not, or no
 * handler could take it: the fault handler reports it. */
bool ke_seh_fault(NTSTATUS status, int sig, siginfo_t *si, void *ucontext);

/* An unhandled fault in the System process: resumes the faulting
 * instruction, which faults again, and the fault handler reports it as it
 * reports every unhandled fault (ke/seh_fault.c). */
__attribute__((noreturn)) void ke_seh_fault_unhandled(struct ke_seh_dispatch *d);

/* An ntbox-side problem with the dispatch itself (a handler's invalid
 * disposition, an unwind that lost its target): stops the run. */
__attribute__((noreturn)) void ke_seh_broken(struct ke_seh_dispatch *d, NTSTATUS status, const char *why);

/* gcc __try frames (ke/seh_frames.c). */

/* Evaluates, innermost first, the filters of this thread's __except frames
 * below address `limit` (the stack pointer of a .sys frame: those are the
 * frames of functions it called) that no dispatch has searched yet, marking each
 * searched by d. Returns the frame whose filter did not say
 * EXCEPTION_CONTINUE_SEARCH, with its result in *disposition; NULL when
 * none. */
PNTBOX_SEH_FRAME ke_seh_native_search(struct ke_seh_dispatch *d, uintptr_t limit, LONG *disposition);

/* Drops this thread's frames below `limit` (the stack pointer of a .sys
 * frame), innermost first, running the __finally block of each
 * __try/__finally among them. */
void ke_seh_native_unwind(struct ke_seh_dispatch *d, uintptr_t limit);

/* The same for every frame inside target on the list. */
void ke_seh_native_unwind_to(struct ke_seh_dispatch *d, PNTBOX_SEH_FRAME target);

/* Enters frame's __except block (frame must now be the innermost). */
__attribute__((noreturn)) void ke_seh_native_resume(struct ke_seh_dispatch *d, PNTBOX_SEH_FRAME frame);

/* Clears d's marks: the frames it searched may be searched again. */
void ke_seh_native_release(struct ke_seh_dispatch *d);

/* Whether this thread has a __try frame at all. */
bool ke_seh_native_active(void);

/* Contexts (ke/seh_context.c). */

/* Fills *context with the registers of the frame found walking up from the
 * caller with libgcc's unwinder over ntbox's own frames: the frame whose
 * return address is `return_address`, or, when that is NULL, the first one
 * in a .sys image. Nonvolatile general registers, RSP and RIP are that
 * frame's; XMM registers are the current ones. False when no frame
 * matches. */
bool ke_seh_context_of_caller(CONTEXT *context, const void *return_address);

/* Resumes context (RtlRestoreContext) after forgetting the stack below. */
__attribute__((noreturn)) void ke_seh_continue(CONTEXT *context);

/* Defines the exported, Microsoft-ABI routine `name` that captures its
 * caller's context (the registers at the call, RIP the return address, RSP
 * as after the return) and calls target(first argument, second argument,
 * &context) with the System V ABI; if target returns, resumes that context.
 * For the raise routines, whose exception context is their caller's. */
#define KE_SEH_CAPTURING_ENTRY(name, target)                                                                       \
    __asm__(".text\n.globl " #name "\n.type " #name ",@function\n.p2align 4\n" #name ":\n"                         \
            ".cfi_startproc\n"                                                                                     \
            "push %rbp\n.cfi_def_cfa_offset 16\n.cfi_offset %rbp,-16\n"                                            \
            "mov %rsp,%rbp\n.cfi_def_cfa_register %rbp\n"                                                          \
            "sub $0x4e0,%rsp\n"                                                                                    \
            "mov %rcx,(%rsp)\nmov %rdx,8(%rsp)\n"                                                                  \
            "lea 0x10(%rsp),%rcx\ncall RtlCaptureContext\n"                                                        \
            "mov (%rbp),%rax\nmov %rax,0x10+0xa0(%rsp)\n"                                                          \
            "lea 16(%rbp),%rax\nmov %rax,0x10+0x98(%rsp)\n"                                                        \
            "mov 8(%rbp),%rax\nmov %rax,0x10+0xf8(%rsp)\n"                                                         \
            "mov (%rsp),%rdi\nmov 8(%rsp),%rsi\nlea 0x10(%rsp),%rdx\ncall " #target "\n"                           \
            "lea 0x10(%rsp),%rcx\nxor %edx,%edx\ncall RtlRestoreContext\nud2\n"                                    \
            ".cfi_endproc\n.size " #name ",.-" #name "\n")

#endif
