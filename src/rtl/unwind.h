/* rtl/unwind.h: the function tables (.pdata) of loaded .sys images, and
 * the x64 virtual unwinder that reads them (rtl/unwind.c). */
#ifndef NTBOX_RTL_UNWIND_H
#define NTBOX_RTL_UNWIND_H

#include <ntddk.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registers the exception directory [rva, rva + bytes) of the image
 * mapped at [base, base + size), after checking every entry: code ranges
 * inside the image and in ascending order, unwind information inside the
 * image. false with a message in err ("exception directory: entry 3 ...")
 * when the table is malformed or there is no room for another. An empty
 * directory registers nothing and succeeds. */
bool rtl_function_table_add(uintptr_t base, size_t size, uint32_t rva, uint32_t bytes, char *err, size_t errn);

/* Forgets the table of the image at base (at unload); no table, no effect. */
void rtl_function_table_remove(uintptr_t base);

/* Whether some registered image has a function with an exception or
 * termination handler: without one no .sys frame can take an exception.
 * Lock-free (the fault handler asks). */
bool rtl_function_tables_have_handlers(void);

/* The function table entry covering pc in a registered image (indirect
 * entries followed), its image base in *base; NULL (and *base 0) when no
 * registered image has an entry for pc. Lock-free. */
PRUNTIME_FUNCTION rtl_lookup_function_entry(ULONG64 pc, ULONG64 *base);

/* Whether pc lies in an image with a registered table: where no entry
 * covers it, it is in a leaf function, whose return address is at RSP. */
bool rtl_function_table_covers(ULONG64 pc);

/* Takes context out of a leaf function (no table entry: its return
 * address is at RSP). False when that cannot be read or makes no progress. */
bool rtl_unwind_leaf(PCONTEXT context);

/* The image size of the registered image at base, or 0 when base is not a
 * registered image's. */
size_t rtl_function_table_image_size(ULONG64 base);

/* RtlVirtualUnwind, but every read of the stack and of the unwind data
 * survives bad pointers: *ok is false when one failed (the context is then
 * partly unwound and must not be used). */
PEXCEPTION_ROUTINE rtl_virtual_unwind(ULONG handler_type, ULONG64 base, ULONG64 pc, PRUNTIME_FUNCTION function,
                                      PCONTEXT context, PVOID *handler_data, PULONG64 establisher_frame,
                                      PKNONVOLATILE_CONTEXT_POINTERS pointers, bool *ok);

#endif
