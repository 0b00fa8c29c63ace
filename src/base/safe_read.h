/* base/safe_read.h: reading memory that may not be mapped, without faulting.
 * Reports describe what a driver's pointers point at (a corrupt LIST_ENTRY,
 * the instruction at a faulting address); those pointers may be wild. */
#ifndef NTBOX_BASE_SAFE_READ_H
#define NTBOX_BASE_SAFE_READ_H

#include <stdbool.h>
#include <stddef.h>

/* Copies n bytes at addr into out; false (and nothing faults) when any of
 * them cannot be read. */
bool safe_read(const void *addr, void *out, size_t n);

#endif
