/* base/safe_read.h: touching memory that may not be mapped, without
 * faulting. Reports describe what a driver's pointers point at (a corrupt
 * LIST_ENTRY, the instruction at a faulting address), and the I/O manager
 * copies to and from user buffers; those pointers may be wild.
 *
 * The copy runs with a recovery point: a fault inside it is turned back
 * into a `false` return by the fault handler (ke/bugcheck.c calls
 * base_fault_recover first), as Linux's exception tables or an NT probe
 * inside __try do. No system call on the way: a few nanoseconds. */
#ifndef NTBOX_BASE_SAFE_READ_H
#define NTBOX_BASE_SAFE_READ_H

#include <stdbool.h>
#include <stddef.h>

/* Copies n bytes at addr into out; false (and nothing faults) when any of
 * them cannot be read. */
bool safe_read(const void *addr, void *out, size_t n);

/* Copies n bytes from in to addr; false when any of them cannot be
 * written (bytes before the fault may have been written). */
bool safe_write(void *addr, const void *in, size_t n);

/* Rewrites each byte of [addr, addr + n) with its own value, one byte per
 * `stride`: proves the pages writable (ProbeForWrite's test). */
bool safe_touch_writable(void *addr, size_t n, size_t stride);

/* Called first by the fault handler: when the faulting thread is inside one
 * of the copies above, resumes it there (returning false) and does not
 * return; otherwise returns. */
void base_fault_recover(void);

#endif
