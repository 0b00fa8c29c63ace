/* cli/info.c: `ntbox info DRIVER.sys` — what a PE driver image is and
 * whether ntbox can run it: headers, sections, and every import marked
 * implemented or missing in ntbox's export table. The image is checked and
 * mapped exactly as `ntbox run` would (no code runs), so a malformed file
 * gets the same message here. */
#include "cli/run.h"

#include "loader/exports.h"
#include "loader/pe.h"
#include "loader/pe_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cli_info_imports {
    const char *module;         /* the module of the last line printed */
    unsigned total, implemented;
    struct ldr_missing missing;
};

static void cli_flags(char *out, size_t n, unsigned value, const unsigned *bits, const char *const *names,
                      size_t count)
{
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < count; i++)
        if (value & bits[i])
            used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s", used ? ", " : "", names[i]);
}

static void cli_print_headers(const struct pe_file *pe, const struct pe_symbols *syms)
{
    static const unsigned file_bits[] = { PE_FILE_RELOCS_STRIPPED, PE_FILE_EXECUTABLE_IMAGE,
                                          PE_FILE_LARGE_ADDRESS_AWARE, PE_FILE_DLL };
    static const char *const file_names[] = { "relocations stripped", "executable", "large address aware", "DLL" };
    static const unsigned dll_bits[] = { PE_DLLCHAR_HIGH_ENTROPY_VA, PE_DLLCHAR_DYNAMIC_BASE,
                                         PE_DLLCHAR_FORCE_INTEGRITY, PE_DLLCHAR_NX_COMPAT, PE_DLLCHAR_GUARD_CF };
    static const char *const dll_names[] = { "high-entropy VA", "dynamic base", "force integrity", "NX compatible",
                                             "control flow guard" };
    char flags[160], when[64];
    time_t t = pe->timestamp;
    struct tm tm;
    const struct pe_symbol *entry = pe_symbols_find(syms, pe->entry_rva);

    cli_flags(flags, sizeof flags, pe->characteristics, file_bits, file_names, 4);
    printf("  Machine              0x%04x (AMD64)\n", pe->machine);
    printf("  Characteristics      0x%04x (%s)\n", pe->characteristics, flags);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
    printf("  Time stamp           0x%08x (%s)\n", pe->timestamp, when);
    printf("  Linker version       %u.%u\n", pe->linker_major, pe->linker_minor);
    printf("  Subsystem            %u (%s), version %u.%u\n", pe->subsystem,
           pe->subsystem == PE_SUBSYSTEM_NATIVE ? "native" : "not native: an export driver (DLL)",
           pe->subsystem_major, pe->subsystem_minor);
    printf("  Image base           0x%016llx\n", (unsigned long long)pe->image_base);
    if (!entry)
        printf("  Entry point          RVA 0x%x\n", pe->entry_rva);
    else if (entry->rva == pe->entry_rva)
        printf("  Entry point          RVA 0x%x (%s)\n", pe->entry_rva, entry->name);
    else
        printf("  Entry point          RVA 0x%x (%s+0x%x)\n", pe->entry_rva, entry->name, pe->entry_rva - entry->rva);
    printf("  Size of image        0x%x\n", pe->size_of_image);
    printf("  Size of headers      0x%x\n", pe->size_of_headers);
    printf("  Alignment            sections 0x%x, file 0x%x\n", pe->section_alignment, pe->file_alignment);
    cli_flags(flags, sizeof flags, pe->dll_characteristics, dll_bits, dll_names, 5);
    printf("  DLL characteristics  0x%04x (%s)\n", pe->dll_characteristics, flags[0] ? flags : "none");
    printf("  Checksum             0x%08x\n", pe->checksum);
    printf("  Base relocations     %u bytes\n", pe->dir[PE_DIR_BASERELOC].size);
}

static void cli_print_sections(const struct pe_file *pe)
{
    char name[64];
    printf("\nSections: %u\n", pe->nsections);
    printf("  %-16s %-10s %-10s %-10s %-10s %s\n", "Name", "RVA", "Size", "Raw at", "Raw size", "Access");
    for (unsigned i = 0; i < pe->nsections; i++) {
        const struct pe_section *s = &pe->sections[i];
        uint32_t c = s->characteristics;
        printf("  %-16s 0x%-8x 0x%-8x 0x%-8x 0x%-8x %c%c%c%s%s%s\n", pe_section_name(pe, i, name, sizeof name),
               s->rva, s->vsize, s->raw_offset, s->raw_size, c & PE_SCN_MEM_READ ? 'r' : '-',
               c & PE_SCN_MEM_WRITE ? 'w' : '-', c & PE_SCN_MEM_EXECUTE ? 'x' : '-',
               c & PE_SCN_CNT_CODE ? " code" : "", c & PE_SCN_CNT_UNINITIALIZED_DATA ? " uninitialized" : "",
               c & PE_SCN_MEM_DISCARDABLE ? " discardable" : "");
    }
}

static bool cli_print_import(void *ctx, const struct pe_import *imp)
{
    struct cli_info_imports *st = ctx;
    const struct ldr_export *e =
        imp->name ? ldr_export_find(imp->module, imp->name) : ldr_export_find_ordinal(imp->module, imp->ordinal);
    char what[256];

    if (!st->module || strcmp(st->module, imp->module) != 0) {
        printf("  %s%s\n", imp->module, ldr_export_module_known(imp->module) ? "" : " (a module ntbox does not provide)");
        st->module = imp->module;
    }
    if (imp->name)
        snprintf(what, sizeof what, "%s", imp->name);
    else
        snprintf(what, sizeof what, "#%u%s%s", imp->ordinal, e ? " = " : "", e ? e->name : "");
    st->total++;
    if (e && e->address)
        st->implemented++;
    else
        ldr_missing_add(&st->missing, imp->module, imp->name, imp->ordinal);
    printf("    %-44s %s%s\n", what, e && e->address ? "implemented" : "missing",
           e && e->kind == LDR_EXPORT_DATA ? " (variable)" : "");
    return true;
}

static int cli_info_image(const char *path, const struct pe_file *pe, struct pe_image *img)
{
    char err[512];
    uint64_t *cookie;
    struct pe_symbols syms;
    struct cli_info_imports st = { 0 };

    if (!pe_relocate(pe, img, err, sizeof err) || !pe_security_cookie(pe, img, &cookie, err, sizeof err)) {
        fprintf(stderr, "ntbox: %s: %s\n", path, err);
        return CLI_EXIT_HOST_ERROR;
    }
    if (!pe_symbols_load(pe, img, &syms)) {
        fprintf(stderr, "ntbox: %s: out of memory\n", path);
        return CLI_EXIT_HOST_ERROR;
    }
    printf("%s: x64 PE driver image (PE32+)\n", path);
    cli_print_headers(pe, &syms);
    if (cookie)
        printf("  /GS security cookie  at RVA 0x%llx (ntbox initializes it at load)\n",
               (unsigned long long)((uint8_t *)cookie - img->base));
    else
        printf("  /GS security cookie  none\n");
    pe_symbols_free(&syms);
    cli_print_sections(pe);
    printf("\nImports:\n");
    if (!pe_imports(pe, img, cli_print_import, &st, err, sizeof err)) {
        fflush(stdout);
        fprintf(stderr, "ntbox: %s: %s\n", path, err);
        ldr_missing_free(&st.missing);
        return CLI_EXIT_HOST_ERROR;
    }
    if (!st.total)
        printf("  none\n");
    printf("\n%u import%s: %u implemented, %u missing in ntbox.\n", st.total, st.total == 1 ? "" : "s",
           st.implemented, st.total - st.implemented);
    if (st.missing.count)
        printf("`ntbox run` refuses the driver for the missing ones (%s); `ntbox run --allow-missing` runs it until "
               "it calls one.\n", st.missing.text ? st.missing.text : "");
    ldr_missing_free(&st.missing);
    return CLI_EXIT_CLEAN;
}

int cli_info(const char *path)
{
    unsigned char *data = NULL;
    size_t size = 0;
    struct pe_file *pe = malloc(sizeof *pe);
    struct pe_image img = { 0 };
    char err[4096];
    int status = CLI_EXIT_HOST_ERROR;

    if (!pe)
        fprintf(stderr, "ntbox: %s: out of memory\n", path);
    else if (!ldr_read_file(path, &data, &size, err, sizeof err))
        fprintf(stderr, "ntbox: %s\n", err);
    else if (!pe_parse(data, size, pe, err, sizeof err) || !pe_map(pe, &img, err, sizeof err))
        fprintf(stderr, "ntbox: %s: %s\n", path, err);
    else
        status = cli_info_image(path, pe, &img);
    pe_unmap(&img);
    free(pe);
    free(data);
    return status;
}
