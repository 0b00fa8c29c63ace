/* fuzz/pe_loader.c: libFuzzer target for the PE loader's file handling:
 * parsing, mapping, relocating, walking imports and exports, finding the /GS
 * cookie and the symbols, protecting and unmapping, on any bytes. It links
 * only the format code (src/loader/pe_*.c without ntbox's kernel), binding
 * each import to a dummy address instead of the export table. Built by CMake
 * with clang when clang can link -fsanitize=fuzzer (build/fuzz/pe_loader);
 * the .sys test drivers (build/sys) make a seed corpus:
 *     build/fuzz/pe_loader -max_total_time=60 corpus/ build/sys/ */
#include "loader/pe.h"

#include <stdint.h>
#include <string.h>

static bool fuzz_bind(void *ctx, const struct pe_import *imp)
{
    uint64_t target = 0x1000 + imp->ordinal + (imp->name ? strlen(imp->name) : 0);
    (void)ctx;
    memcpy(imp->slot, &target, sizeof target);
    return true;
}

static void fuzz_export(void *ctx, const char *name, uint32_t rva)
{
    (void)rva;
    *(size_t *)ctx += strlen(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pe_file pe;
    struct pe_image img = { 0 };
    struct pe_symbols syms;
    uint64_t *cookie;
    char err[512], name[64];
    size_t names = 0;

    if (!pe_parse(data, size, &pe, err, sizeof err))
        return 0;
    for (unsigned i = 0; i < pe.nsections; i++)
        pe_section_name(&pe, i, name, sizeof name);
    if (!pe_map(&pe, &img, err, sizeof err))
        return 0;
    if (pe_relocate(&pe, &img, err, sizeof err) && pe_imports(&pe, &img, fuzz_bind, NULL, err, sizeof err) &&
        pe_security_cookie(&pe, &img, &cookie, err, sizeof err)) {
        if (cookie)
            memset(cookie, 0, sizeof *cookie);
        pe_exports(&pe, &img, fuzz_export, &names, err, sizeof err);
        if (pe_symbols_load(&pe, &img, &syms)) {
            pe_symbols_find(&syms, pe.entry_rva);
            pe_symbols_free(&syms);
        }
        pe_protect(&pe, &img, err, sizeof err);
    }
    pe_unmap(&img);
    return 0;
}
