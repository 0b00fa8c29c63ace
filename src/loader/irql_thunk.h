/* loader/irql_thunk.h: the verifier's generic IRQL check at the API
 * boundary, one small stub per checked export.
 *
 * A driver's import of a routine whose export row records a highest IRQL
 * (loader/exports.list) binds, with the verifier's irql group on, to the
 * routine's thunk instead of the routine. The thunk compares the caller's
 * IRQL with that maximum and tail-jumps to the routine, every argument
 * register (rcx, rdx, r8, r9, xmm0-3) and the stack untouched, so the
 * routine sees the driver's call as made. Above the maximum it goes to
 * ldr_irql_slow (loader/irql_check.c), which saves the argument registers,
 * stops the run with Driver Verifier's DDI compliance bug check, or, when
 * the group has been switched off since binding, restores them and goes on
 * to the routine. cmake/exports.sh emits one LDR_IRQL_THUNK per row. */
#ifndef NTBOX_LOADER_IRQL_THUNK_H
#define NTBOX_LOADER_IRQL_THUNK_H

/* Assembly for the thunk named thunk, checking IRQL <= max (a number) before
 * routine; row is the export row's index in ldr_exports, for the report.
 * r11 (scratch in the Microsoft x64 ABI, never an argument) carries the
 * address to go on at to the slow path. */
#define LDR_IRQL_THUNK(thunk, routine, max, row)                                                   \
    ".text\n"                                                                                      \
    ".p2align 4\n"                                                                                 \
    ".globl " #thunk "\n"                                                                          \
    ".hidden " #thunk "\n"                                                                         \
    ".type " #thunk ", @function\n"                                                                \
    #thunk ":\n"                                                                                   \
    "    movq ke_current_irql@gottpoff(%rip), %rax\n"                                              \
    "    cmpb $" #max ", %fs:(%rax)\n"                                                             \
    "    ja 1f\n"                                                                                  \
    "0:  jmp " #routine "\n"                                                                       \
    "1:  leaq 0b(%rip), %r11\n"                                                                    \
    "    movl $" #row ", %eax\n"                                                                   \
    "    jmp ldr_irql_slow\n"                                                                      \
    ".size " #thunk ", . - " #thunk "\n"

#endif
