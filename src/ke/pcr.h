/* ke/pcr.h: the processor control region (KPCR, with its KPRCB) each
 * thread that runs driver code sees through the gs segment, as compiled x64
 * drivers read it: KeGetCurrentThread and PsGetCurrentThread inline
 * `mov rax, gs:[0x188]`, KeGetPcr `gs:[0x18]`, KeGetCurrentProcessorNumber
 * `gs:[0x184]`.
 *
 * ntbox gives every thread its own KPCR (threads are its processors, as the
 * IRQL is per thread), created on the thread's first gs access and released
 * when the thread ends. The gs base itself is never set: Linux copies it
 * into every thread a thread creates, which would hand a new thread its
 * creator's KPCR without a fault to notice. Instead gs-relative loads are
 * patched at load time to read the thread's KPCR (loader/pe_patch.c), and
 * any other one faults on the zero gs base and is emulated (ke/emulate.c).
 *
 * Fields kept (x64 offsets): Self (0x18), CurrentPrcb
 * (0x20), MajorVersion and MinorVersion (1, 1), Prcb.MxCsr, Prcb.LegacyNumber
 * (0x184) and Prcb.Number (0x1A4), both 0, and Prcb.CurrentThread (0x188).
 * Irql (0x50) is the thread's IRQL when the KPCR was created and is not
 * kept up to date: x64 code reads the IRQL from CR8 (KeGetCurrentIrql),
 * never from the KPCR. Everything else reads as zero. */
#ifndef NTBOX_KE_PCR_H
#define NTBOX_KE_PCR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of KPCR (with its KPRCB) a driver may read through gs; a guard
 * page follows them. */
#define KE_PCR_SIZE 0x10000u

#define KE_PCR_SELF 0x18
#define KE_PCR_CURRENT_PRCB 0x20
#define KE_PCR_IRQL 0x50
#define KE_PCR_MAJOR_VERSION 0x60
#define KE_PCR_MINOR_VERSION 0x62
#define KE_PCR_PRCB 0x180
#define KE_PRCB_MXCSR 0x0
#define KE_PRCB_LEGACY_NUMBER 0x4
#define KE_PRCB_CURRENT_THREAD 0x8
#define KE_PRCB_NUMBER 0x24

/* Sets what gs:[0x188] (KPCR.Prcb.CurrentThread: KeGetCurrentThread,
 * PsGetCurrentThread) reads on the calling thread: its thread object. NULL
 * restores the placeholder every thread starts with (a zeroed KTHREAD-sized
 * block of its own) until thread objects exist. Creates the calling
 * thread's KPCR if it has none. */
void ke_pcr_set_thread(void *thread);

/* What gs:[0x188] reads on the calling thread. */
void *ke_pcr_current_thread(void);

/* The calling thread's KPCR, created on first use (NULL when memory runs
 * out). Safe in the fault handler: it only maps memory. */
uint8_t *ke_pcr_current(void);

/* The calling thread's KPCR, or NULL when it has none yet. */
uint8_t *ke_pcr_if_created(void);

/* Where, relative to the thread pointer (the fs base), every thread keeps
 * the address of its KPCR (NULL until created): patched code loads it with
 * `mov reg, fs:[offset]`. */
intptr_t ke_pcr_tls_offset(void);

/* The offset of a thread-local variable of ntbox's from the thread pointer:
 * the same in every thread, since ntbox's thread-local storage is static
 * (it is linked into the executable). */
intptr_t ke_tls_offset(const void *variable);

#endif
