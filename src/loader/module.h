/* loader/module.h: the driver images ntbox has loaded, native (.so) or PE
 * (.sys). Reports, pool ownership and backtraces ask which image holds an
 * address. */
#ifndef NTBOX_LOADER_MODULE_H
#define NTBOX_LOADER_MODULE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ldr_pe; /* a PE image's loader state (pe_load.c) */

struct ldr_module {
    char name[64];          /* driver name: "sample" */
    char image_name[80];    /* how addresses in it are shown: "sample.so", "sample.sys" */
    char image[PATH_MAX];   /* the file mapped: the .so or the .sys */
    char source[PATH_MAX];  /* the source it was compiled from, or "" */
    uintptr_t start, end;   /* mapped address range [start, end) */
    uintptr_t bias;         /* address - bias = the address in the file's own terms (addr2line's) */
    void *handle;           /* native: dlopen handle */
    struct ldr_pe *pe;      /* PE: the mapping, symbols and stubs */
    void *entry;            /* DriverEntry (a PE image's AddressOfEntryPoint) */
    const void *stack_guard; /* native: its gcc stack guard (src/crt/stack_guard.c), or NULL */
};

struct ldr_load_options {
    bool allow_missing;     /* PE: bind imports ntbox lacks to stubs instead of refusing the driver */
};

/* Loads DRIVER: a PE image (.sys, or any file starting with "MZ") through
 * the PE loader, anything else (.c, .cpp, .so) through the native one. On
 * failure returns NULL with a message in err saying what was wrong. */
struct ldr_module *ldr_load(const char *path, const struct ldr_load_options *opt, char *err, size_t errn);

/* Unloads a driver ldr_load loaded. */
void ldr_unload(struct ldr_module *m);

/* Records a loaded image; returns its slot, or NULL when the table is full. */
struct ldr_module *ldr_module_add(const struct ldr_module *m);

/* Forgets an image (at unload). */
void ldr_module_remove(struct ldr_module *m);

/* The loaded image holding addr, or NULL. */
const struct ldr_module *ldr_module_at(const void *addr);

#endif
