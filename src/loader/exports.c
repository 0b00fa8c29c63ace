/* loader/exports.c: looking routines up in the export table (exports.h) and
 * collecting the names a driver imports that ntbox lacks.
 *
 * The table has a few hundred rows and a driver a few dozen imports, so a
 * linear search costs microseconds per load; no index is kept. */
#include "loader/exports.h"

#include "verifier/verifier.h"

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

void *ldr_export_target(const struct ldr_export *e)
{
    return e->irql_thunk && vf_enabled(VF_IRQL) ? e->irql_thunk : e->address;
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

bool ldr_export_user_mode(const struct ldr_export *e)
{
    static const char *const user_modules[] = { "kernel32.dll", "advapi32.dll" };
    for (size_t i = 0; i < sizeof user_modules / sizeof user_modules[0]; i++)
        if (strcasecmp(e->module, user_modules[i]) == 0)
            return true;
    return false;
}

/* Appends ", item" (or the first item) to a list; on failure to grow, the
 * text stays as it was. */
static void ldr_list_append(char **text, size_t *len, bool first, const char *item)
{
    size_t add = strlen(item) + (first ? 0 : 2);
    char *grown = realloc(*text, *len + add + 1);
    if (!grown)
        return;
    *text = grown;
    snprintf(*text + *len, add + 1, "%s%s", first ? "" : ", ", item);
    *len += add;
}

void ldr_missing_add(struct ldr_missing *m, const char *module, const char *name, unsigned ordinal)
{
    char item[512];
    bool qualify = module && strcasecmp(module, "ntoskrnl.exe") != 0;
    const struct ldr_export *e = name ? ldr_export_find(module, name) : ldr_export_find_ordinal(module, ordinal);

    if (name)
        snprintf(item, sizeof item, "%s%s%s", qualify ? module : "", qualify ? "!" : "", name);
    else
        snprintf(item, sizeof item, "%s!#%u", module ? module : "?", ordinal);
    ldr_list_append(&m->text, &m->len, m->count == 0, item);
    m->count++;
    if (e && ldr_export_user_mode(e)) {
        snprintf(item, sizeof item, "%s (%s)", e->name, e->module);
        ldr_list_append(&m->user_text, &m->user_len, m->user_count == 0, item);
        m->user_count++;
    }
}

void ldr_missing_message(const struct ldr_missing *m, const char *driver, const char *hint, char *err, size_t errn)
{
    int n = snprintf(err, errn, "%s imports %u routine%s ntbox does not provide: %s", driver, m->count,
                     m->count == 1 ? "" : "s", m->text ? m->text : "");
    if (m->user_count && n >= 0 && (size_t)n < errn)
        n += snprintf(err + n, errn - (size_t)n, "; %s %s user-mode API%s, for client programs, not available "
                      "to drivers", m->user_text ? m->user_text : "", m->user_count == 1 ? "is a" : "are",
                      m->user_count == 1 ? "" : "s");
    if (n >= 0 && (size_t)n < errn)
        snprintf(err + n, errn - (size_t)n, "%s", hint);
}

void ldr_missing_free(struct ldr_missing *m)
{
    free(m->text);
    free(m->user_text);
    memset(m, 0, sizeof *m);
}
