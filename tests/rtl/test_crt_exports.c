/* tests/rtl/test_crt_exports.c: the C runtime ntoskrnl exports to .sys
 * drivers (src/rtl/crt_exports.c), called as a driver calls them: through
 * the export table's address for the Windows name, with the Microsoft ABI. */
#include "ktest.h"

#include "loader/exports.h"

#include <stdlib.h>

#define CRT_EINVAL 22
#define CRT_ERANGE 34
#define CRT_STRUNCATE 80
#define CRT_TRUNCATE ((SIZE_T)-1)

/* The ntoskrnl.exe export NAME as a pointer of type T. */
#define CRT(T, name) ((T)kt_crt(name))

static void *kt_crt(const char *name)
{
    const struct ldr_export *e = ldr_export_find("ntoskrnl.exe", name);
    if (!e || !e->address) {
        kt_fail(__FILE__, __LINE__, "ntoskrnl.exe!%s is not implemented", name);
        abort();
    }
    return e->address;
}

typedef void *(NTAPI *mem3_fn)(void *, const void *, SIZE_T);
typedef int(NTAPI *errno4_fn)(void *, SIZE_T, const void *, SIZE_T);
typedef int(NTAPI *errno3_fn)(void *, SIZE_T, const void *);
typedef int(NTAPI *cmp2_fn)(const void *, const void *);
typedef int(NTAPI *cmpn_fn)(const void *, const void *, SIZE_T);
typedef int(NTAPI *snprintf_fn)(char *, SIZE_T, const char *, ...);
typedef int(NTAPI *snwprintf_fn)(WCHAR *, SIZE_T, const WCHAR *, ...);
typedef int(NTAPI *vsnprintf_fn)(char *, SIZE_T, const char *, __builtin_ms_va_list);

KT_TEST(memcpy_memmove_memset_memcmp_memchr)
{
    char buf[16] = "abcdefgh";
    KT_EQ_PTR(CRT(mem3_fn, "memcpy")(buf, "XY", 2), buf);
    KT_EQ_STR(buf, "XYcdefgh");
    CRT(mem3_fn, "memmove")(buf + 1, buf, 6); /* overlapping, forward */
    KT_EQ_STR(buf, "XXYcdefh");
    CRT(mem3_fn, "RtlMoveMemory")(buf, buf + 2, 4);
    KT_EQ_STR(buf, "Ycdedefh");
    CRT(void *(NTAPI *)(void *, int, SIZE_T), "memset")(buf, 'z', 3);
    KT_EQ_STR(buf, "zzzedefh");
    CRT(void(NTAPI *)(void *, SIZE_T, UCHAR), "RtlFillMemory")(buf, 2, 'q');
    KT_EQ_STR(buf, "qqzedefh");
    CRT(void(NTAPI *)(void *, SIZE_T), "RtlZeroMemory")(buf + 4, 4);
    KT_EQ_MEM(buf, "qqze\0\0\0\0", 8);
    KT_EQ_INT(CRT(cmpn_fn, "memcmp")("abc", "abd", 3), -1);
    KT_EQ_INT(CRT(cmpn_fn, "memcmp")("abd", "abc", 3), 1);
    KT_EQ_INT(CRT(cmpn_fn, "memcmp")("abc", "abd", 2), 0);
    KT_EQ_INT(CRT(cmpn_fn, "memcmp")("\x80", "\x01", 1), 1); /* bytes compare unsigned */
    const char *s = "kernel";
    KT_EQ_PTR(CRT(void *(NTAPI *)(const void *, int, SIZE_T), "memchr")(s, 'n', 6), s + 3);
    KT_EQ_PTR(CRT(void *(NTAPI *)(const void *, int, SIZE_T), "memchr")(s, 'n', 3), NULL);
}

/* memcpy_s: a NULL source or a destination too small zero-fills the
 * destination (CRT, memcpy_s); memmove_s leaves it alone. */
KT_TEST(memcpy_s_and_memmove_s_errors)
{
    char buf[4] = "abc";
    errno4_fn memcpy_s = CRT(errno4_fn, "memcpy_s"), memmove_s = CRT(errno4_fn, "memmove_s");
    KT_EQ_INT(memcpy_s(buf, 4, "xy", 2), 0);
    KT_EQ_STR(buf, "xyc");
    KT_EQ_INT(memcpy_s(NULL, 0, NULL, 0), 0);
    KT_EQ_INT(memcpy_s(NULL, 4, "xy", 2), CRT_EINVAL);
    KT_EQ_INT(memcpy_s(buf, 4, NULL, 2), CRT_EINVAL);
    KT_EQ_MEM(buf, "\0\0\0\0", 4);
    memcpy(buf, "abc", 4);
    KT_EQ_INT(memcpy_s(buf, 2, "xyz", 3), CRT_ERANGE);
    KT_EQ_MEM(buf, "\0\0c", 4);
    memcpy(buf, "abc", 4);
    KT_EQ_INT(memmove_s(buf, 2, "xyz", 3), CRT_ERANGE);
    KT_EQ_INT(memmove_s(buf, 4, NULL, 3), CRT_EINVAL);
    KT_EQ_STR(buf, "abc");
    KT_EQ_INT(memmove_s(buf + 1, 3, buf, 2), 0);
    KT_EQ_STR(buf, "aab");
}

KT_TEST(string_lengths)
{
    KT_EQ_INT(CRT(SIZE_T(NTAPI *)(const char *), "strlen")("driver"), 6);
    KT_EQ_INT(CRT(SIZE_T(NTAPI *)(const char *, SIZE_T), "strnlen")("driver", 4), 4);
    KT_EQ_INT(CRT(SIZE_T(NTAPI *)(const char *, SIZE_T), "strnlen")("driver", 40), 6);
    KT_EQ_INT(CRT(SIZE_T(NTAPI *)(const WCHAR *), "wcslen")(L"driver"), 6);
    KT_EQ_INT(CRT(SIZE_T(NTAPI *)(const WCHAR *, SIZE_T), "wcsnlen")(L"driver", 2), 2);
}

/* Comparisons return -1, 0 or 1; _stricmp compares lowercased, so '_'
 * (0x5F) sorts before 'A' (0x61 once lowered). */
KT_TEST(string_comparisons)
{
    KT_EQ_INT(CRT(cmp2_fn, "strcmp")("abc", "abd"), -1);
    KT_EQ_INT(CRT(cmp2_fn, "strcmp")("abc", "abc"), 0);
    KT_EQ_INT(CRT(cmp2_fn, "strcmp")("abcd", "abc"), 1);
    KT_EQ_INT(CRT(cmp2_fn, "strcmp")("\xe9", "a"), 1);
    KT_EQ_INT(CRT(cmpn_fn, "strncmp")("abcX", "abcY", 3), 0);
    KT_EQ_INT(CRT(cmp2_fn, "_stricmp")("Driver", "dRIVER"), 0);
    KT_EQ_INT(CRT(cmp2_fn, "_stricmp")("_", "A"), -1);
    KT_EQ_INT(CRT(cmpn_fn, "_strnicmp")("ABCx", "abcy", 3), 0);
    KT_EQ_INT(CRT(cmp2_fn, "wcscmp")(L"abc", L"abd"), -1);
    KT_EQ_INT(CRT(cmp2_fn, "_wcsicmp")(L"Kernel", L"KERNEL"), 0);
    KT_EQ_INT(CRT(cmpn_fn, "_wcsnicmp")(L"KernelA", L"kernelB", 6), 0);
    KT_EQ_INT(CRT(cmpn_fn, "wcsncmp")(L"ab", L"ac", 2), -1);
}

/* The "C" locale: only ASCII letters change case. */
KT_TEST(case_mapping_ascii_only)
{
    KT_EQ_INT(CRT(int(NTAPI *)(int), "toupper")('q'), 'Q');
    KT_EQ_INT(CRT(int(NTAPI *)(int), "toupper")(0xe9), 0xe9);
    KT_EQ_INT(CRT(int(NTAPI *)(int), "tolower")('Q'), 'q');
    KT_EQ_INT(CRT(WCHAR(NTAPI *)(WCHAR), "towupper")(L'z'), L'Z');
    KT_EQ_INT(CRT(WCHAR(NTAPI *)(WCHAR), "towlower")(0x00C9), 0x00C9);
}

KT_TEST(string_copies_and_searches)
{
    char buf[16];
    CRT(char *(NTAPI *)(char *, const char *), "strcpy")(buf, "ab");
    CRT(char *(NTAPI *)(char *, const char *), "strcat")(buf, "cd");
    KT_EQ_STR(buf, "abcd");
    memset(buf, 'x', sizeof buf);
    CRT(char *(NTAPI *)(char *, const char *, SIZE_T), "strncpy")(buf, "ab", 5); /* pads with NULs */
    KT_EQ_MEM(buf, "ab\0\0\0x", 6);
    CRT(char *(NTAPI *)(char *, const char *, SIZE_T), "strncpy")(buf, "abcdef", 3); /* no terminator */
    KT_EQ_MEM(buf, "abc\0\0x", 6);
    const char *s = "a.b.c";
    KT_EQ_PTR(CRT(char *(NTAPI *)(const char *, int), "strchr")(s, '.'), s + 1);
    KT_EQ_PTR(CRT(char *(NTAPI *)(const char *, int), "strrchr")(s, '.'), s + 3);
    KT_EQ_PTR(CRT(char *(NTAPI *)(const char *, int), "strchr")(s, 0), s + 5);
    KT_EQ_PTR(CRT(char *(NTAPI *)(const char *, int), "strchr")(s, 'z'), NULL);
    KT_EQ_PTR(CRT(char *(NTAPI *)(const char *, const char *), "strstr")(s, "b.c"), s + 2);
    KT_EQ_PTR(CRT(char *(NTAPI *)(const char *, const char *), "strstr")(s, ""), s);
    KT_EQ_PTR(CRT(char *(NTAPI *)(const char *, const char *), "strstr")(s, "c.d"), NULL);
    const WCHAR *w = L"a\\b\\c";
    KT_EQ_PTR(CRT(WCHAR * (NTAPI *)(const WCHAR *, int), "wcsrchr")(w, L'\\'), w + 3);
    KT_EQ_PTR(CRT(WCHAR * (NTAPI *)(const WCHAR *, const WCHAR *), "wcsstr")(w, L"b\\"), w + 2);
    WCHAR wbuf[8];
    CRT(WCHAR * (NTAPI *)(WCHAR *, const WCHAR *), "wcscpy")(wbuf, L"ab");
    CRT(WCHAR * (NTAPI *)(WCHAR *, const WCHAR *), "wcscat")(wbuf, L"c");
    KT_EQ_MEM(wbuf, L"abc", 4 * sizeof(WCHAR));
}

/* The secure copies: 0 on success; EINVAL for NULL arguments, ERANGE when
 * the destination is too small, and then the destination is "". */
KT_TEST(strcpy_s_strcat_s_strncpy_s)
{
    char buf[4];
    errno3_fn strcpy_s = CRT(errno3_fn, "strcpy_s"), strcat_s = CRT(errno3_fn, "strcat_s");
    errno4_fn strncpy_s = CRT(errno4_fn, "strncpy_s");

    KT_EQ_INT(strcpy_s(buf, 4, "abc"), 0);
    KT_EQ_STR(buf, "abc");
    KT_EQ_INT(strcpy_s(buf, 4, "abcd"), CRT_ERANGE);
    KT_EQ_STR(buf, "");
    KT_EQ_INT(strcpy_s(buf, 4, NULL), CRT_EINVAL);
    KT_EQ_INT(strcpy_s(NULL, 4, "a"), CRT_EINVAL);
    KT_EQ_INT(strcpy_s(buf, 0, "a"), CRT_EINVAL);

    strcpy(buf, "ab");
    KT_EQ_INT(strcat_s(buf, 4, "c"), 0);
    KT_EQ_STR(buf, "abc");
    KT_EQ_INT(strcat_s(buf, 4, "d"), CRT_ERANGE);
    KT_EQ_STR(buf, "");
    memcpy(buf, "abcd", 4); /* not terminated within its size */
    KT_EQ_INT(strcat_s(buf, 4, "e"), CRT_EINVAL);
    KT_EQ_STR(buf, "");

    KT_EQ_INT(strncpy_s(buf, 4, "abcdef", 2), 0);
    KT_EQ_STR(buf, "ab");
    KT_EQ_INT(strncpy_s(buf, 4, "abcdef", CRT_TRUNCATE), CRT_STRUNCATE);
    KT_EQ_STR(buf, "abc");
    KT_EQ_INT(strncpy_s(buf, 4, "abcdef", 5), CRT_ERANGE);
    KT_EQ_STR(buf, "");
    KT_EQ_INT(strncpy_s(NULL, 0, NULL, 0), 0);
}

KT_TEST(wcscpy_s_wcscat_s_wcsncpy_s)
{
    WCHAR buf[4];
    errno3_fn wcscpy_s = CRT(errno3_fn, "wcscpy_s"), wcscat_s = CRT(errno3_fn, "wcscat_s");
    errno4_fn wcsncpy_s = CRT(errno4_fn, "wcsncpy_s");

    KT_EQ_INT(wcscpy_s(buf, 4, L"abc"), 0);
    KT_EQ_MEM(buf, L"abc", 4 * sizeof(WCHAR));
    KT_EQ_INT(wcscat_s(buf, 4, L"d"), CRT_ERANGE);
    KT_EQ_INT(buf[0], 0);
    KT_EQ_INT(wcscpy_s(buf, 2, L"ab"), CRT_ERANGE);
    KT_EQ_INT(buf[0], 0);
    KT_EQ_INT(wcsncpy_s(buf, 4, L"wxyz", CRT_TRUNCATE), CRT_STRUNCATE);
    KT_EQ_MEM(buf, L"wxy", 4 * sizeof(WCHAR));
}

static int NTAPI kt_vsnprintf(char *buf, SIZE_T count, const char *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = CRT(vsnprintf_fn, "_vsnprintf")(buf, count, fmt, ap);
    __builtin_ms_va_end(ap);
    return n;
}

/* _vsnprintf: output and NUL fit: the length; exactly count long: count,
 * no NUL; longer: the first count characters and -1 (CRT, _vsnprintf). */
KT_TEST(vsnprintf_truncation_rules)
{
    char buf[8];
    memset(buf, '#', sizeof buf);
    KT_EQ_INT(kt_vsnprintf(buf, 8, "%d-%s", 42, "ab"), 5);
    KT_EQ_MEM(buf, "42-ab\0##", 8);
    memset(buf, '#', sizeof buf);
    KT_EQ_INT(kt_vsnprintf(buf, 5, "%d-%s", 42, "ab"), 5);
    KT_EQ_MEM(buf, "42-ab###", 8);
    memset(buf, '#', sizeof buf);
    KT_EQ_INT(kt_vsnprintf(buf, 4, "%d-%s", 42, "ab"), -1);
    KT_EQ_MEM(buf, "42-a####", 8);
    KT_EQ_INT(kt_vsnprintf(NULL, 0, "x"), -1);
    KT_EQ_INT(kt_vsnprintf(buf, 8, ""), 0);
    KT_EQ_INT(buf[0], 0);
}

typedef int(NTAPI *vsnprintf_s_fn)(void *, SIZE_T, SIZE_T, const void *, __builtin_ms_va_list);

static int NTAPI kt_vsnprintf_s(const char *name, void *buf, SIZE_T size, SIZE_T count, const void *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = CRT(vsnprintf_s_fn, name)(buf, size, count, fmt, ap);
    __builtin_ms_va_end(ap);
    return n;
}

/* _vsnprintf_s: always terminated within size; at most count characters
 * (_TRUNCATE: as many as fit), -1 when cut short; output that does not fit
 * size leaves "" and -1; no buffer, size 0 or no format: -1 (CRT,
 * _vsnprintf_s). _vsnwprintf_s the same in WCHARs. */
KT_TEST(vsnprintf_s_truncation_rules)
{
    char buf[8];
    WCHAR wbuf[8];
    memset(buf, '#', sizeof buf);
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", buf, 8, 7, "%d-%s", 42, "ab"), 5);
    KT_EQ_MEM(buf, "42-ab\0##", 8);
    memset(buf, '#', sizeof buf);
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", buf, 8, 3, "%d-%s", 42, "ab"), -1);
    KT_EQ_MEM(buf, "42-\0####", 8);
    memset(buf, '#', sizeof buf);
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", buf, 4, CRT_TRUNCATE, "%d-%s", 42, "ab"), -1);
    KT_EQ_MEM(buf, "42-\0####", 8);
    memset(buf, '#', sizeof buf);
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", buf, 4, 5, "%d-%s", 42, "ab"), -1);
    KT_EQ_MEM(buf, "\0#######", 8);
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", buf, 6, 5, "%d-%s", 42, "ab"), 5);
    KT_EQ_STR(buf, "42-ab");
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", NULL, 8, 7, "x"), -1);
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", buf, 0, 7, "x"), -1);
    KT_EQ_INT(kt_vsnprintf_s("_vsnprintf_s", buf, 8, 7, NULL), -1);
    KT_EQ_INT(kt_vsnprintf_s("_vsnwprintf_s", wbuf, 8, CRT_TRUNCATE, L"%d-%ws", 42, L"abcdef"), -1);
    KT_EQ_MEM(wbuf, L"42-abcd", 8 * sizeof(WCHAR));
    KT_EQ_INT(kt_vsnprintf_s("_vsnwprintf_s", wbuf, 8, 7, L"%S", "xyz"), 3);
    KT_EQ_MEM(wbuf, L"xyz", 4 * sizeof(WCHAR));
}

KT_TEST(snprintf_sprintf_formats)
{
    char buf[64];
    KT_EQ_INT(CRT(snprintf_fn, "_snprintf")(buf, sizeof buf, "%ws|%I64x|%lu|%c", L"wide", 0x1234567890ULL, 7u, 'k'), 19);
    KT_EQ_STR(buf, "wide|1234567890|7|k");
    KT_EQ_INT(CRT(int(NTAPI *)(char *, const char *, ...), "sprintf")(buf, "%08lx", 0xbeefu), 8);
    KT_EQ_STR(buf, "0000beef");
}

static int kt_wide_eq(const WCHAR *a, const WCHAR *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* In wide printf %s and %c take wide text and %S, %C narrow; %hs and %ls
 * say it outright; the count is in WCHARs. */
KT_TEST(snwprintf_wide_rules)
{
    WCHAR buf[32];
    snwprintf_fn snwprintf = CRT(snwprintf_fn, "_snwprintf");
    KT_EQ_INT(snwprintf(buf, 32, L"%s/%S/%hs/%ls/%c/%C/%d", L"w", "n", "h", L"l", L'x', 'y', -5), 14);
    KT_TRUE(kt_wide_eq(buf, L"w/n/h/l/x/y/-5"));
    /* beyond ASCII: é and U+1F600 (a surrogate pair) come back as written */
    static const WCHAR fancy[] = { 0x00E9, 0xD83D, 0xDE00, 0 };
    KT_EQ_INT(snwprintf(buf, 32, L"<%s>", fancy), 5);
    static const WCHAR expect[] = { '<', 0x00E9, 0xD83D, 0xDE00, '>', 0 };
    KT_TRUE(kt_wide_eq(buf, expect));
    /* truncation counts WCHARs */
    buf[3] = L'#';
    KT_EQ_INT(snwprintf(buf, 3, L"abc"), 3);
    KT_EQ_INT(buf[3], L'#');
    KT_EQ_INT(snwprintf(buf, 2, L"abc"), -1);
    KT_EQ_INT(buf[0], L'a');
    KT_EQ_INT(buf[1], L'b');
    KT_EQ_INT(CRT(int(NTAPI *)(WCHAR *, const WCHAR *, ...), "swprintf")(buf, L"%d%%", 50), 3);
    KT_TRUE(kt_wide_eq(buf, L"50%"));
}
