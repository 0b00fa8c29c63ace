/* mm/mm.h: ntbox-internal entry points of the memory manager: probes and
 * copies of caller buffers that report a status instead of raising or
 * faulting, and MDLs charged to a given caller. The I/O manager's request
 * building (src/io/buffering.c) and the system services use them for
 * buffers from user mode, where Windows would probe and then catch the
 * access violation with SEH. */
#ifndef NTBOX_MM_MM_H
#define NTBOX_MM_MM_H

#include <ntddk.h>

#include <stdbool.h>

/* ProbeForRead's checks without the raise: STATUS_SUCCESS, or
 * STATUS_DATATYPE_MISALIGNMENT when address is not a multiple of alignment,
 * or STATUS_ACCESS_VIOLATION when [address, address + length) wraps or
 * reaches past MmUserProbeAddress. Length 0 is always STATUS_SUCCESS. The
 * memory itself is not touched. */
NTSTATUS mm_probe_for_read(const volatile void *address, SIZE_T length, ULONG alignment);

/* ProbeForWrite's checks without the raise: those of mm_probe_for_read,
 * then STATUS_ACCESS_VIOLATION unless every page is writable (tested by
 * writing each page's first byte back to itself, as Windows does). */
NTSTATUS mm_probe_for_write(volatile void *address, SIZE_T length, ULONG alignment);

/* Whether every page of a non-empty range that does not wrap is readable
 * and, with write set, writable (each page's first byte written back). */
bool mm_pages_accessible(const volatile void *address, SIZE_T length, bool write);

/* Copies length bytes to destination; false, with nothing faulting, when
 * any destination byte is not writable (base/safe_read.h is the read side). */
bool mm_safe_write(void *destination, const void *source, SIZE_T length);

/* An MDL for length bytes at va from the pool (tag 'Mdl '), charged to
 * caller (a return address into the driver, or NULL for ntbox's own), as
 * IoAllocateMdl without an IRP; NULL when length is above 4 GB - PAGE_SIZE
 * or memory runs out. Free with IoFreeMdl. */
PMDL mm_mdl_allocate(PVOID va, ULONG length, const void *caller);

/* MmProbeAndLockPages without the raise: STATUS_ACCESS_VIOLATION when the
 * buffer is not all readable (IoReadAccess) or writable (otherwise), or, for
 * UserMode, not all below MmUserProbeAddress; else fills the PFN array and
 * sets MDL_PAGES_LOCKED (and MDL_WRITE_OPERATION unless IoReadAccess). */
NTSTATUS mm_mdl_lock(PMDL mdl, KPROCESSOR_MODE mode, LOCK_OPERATION operation);

#endif
