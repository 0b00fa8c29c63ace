/* loader/pe_load.c: a .sys driver loaded the way Windows' kernel loader
 * loads one (see pe_load.h): parsed and checked (pe_parse.c), mapped and
 * relocated (pe_map.c), its imports bound through the export table
 * (exports.h) by name or ordinal, module names matched without regard to
 * case, its /GS cookie initialized (pe_gs.c), its inline privileged
 * instructions patched (pe_patch.c), its sections protected, and
 * recorded in the module table so reports, pool ownership and backtraces
 * can name it ("driver.sys+0x1a2c"). Its INIT sections are discarded
 * after DriverEntry, as Windows frees them. */
#include "loader/pe_load.h"

#include "base/diag.h"
#include "loader/exports.h"
#include "loader/pe.h"
#include "loader/pe_patch.h"
#include "mm/pageable.h"
#include "rtl/unwind.h"
#include "verifier/verifier.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* INIT sections an image may have; more are not discarded. */
#define LDR_PE_MAX_INIT 4
/* PAGE sections an image may have; more are not trimmed. */
#define LDR_PE_MAX_PAGEABLE 8

struct ldr_pe {
    struct pe_image img;
    struct pe_symbols syms;
    struct ldr_stubs *stubs;
    const void *cookie;      /* the /GS cookie (unaligned), or NULL */
    struct ldr_patches *patches;
    struct ldr_patch_counts patch_counts;
    struct { uint32_t start, end; } init[LDR_PE_MAX_INIT]; /* INIT sections' whole pages, as RVAs */
    unsigned ninit;
    bool init_discarded;
    struct { uint32_t start, end; int prot; char name[16]; } pageable[LDR_PE_MAX_PAGEABLE]; /* PAGE sections' */
    unsigned npageable;
    bool pageable_added;
};

struct ldr_bind {
    bool allow_missing;
    struct ldr_missing missing;
    struct ldr_missing data_stubs;   /* variables bound to an inaccessible page */
    struct ldr_stubs **stubs;
    bool out_of_memory;
};

bool ldr_read_file(const char *path, unsigned char **data, size_t *size, char *err, size_t errn)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return false;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* Larger than any image ntbox maps, with its debug information. */
    if (n < 0 || (unsigned long)n > 2ul * PE_MAX_IMAGE_SIZE) {
        fclose(f);
        snprintf(err, errn, "%s: cannot be read (too large, or not a regular file)", path);
        return false;
    }
    *data = malloc(n ? (size_t)n : 1);
    bool ok = *data && fread(*data, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    if (!ok) {
        free(*data);
        snprintf(err, errn, "%s: cannot be read", path);
        return false;
    }
    *size = (size_t)n;
    return true;
}

/* The driver's name: the file name without directory and extension. */
static void ldr_pe_names(const char *path, struct ldr_module *m)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(m->image_name, sizeof m->image_name, "%s", base);
    snprintf(m->name, sizeof m->name, "%s", base);
    char *dot = strrchr(m->name, '.');
    if (dot && dot != m->name)
        *dot = 0;
}

static bool ldr_bind_import(void *ctx, const struct pe_import *imp)
{
    struct ldr_bind *b = ctx;
    const struct ldr_export *e =
        imp->name ? ldr_export_find(imp->module, imp->name) : ldr_export_find_ordinal(imp->module, imp->ordinal);
    uint64_t target;

    if (e && e->address && !ldr_export_user_mode(e)) {
        target = (uintptr_t)ldr_export_target(e);
    } else {
        ldr_missing_add(&b->missing, imp->module, imp->name, imp->ordinal);
        if (!b->allow_missing)
            return true; /* go on: the message lists every missing name */
        bool data = e && e->kind == LDR_EXPORT_DATA;
        void *stub = ldr_stub_for(b->stubs, imp->module, imp->name, imp->ordinal, data);
        if (!stub) {
            b->out_of_memory = true;
            return false;
        }
        if (data)
            ldr_missing_add(&b->data_stubs, imp->module, imp->name, imp->ordinal);
        target = (uintptr_t)stub;
    }
    memcpy(imp->slot, &target, sizeof target);
    return true;
}

/* Binds every import; err receives the complete list of missing ones. */
static bool ldr_bind_imports(struct ldr_module *m, const char *path, const struct pe_file *pe, struct ldr_pe *lp,
                             bool allow_missing, char *err, size_t errn)
{
    struct ldr_bind b = { allow_missing, { 0 }, { 0 }, &lp->stubs, false };
    char why[512];
    bool ok = pe_imports(pe, &lp->img, ldr_bind_import, &b, why, sizeof why);

    if (!ok) {
        pe_fail(err, errn, "%s: %s", path, why);
    } else if (b.out_of_memory) {
        snprintf(err, errn, "%s: out of memory binding stubs for missing imports", m->name);
        ok = false;
    } else if (b.missing.count && !allow_missing) {
        ldr_missing_message(&b.missing, m->name,
                            " (`ntbox run --allow-missing` binds each to a stub that stops the run when called)", err,
                            errn);
        ok = false;
    } else if (b.missing.count) {
        diag_note("--allow-missing: %s's %u import%s ntbox lacks %s bound to stubs that stop the run when used: %s",
                  m->name, b.missing.count, b.missing.count == 1 ? "" : "s", b.missing.count == 1 ? "is" : "are",
                  b.missing.text ? b.missing.text : "");
        if (b.data_stubs.count)
            diag_note("--allow-missing: the variable%s %s %s inaccessible: reading %s faults",
                      b.data_stubs.count == 1 ? "" : "s", b.data_stubs.text ? b.data_stubs.text : "",
                      b.data_stubs.count == 1 ? "is" : "are", b.data_stubs.count == 1 ? "it" : "one");
    }
    ldr_missing_free(&b.missing);
    ldr_missing_free(&b.data_stubs);
    return ok;
}

/* The pages section s has to itself, as RVAs [*start, *end); false when
 * none. A page it shares with another section (section alignment below
 * the page size) is left out. */
static bool ldr_pe_section_pages(const struct pe_file *pe, const struct pe_section *s, const struct ldr_pe *lp,
                                 uint32_t *start, uint32_t *end)
{
    const uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);
    uint64_t last = (uint64_t)s->rva + s->vsize;
    *start = (s->rva + page - 1) & ~(page - 1);
    last = pe->section_alignment >= page ? (last + page - 1) & ~(uint64_t)(page - 1) : last & ~(uint64_t)(page - 1);
    *end = (uint32_t)last;
    return s->vsize && last > *start && last <= lp->img.mapped;
}

/* The pages of the sections named INIT, to be discarded, and, while the
 * verifier's irql group is on, those of the pageable ones (PAGE...), to be
 * trimmed. */
static void ldr_pe_find_sections(const struct pe_file *pe, struct ldr_pe *lp)
{
    char name[sizeof lp->pageable[0].name];
    for (unsigned i = 0; i < pe->nsections; i++) {
        const struct pe_section *s = &pe->sections[i];
        uint32_t start, end;
        if (!ldr_pe_section_pages(pe, s, lp, &start, &end))
            continue;
        if (strcmp(s->name, "INIT") == 0 && lp->ninit < LDR_PE_MAX_INIT) {
            lp->init[lp->ninit].start = start, lp->init[lp->ninit++].end = end;
        } else if (vf_enabled(VF_IRQL) && mm_pageable_name(pe_section_name(pe, i, name, sizeof name)) &&
                   lp->npageable < LDR_PE_MAX_PAGEABLE) {
            unsigned k = lp->npageable++;
            lp->pageable[k].start = start, lp->pageable[k].end = end;
            lp->pageable[k].prot = pe_section_prot(s->characteristics);
            snprintf(lp->pageable[k].name, sizeof lp->pageable[k].name, "%s", name);
        }
    }
}

/* Hands the pageable sections to the trimming (mm/pageable.c), under the
 * module's image name. */
static bool ldr_pe_add_pageable(const struct ldr_module *m, struct ldr_pe *lp)
{
    for (unsigned i = 0; i < lp->npageable; i++) {
        lp->pageable_added = true;
        if (!mm_pageable_add(m->image_name, lp->pageable[i].name, lp->img.base + lp->pageable[i].start,
                             lp->pageable[i].end - lp->pageable[i].start, lp->pageable[i].prot))
            return false;
    }
    return true;
}

/* Everything after the file is parsed; lp->img receives the mapping. */
static bool ldr_pe_prepare(struct ldr_module *m, const char *path, const struct pe_file *pe, struct ldr_pe *lp,
                           bool allow_missing, char *err, size_t errn)
{
    uint64_t *cookie;
    char why[512];

    if (!pe->entry_rva) {
        snprintf(err, errn, "%s has no entry point (AddressOfEntryPoint is 0): a driver's is DriverEntry, or "
                            "GsDriverEntry in WDK builds", m->name);
        return false;
    }
    if (!pe_map(pe, &lp->img, why, sizeof why) || !pe_relocate(pe, &lp->img, why, sizeof why))
        return pe_fail(err, errn, "%s: %s", path, why);
    if (!ldr_bind_imports(m, path, pe, lp, allow_missing, err, errn))
        return false;
    if (!pe_security_cookie(pe, &lp->img, &cookie, why, sizeof why))
        return pe_fail(err, errn, "%s: %s", path, why);
    if (cookie)
        ldr_gs_init_cookie(cookie);
    lp->cookie = cookie;
    if (ldr_patch_enabled && !ldr_patch_image(pe, &lp->img, &lp->patches, &lp->patch_counts, why, sizeof why))
        return pe_fail(err, errn, "%s: %s", path, why);
    if (!pe_protect(pe, &lp->img, why, sizeof why))
        return pe_fail(err, errn, "%s: %s", path, why);
    ldr_pe_find_sections(pe, lp);
    if (!pe_symbols_load(pe, &lp->img, &lp->syms))
        return pe_fail(err, errn, "%s: out of memory reading its symbols", path);
    /* Its functions' unwind data, for the exception dispatcher. */
    if (!rtl_function_table_add((uintptr_t)lp->img.base, lp->img.size, pe->dir[PE_DIR_EXCEPTION].rva,
                                pe->dir[PE_DIR_EXCEPTION].size, why, sizeof why))
        return pe_fail(err, errn, "%s: %s", path, why);
    return true;
}

static void ldr_pe_free(struct ldr_pe *lp)
{
    rtl_function_table_remove((uintptr_t)lp->img.base);
    pe_unmap(&lp->img);
    pe_symbols_free(&lp->syms);
    ldr_stubs_free(lp->stubs);
    ldr_patches_free(lp->patches);
    free(lp);
}

struct ldr_module *ldr_load_pe(const char *path, bool allow_missing, char *err, size_t errn)
{
    struct ldr_module m;
    struct pe_file *pe = malloc(sizeof *pe);
    struct ldr_pe *lp = calloc(1, sizeof *lp);
    unsigned char *data = NULL;
    size_t size = 0;
    char why[512];
    bool ok = false;

    memset(&m, 0, sizeof m);
    ldr_pe_names(path, &m);
    if (!pe || !lp) {
        snprintf(err, errn, "%s: out of memory", path);
    } else if (!realpath(path, m.image)) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
    } else if (ldr_read_file(path, &data, &size, err, errn)) {
        /* The PE routines name the part of the file; the message adds which file. */
        ok = pe_parse(data, size, pe, why, sizeof why) ? ldr_pe_prepare(&m, path, pe, lp, allow_missing, err, errn)
                                                       : pe_fail(err, errn, "%s: %s", path, why);
    }
    struct ldr_module *slot = NULL;
    if (ok) {
        m.pe = lp;
        m.start = (uintptr_t)lp->img.base;
        m.end = m.start + lp->img.mapped;
        m.bias = m.start - (uintptr_t)pe->image_base;
        m.entry = lp->img.base + pe->entry_rva;
        slot = ldr_module_add(&m);
        if (!slot) {
            snprintf(err, errn, "%s: too many drivers loaded", m.name);
        } else if (!ldr_pe_add_pageable(slot, lp)) {
            snprintf(err, errn, "%s: out of memory registering its pageable sections", m.name);
            ldr_unload_pe(slot);
            slot = NULL;
            lp = NULL;
        }
    }
    if (!slot && lp)
        ldr_pe_free(lp);
    free(data);
    free(pe);
    return slot;
}

void ldr_unload_pe(struct ldr_module *m)
{
    if (m->pe->pageable_added)
        mm_pageable_remove(m->image_name);
    ldr_pe_free(m->pe);
    ldr_module_remove(m);
}

void ldr_pe_symbol(const struct ldr_module *m, uintptr_t addr, char *buf, size_t n)
{
    const struct pe_symbol *s = m->pe ? pe_symbols_find(&m->pe->syms, (uint32_t)(addr - m->start)) : NULL;
    uint32_t off = s ? (uint32_t)(addr - m->start) - s->rva : 0;

    if (!s)
        snprintf(buf, n, "%s", "");
    else if (off)
        snprintf(buf, n, "%s+0x%x", s->name, off);
    else
        snprintf(buf, n, "%s", s->name);
}

void ldr_pe_discard_init(const struct ldr_module *m)
{
    struct ldr_pe *lp = m->pe;
    if (!lp)
        return;
    for (unsigned i = 0; i < lp->ninit; i++)
        mprotect(lp->img.base + lp->init[i].start, lp->init[i].end - lp->init[i].start, PROT_NONE);
    lp->init_discarded = lp->ninit != 0;
}

const char *ldr_pe_discarded_section(const struct ldr_module *m, uintptr_t addr)
{
    const struct ldr_pe *lp = m->pe;
    if (!lp || !lp->init_discarded)
        return NULL;
    for (unsigned i = 0; i < lp->ninit; i++)
        if (addr - m->start >= lp->init[i].start && addr - m->start < lp->init[i].end)
            return "INIT";
    return NULL;
}

ULONG64 ldr_pe_cookie(const struct ldr_module *m)
{
    ULONG64 v = 0;
    if (m && m->pe && m->pe->cookie)
        memcpy(&v, m->pe->cookie, sizeof v);
    return v;
}

const struct ldr_patch_counts *ldr_pe_patch_counts(const struct ldr_module *m)
{
    return m && m->pe ? &m->pe->patch_counts : NULL;
}
