/* loader/module.c: the table of loaded driver images, and the choice of
 * loader for a driver (see module.h). */
#include "loader/module.h"

#include "loader/native.h"
#include "loader/pe_load.h"
#include "loader/symbols.h"
#include "verifier/lock_order.h"

#include <stdio.h>
#include <string.h>

#define LDR_MAX_MODULES 16

static struct ldr_module ldr_modules[LDR_MAX_MODULES];
static int ldr_module_used[LDR_MAX_MODULES];

/* A PE image starts with the MZ of its DOS header, whatever its name. */
static bool ldr_is_pe(const char *path)
{
    char magic[2];
    FILE *f = fopen(path, "rb");
    bool pe = f && fread(magic, 1, 2, f) == 2 && magic[0] == 'M' && magic[1] == 'Z';
    if (f)
        fclose(f);
    return pe;
}

struct ldr_module *ldr_load(const char *path, const struct ldr_load_options *opt, char *err, size_t errn)
{
    if (ldr_is_pe(path))
        return ldr_load_pe(path, opt->allow_missing, err, errn);
    return ldr_load_native(path, opt->allow_missing, err, errn);
}

void ldr_unload(struct ldr_module *m)
{
    vf_lock_forget((const void *)m->start, m->end - m->start);
    if (m->pe)
        ldr_unload_pe(m);
    else
        ldr_unload_native(m);
}

struct ldr_module *ldr_module_add(const struct ldr_module *m)
{
    for (int i = 0; i < LDR_MAX_MODULES; i++) {
        if (!ldr_module_used[i]) {
            ldr_modules[i] = *m;
            ldr_module_used[i] = 1;
            return &ldr_modules[i];
        }
    }
    return NULL;
}

void ldr_module_remove(struct ldr_module *m)
{
    ldr_module_used[m - ldr_modules] = 0;
}

const struct ldr_module *ldr_module_at(const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    for (int i = 0; i < LDR_MAX_MODULES; i++)
        if (ldr_module_used[i] && a >= ldr_modules[i].start && a < ldr_modules[i].end)
            return &ldr_modules[i];
    return NULL;
}

const char *ldr_driver_name_at(const void *addr)
{
    const struct ldr_module *m = ldr_module_at(addr);
    return m ? m->name : NULL;
}
