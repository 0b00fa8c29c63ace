/* tests/loader/test_exports.c: the export table (src/loader/exports.list,
 * loader/exports.h): every routine the ntbox image exports has a row, and
 * lookups by module, name and ordinal follow Windows' rules. */
#include "ktest.h"

#include "loader/elf_imports.h"
#include "loader/exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kt_unlisted {
    char rows[16384];       /* rows to add, ready to paste */
    char flips[16384];      /* names whose row says missing */
    unsigned unlisted, missing, seen;
};

static void kt_check_export(const char *name, void *ctx)
{
    struct kt_unlisted *u = ctx;
    /* The C startup's own symbols, in every executable that exports, and the
     * sanitizer runtime's variables copied into a sanitized build, and the
     * one-definition-rule markers ASan adds for every exported variable. */
    if (strcmp(name, "_start") == 0 || strcmp(name, "_IO_stdin_used") == 0 || strncmp(name, "__asan_", 7) == 0 || strncmp(name, "__odr_asan", 10) == 0 ||
        strncmp(name, "__ubsan_", 8) == 0 || strncmp(name, "__lsan_", 7) == 0 || strncmp(name, "__sanitizer_", 12) == 0)
        return;
    u->seen++;
    const struct ldr_export *e = ldr_export_find(NULL, name);
    size_t used;
    if (!e) {
        used = strlen(u->rows);
        snprintf(u->rows + used, sizeof u->rows - used, "    ntoskrnl.exe  %-42s  func  -  impl\n", name);
        u->unlisted++;
    } else if (!e->address) {
        used = strlen(u->flips);
        snprintf(u->flips + used, sizeof u->flips - used, " %s", name);
        u->missing++;
    }
}

/* A routine added to ntbox is exported (NTKERNELAPI/NTSYSAPI); the table
 * must say so, or PE drivers cannot bind to it and the coverage page omits it. */
KT_TEST(exports_every_ntbox_export_has_an_implemented_row)
{
    const char *ntbox = getenv("NTBOX");
    static struct kt_unlisted u;
    char err[512];

    if (!ntbox || !*ntbox) {
        kt_fail(__FILE__, __LINE__, "NTBOX is not set: run this test with ctest, which sets it to the ntbox command");
        return;
    }
    KT_REQUIRE(KT_TRUE(ldr_elf_exports(ntbox, kt_check_export, &u, err, sizeof err)));
    KT_TRUE(u.seen > 50);
    if (u.unlisted)
        kt_fail(__FILE__, __LINE__,
                "ntbox exports %u routine%s the export table lacks; add %s to src/loader/exports.list (set the module, "
                "kind and IRQL), then run `sh cmake/exports.sh coverage src/loader/exports.list docs/coverage.md`:\n%s",
                u.unlisted, u.unlisted == 1 ? "" : "s", u.unlisted == 1 ? "this row" : "these rows", u.rows);
    if (u.missing)
        kt_fail(__FILE__, __LINE__,
                "ntbox exports %u routine%s listed as missing in src/loader/exports.list; change %s STATE to impl "
                "(and regenerate docs/coverage.md):%s", u.missing, u.missing == 1 ? "" : "s",
                u.missing == 1 ? "its" : "their", u.flips);
}

/* Windows compares module names without regard to case. */
KT_TEST(ldr_export_find_module_case_insensitive)
{
    const struct ldr_export *e = ldr_export_find("ntoskrnl.exe", "DbgPrint");
    KT_REQUIRE(KT_TRUE(e != NULL));
    KT_EQ_PTR(ldr_export_find("NTOSKRNL.EXE", "DbgPrint"), e);
    KT_EQ_PTR(ldr_export_find("NtOsKrnl.Exe", "DbgPrint"), e);
    KT_EQ_PTR(ldr_export_find(NULL, "DbgPrint"), e);
    KT_EQ_PTR(ldr_export_find("hal.dll", "DbgPrint"), NULL);
    KT_EQ_PTR(ldr_export_find("ntoskrnl.exe", "dbgprint"), NULL); /* routine names are case-sensitive */
    KT_EQ_PTR(ldr_export_find("ntoskrnl.exe", "NoSuchRoutine"), NULL);
    KT_TRUE(e->address != NULL);
    KT_EQ_INT(e->kind, LDR_EXPORT_FUNC);
    KT_EQ_INT(e->max_irql, 15);
}

/* A module's ordinals are its rows' positions, from 1, with no gaps. */
KT_TEST(ldr_export_find_ordinal_every_row)
{
    for (unsigned i = 0; i < ldr_export_count; i++) {
        const struct ldr_export *e = &ldr_exports[i];
        KT_EQ_PTR(ldr_export_find_ordinal(e->module, e->ordinal), e);
        KT_TRUE(e->ordinal >= 1);
    }
    KT_EQ_PTR(ldr_export_find_ordinal("ntoskrnl.exe", 0), NULL);
    KT_EQ_PTR(ldr_export_find_ordinal("ntoskrnl.exe", 65535), NULL);
    KT_EQ_PTR(ldr_export_find_ordinal("HAL.DLL", 1), ldr_export_find("hal.dll", "KeQueryPerformanceCounter"));
}

KT_TEST(ldr_export_module_known_for_kernel_modules_only)
{
    KT_TRUE(ldr_export_module_known("ntoskrnl.exe"));
    KT_TRUE(ldr_export_module_known("HAL.DLL"));
    KT_FALSE(ldr_export_module_known("fltmgr.sys"));
    KT_FALSE(ldr_export_module_known("ntoskrnl"));
}

/* Data rows name variables; a missing one has no address. */
KT_TEST(ldr_export_data_rows)
{
    const struct ldr_export *e = ldr_export_find("ntoskrnl.exe", "PsThreadType");
    KT_REQUIRE(KT_TRUE(e != NULL));
    KT_EQ_INT(e->kind, LDR_EXPORT_DATA);
    KT_EQ_INT(e->max_irql, LDR_IRQL_UNKNOWN);
}

/* The C runtime rows bind to ntbox's Microsoft-ABI routines, not glibc's. */
KT_TEST(ldr_export_crt_rows_are_microsoft_abi)
{
    const struct ldr_export *strlen_row = ldr_export_find("ntoskrnl.exe", "strlen");
    const struct ldr_export *wcslen_row = ldr_export_find("ntoskrnl.exe", "wcslen");
    KT_REQUIRE(KT_TRUE(strlen_row && strlen_row->address && wcslen_row && wcslen_row->address));
    KT_TRUE(strlen_row->address != (void *)strlen);
    SIZE_T(NTAPI * ms_strlen)(const char *) = (SIZE_T(NTAPI *)(const char *))strlen_row->address;
    SIZE_T(NTAPI * ms_wcslen)(const WCHAR *) = (SIZE_T(NTAPI *)(const WCHAR *))wcslen_row->address;
    KT_EQ_INT(ms_strlen("kernel"), 6);
    KT_EQ_INT(ms_wcslen(L"kernel"), 6);
}

/* The load error lists every missing name: ntoskrnl's bare, others as
 * module!name, ordinals as module!#N. */
KT_TEST(ldr_missing_message_lists_every_name)
{
    struct ldr_missing m = { 0 };
    char err[256];

    ldr_missing_add(&m, "ntoskrnl.exe", "IoFoo", 0);
    ldr_missing_add(&m, "FLTMGR.SYS", "FltBar", 0);
    ldr_missing_add(&m, "hal.dll", NULL, 12);
    ldr_missing_add(&m, "NTOSKRNL.EXE", "KeBaz", 0);
    ldr_missing_message(&m, "drv", "", err, sizeof err);
    KT_EQ_STR(err, "drv imports 4 routines ntbox does not provide: IoFoo, FLTMGR.SYS!FltBar, hal.dll!#12, KeBaz");
    ldr_missing_free(&m);
    KT_EQ_INT(m.count, 0);

    ldr_missing_add(&m, NULL, "Only", 0);
    ldr_missing_message(&m, "drv", " (hint)", err, sizeof err);
    KT_EQ_STR(err, "drv imports 1 routine ntbox does not provide: Only (hint)");
    ldr_missing_free(&m);
}

/* The client API's rows (kernel32.dll, advapi32.dll) are user-mode APIs,
 * which no driver may import: the load error says so for each, with its
 * module, after the list of every missing name. */
KT_TEST(ldr_missing_message_names_user_mode_apis)
{
    struct ldr_missing m = { 0 };
    char err[512];

    KT_TRUE(ldr_export_user_mode(ldr_export_find(NULL, "CreateFileW")));
    KT_TRUE(ldr_export_user_mode(ldr_export_find("ADVAPI32.DLL", "OpenSCManagerW")));
    KT_FALSE(ldr_export_user_mode(ldr_export_find(NULL, "IoCreateDevice")));
    ldr_missing_add(&m, NULL, "CreateFileW", 0);
    ldr_missing_add(&m, NULL, "IoFoo", 0);
    ldr_missing_add(&m, "advapi32.dll", "OpenSCManagerW", 0);
    ldr_missing_message(&m, "drv", " (hint)", err, sizeof err);
    KT_EQ_STR(err, "drv imports 3 routines ntbox does not provide: CreateFileW, IoFoo, advapi32.dll!OpenSCManagerW; "
                   "CreateFileW (kernel32.dll), OpenSCManagerW (advapi32.dll) are user-mode APIs, for client "
                   "programs, not available to drivers (hint)");
    ldr_missing_free(&m);

    ldr_missing_add(&m, NULL, "GetLastError", 0);
    ldr_missing_message(&m, "drv", "", err, sizeof err);
    KT_EQ_STR(err, "drv imports 1 routine ntbox does not provide: GetLastError; GetLastError (kernel32.dll) is a "
                   "user-mode API, for client programs, not available to drivers");
    ldr_missing_free(&m);
}

KT_TEST(ldr_missing_keeps_hundreds_of_names)
{
    struct ldr_missing m = { 0 };
    char name[32];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "Routine%03d", i);
        ldr_missing_add(&m, NULL, name, 0);
    }
    KT_EQ_INT(m.count, 500);
    KT_REQUIRE(KT_TRUE(m.text != NULL));
    KT_EQ_INT(strlen(m.text), 500 * 10 + 499 * 2);
    KT_CONTAINS(m.text, "Routine000, Routine001");
    KT_CONTAINS(m.text, "Routine498, Routine499");
    ldr_missing_free(&m);
}
