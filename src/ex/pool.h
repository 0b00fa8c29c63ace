/* ex/pool.h: ntbox-internal entry points of the pool (src/ex/pool.c).
 *
 * Every kernel routine that allocates on a driver's behalf (Rtl string
 * conversions with AllocateDestinationString, ...) goes through here, passing
 * the driver's return address, so the allocation is charged to the driver's
 * source line exactly as an ExAllocatePoolWithTag call would be. */
#ifndef NTBOX_EX_POOL_H
#define NTBOX_EX_POOL_H

#include <ntddk.h>
#include <stddef.h>
#include <stdio.h>

/* Allocates like ExAllocatePoolWithTag(type, size, tag) called from `caller`
 * (a return address into the driver). Honours POOL_ZERO_ALLOCATION. Returns
 * NULL on failure; never raises. */
PVOID ex_pool_allocate(POOL_TYPE type, SIZE_T size, ULONG tag, const void *caller);

/* Frees like ExFreePoolWithTag(p, tag) (tag 0: ExFreePool) called from
 * `caller`; a bad free is a bugcheck charged to `caller`. */
void ex_pool_free(PVOID p, ULONG tag, const void *caller);

/* The poolmon-style table of the run so far (tag in memory order, type,
 * allocs, frees, diff, bytes). */
void ex_pool_print_table(FILE *out);

/* Number of allocations not yet freed. When text is not NULL, *text receives
 * a malloc'd description, one line per allocation: tag, size, pool type,
 * address and the source line that allocated it. */
size_t ex_pool_outstanding(char **text);

#endif
