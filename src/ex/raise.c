/* ex/raise.c: ExRaiseStatus, ExRaiseAccessViolation and
 * ExRaiseDatatypeMisalignment, and the raise ntbox's own routines make on
 * a driver's behalf (an allocation with a raise flag that fails, a probe
 * that fails). All raise noncontinuable exceptions, dispatched to the
 * driver's handlers (ke/seh_dispatch.c); when none takes the exception the
 * run stops with bug check 0x7E (0x3B in a system service a client program's thread called), P1 the
 * status, charged to the driver line that raised. */
#include "ex/pool.h"

#include "ke/seh.h"

#include <stdio.h>

/* The exception's context is the driver frame that called the ntbox routine
 * raising it (its registers found by unwinding ntbox's frames): handlers
 * see the driver's call, and the reports charge it. */
void ex_raise_status(NTSTATUS status, const void *caller, const char *detail)
{
    struct ke_seh_dispatch d;
    CONTEXT context;

    if (!ke_seh_context_of_caller(&context, caller))
        context.Rip = (ULONG64)(uintptr_t)caller;
    ke_seh_dispatch_init(&d, status, EXCEPTION_NONCONTINUABLE, caller, &context);
    d.detail = detail;
    ke_seh_dispatch_find_pe(&d);
    ke_seh_raise(&d);
    __builtin_unreachable(); /* a noncontinuable exception is never continued */
}

/* The body of the three exports below: context is the driver's, at its
 * call; routine names the export for the report. */
__attribute__((used, noreturn)) static void ex_raise_from_driver(NTSTATUS status, const char *routine,
                                                                 CONTEXT *context)
{
    struct ke_seh_dispatch d;
    char detail[64];

    snprintf(detail, sizeof detail, "The driver called %s.", routine);
    ke_seh_dispatch_init(&d, status, EXCEPTION_NONCONTINUABLE, (const void *)(uintptr_t)context->Rip, context);
    d.detail = detail;
    ke_seh_dispatch_find_pe(&d);
    ke_seh_raise(&d);
    __builtin_unreachable();
}

KE_SEH_CAPTURING_ENTRY(ex_raise_entry, ex_raise_from_driver);

/* Raises Status for the caller's handler to take (WDK, ExRaiseStatus);
 * STATUS_ACCESS_VIOLATION (WDK, ExRaiseAccessViolation);
 * STATUS_DATATYPE_MISALIGNMENT (WDK, ExRaiseDatatypeMisalignment). Each
 * jumps into ex_raise_entry with the status in ECX, its name in RDX. */
__asm__(".hidden ex_raise_entry\n"
        ".section .rodata\n"
        "ex_raise_name_status: .asciz \"ExRaiseStatus\"\n"
        "ex_raise_name_access: .asciz \"ExRaiseAccessViolation\"\n"
        "ex_raise_name_misalignment: .asciz \"ExRaiseDatatypeMisalignment\"\n"
        ".text\n"
        ".globl ExRaiseStatus\n.type ExRaiseStatus,@function\n.p2align 4\nExRaiseStatus:\n"
        "lea ex_raise_name_status(%rip),%rdx\njmp ex_raise_entry\n.size ExRaiseStatus,.-ExRaiseStatus\n"
        ".globl ExRaiseAccessViolation\n.type ExRaiseAccessViolation,@function\n.p2align 4\n"
        "ExRaiseAccessViolation:\n"
        "mov $0xC0000005,%ecx\nlea ex_raise_name_access(%rip),%rdx\njmp ex_raise_entry\n"
        ".size ExRaiseAccessViolation,.-ExRaiseAccessViolation\n"
        ".globl ExRaiseDatatypeMisalignment\n.type ExRaiseDatatypeMisalignment,@function\n.p2align 4\n"
        "ExRaiseDatatypeMisalignment:\n"
        "mov $0x80000002,%ecx\nlea ex_raise_name_misalignment(%rip),%rdx\njmp ex_raise_entry\n"
        ".size ExRaiseDatatypeMisalignment,.-ExRaiseDatatypeMisalignment\n");
