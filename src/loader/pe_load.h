/* loader/pe_load.h: PE .sys drivers in ntbox: loading through the export
 * table, the /GS cookie, stubs for missing imports, names for addresses. */
#ifndef NTBOX_LOADER_PE_LOAD_H
#define NTBOX_LOADER_PE_LOAD_H

#include "loader/module.h"

#include <ntddk.h>
#include <stdbool.h>
#include <stddef.h>

/* Loads the .sys at path: parses and checks it, maps it, applies its
 * relocations, binds every import through the export table (a missing one
 * fails the load with the list of them all, unless allow_missing binds each
 * to a stub), initializes its /GS cookie, protects its sections and records
 * it in the module table with its entry point. On failure returns NULL with
 * err saying what was wrong. */
struct ldr_module *ldr_load_pe(const char *path, bool allow_missing, char *err, size_t errn);

/* Reads a whole image file into *data (malloc'd); false with "PATH: why"
 * in err. */
bool ldr_read_file(const char *path, unsigned char **data, size_t *size, char *err, size_t errn);

/* Unmaps the image and forgets it. */
void ldr_unload_pe(struct ldr_module *m);

/* Fills buf with the symbol holding addr in a PE module ("DriverEntry+0x1a",
 * or the name alone at its start); "" when none is known. */
void ldr_pe_symbol(const struct ldr_module *m, uintptr_t addr, char *buf, size_t n);

/* After DriverEntry succeeds, Windows frees the image's INIT sections (the
 * code and data only initialization needs: #pragma alloc_text(INIT, ...)):
 * their pages become inaccessible, so a later call or reference faults.
 * Nothing for a native module. */
void ldr_pe_discard_init(const struct ldr_module *m);

/* The name of the discarded section ("INIT") holding addr in module m, or
 * NULL when addr is in none. Safe in the fault handler. */
const char *ldr_pe_discarded_section(const struct ldr_module *m, uintptr_t addr);

/* The value of the /GS cookie of the PE module m (0 when m is NULL, native
 * or has no cookie). */
ULONG64 ldr_pe_cookie(const struct ldr_module *m);

/* What pe_patch.c found and patched in the PE module m (NULL when m is
 * native). */
struct ldr_patch_counts;
const struct ldr_patch_counts *ldr_pe_patch_counts(const struct ldr_module *m);

/* /GS (pe_gs.c): replaces an image's /GS cookie (unaligned) when it holds the linker's
 * default, as the Windows loader does; returns whether it did. */
bool ldr_gs_init_cookie(void *cookie);

/* gcc's __stack_chk_fail, which .sys drivers import and native ones' C
 * runtime jumps to: bug check 0xF7, charged to the function that found its
 * stack guard overwritten (the caller). */
__attribute__((noreturn)) VOID NTAPI ldr_gs_stack_chk_fail(VOID);

/* --allow-missing (pe_stubs.c): a routine that, when called, stops the run
 * naming module!name, or an inaccessible page for a variable. NULL when
 * memory runs out. Released by ldr_stubs_free. */
struct ldr_stubs;
void *ldr_stub_for(struct ldr_stubs **stubs, const char *module, const char *name, unsigned ordinal, bool data);
void ldr_stubs_free(struct ldr_stubs *stubs);

#endif
