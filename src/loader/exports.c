/* loader/exports.c: looking routines up in the export table (exports.h) and
 * collecting the names a driver imports that ntbox lacks.
 *
 * The table has a few hundred rows and a driver a few dozen imports, so a
 * linear search costs microseconds per load; no index is kept. */
#include "loader/exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool ldr_module_match(const struct ldr_export *e, const char *module)
{
    return !module || strcasecmp(e->module, module) == 0;
}

/* Since Windows 10 2004 the HAL lives in ntoskrnl: hal.dll forwards its
 * exports there, and ntoskrnl.exe exports them too. So a hal.dll row is
 * found when ntoskrnl.exe is asked (hal.dll still exports only its own). */
static bool ldr_module_forwards(const struct ldr_export *e, const char *module)
{
    return module && strcasecmp(module, "ntoskrnl.exe") == 0 && strcasecmp(e->module, "hal.dll") == 0;
}

const struct ldr_export *ldr_export_find(const char *module, const char *name)
{
    const struct ldr_export *forwarded = NULL;
    for (unsigned i = 0; i < ldr_export_count; i++) {
        if (strcmp(ldr_exports[i].name, name) != 0)
            continue;
        if (ldr_module_match(&ldr_exports[i], module))
            return &ldr_exports[i];
        if (ldr_module_forwards(&ldr_exports[i], module))
            forwarded = &ldr_exports[i];
    }
    return forwarded;
}

const struct ldr_export *ldr_export_find_ordinal(const char *module, unsigned ordinal)
{
    for (unsigned i = 0; i < ldr_export_count; i++)
        if (ldr_exports[i].ordinal == ordinal && ldr_module_match(&ldr_exports[i], module))
            return &ldr_exports[i];
    return NULL;
}

bool ldr_export_module_known(const char *module)
{
    for (unsigned i = 0; i < ldr_export_count; i++)
        if (strcasecmp(ldr_exports[i].module, module) == 0)
            return true;
    return false;
}

void ldr_missing_add(struct ldr_missing *m, const char *module, const char *name, unsigned ordinal)
{
    char item[512];
    bool qualify = module && strcasecmp(module, "ntoskrnl.exe") != 0;

    if (name)
        snprintf(item, sizeof item, "%s%s%s", qualify ? module : "", qualify ? "!" : "", name);
    else
        snprintf(item, sizeof item, "%s!#%u", module ? module : "?", ordinal);
    size_t add = strlen(item) + (m->count ? 2 : 0);
    char *grown = realloc(m->text, m->len + add + 1);
    if (!grown)
        return; /* the count still tells how many */
    m->text = grown;
    snprintf(m->text + m->len, add + 1, "%s%s", m->count ? ", " : "", item);
    m->len += add;
    m->count++;
}

void ldr_missing_message(const struct ldr_missing *m, const char *driver, const char *hint, char *err, size_t errn)
{
    snprintf(err, errn, "%s imports %u routine%s ntbox does not provide: %s%s", driver, m->count,
             m->count == 1 ? "" : "s", m->text ? m->text : "", hint);
}

void ldr_missing_free(struct ldr_missing *m)
{
    free(m->text);
    memset(m, 0, sizeof *m);
}
