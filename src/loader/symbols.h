/* loader/symbols.h: turning code addresses into what a developer reads.
 *
 * For a driver the answer comes from its DWARF line table ("sample.cpp:22"),
 * an inlined routine of ntbox's headers being charged to the driver's line
 * that called it; otherwise module+offset, or the nearest exported symbol. */
#ifndef NTBOX_LOADER_SYMBOLS_H
#define NTBOX_LOADER_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with "FILE:LINE in FUNCTION (MODULE+0xOFFSET)", dropping the
 * parts that are not known. is_return_address: addr is a return address, so
 * the call instruction before it is what is described. Returns buf. */
const char *ldr_describe_address(const void *addr, bool is_return_address, char *buf, size_t n);

/* Fills buf with the source position alone ("sample.cpp:22"), or with
 * "MODULE+0xOFFSET" when no line is known. Returns buf. */
const char *ldr_source_line(const void *addr, bool is_return_address, char *buf, size_t n);

/* The name of the loaded driver whose image holds addr ("sample"), or NULL. */
const char *ldr_driver_name_at(const void *addr);

#endif
