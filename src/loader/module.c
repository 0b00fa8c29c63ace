/* loader/module.c: the table of loaded driver images (see module.h). */
#include "loader/module.h"

#include "loader/symbols.h"

#include <string.h>

#define LDR_MAX_MODULES 16

static struct ldr_module ldr_modules[LDR_MAX_MODULES];
static int ldr_module_used[LDR_MAX_MODULES];

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
