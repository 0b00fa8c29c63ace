/* loader/elf_imports.h: the routines an ELF shared object imports, and those
 * an ELF image exports. */
#ifndef NTBOX_LOADER_ELF_IMPORTS_H
#define NTBOX_LOADER_ELF_IMPORTS_H

#include <stdbool.h>
#include <stddef.h>

/* Calls fn(name, ctx) for each undefined, non-weak dynamic symbol of the
 * ELF64 file at path. Every offset and size is checked against the file
 * before use. Returns false with a message in err for a malformed file. */
bool ldr_elf_imports(const char *path, void (*fn)(const char *name, void *ctx), void *ctx, char *err, size_t errn);

/* Calls fn(name, ctx) for each routine and variable the ELF64 image at path
 * defines and exports: global, default visibility, not a copy of another
 * library's symbol (those carry the library's version). */
bool ldr_elf_exports(const char *path, void (*fn)(const char *name, void *ctx), void *ctx, char *err, size_t errn);

#endif
