/* tests/loader/test_pe_map.c: mapping an image (pe_map.c), walking its
 * imports and exports (pe_imports.c), and loading it whole as ntbox does
 * (pe_load.c): relocations applied, each import bound through the export
 * table by name or ordinal, the /GS cookie initialized, sections protected,
 * addresses named; each broken relocation, import or load configuration
 * with its own message. */
#include "ktest.h"

#include "loader/exports.h"
#include "loader/module.h"
#include "loader/pe.h"
#include "loader/pe_load.h"
#include "loader/symbols.h"
#include "pe_image.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static struct pe_file kt_file;
static struct pe_image kt_img;
static char kt_err[65536];

/* Parses and maps p; "ok" or the message. */
static const char *kt_map(const uint8_t *p)
{
    pe_unmap(&kt_img);
    kt_err[0] = 0;
    if (!pe_parse(p, KT_PE_FILE_SIZE, &kt_file, kt_err, sizeof kt_err) || !pe_map(&kt_file, &kt_img, kt_err, sizeof kt_err))
        return kt_err;
    return "ok";
}

static const char *kt_relocate(const uint8_t *p)
{
    const char *r = kt_map(p);
    if (strcmp(r, "ok") != 0)
        return r;
    return pe_relocate(&kt_file, &kt_img, kt_err, sizeof kt_err) ? "ok" : kt_err;
}

static uint64_t kt_at64(uint32_t rva)
{
    uint64_t v;
    memcpy(&v, kt_img.base + rva, 8);
    return v;
}

static uint32_t kt_at32(uint32_t rva)
{
    uint32_t v;
    memcpy(&v, kt_img.base + rva, 4);
    return v;
}

KT_TEST(pe_map_copies_headers_and_sections)
{
    uint8_t *p = kt_pe_build();
    KT_REQUIRE(KT_EQ_STR(kt_map(p), "ok"));
    KT_EQ_INT(kt_img.size, 0x5000);
    KT_EQ_HEX((uintptr_t)kt_img.base & 0xffff, 0); /* 64 KiB placement, as Windows */
    KT_EQ_MEM(kt_img.base, p, 0x400);
    KT_EQ_MEM(kt_img.base + 0x1000, p + 0x400, 0x400);
    KT_EQ_MEM(kt_img.base + 0x3000, p + 0xc00, 0x400);
    KT_EQ_HEX(kt_img.base[0x1400], 0); /* past the section: zero */
    pe_unmap(&kt_img);
    free(p);
}

/* DIR64 adds the whole difference, HIGHLOW its low 32 bits. */
KT_TEST(pe_relocate_dir64_and_highlow)
{
    uint8_t *p = kt_pe_build();
    KT_REQUIRE(KT_EQ_STR(kt_relocate(p), "ok"));
    uint64_t text = (uintptr_t)kt_img.base + 0x1000;
    KT_EQ_HEX(kt_at64(KT_RVA_PTR64), text);
    KT_EQ_HEX(kt_at32(KT_RVA_PTR32), (uint32_t)text);
    KT_EQ_HEX(kt_at64(KT_RVA_LOAD_CONFIG + 0x58), (uintptr_t)kt_img.base + KT_RVA_COOKIE);
    KT_EQ_HEX(kt_at64(KT_RVA_COOKIE), 0x2B992DDFA232ULL); /* not a relocation target */
    pe_unmap(&kt_img);
    free(p);
}

KT_TEST(pe_relocate_bad_blocks)
{
    uint8_t *p = kt_pe_build();
    size_t r = KT_PE_FILE(KT_RVA_RELOCS);

    kt_put16(p, r + 10, 0x5000 | 0x108); /* type 5: an ARM relocation */
    KT_EQ_STR(kt_relocate(p), "base relocations: type 5 at RVA 0x3108 is not an x64 relocation (DIR64, HIGHLOW or ABSOLUTE)");
    kt_put16(p, r + 10, 0x3000 | 0x108);

    kt_put32(p, r, 0x4000);
    kt_put16(p, r + 8, 0xA000 | 0xffc); /* 8 bytes at 0x4ffc: past the image */
    KT_EQ_STR(kt_relocate(p), "base relocations: the fixup at RVA 0x4ffc lies outside the image (SizeOfImage 0x5000)");
    kt_put32(p, r, 0xfffff000); /* a page RVA near 2^32 */
    KT_EQ_STR(kt_relocate(p), "base relocations: the fixup at RVA 0xfffffffc lies outside the image (SizeOfImage 0x5000)");
    kt_put32(p, r, 0x3000);
    kt_put16(p, r + 8, 0xA000 | 0x100);

    kt_put32(p, r + 4, 4);
    KT_EQ_STR(kt_relocate(p), "base relocations: block at RVA 0x4000 has SizeOfBlock 4 (8 to 28 allowed)");
    kt_put32(p, r + 4, 0xfffffff8);
    KT_EQ_STR(kt_relocate(p), "base relocations: block at RVA 0x4000 has SizeOfBlock 4294967288 (8 to 28 allowed)");
    kt_put32(p, r + 4, 16);

    kt_put32(p, KT_PE_DIR(PE_DIR_BASERELOC) + 4, 20); /* the second block cut after 4 bytes */
    KT_EQ_STR(kt_relocate(p), "base relocations: block at RVA 0x4010 is truncated (4 bytes left in the directory)");
    pe_unmap(&kt_img);
    free(p);
}

/* Relocations are checked even when the image lands at its ImageBase. */
KT_TEST(pe_relocate_checks_without_moving)
{
    uint8_t *p = kt_pe_build();
    kt_put16(p, KT_PE_FILE(KT_RVA_RELOCS) + 8, 0x7000);
    KT_REQUIRE(KT_EQ_STR(kt_map(p), "ok"));
    struct pe_file at_base = kt_file;
    at_base.image_base = (uintptr_t)kt_img.base;
    KT_FALSE(pe_relocate(&at_base, &kt_img, kt_err, sizeof kt_err));
    KT_EQ_STR(kt_err, "base relocations: type 7 at RVA 0x3000 is not an x64 relocation (DIR64, HIGHLOW or ABSOLUTE)");
    pe_unmap(&kt_img);
    free(p);
}

struct kt_imports {
    char text[1024];
    unsigned n;
};

static bool kt_collect_import(void *ctx, const struct pe_import *imp)
{
    struct kt_imports *c = ctx;
    size_t used = strlen(c->text);
    if (imp->name)
        snprintf(c->text + used, sizeof c->text - used, "%s!%s@%x;", imp->module, imp->name, imp->slot_rva);
    else
        snprintf(c->text + used, sizeof c->text - used, "%s!#%u@%x;", imp->module, imp->ordinal, imp->slot_rva);
    c->n++;
    return true;
}

/* "ok: the imports" or the message. */
static const char *kt_imports(const uint8_t *p)
{
    static struct kt_imports c;
    static char out[1200];
    memset(&c, 0, sizeof c);
    const char *r = kt_map(p);
    if (strcmp(r, "ok") != 0)
        return r;
    if (!pe_imports(&kt_file, &kt_img, kt_collect_import, &c, kt_err, sizeof kt_err))
        return kt_err;
    snprintf(out, sizeof out, "ok: %s", c.text);
    return out;
}

KT_TEST(pe_imports_by_name_and_ordinal)
{
    uint8_t *p = kt_pe_build();
    char expected[256];
    snprintf(expected, sizeof expected,
             "ok: ntoskrnl.exe!DbgPrint@3000;ntoskrnl.exe!ExAllocatePool2@3008;NTOSKRNL.EXE!#%u@3040;",
             ldr_export_find("ntoskrnl.exe", "KeBugCheckEx")->ordinal);
    KT_EQ_STR(kt_imports(p), expected);
    /* without a lookup table, the import address table is read */
    kt_put32(p, KT_PE_FILE(KT_RVA_IMPORTS), 0);
    KT_EQ_STR(kt_imports(p), expected);
    pe_unmap(&kt_img);
    free(p);
}

KT_TEST(pe_imports_malformed)
{
    uint8_t *p = kt_pe_build();
    size_t d = KT_PE_FILE(KT_RVA_IMPORTS);

    kt_put32(p, d + 12, 0x9000);
    KT_EQ_STR(kt_imports(p), "import descriptor 0: the module name at RVA 0x9000 is outside the image");
    free(p);

    /* the image ends with 0x100 bytes of 'x' at RVA 0x4100, unterminated */
    p = kt_pe_build();
    memset(p + KT_PE_FILE(0x4100), 'x', 0x100);
    kt_put32(p, KT_PE_OPT + 56, 0x4200);     /* the image ends with those bytes */
    kt_put32(p, KT_PE_SECTION(KT_PE_RELOC) + 8, 0x200);
    kt_put32(p, KT_PE_FILE(KT_RVA_IMPORTS) + 12, 0x4100);
    KT_EQ_STR(kt_imports(p), "import descriptor 0: the module name at RVA 0x4100 is not terminated within the image");
    kt_put32(p, KT_PE_FILE(KT_RVA_IMPORTS) + 12, KT_RVA_NAME_NTOS);

    kt_put64(p, KT_PE_FILE(KT_RVA_ILT1), 0x4100 - 2); /* hint + name: the unterminated bytes */
    KT_EQ_STR(kt_imports(p), "imports from ntoskrnl.exe: import 0's name at RVA 0x4100 is not terminated within the image");
    kt_put64(p, KT_PE_FILE(KT_RVA_ILT1), 0x80000000ULL); /* bits 31-62 set: not an RVA */
    KT_EQ_STR(kt_imports(p), "imports from ntoskrnl.exe: import 0's name at RVA 0x80000000 lies outside the image");
    kt_put64(p, KT_PE_FILE(KT_RVA_ILT1), 0x41ff);
    KT_EQ_STR(kt_imports(p), "imports from ntoskrnl.exe: import 0's name at RVA 0x41ff lies outside the image");
    kt_put64(p, KT_PE_FILE(KT_RVA_ILT1), KT_RVA_HINT_DBGPRINT);

    /* a lookup table with no terminating 0 before the image ends */
    kt_put32(p, KT_PE_FILE(KT_RVA_IMPORTS), 0x41e8);
    kt_put32(p, KT_PE_FILE(KT_RVA_IMPORTS) + 16, 0x41e8);
    memset(p + KT_PE_FILE(0x41e8), 0, 0x18);
    kt_put64(p, KT_PE_FILE(0x41e8), KT_RVA_HINT_DBGPRINT);
    kt_put64(p, KT_PE_FILE(0x41f0), KT_RVA_HINT_DBGPRINT);
    kt_put64(p, KT_PE_FILE(0x41f8), KT_RVA_HINT_DBGPRINT);
    KT_EQ_STR(kt_imports(p),
              "imports from ntoskrnl.exe: the thunk table at RVA 0x41e8 runs past the end of the image (no terminating 0)");
    pe_unmap(&kt_img);
    free(p);
}

KT_TEST(pe_imports_descriptors_without_end)
{
    uint8_t *p = kt_pe_build();
    /* the directory moved to the image's last bytes, no null descriptor fits */
    memset(p + KT_PE_FILE(0x4100), 0xff, 0x100);
    kt_put32(p, KT_PE_OPT + 56, 0x4200);
    kt_put32(p, KT_PE_SECTION(KT_PE_RELOC) + 8, 0x200);
    kt_put32(p, KT_PE_DIR(PE_DIR_IMPORT), 0x41e0);
    kt_put32(p, KT_PE_DIR(PE_DIR_IMPORT) + 4, 0x14);
    KT_EQ_STR(kt_imports(p), "import descriptor 0: the module name at RVA 0xffffffff is outside the image");
    kt_put32(p, KT_PE_FILE(0x41e0) + 12, KT_RVA_NAME_NTOS);
    kt_put32(p, KT_PE_FILE(0x41e0) + 16, 0); /* FirstThunk 0 */
    KT_EQ_STR(kt_imports(p), "imports from ntoskrnl.exe: FirstThunk is 0");
    kt_put32(p, KT_PE_DIR(PE_DIR_IMPORT), 0x41f8);
    kt_put32(p, KT_PE_DIR(PE_DIR_IMPORT) + 4, 0x8);
    KT_EQ_STR(kt_imports(p), "import directory: descriptor 0 at RVA 0x41f8 lies past the end of the image (no "
                             "terminating null descriptor)");
    kt_put32(p, KT_PE_FILE(KT_RVA_IMPORTS) + 12, 0);
    kt_put32(p, KT_PE_DIR(PE_DIR_IMPORT), KT_RVA_IMPORTS);
    kt_put32(p, KT_PE_DIR(PE_DIR_IMPORT) + 4, 60);
    strcpy((char *)p + KT_PE_FILE(KT_RVA_NAME_NTOS), "");
    kt_put32(p, KT_PE_FILE(KT_RVA_IMPORTS) + 12, KT_RVA_NAME_NTOS);
    KT_EQ_STR(kt_imports(p), "import descriptor 0: the module name is empty");
    pe_unmap(&kt_img);
    free(p);
}

static const char *kt_cookie(const uint8_t *p, uint64_t **cookie)
{
    const char *r = kt_relocate(p);
    if (strcmp(r, "ok") != 0)
        return r;
    return pe_security_cookie(&kt_file, &kt_img, cookie, kt_err, sizeof kt_err) ? "ok" : kt_err;
}

KT_TEST(pe_security_cookie_found_through_load_config)
{
    uint8_t *p = kt_pe_build();
    uint64_t *cookie;
    size_t lc = KT_PE_FILE(KT_RVA_LOAD_CONFIG);

    KT_EQ_STR(kt_cookie(p, &cookie), "ok");
    KT_EQ_PTR(cookie, kt_img.base + KT_RVA_COOKIE);
    kt_put16(p, KT_PE_FILE(KT_RVA_RELOCS) + 24, 0); /* no fixup for the field: its ImageBase address still counts */
    KT_EQ_STR(kt_cookie(p, &cookie), "ok");
    KT_EQ_PTR(cookie, kt_img.base + KT_RVA_COOKIE);
    kt_put64(p, lc + 0x58, 0xdead00000000ULL);
    KT_EQ_STR(kt_cookie(p, &cookie), "load configuration: SecurityCookie 0xdead00000000 lies outside the image");
    kt_put64(p, lc + 0x58, KT_PE_BASE + 0x4ffc); /* 8 bytes from 4 before the end */
    KT_EQ_STR(kt_cookie(p, &cookie), "load configuration: SecurityCookie 0x140004ffc lies outside the image");
    kt_put64(p, lc + 0x58, 0);
    KT_EQ_STR(kt_cookie(p, &cookie), "ok");
    KT_EQ_PTR(cookie, NULL);
    kt_put32(p, lc, 0x40); /* a structure too old to have SecurityCookie */
    KT_EQ_STR(kt_cookie(p, &cookie), "ok");
    KT_EQ_PTR(cookie, NULL);
    kt_put32(p, KT_PE_DIR(PE_DIR_LOAD_CONFIG), 0);
    KT_EQ_STR(kt_cookie(p, &cookie), "ok");
    KT_EQ_PTR(cookie, NULL);
    pe_unmap(&kt_img);
    free(p);
}

/* The protection of the page at addr, from /proc/self/maps: "r-xp". */
static const char *kt_protection(const void *addr)
{
    static char perms[8];
    char line[512];
    FILE *f = fopen("/proc/self/maps", "r");
    strcpy(perms, "none");
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char p[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, p) == 3 && (uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
            strcpy(perms, p);
            break;
        }
    }
    if (f)
        fclose(f);
    return perms;
}

/* Code is never writable, data never executable. */
KT_TEST(pe_protect_per_section)
{
    uint8_t *p = kt_pe_build();
    KT_REQUIRE(KT_EQ_STR(kt_relocate(p), "ok"));
    KT_REQUIRE(KT_TRUE(pe_protect(&kt_file, &kt_img, kt_err, sizeof kt_err)));
    KT_EQ_STR(kt_protection(kt_img.base), "r--p");
    KT_EQ_STR(kt_protection(kt_img.base + 0x1000), "r-xp");
    KT_EQ_STR(kt_protection(kt_img.base + 0x2000), "r--p");
    KT_EQ_STR(kt_protection(kt_img.base + 0x3000), "rw-p");
    KT_EQ_STR(kt_protection(kt_img.base + 0x4000), "r--p");
    /* the relocated entry point runs */
    uint64_t (*entry)(void) = (uint64_t (*)(void))(kt_img.base + 0x1000);
    KT_EQ_HEX(entry(), (uintptr_t)kt_img.base + 0x1000);
    pe_unmap(&kt_img);
    free(p);
}

struct kt_names {
    char text[512];
};

static void kt_collect_export(void *ctx, const char *name, uint32_t rva)
{
    struct kt_names *c = ctx;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s@%x;", name, rva);
}

KT_TEST(pe_exports_and_symbols)
{
    uint8_t *p = kt_pe_build();
    struct kt_names names = { "" };
    struct pe_symbols syms;

    KT_REQUIRE(KT_EQ_STR(kt_map(p), "ok"));
    KT_REQUIRE(KT_TRUE(pe_exports(&kt_file, &kt_img, kt_collect_export, &names, kt_err, sizeof kt_err)));
    KT_EQ_STR(names.text, "DriverEntry@1000;");
    KT_REQUIRE(KT_TRUE(pe_symbols_load(&kt_file, &kt_img, &syms)));
    KT_EQ_INT(syms.n, 3);
    KT_EQ_STR(pe_symbols_find(&syms, 0x1000)->name, "DriverEntry");
    KT_EQ_STR(pe_symbols_find(&syms, 0x100f)->name, "DriverEntry");
    KT_EQ_STR(pe_symbols_find(&syms, 0x1010)->name, "Helper");
    KT_EQ_STR(pe_symbols_find(&syms, 0x1025)->name, "AVeryLongFunctionName");
    KT_EQ_PTR(pe_symbols_find(&syms, 0x0fff), NULL);
    KT_EQ_PTR(pe_symbols_find(&syms, 0x1400), NULL); /* past .text: no function there */
    pe_symbols_free(&syms);

    /* a broken export directory is an error for pe_exports, skipped for symbols */
    kt_put32(p, KT_PE_FILE(KT_RVA_EXPORTS) + 24, 0x10000000); /* NumberOfNames */
    KT_REQUIRE(KT_EQ_STR(kt_map(p), "ok"));
    KT_FALSE(pe_exports(&kt_file, &kt_img, kt_collect_export, &names, kt_err, sizeof kt_err));
    KT_EQ_STR(kt_err, "export directory: its tables (1 functions, 268435456 names) lie outside the image");
    KT_REQUIRE(KT_TRUE(pe_symbols_load(&kt_file, &kt_img, &syms)));
    KT_EQ_INT(syms.n, 2);
    pe_symbols_free(&syms);
    pe_unmap(&kt_img);
    free(p);
}

/* --- the whole load, through a file, as `ntbox run` does --- */

static char kt_path[64];

static void kt_remove_file(void)
{
    unlink(kt_path);
}

/* The image as a file, which stays while the test runs: reports read its
 * line tables. */
static const char *kt_write(const uint8_t *p)
{
    if (!kt_path[0]) {
        snprintf(kt_path, sizeof kt_path, "/tmp/ntbox-test-%d.sys", (int)getpid());
        atexit(kt_remove_file);
    }
    FILE *f = fopen(kt_path, "wb");
    fwrite(p, 1, KT_PE_FILE_SIZE, f);
    fclose(f);
    return kt_path;
}

static struct ldr_module *kt_load(const uint8_t *p, bool allow_missing)
{
    kt_err[0] = 0;
    return ldr_load_pe(kt_write(p), allow_missing, kt_err, sizeof kt_err);
}

static uint64_t kt_slot(const struct ldr_module *m, uint32_t rva)
{
    uint64_t v;
    memcpy(&v, (const uint8_t *)m->start + rva, 8);
    return v;
}

KT_TEST(ldr_load_pe_binds_by_name_and_ordinal)
{
    uint8_t *p = kt_pe_build();
    struct ldr_module *m = kt_load(p, false);
    KT_REQUIRE(KT_TRUE(m != NULL) || kt_fail(__FILE__, __LINE__, "%s", kt_err));
    KT_EQ_HEX(kt_slot(m, KT_RVA_IAT1), (uintptr_t)ldr_export_find("ntoskrnl.exe", "DbgPrint")->address);
    KT_EQ_HEX(kt_slot(m, KT_RVA_IAT1 + 8), (uintptr_t)ldr_export_find("ntoskrnl.exe", "ExAllocatePool2")->address);
    KT_EQ_HEX(kt_slot(m, KT_RVA_IAT2), (uintptr_t)ldr_export_find("ntoskrnl.exe", "KeBugCheckEx")->address);
    KT_EQ_PTR(m->entry, (void *)(m->start + 0x1000));
    KT_EQ_HEX(m->start - m->bias, KT_PE_BASE);
    KT_EQ_STR(m->image_name, strrchr(kt_path, '/') + 1);
    KT_EQ_PTR(ldr_module_at((void *)(m->start + 0x4fff)), m);
    KT_EQ_PTR(ldr_module_at((void *)(m->start + 0x5000)), NULL);
    ldr_unload_pe(m);
    free(p);
}

/* Windows replaces the linker's default cookie: 48 random bits, never 0. */
KT_TEST(ldr_load_pe_initializes_the_gs_cookie)
{
    uint8_t *p = kt_pe_build();
    struct ldr_module *m = kt_load(p, false);
    KT_REQUIRE(KT_TRUE(m != NULL));
    uint64_t cookie = kt_slot(m, KT_RVA_COOKIE);
    KT_TRUE(cookie != 0x2B992DDFA232ULL);
    KT_TRUE(cookie != 0);
    KT_EQ_HEX(cookie >> 48, 0);
    KT_EQ_HEX(ldr_pe_cookie(m), cookie);
    ldr_unload_pe(m);

    kt_put64(p, KT_PE_FILE(KT_RVA_COOKIE), 0x1234); /* an image that set its own keeps it */
    m = kt_load(p, false);
    KT_REQUIRE(KT_TRUE(m != NULL));
    KT_EQ_HEX(kt_slot(m, KT_RVA_COOKIE), 0x1234);
    ldr_unload_pe(m);
    free(p);
}

/* The driver's name: the test file's name without ".sys". */
static const char *kt_name(void)
{
    static char name[64];
    snprintf(name, sizeof name, "%s", strrchr(kt_path, '/') + 1);
    *strrchr(name, '.') = 0;
    return name;
}

KT_TEST(ldr_load_pe_lists_every_missing_import)
{
    uint8_t *p = kt_pe_build();
    char expected[512];
    kt_pe_hint_name(p, KT_RVA_HINT_DBGPRINT, "IoNotReal");
    kt_pe_hint_name(p, KT_RVA_HINT_ALLOC, "CmKeyObjectType");
    strcpy((char *)p + KT_PE_FILE(KT_RVA_NAME_NTOS2), "fltmgr.sys");
    KT_EQ_PTR(kt_load(p, false), NULL);
    snprintf(expected, sizeof expected,
             "%s imports 3 routines ntbox does not provide: IoNotReal, CmKeyObjectType, fltmgr.sys!#%u (`ntbox run "
             "--allow-missing` binds each to a stub that stops the run when called)",
             kt_name(), ldr_export_find("ntoskrnl.exe", "KeBugCheckEx")->ordinal);
    KT_EQ_STR(kt_err, expected);
    free(p);
}

static void kt_call_stub(void *arg)
{
    NTSTATUS(NTAPI * routine)(void) = (NTSTATUS(NTAPI *)(void))(uintptr_t)kt_slot(arg, KT_RVA_IAT1);
    routine();
}

/* --allow-missing: a routine's stub stops the run naming it; a variable's
 * is an inaccessible page. */
KT_TEST(ldr_load_pe_allow_missing_binds_stubs)
{
    uint8_t *p = kt_pe_build();
    kt_pe_hint_name(p, KT_RVA_HINT_DBGPRINT, "IoNotReal");
    kt_pe_hint_name(p, KT_RVA_HINT_ALLOC, "CmKeyObjectType");
    struct ldr_module *m = kt_load(p, true);
    KT_REQUIRE(KT_TRUE(m != NULL) || kt_fail(__FILE__, __LINE__, "%s", kt_err));
    const char *out = KT_EXPECT_BUGCHECK(0x7E, 0xC0000002, kt_call_stub, m);
    if (out) {
        KT_CONTAINS(out, "Exception STATUS_NOT_IMPLEMENTED (0xC0000002) was raised and no handler caught it.");
        KT_CONTAINS(out, "The driver called IoNotReal (ntoskrnl.exe), which ntbox does not implement");
    }
    KT_EQ_STR(kt_protection((void *)(uintptr_t)kt_slot(m, KT_RVA_IAT1 + 8)), "---p");
    KT_EQ_HEX(kt_slot(m, KT_RVA_IAT2), (uintptr_t)ldr_export_find("ntoskrnl.exe", "KeBugCheckEx")->address);
    ldr_unload_pe(m);
    free(p);
}

KT_TEST(ldr_load_pe_names_addresses)
{
    uint8_t *p = kt_pe_build();
    char buf[256], expected[256];
    struct ldr_module *m = kt_load(p, false);
    KT_REQUIRE(KT_TRUE(m != NULL));
    ldr_pe_symbol(m, m->start + 0x1003, buf, sizeof buf);
    KT_EQ_STR(buf, "DriverEntry+0x3");
    ldr_pe_symbol(m, m->start + 0x1010, buf, sizeof buf);
    KT_EQ_STR(buf, "Helper");
    ldr_pe_symbol(m, m->start + 0x2000, buf, sizeof buf);
    KT_EQ_STR(buf, "");
    snprintf(expected, sizeof expected, "in AVeryLongFunctionName+0x5 (%s+0x1025)", m->image_name);
    KT_EQ_STR(ldr_describe_address((void *)(m->start + 0x1025), false, buf, sizeof buf), expected);
    ldr_unload_pe(m);
    free(p);
}

KT_TEST(ldr_load_pe_refusals)
{
    uint8_t *p = kt_pe_build();
    char expected[256];

    kt_put32(p, KT_PE_OPT + 16, 0);
    KT_EQ_PTR(kt_load(p, false), NULL);
    snprintf(expected, sizeof expected, "%s has no entry point (AddressOfEntryPoint is 0): a driver's is "
             "DriverEntry, or GsDriverEntry in WDK builds", kt_name());
    KT_EQ_STR(kt_err, expected);
    kt_put32(p, KT_PE_OPT + 16, 0x1000);

    kt_put16(p, KT_PE_FILE_HEADER, 0x14c);
    KT_EQ_PTR(kt_load(p, false), NULL);
    snprintf(expected, sizeof expected, "%s: COFF file header: machine 0x014c (i386) is not AMD64 (0x8664): ntbox "
             "runs x64 drivers", kt_path);
    KT_EQ_STR(kt_err, expected);
    KT_EQ_PTR(ldr_load_pe("/nonexistent/x.sys", false, kt_err, sizeof kt_err), NULL);
    KT_EQ_STR(kt_err, "/nonexistent/x.sys: No such file or directory");
    free(p);
}

/* An image whose relocations are stripped goes at its ImageBase or not at all. */
KT_TEST(ldr_load_pe_relocations_stripped)
{
    uint8_t *p = kt_pe_build();
    void *taken = mmap(NULL, 0x20000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t busy = ((uintptr_t)taken + 0xffff) & ~(uintptr_t)0xffff;
    char expected[256];

    kt_put16(p, KT_PE_FILE_HEADER + 18, 0x0023);
    kt_put64(p, KT_PE_OPT + 24, busy);
    kt_put64(p, KT_PE_FILE(KT_RVA_LOAD_CONFIG) + 0x58, busy + KT_RVA_COOKIE); /* linked for that base */
    KT_EQ_PTR(kt_load(p, false), NULL);
    snprintf(expected, sizeof expected, "%s: relocations stripped (IMAGE_FILE_RELOCS_STRIPPED): the image can only "
             "go at its ImageBase 0x%llx, which is not available; relink it with relocations", kt_path,
             (unsigned long long)busy);
    KT_EQ_STR(kt_err, expected);
    munmap(taken, 0x20000);

    kt_put64(p, KT_PE_OPT + 24, busy); /* now free */
    struct ldr_module *m = kt_load(p, false);
    KT_REQUIRE(KT_TRUE(m != NULL) || kt_fail(__FILE__, __LINE__, "%s", kt_err));
    KT_EQ_HEX(m->start, busy);
    ldr_unload_pe(m);
    free(p);
}
