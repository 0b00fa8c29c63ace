/* loader/exports.h: the export table, ntbox's one answer to "does ntbox
 * provide this routine, and where is it".
 *
 * The rows come from src/loader/exports.list, turned into C at build time by
 * cmake/exports.sh (ldr_exports[]). Both loaders bind through it: a PE
 * image's imports by module and name or ordinal, a native image's by name.
 * This header is included by the generated file, which declares each
 * implementation as `extern char NAME[]`: it must not pull in the WDK
 * headers, whose prototypes would clash with those declarations. */
#ifndef NTBOX_LOADER_EXPORTS_H
#define NTBOX_LOADER_EXPORTS_H

#include <stdbool.h>
#include <stddef.h>

enum ldr_export_kind { LDR_EXPORT_FUNC, LDR_EXPORT_DATA };

/* max_irql when the list does not record it. */
#define LDR_IRQL_UNKNOWN 255

struct ldr_export {
    const char *module;       /* the Windows image exporting it: "ntoskrnl.exe", "hal.dll" */
    const char *name;
    unsigned char kind;       /* enum ldr_export_kind */
    unsigned char max_irql;   /* highest IRQL a caller may run at, or LDR_IRQL_UNKNOWN */
    unsigned short ordinal;   /* position among the module's rows, from 1 */
    void *address;            /* the implementation; NULL: missing */
    void *irql_thunk;         /* the IRQL-checking entry (loader/irql_thunk.h), or
                               * NULL: HIGH, unrecorded, or checked by the routine */
};

extern const struct ldr_export ldr_exports[];
extern const unsigned ldr_export_count;

/* The row for name exported by module (compared case-insensitively, as
 * Windows compares module names); module NULL: any module. ntoskrnl.exe
 * also finds hal.dll's rows, as modern ntoskrnl exports the HAL's routines.
 * NULL when the table has no such row. A row found may still be missing
 * (address NULL). */
const struct ldr_export *ldr_export_find(const char *module, const char *name);

/* What a driver's import of the row binds to: its IRQL-checking thunk when
 * the verifier's irql group is on and the row has one, else the routine. */
void *ldr_export_target(const struct ldr_export *e);

/* The row with that ordinal in module, or NULL. */
const struct ldr_export *ldr_export_find_ordinal(const char *module, unsigned ordinal);

/* Whether the table has rows for module: the modules ntbox stands in for. */
bool ldr_export_module_known(const char *module);

/* Whether the row is the client API's (kernel32.dll, advapi32.dll): what
 * user-mode programs link, never drivers. Both loaders refuse a driver
 * that imports one, as a missing import. */
bool ldr_export_user_mode(const struct ldr_export *e);

/* The list of imports a driver needs and ntbox lacks, for the load error
 * "NAME imports N routines ntbox does not provide: A, B, ...": every name,
 * however many. Names from ntoskrnl.exe are bare; others are qualified as
 * WinDbg shows them ("fltmgr.sys!FltRegisterFilter"). Those that are
 * user-mode APIs are listed again, with their module, to say so. */
struct ldr_missing {
    char *text;         /* "A, B, ..." (malloc'd), or NULL when none */
    size_t len;
    unsigned count;
    char *user_text;    /* "CreateFileW (kernel32.dll), ...", or NULL */
    size_t user_len;
    unsigned user_count;
};

/* Adds module!name (module NULL for a native image's import; name NULL for
 * an import by ordinal). */
void ldr_missing_add(struct ldr_missing *m, const char *module, const char *name, unsigned ordinal);

/* Fills err with "DRIVER imports N routine(s) ntbox does not provide: LIST",
 * then "; A (kernel32.dll), ... are user-mode APIs, for client programs,
 * not available to drivers" when some are, then hint (may be ""). */
void ldr_missing_message(const struct ldr_missing *m, const char *driver, const char *hint, char *err, size_t errn);

void ldr_missing_free(struct ldr_missing *m);

#endif
