/* tests/rtl/test_unicode_string.c: counted strings: init, copy, append,
 * compare, case mapping. */
#include "ktest.h"

#include <stdlib.h>

/* A heap string of n copies of c, NUL-terminated. */
static WCHAR *long_wstr(size_t n, WCHAR c)
{
    WCHAR *s = malloc((n + 1) * sizeof(WCHAR));
    for (size_t i = 0; i < n; i++)
        s[i] = c;
    s[n] = 0;
    return s;
}

static char *long_str(size_t n, char c)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = 0;
    return s;
}

/* ---- RtlInitUnicodeString(Ex) ---- */

/* "Length = bytes without the terminating null, MaximumLength = with it;
 * Buffer = SourceString." */
KT_TEST(RtlInitUnicodeString_sets_lengths)
{
    static const WCHAR src[] = L"abc";
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, src);
    KT_EQ_INT(s.Length, 6);
    KT_EQ_INT(s.MaximumLength, 8);
    KT_EQ_PTR(s.Buffer, src);
}

/* "If SourceString is NULL, Length and MaximumLength are both set to zero." */
KT_TEST(RtlInitUnicodeString_null_source)
{
    UNICODE_STRING s = { 77, 99, (PWCH)L"junk" };
    RtlInitUnicodeString(&s, NULL);
    KT_EQ_INT(s.Length, 0);
    KT_EQ_INT(s.MaximumLength, 0);
    KT_EQ_PTR(s.Buffer, NULL);
}

/* An empty string still counts its terminator in MaximumLength. */
KT_TEST(RtlInitUnicodeString_empty_source)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"");
    KT_EQ_INT(s.Length, 0);
    KT_EQ_INT(s.MaximumLength, 2);
}

/* "Longer than MAX_USTRING - 1 bytes: Length = MAX_USTRING - 2 (0xFFFC),
 * MaximumLength = MAX_USTRING (0xFFFE)." 32766 characters fit exactly. */
KT_TEST(RtlInitUnicodeString_too_long_is_clamped)
{
    UNICODE_STRING s;
    WCHAR *fits = long_wstr(32766, 'a'), *over = long_wstr(40000, 'b');
    RtlInitUnicodeString(&s, fits);
    KT_EQ_HEX(s.Length, 0xFFFC);
    KT_EQ_HEX(s.MaximumLength, 0xFFFE);
    RtlInitUnicodeString(&s, over);
    KT_EQ_HEX(s.Length, 0xFFFC);
    KT_EQ_HEX(s.MaximumLength, 0xFFFE);
    KT_EQ_PTR(s.Buffer, over);
    free(fits);
    free(over);
}

/* RtlInitUnicodeStringEx: the same rules, STATUS_SUCCESS. */
KT_TEST(RtlInitUnicodeStringEx_success)
{
    UNICODE_STRING s;
    KT_EQ_STATUS(RtlInitUnicodeStringEx(&s, L"abcd"), STATUS_SUCCESS);
    KT_EQ_INT(s.Length, 8);
    KT_EQ_INT(s.MaximumLength, 10);
    KT_EQ_STATUS(RtlInitUnicodeStringEx(&s, NULL), STATUS_SUCCESS);
    KT_EQ_INT(s.Length, 0);
    KT_EQ_INT(s.MaximumLength, 0);
    KT_EQ_PTR(s.Buffer, NULL);
}

/* A source over 0xFFFC bytes: STATUS_NAME_TOO_LONG, no lengths set. */
KT_TEST(RtlInitUnicodeStringEx_name_too_long)
{
    UNICODE_STRING s = { 5, 5, NULL };
    WCHAR *fits = long_wstr(32766, 'a'), *over = long_wstr(32767, 'a');
    KT_EQ_STATUS(RtlInitUnicodeStringEx(&s, fits), STATUS_SUCCESS);
    KT_EQ_HEX(s.Length, 0xFFFC);
    KT_EQ_STATUS(RtlInitUnicodeStringEx(&s, over), STATUS_NAME_TOO_LONG);
    KT_EQ_INT(s.Length, 0);
    KT_EQ_INT(s.MaximumLength, 0);
    free(fits);
    free(over);
}

/* ---- RtlInitString / RtlInitAnsiString(Ex) ---- */

/* Length = strlen, MaximumLength = strlen + 1, Buffer = SourceString. */
KT_TEST(RtlInitString_sets_lengths)
{
    static const char src[] = "hello";
    STRING s;
    ANSI_STRING a;
    RtlInitString(&s, src);
    KT_EQ_INT(s.Length, 5);
    KT_EQ_INT(s.MaximumLength, 6);
    KT_EQ_PTR(s.Buffer, src);
    RtlInitAnsiString(&a, src);
    KT_EQ_INT(a.Length, 5);
    KT_EQ_INT(a.MaximumLength, 6);
}

/* "If SourceString is NULL, Length and MaximumLength are both set to zero." */
KT_TEST(RtlInitString_null_source)
{
    STRING s = { 3, 3, (PCHAR)"x" };
    RtlInitString(&s, NULL);
    KT_EQ_INT(s.Length, 0);
    KT_EQ_INT(s.MaximumLength, 0);
    KT_EQ_PTR(s.Buffer, NULL);
    RtlInitAnsiString(&s, NULL);
    KT_EQ_INT(s.MaximumLength, 0);
}

/* "Longer than MAXUSHORT - 1 bytes: Length = MAXUSHORT - 1, MaximumLength =
 * MAXUSHORT." */
KT_TEST(RtlInitString_too_long_is_clamped)
{
    STRING s;
    char *over = long_str(70000, 'z');
    RtlInitString(&s, over);
    KT_EQ_HEX(s.Length, 0xFFFE);
    KT_EQ_HEX(s.MaximumLength, 0xFFFF);
    RtlInitAnsiString(&s, over);
    KT_EQ_HEX(s.Length, 0xFFFE);
    free(over);
}

/* "Returns STATUS_NAME_TOO_LONG if the SourceString is too long." 65534
 * bytes still fit. */
KT_TEST(RtlInitStringEx_name_too_long)
{
    STRING s;
    char *fits = long_str(65534, 'a'), *over = long_str(65535, 'a');
    KT_EQ_STATUS(RtlInitStringEx(&s, fits), STATUS_SUCCESS);
    KT_EQ_HEX(s.Length, 0xFFFE);
    KT_EQ_HEX(s.MaximumLength, 0xFFFF);
    KT_EQ_STATUS(RtlInitStringEx(&s, over), STATUS_NAME_TOO_LONG);
    KT_EQ_STATUS(RtlInitAnsiStringEx(&s, over), STATUS_NAME_TOO_LONG);
    KT_EQ_STATUS(RtlInitAnsiStringEx(&s, "ab"), STATUS_SUCCESS);
    KT_EQ_INT(s.Length, 2);
    KT_EQ_STATUS(RtlInitAnsiStringEx(&s, NULL), STATUS_SUCCESS);
    KT_EQ_INT(s.MaximumLength, 0);
    free(fits);
    free(over);
}

/* ---- The WDK's macros ---- */

static UNICODE_STRING global_name = RTL_CONSTANT_STRING(L"\\Device\\Sample");
DECLARE_GLOBAL_CONST_UNICODE_STRING(global_const_name, L"Xy");

/* RTL_CONSTANT_STRING: Length without, MaximumLength with the terminator;
 * usable for globals, for STRING and UNICODE_STRING. */
KT_TEST(RTL_CONSTANT_STRING_lengths)
{
    STRING a = RTL_CONSTANT_STRING("abc");
    KT_EQ_INT(global_name.Length, 28);
    KT_EQ_INT(global_name.MaximumLength, 30);
    KT_EQ_USTR(&global_name, "\\Device\\Sample");
    KT_EQ_INT(a.Length, 3);
    KT_EQ_INT(a.MaximumLength, 4);
    KT_EQ_INT(global_const_name.Length, 4);
}

/* DECLARE_CONST_UNICODE_STRING: a const string over a const buffer;
 * DECLARE_UNICODE_STRING_SIZE: an empty string over a buffer of _size WCHARs. */
KT_TEST(DECLARE_UNICODE_STRING_macros)
{
    DECLARE_CONST_UNICODE_STRING(name, L"key");
    DECLARE_UNICODE_STRING_SIZE(buf, 40);
    KT_EQ_INT(name.Length, 6);
    KT_EQ_INT(name.MaximumLength, 8);
    KT_EQ_PTR(name.Buffer, name_buffer);
    KT_EQ_INT(buf.Length, 0);
    KT_EQ_INT(buf.MaximumLength, 80);
    KT_EQ_PTR(buf.Buffer, buf_buffer);
}

/* RtlInitEmptyUnicodeString / RtlInitEmptyAnsiString: Length 0,
 * MaximumLength = BufferSize, Buffer = Buffer. */
KT_TEST(RtlInitEmptyUnicodeString_sets_fields)
{
    WCHAR wbuf[6];
    char buf[3];
    UNICODE_STRING u = { 9, 9, NULL };
    ANSI_STRING a = { 9, 9, NULL };
    RtlInitEmptyUnicodeString(&u, wbuf, sizeof wbuf);
    RtlInitEmptyAnsiString(&a, buf, sizeof buf);
    KT_EQ_INT(u.Length, 0);
    KT_EQ_INT(u.MaximumLength, 12);
    KT_EQ_PTR(u.Buffer, wbuf);
    KT_EQ_INT(a.Length, 0);
    KT_EQ_INT(a.MaximumLength, 3);
    KT_EQ_PTR(a.Buffer, buf);
}

/* ---- RtlCopyUnicodeString / RtlCopyString ---- */

/* "The number of bytes copied is the source length or the destination's
 * MaximumLength, whichever is smaller"; a terminator follows when room. */
KT_TEST(RtlCopyUnicodeString_copies_and_terminates)
{
    WCHAR buf[8];
    UNICODE_STRING d = { 0, sizeof buf, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"abc");
    memset(buf, 0x55, sizeof buf);
    RtlCopyUnicodeString(&d, &s);
    KT_EQ_INT(d.Length, 6);
    KT_EQ_INT(d.MaximumLength, 16);
    KT_EQ_PTR(d.Buffer, buf);
    KT_EQ_MEM(buf, L"abc", 8);
}

/* Truncated exactly at MaximumLength: no terminator written past it. */
KT_TEST(RtlCopyUnicodeString_truncates_to_maximum)
{
    WCHAR buf[4] = { 0x5555, 0x5555, 0x5555, 0x5555 };
    UNICODE_STRING d = { 0, 6, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"abcdef");
    RtlCopyUnicodeString(&d, &s);
    KT_EQ_INT(d.Length, 6);
    KT_EQ_MEM(buf, L"abc", 6);
    KT_EQ_HEX(buf[3], 0x5555);
}

/* A source that fills the buffer but for one byte: copied whole, and the
 * terminator (two bytes) does not fit, so none is written. */
KT_TEST(RtlCopyUnicodeString_terminator_needs_whole_wchar)
{
    WCHAR buf[4] = { 0x5555, 0x5555, 0x5555, 0x5555 };
    UNICODE_STRING d = { 0, 7, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"abc");
    RtlCopyUnicodeString(&d, &s);
    KT_EQ_INT(d.Length, 6);
    KT_EQ_HEX(buf[3], 0x5555);
}

/* An odd MaximumLength truncates to an odd byte count, as Windows does. */
KT_TEST(RtlCopyUnicodeString_odd_maximum)
{
    WCHAR buf[4] = { 0x5555, 0x5555, 0x5555, 0x5555 };
    UNICODE_STRING d = { 0, 5, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"abcd");
    RtlCopyUnicodeString(&d, &s);
    KT_EQ_INT(d.Length, 5);
    KT_EQ_MEM(buf, L"ab", 4);
    KT_EQ_HEX(buf[2], 0x5563);
}

/* "If SourceString is NULL, this routine sets the Length field to zero";
 * MaximumLength and Buffer are not modified. */
KT_TEST(RtlCopyUnicodeString_null_source)
{
    WCHAR buf[4] = { 'x', 'y', 0, 0 };
    UNICODE_STRING d = { 4, sizeof buf, buf };
    RtlCopyUnicodeString(&d, NULL);
    KT_EQ_INT(d.Length, 0);
    KT_EQ_INT(d.MaximumLength, 8);
    KT_EQ_PTR(d.Buffer, buf);
    KT_EQ_HEX(buf[0], 'x');
}

/* RtlCopyString: the same rules for 8-bit strings. */
KT_TEST(RtlCopyString_truncates_and_terminates)
{
    char buf[6];
    STRING d = { 0, 4, buf };
    STRING s = RTL_CONSTANT_STRING("abcdef");
    STRING shorter = RTL_CONSTANT_STRING("xy");
    memset(buf, '-', sizeof buf);
    RtlCopyString(&d, &s);
    KT_EQ_INT(d.Length, 4);
    KT_EQ_MEM(buf, "abcd--", 6);
    RtlCopyString(&d, &shorter);
    KT_EQ_INT(d.Length, 2);
    KT_EQ_MEM(buf, "xy\0d--", 6);
    RtlCopyString(&d, NULL);
    KT_EQ_INT(d.Length, 0);
}

/* ---- RtlAppendUnicodeStringToString / RtlAppendUnicodeToString ---- */

/* "The destination string length is updated to include the appended bytes";
 * a terminator follows when it fits. */
KT_TEST(RtlAppendUnicodeStringToString_appends)
{
    WCHAR buf[8];
    UNICODE_STRING d = { 0, sizeof buf, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"de");
    memset(buf, 0x55, sizeof buf);
    KT_EQ_STATUS(RtlAppendUnicodeToString(&d, L"abc"), STATUS_SUCCESS);
    KT_EQ_STATUS(RtlAppendUnicodeStringToString(&d, &s), STATUS_SUCCESS);
    KT_EQ_INT(d.Length, 10);
    KT_EQ_MEM(buf, L"abcde", 12);
}

/* "STATUS_BUFFER_TOO_SMALL: the destination string length is not updated";
 * no partial copy. */
KT_TEST(RtlAppendUnicodeStringToString_too_small)
{
    WCHAR buf[4] = { 'a', 'b', 0x5555, 0x5555 };
    UNICODE_STRING d = { 4, sizeof buf, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"xyz");
    KT_EQ_STATUS(RtlAppendUnicodeStringToString(&d, &s), STATUS_BUFFER_TOO_SMALL);
    KT_EQ_INT(d.Length, 4);
    KT_EQ_HEX(buf[2], 0x5555);
    KT_EQ_HEX(buf[3], 0x5555);
}

/* A result that exactly fills MaximumLength succeeds, unterminated; an
 * empty source succeeds and writes nothing. */
KT_TEST(RtlAppendUnicodeStringToString_exact_fit)
{
    WCHAR buf[5] = { 'a', 0x5555, 0x5555, 0x5555, 0x5555 };
    UNICODE_STRING d = { 2, 6, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"bc");
    UNICODE_STRING empty = { 0, 0, NULL };
    KT_EQ_STATUS(RtlAppendUnicodeStringToString(&d, &s), STATUS_SUCCESS);
    KT_EQ_INT(d.Length, 6);
    KT_EQ_MEM(buf, L"abc", 6);
    KT_EQ_HEX(buf[3], 0x5555);
    KT_EQ_STATUS(RtlAppendUnicodeStringToString(&d, &empty), STATUS_SUCCESS);
    KT_EQ_INT(d.Length, 6);
}

/* "Not large enough (not including the source's terminator):
 * STATUS_BUFFER_TOO_SMALL and the destination unchanged"; a source that fits
 * only without its terminator is appended. */
KT_TEST(RtlAppendUnicodeToString_too_small)
{
    WCHAR buf[3] = { 0x5555, 0x5555, 0x5555 };
    UNICODE_STRING d = { 0, 4, buf };
    KT_EQ_STATUS(RtlAppendUnicodeToString(&d, L"abc"), STATUS_BUFFER_TOO_SMALL);
    KT_EQ_INT(d.Length, 0);
    KT_EQ_HEX(buf[0], 0x5555);
    KT_EQ_STATUS(RtlAppendUnicodeToString(&d, L"ab"), STATUS_SUCCESS);
    KT_EQ_INT(d.Length, 4);
    KT_EQ_HEX(buf[2], 0x5555);
}

/* Source is optional: NULL appends nothing. */
KT_TEST(RtlAppendUnicodeToString_null_source)
{
    WCHAR buf[2] = { 'q', 0 };
    UNICODE_STRING d = { 2, 4, buf };
    KT_EQ_STATUS(RtlAppendUnicodeToString(&d, NULL), STATUS_SUCCESS);
    KT_EQ_INT(d.Length, 2);
}

/* ---- Comparison ---- */

/* "< 0 if String1 is less, 0 if equal, > 0 if greater": the first differing
 * character decides, else the shorter string is less. */
KT_TEST(RtlCompareUnicodeString_order)
{
    UNICODE_STRING abc = RTL_CONSTANT_STRING(L"abc"), abd = RTL_CONSTANT_STRING(L"abd");
    UNICODE_STRING ab = RTL_CONSTANT_STRING(L"ab"), abc2 = RTL_CONSTANT_STRING(L"abc");
    KT_TRUE(RtlCompareUnicodeString(&abc, &abd, FALSE) < 0);
    KT_TRUE(RtlCompareUnicodeString(&abd, &abc, FALSE) > 0);
    KT_TRUE(RtlCompareUnicodeString(&ab, &abc, FALSE) < 0);
    KT_TRUE(RtlCompareUnicodeString(&abc, &ab, FALSE) > 0);
    KT_EQ_INT(RtlCompareUnicodeString(&abc, &abc2, FALSE), 0);
}

/* CaseInSensitive: both strings upcased first, for non-ASCII letters too. */
KT_TEST(RtlCompareUnicodeString_case_insensitive)
{
    UNICODE_STRING lower = RTL_CONSTANT_STRING(L"d\x00e9j\x00e0 \x03b1\x0436");
    UNICODE_STRING upper = RTL_CONSTANT_STRING(L"D\x00c9J\x00c0 \x0391\x0416");
    UNICODE_STRING a = RTL_CONSTANT_STRING(L"a"), B = RTL_CONSTANT_STRING(L"B");
    KT_EQ_INT(RtlCompareUnicodeString(&lower, &upper, TRUE), 0);
    KT_TRUE(RtlCompareUnicodeString(&lower, &upper, FALSE) > 0);
    KT_TRUE(RtlCompareUnicodeString(&a, &B, TRUE) < 0);
    KT_TRUE(RtlCompareUnicodeString(&a, &B, FALSE) > 0);
}

/* Equal: same Length and characters; different lengths are never equal. */
KT_TEST(RtlEqualUnicodeString_rules)
{
    UNICODE_STRING a = RTL_CONSTANT_STRING(L"Name"), b = RTL_CONSTANT_STRING(L"NAME");
    UNICODE_STRING c = RTL_CONSTANT_STRING(L"Names");
    KT_FALSE(RtlEqualUnicodeString(&a, &b, FALSE));
    KT_TRUE(RtlEqualUnicodeString(&a, &b, TRUE));
    KT_FALSE(RtlEqualUnicodeString(&a, &c, TRUE));
    KT_TRUE(RtlEqualUnicodeString(&a, &a, FALSE));
}

/* "TRUE if String1 is a prefix of String2." */
KT_TEST(RtlPrefixUnicodeString_rules)
{
    UNICODE_STRING dev = RTL_CONSTANT_STRING(L"\\Device\\"), path = RTL_CONSTANT_STRING(L"\\DEVICE\\Foo");
    UNICODE_STRING empty = { 0, 0, NULL };
    KT_TRUE(RtlPrefixUnicodeString(&dev, &path, TRUE));
    KT_FALSE(RtlPrefixUnicodeString(&dev, &path, FALSE));
    KT_FALSE(RtlPrefixUnicodeString(&path, &dev, TRUE));
    KT_TRUE(RtlPrefixUnicodeString(&empty, &path, FALSE));
}

/* RtlCompareString: bytes compared unsigned; CaseInSensitive through the
 * code page (0xE9 e acute vs 0xC9 E acute). */
KT_TEST(RtlCompareString_rules)
{
    STRING e_acute = RTL_CONSTANT_STRING("\xe9t\xe9"), E_acute = RTL_CONSTANT_STRING("\xc9T\xc9");
    STRING a = RTL_CONSTANT_STRING("a"), ab = RTL_CONSTANT_STRING("ab");
    KT_EQ_INT(RtlCompareString(&e_acute, &E_acute, TRUE), 0);
    KT_TRUE(RtlCompareString(&e_acute, &E_acute, FALSE) > 0);
    KT_TRUE(RtlCompareString(&e_acute, &a, FALSE) > 0);
    KT_TRUE(RtlCompareString(&a, &ab, FALSE) < 0);
    KT_TRUE(RtlEqualString(&e_acute, &E_acute, TRUE));
    KT_FALSE(RtlEqualString(&e_acute, &E_acute, FALSE));
    KT_FALSE(RtlEqualString(&a, &ab, TRUE));
}

/* ---- Case mapping ---- */

/* Upcase: ASCII, Latin-1 (y diaeresis to U+0178, micro sign to capital mu),
 * Latin Extended-A, Greek (final sigma too), Cyrillic, fullwidth; others
 * unchanged. */
KT_TEST(RtlUpcaseUnicodeChar_ranges)
{
    KT_EQ_HEX(RtlUpcaseUnicodeChar('a'), 'A');
    KT_EQ_HEX(RtlUpcaseUnicodeChar('Z'), 'Z');
    KT_EQ_HEX(RtlUpcaseUnicodeChar('{'), '{');
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x00E9), 0x00C9);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x00F7), 0x00F7);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x00DF), 0x00DF);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x00FF), 0x0178);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x00B5), 0x039C);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x0101), 0x0100);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x0100), 0x0100);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x013E), 0x013D);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x03C2), 0x03A3);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x03C9), 0x03A9);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x044F), 0x042F);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x0451), 0x0401);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0xFF41), 0xFF21);
    KT_EQ_HEX(RtlUpcaseUnicodeChar(0x4E2D), 0x4E2D);
}

/* Downcase is the inverse; capital sigma gives sigma, capital mu gives mu. */
KT_TEST(RtlDowncaseUnicodeChar_ranges)
{
    KT_EQ_HEX(RtlDowncaseUnicodeChar('A'), 'a');
    KT_EQ_HEX(RtlDowncaseUnicodeChar('a'), 'a');
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x00C9), 0x00E9);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x00D7), 0x00D7);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x0178), 0x00FF);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x0100), 0x0101);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x0101), 0x0101);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x03A3), 0x03C3);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x039C), 0x03BC);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x0401), 0x0451);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x04C0), 0x04CF);
    KT_EQ_HEX(RtlDowncaseUnicodeChar(0x0531), 0x0561);
}
