/* loader/elf_got.h: rebinding a loaded ELF shared object's imports. */
#ifndef NTBOX_LOADER_ELF_GOT_H
#define NTBOX_LOADER_ELF_GOT_H

/* For each GOT slot of the object dlopen returned as handle that the
 * dynamic linker filled for a symbol (calls through the PLT and address
 * loads), asks rebind(name, current, ctx) for a replacement and stores it
 * when not NULL; read-only-after-relocation slots are made writable for
 * the stores only. Returns the number of slots changed, or -1 when the
 * object's dynamic section cannot be read or its pages not unprotected. */
int ldr_elf_rebind_got(void *handle, void *(*rebind)(const char *name, void *current, void *ctx), void *ctx);

#endif
