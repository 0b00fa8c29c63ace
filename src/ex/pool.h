/* ex/pool.h: ntbox-internal entry points of the pool (src/ex/pool*.c).
 *
 * Every kernel routine that allocates on a driver's behalf (Rtl string
 * conversions with AllocateDestinationString, ...) goes through here, passing
 * the driver's return address, so the allocation is charged to the driver's
 * source line exactly as an ExAllocatePoolWithTag call would be. */
#ifndef NTBOX_EX_POOL_H
#define NTBOX_EX_POOL_H

#include <ntddk.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Allocates like ExAllocatePoolWithTag(type, size, tag) called from `caller`
 * (a return address into the driver). Honours POOL_ZERO_ALLOCATION. Returns
 * NULL on failure; never raises. */
PVOID ex_pool_allocate(POOL_TYPE type, SIZE_T size, ULONG tag, const void *caller);

/* Frees like ExFreePoolWithTag(p, tag) (tag 0: ExFreePool) called from
 * `caller`; a bad free is a bugcheck charged to `caller`. */
void ex_pool_free(PVOID p, ULONG tag, const void *caller);

/* True when p points into the pool's address space: a block, live or
 * freed, or memory the pool holds for later blocks. Stack, malloc, image and
 * user-mode buffers are never there. One range check, no lock: the I/O
 * manager asks it to tell kernel buffers from user buffers. */
bool ex_pool_owns_address(const void *p);

/* A block a thread frees is handed out again only once that thread has
 * freed EX_POOL_QUARANTINE_BLOCKS - 1 more blocks of its size class (blocks
 * of the same size share one); until it is handed out, a second free of it
 * is recognised as a double free (BAD_POOL_CALLER 0x07). */
#define EX_POOL_QUARANTINE_BLOCKS 64

/* The poolmon-style table of the run so far (tag in memory order, type,
 * allocs, frees, diff, bytes). */
void ex_pool_print_table(FILE *out);

/* Number of allocations not yet freed. When text is not NULL, *text receives
 * a malloc'd description, one line per allocation: tag, size, pool type,
 * address and the source line that allocated it. */
size_t ex_pool_outstanding(char **text);

/* The same for the allocations made from one loaded image's code (the
 * driver's own, and those ntbox made on its behalf, charged to its call
 * sites). */
struct ldr_module;
size_t ex_pool_outstanding_of(const struct ldr_module *owner, char **text);

/* What the reports read (src/ex/pool_report.c). */
enum ex_pool_class { EX_POOL_PAGED, EX_POOL_NONPAGED, EX_POOL_NONPAGED_NX, EX_POOL_CLASSES };

/* One (tag, pool class) row of the run so far. */
struct ex_pool_tag_row {
    ULONG tag; /* without PROTECTED_POOL */
    enum ex_pool_class pool_class;
    LONG64 allocs, frees, bytes; /* bytes: outstanding, as requested */
};

/* One allocation not yet freed. */
struct ex_pool_block_info {
    const void *address;
    SIZE_T size;
    ULONG tag;
    POOL_TYPE type;      /* without the modifier bits */
    const void *caller;  /* return address into the allocating code */
    ULONG64 sequence;    /* allocation order */
};

/* Copies the tag rows into a malloc'd array (*rows, unsorted); returns the
 * count. */
size_t ex_pool_tag_rows(struct ex_pool_tag_row **rows);

/* Copies the live allocations into a malloc'd array (*blocks), in allocation
 * order; returns the count. */
size_t ex_pool_live_blocks(struct ex_pool_block_info **blocks);

/* The tag as poolmon shows it, in memory order ('dcba' is "abcd", 'enoN' is
 * "None"), PROTECTED_POOL cleared, NUL as a space, other unprintable bytes as
 * '.'. Returns out (5 bytes). */
const char *ex_pool_tag_text(ULONG tag, char out[5]);

/* "PagedPool", "NonPagedPoolNx", ... or NULL for a value that is no POOL_TYPE. */
const char *ex_pool_type_name(ULONG type);

/* What a faulting address is to the pool: the guard page after a
 * special-pool block (Driver Verifier's 0xD6) or the page of a freed one
 * (0xD5); *block is that block. NONE for any other address, and then
 * *block is untouched. Reads without locking: it runs in the fault
 * handler. */
struct vf_block;
enum ex_pool_fault { EX_POOL_FAULT_NONE, EX_POOL_FAULT_BEYOND_END, EX_POOL_FAULT_FREED };
enum ex_pool_fault ex_pool_classify_fault(const void *addr, struct vf_block *block);

/* How many live paged special-pool blocks' pages are open (each also
 * counts in ke_pageable_open), and what makes them inaccessible. */
extern unsigned ex_paged_open;
void ex_paged_trim(void);

/* A fault at addr, below DISPATCH_LEVEL, on the page of a live paged
 * special-pool block that a raise made inaccessible: the page is opened
 * again and true returned (the access is retried). False for anything
 * else. Runs in the fault handler. */
bool ex_pool_paged_reopen(const void *addr);

/* True, with *block, when addr is on the page of a live paged block that
 * special pool holds (the pages ex_pool_paged_reopen opens). Reads
 * without locking: it runs in the fault handler. */
bool ex_pool_paged_block(const void *addr, struct vf_block *block);

/* "'abcd' PagedPool 0x58 bytes allocated at sample.cpp:20 in DriverEntry
 * (...)", and ", freed at ..." once freed. Returns out. */
const char *ex_pool_describe_block(const struct vf_block *block, char *out, size_t n);

/* Raises status from `caller` (src/ex/raise.c): with no SEH for drivers yet
 * the raise is unhandled and stops the run. detail: why, or NULL. */
__attribute__((noreturn)) void ex_raise_status(NTSTATUS status, const void *caller, const char *detail);

#endif
