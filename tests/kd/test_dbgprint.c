/* tests/kd/test_dbgprint.c: DbgPrint, DbgPrintEx, vDbgPrintEx,
 * vDbgPrintExWithPrefix and KdPrint with DBG 0: the exact bytes a message
 * puts on stdout (captured from a child process), the 512-byte limit,
 * Windows' filtering, the PASSIVE_LEVEL rule of the Unicode codes, and a
 * -mabi=ms driver handing its va_list to vDbgPrintEx. */
#include "ktest.h"

#include "kd/dbgprint.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Runs fn in a child; expects exit status 0 and output starting with the
 * exact bytes of expected (warnings, if any, follow). Returns the output. */
static const char *kt_output(void (*fn)(void *), void *arg, const char *expected, bool whole)
{
    int status;
    const char *out = kt_run_child(fn, arg, &status);
    KT_EQ_INT(status, 0);
    if (whole)
        KT_EQ_STR(out, expected);
    else if (KT_TRUE(strlen(out) >= strlen(expected)))
        KT_EQ_MEM(out, expected, strlen(expected));
    return out;
}

/* A child's check of a return value: a wrong one is exit status 10. */
static void kt_child_expect(ULONG actual, ULONG expected)
{
    if (actual != expected)
        _exit(10);
}

static void print_hello(void *arg)
{
    (void)arg;
    kt_child_expect(DbgPrint("Hello %s %d %08lx\n", "world", 5, 0xbeefUL), STATUS_SUCCESS);
}

/* DbgPrint formats like printf and returns STATUS_SUCCESS. */
KT_TEST(DbgPrint_success)
{
    kt_output(print_hello, NULL, "Hello world 5 0000beef\n", true);
}

static void print_lines(void *arg)
{
    (void)arg;
    DbgPrint("no newline");
    DbgPrint("two\nlines");
    DbgPrint("has one\n");
    DbgPrint("");
    DbgPrint("%s", "");
    DbgPrint("end\n\n");
}

/* ntbox: one message is whole lines; a newline is added only when the
 * message lacks one, an empty message prints nothing. */
KT_TEST(DbgPrint_newline_handling)
{
    kt_output(print_lines, NULL, "no newline\ntwo\nlines\nhas one\nend\n\n", true);
}

static void print_long(void *arg)
{
    char text[700];
    size_t n = (size_t)(ULONG_PTR)arg;
    memset(text, 'x', n);
    text[n] = 0;
    kt_child_expect(DbgPrint("%s", text), STATUS_SUCCESS);
}

/* "Any single call to DbgPrint ... will only transmit 512 bytes": a longer
 * message keeps its first 511 bytes and ends with a newline (Windows). */
KT_TEST(DbgPrint_512_byte_limit)
{
    char expected[600];
    memset(expected, 'x', 511);
    strcpy(expected + 511, "\n");
    const char *out = kt_output(print_long, (void *)(ULONG_PTR)600, expected, false);
    KT_CONTAINS(out, "\nntbox: warning: DbgPrint: message longer than 512 bytes cut to 512");
}

/* Exactly 512 bytes are transmitted whole (ntbox adds its newline). */
KT_TEST(DbgPrint_512_bytes_fit)
{
    char expected[600];
    memset(expected, 'x', 512);
    strcpy(expected + 512, "\n");
    kt_output(print_long, (void *)(ULONG_PTR)512, expected, true);
}

static void print_levels(void *arg)
{
    if (arg)
        kd_set_windows_filtering(true);
    kt_child_expect(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "error\n"), STATUS_SUCCESS);
    kt_child_expect(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL, "warning\n"), STATUS_SUCCESS);
    kt_child_expect(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_TRACE_LEVEL, "trace\n"), STATUS_SUCCESS);
    kt_child_expect(DbgPrintEx(DPFLTR_IHVVIDEO_ID, DPFLTR_INFO_LEVEL, "info\n"), STATUS_SUCCESS);
    kt_child_expect(DbgPrintEx(DPFLTR_IHVBUS_ID, 31, "bit31\n"), STATUS_SUCCESS);
    kt_child_expect(DbgPrintEx(DPFLTR_IHVBUS_ID, DPFLTR_MASK | 0x10, "mask10\n"), STATUS_SUCCESS);
    kt_child_expect(DbgPrintEx(DPFLTR_IHVBUS_ID, DPFLTR_MASK | 0x1, "mask1\n"), STATUS_SUCCESS);
    kt_child_expect(DbgPrint("dbgprint\n"), STATUS_SUCCESS);
}

/* ntbox's default: every level of every component is shown. */
KT_TEST(DbgPrintEx_all_levels_shown_by_default)
{
    kt_output(print_levels, NULL, "error\nwarning\ntrace\ninfo\nbit31\nmask10\nmask1\ndbgprint\n", true);
}

/* Windows' default masks (0, ORed with WIN2000 0x1): only importance bit 0
 * passes; Level < 32 is 1 << Level, else the field itself; DbgPrint is
 * DEFAULT/INFO and is not shown; filtered calls return STATUS_SUCCESS. */
KT_TEST(DbgPrintEx_windows_filtering)
{
    kt_output(print_levels, (void *)1, "error\nmask1\n", true);
}

static ULONG __attribute__((ms_abi)) kt_vprint(PCCH prefix, ULONG level, PCCH fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    ULONG status = prefix ? vDbgPrintExWithPrefix(prefix, DPFLTR_IHVDRIVER_ID, level, fmt, ap)
                          : vDbgPrintEx(DPFLTR_IHVDRIVER_ID, level, fmt, ap);
    __builtin_ms_va_end(ap);
    return status;
}

static void print_v(void *arg)
{
    (void)arg;
    kt_child_expect(kt_vprint(NULL, DPFLTR_INFO_LEVEL, "v %d %I64d %s\n", 1, -2LL, "three"), STATUS_SUCCESS);
    kt_child_expect(kt_vprint("[drv] ", DPFLTR_ERROR_LEVEL, "p %u\n", 4), STATUS_SUCCESS);
    kd_set_windows_filtering(true);
    kt_child_expect(kt_vprint("[drv] ", DPFLTR_INFO_LEVEL, "hidden\n"), STATUS_SUCCESS);
}

/* vDbgPrintEx takes the arguments as a va_list; vDbgPrintExWithPrefix puts
 * the prefix first; both filter as DbgPrintEx does. */
KT_TEST(vDbgPrintEx_and_prefix)
{
    kt_output(print_v, NULL, "v 1 -2 three\n[drv] p 4\n", true);
}

static void print_prefix_long(void *arg)
{
    char text[600];
    (void)arg;
    memset(text, 'y', 520);
    text[520] = 0;
    kt_vprint("[drv] ", DPFLTR_ERROR_LEVEL, "%s", text);
}

/* The prefix and the message share the 512 bytes. */
KT_TEST(vDbgPrintExWithPrefix_512_byte_limit)
{
    char expected[600];
    memcpy(expected, "[drv] ", 6);
    memset(expected + 6, 'y', 505);
    strcpy(expected + 511, "\n");
    kt_output(print_prefix_long, NULL, expected, false);
}

static void print_null_format(void *arg)
{
    (void)arg;
    kt_child_expect(DbgPrint(NULL), (ULONG)STATUS_ACCESS_VIOLATION);
}

/* A NULL Format faults inside Windows' try/except: the exception code,
 * STATUS_ACCESS_VIOLATION, is returned and nothing printed. */
KT_TEST(DbgPrint_null_format)
{
    const char *out = kt_output(print_null_format, NULL, "ntbox: warning: DbgPrint: Format is NULL", false);
    KT_FALSE(strstr(out, "\n") != strrchr(out, '\n')); /* one line: the warning alone */
}

static void print_unicode(void *arg)
{
    UNICODE_STRING us = { 4, 4, L"ab" };
    KIRQL old = PASSIVE_LEVEL;
    if (arg)
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    kt_child_expect(DbgPrint("%wZ %ws\n", &us, L"c"), STATUS_SUCCESS);
    if (arg)
        KeLowerIrql(old);
}

/* Unicode format codes at PASSIVE_LEVEL: printed, no finding. */
KT_TEST(DbgPrint_unicode_at_passive)
{
    kt_output(print_unicode, NULL, "ab c\n", true);
}

/* "The Unicode format codes ... can only be used with IRQL =
 * PASSIVE_LEVEL": above it ntbox prints and warns, naming the code. */
KT_TEST(DbgPrint_unicode_above_passive_warns)
{
    const char *out = kt_output(print_unicode, (void *)1, "ab c\n", false);
    KT_CONTAINS(out, "\nntbox: warning: DbgPrint: Unicode format code %wZ used at DISPATCH_LEVEL; Windows allows");
}

static void print_refused(void *arg)
{
    int target = 3;
    (void)arg;
    DbgPrint("a%nb%f\n", &target, 1.0);
    kt_child_expect((ULONG)target, 3);
}

/* %n writes nothing and floating point prints nothing; both are reported. */
KT_TEST(DbgPrint_refused_codes_warn)
{
    const char *out = kt_output(print_refused, NULL, "ab\n", false);
    KT_CONTAINS(out, "\nntbox: warning: DbgPrint: format code %n is not supported");
}

static int kt_kdprint_evaluations;

static void print_kdprint(void *arg)
{
    (void)arg;
    KdPrint(("kdprint %d\n", ++kt_kdprint_evaluations));
    KdPrintEx((DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "kdprintex %d\n", ++kt_kdprint_evaluations));
    DbgPrint("%d\n", kt_kdprint_evaluations);
}

/* With DBG 0 (wdm.h's default) KdPrint and KdPrintEx vanish, arguments
 * included. */
KT_TEST(KdPrint_DBG_0_vanishes)
{
    KT_EQ_INT(DBG, 0);
    kt_output(print_kdprint, NULL, "0\n", true);
}

/* A driver built with -mabi=ms hands its own va_list to vDbgPrintEx. */
static const char kt_driver_source[] =
    "#include <ntddk.h>\n"
    "#include <stdarg.h>\n"
    "_Static_assert(__builtin_types_compatible_p(va_list, __builtin_ms_va_list), \"ms va_list\");\n"
    "ULONG drv_log(ULONG (NTAPI *fn)(ULONG, ULONG, PCCH, va_list), PCCH fmt, ...)\n"
    "{ va_list ap; va_start(ap, fmt); ULONG r = fn(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, fmt, ap);\n"
    "  va_end(ap); return r; }\n";

typedef ULONG __attribute__((ms_abi)) kt_drv_log_fn(void *fn, PCCH fmt, ...);

static void print_from_ms_driver(void *arg)
{
    UNICODE_STRING us = { 6, 6, L"drv" };
    kt_drv_log_fn *log = (kt_drv_log_fn *)arg;
    kt_child_expect(log((void *)vDbgPrintEx, "%d-%s-%I64d-%wZ-%lx-%d-%d-%d\n", 7, "x", -5LL, &us, 0xabcdUL, 8, 9, 10),
                    STATUS_SUCCESS);
}

KT_TEST(vDbgPrintEx_va_list_from_ms_abi_driver)
{
    char dir[] = "/tmp/ntbox-kt-XXXXXX", cmd[1024], path[256], src_dir[512];
    KT_REQUIRE(KT_TRUE(mkdtemp(dir) != NULL));
    snprintf(src_dir, sizeof src_dir, "%s", __FILE__);
    char *tests = strstr(src_dir, "/tests/kd/");
    KT_REQUIRE(KT_TRUE(tests != NULL));
    *tests = 0;
    snprintf(path, sizeof path, "%s/drv.c", dir);
    FILE *f = fopen(path, "w");
    KT_REQUIRE(KT_TRUE(f != NULL));
    fputs(kt_driver_source, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cc -mabi=ms -fshort-wchar -Wall -Werror -shared -fPIC -I%s/include -o %s/drv.so %s",
             src_dir, dir, path);
    KT_REQUIRE(KT_EQ_INT(system(cmd), 0));
    snprintf(path, sizeof path, "%s/drv.so", dir);
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    KT_REQUIRE(KT_TRUE(so != NULL));
    void *log = dlsym(so, "drv_log");
    if (KT_TRUE(log != NULL))
        kt_output(print_from_ms_driver, log, "7-x--5-drv-abcd-8-9-10\n", true);
    dlclose(so);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    KT_EQ_INT(system(cmd), 0);
}
