/* ke/cr8.h: CR8, the task-priority register, which x64 Windows uses as the
 * IRQL: the amd64 headers of the WDK and of mingw-w64 inline
 * KeGetCurrentIrql as `mov reg, cr8`, and KeRaiseIrql and KeLowerIrql as
 * `mov cr8, reg`. In ntbox CR8 is the calling thread's IRQL (ke/irql.h):
 * reading gives it zero-extended, writing sets it. A value above HIGH_LEVEL
 * is not an IRQL (the processor would fault on its reserved bits): the
 * write stops the run as Driver Verifier stops a raise to an invalid IRQL,
 * bug check 0xC4/0x30. Any valid value is accepted: the instruction cannot
 * tell a raise from a lower, and both are allowed.
 *
 * Patched code (loader/pe_patch_code.c) reads and writes the IRQL byte
 * directly, through the thread pointer, and calls ke_cr8_write_invalid for
 * a bad value; the fault handler (ke/emulate.c) uses ke_cr8_write. */
#ifndef NTBOX_KE_CR8_H
#define NTBOX_KE_CR8_H

#include <stdint.h>

/* mov cr8, value, by the instruction ending at `at` (its return-address
 * form, for the report). */
void ke_cr8_write(uint64_t value, const void *at);

/* The report for a value above HIGH_LEVEL (System V ABI: patched code calls
 * it with the value and the address after the instruction). */
__attribute__((noreturn)) void ke_cr8_write_invalid(uint64_t value, const void *at);

/* Where, relative to the thread pointer (the fs base), every thread keeps
 * its IRQL byte. */
intptr_t ke_cr8_tls_offset(void);

#endif
