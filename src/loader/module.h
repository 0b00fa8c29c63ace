/* loader/module.h: the driver images ntbox has loaded.
 * Reports, pool ownership and backtraces ask which image holds an address. */
#ifndef NTBOX_LOADER_MODULE_H
#define NTBOX_LOADER_MODULE_H

#include <limits.h>
#include <stdint.h>

struct ldr_module {
    char name[64];          /* driver name: "sample" */
    char image[PATH_MAX];   /* the file mapped: the .so */
    char source[PATH_MAX];  /* the source it was compiled from, or "" */
    uintptr_t start, end;   /* mapped address range [start, end) */
    uintptr_t bias;         /* load bias: address - bias = file virtual address */
    void *handle;           /* dlopen handle */
    void *entry;            /* DriverEntry */
};

/* Records a loaded image; returns its slot, or NULL when the table is full. */
struct ldr_module *ldr_module_add(const struct ldr_module *m);

/* Forgets an image (at unload). */
void ldr_module_remove(struct ldr_module *m);

/* The loaded image holding addr, or NULL. */
const struct ldr_module *ldr_module_at(const void *addr);

#endif
