/* tests/rtl/test_ansi_string.c: ANSI (code page 1252) <-> Unicode
 * conversions, upcasing into a new string, and the buffers they allocate. */
#include "ktest.h"

#include "ex/pool.h"

#include <stdlib.h>

/* The live pool block at p, or false. */
static bool find_block(const void *p, struct ex_pool_block_info *out)
{
    struct ex_pool_block_info *blocks;
    size_t n = ex_pool_live_blocks(&blocks);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        if (blocks[i].address == p) {
            *out = blocks[i];
            found = true;
        }
    }
    free(blocks);
    return found;
}

/* p holds a PagedPool block of `size` bytes tagged "Strg", charged to a
 * return address inside fn (the test that called the Rtl routine). */
static void check_string_block(const void *p, SIZE_T size, void (*fn)(void))
{
    struct ex_pool_block_info b;
    KT_REQUIRE(KT_TRUE(find_block(p, &b)));
    KT_EQ_INT(b.size, size);
    KT_EQ_HEX(b.tag, 'grtS');
    KT_EQ_INT(b.type, PagedPool);
    KT_TRUE((const char *)b.caller > (const char *)fn && (const char *)b.caller < (const char *)fn + 4096);
}

/* ---- RtlAnsiStringToUnicodeString ---- */

/* Converts through code page 1252 and NUL-terminates. */
KT_TEST(RtlAnsiStringToUnicodeString_converts)
{
    WCHAR buf[10];
    UNICODE_STRING u = { 0, sizeof buf, buf };
    ANSI_STRING a = RTL_CONSTANT_STRING("Caf\xe9 \x80!");
    static const WCHAR expected[] = { 'C', 'a', 'f', 0xE9, ' ', 0x20AC, '!', 0 };
    memset(buf, 0x55, sizeof buf);
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(u.Length, 14);
    KT_EQ_INT(u.MaximumLength, 20);
    KT_EQ_PTR(u.Buffer, buf);
    KT_EQ_MEM(buf, expected, sizeof expected);
}

/* Bytes 0x80-0x9F are 1252's specials; the five it leaves undefined map to
 * the C1 control of the same value, as Windows' table does. */
KT_TEST(RtlAnsiStringToUnicodeString_cp1252_specials)
{
    static const WCHAR expected[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    };
    char src[32];
    WCHAR buf[33];
    for (int i = 0; i < 32; i++)
        src[i] = (char)(0x80 + i);
    ANSI_STRING a = { 32, 32, src };
    UNICODE_STRING u = { 0, sizeof buf, buf };
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, FALSE), STATUS_SUCCESS);
    KT_EQ_MEM(buf, expected, sizeof expected);
}

/* Not allocating, result plus terminator larger than MaximumLength:
 * STATUS_BUFFER_OVERFLOW, nothing copied. Windows has already set Length
 * to the converted length. */
KT_TEST(RtlAnsiStringToUnicodeString_too_small)
{
    WCHAR buf[4] = { 0x5555, 0x5555, 0x5555, 0x5555 };
    UNICODE_STRING u = { 0, 6, buf };
    ANSI_STRING a = RTL_CONSTANT_STRING("abc");
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, FALSE), STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(u.Length, 6);
    KT_EQ_INT(u.MaximumLength, 6);
    KT_EQ_HEX(buf[0], 0x5555);
    u.MaximumLength = 8;
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, FALSE), STATUS_SUCCESS);
    KT_EQ_MEM(buf, L"abc", 8);
}

/* An empty source gives an empty, terminated string. */
KT_TEST(RtlAnsiStringToUnicodeString_empty)
{
    WCHAR buf[1] = { 0x5555 };
    UNICODE_STRING u = { 7, sizeof buf, buf };
    ANSI_STRING a = { 0, 0, NULL };
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(u.Length, 0);
    KT_EQ_HEX(buf[0], 0);
}

/* AllocateDestinationString: a buffer of exactly Length + terminator from
 * PagedPool, tag "Strg", freed (and the string zeroed) by
 * RtlFreeUnicodeString. */
KT_TEST(RtlAnsiStringToUnicodeString_allocates)
{
    UNICODE_STRING u = { 0, 0, NULL };
    ANSI_STRING a = RTL_CONSTANT_STRING("pool");
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_SUCCESS);
    KT_REQUIRE(KT_TRUE(u.Buffer != NULL));
    KT_EQ_INT(u.Length, 8);
    KT_EQ_INT(u.MaximumLength, 10);
    KT_EQ_MEM(u.Buffer, L"pool", 10);
    check_string_block(u.Buffer, 10, RtlAnsiStringToUnicodeString_allocates);
    PVOID p = u.Buffer;
    RtlFreeUnicodeString(&u);
    struct ex_pool_block_info b;
    KT_FALSE(find_block(p, &b));
    KT_EQ_INT(u.Length, 0);
    KT_EQ_INT(u.MaximumLength, 0);
    KT_EQ_PTR(u.Buffer, NULL);
}

/* A result over MAXUSHORT bytes (0x7FFF source bytes need 0x10000):
 * STATUS_INVALID_PARAMETER_2; 0x7FFE bytes still convert. */
KT_TEST(RtlAnsiStringToUnicodeString_invalid_parameter_2)
{
    char *src = malloc(0x7FFF);
    memset(src, 'x', 0x7FFF);
    ANSI_STRING a = { 0x7FFF, 0x7FFF, src };
    UNICODE_STRING u = { 0, 0, NULL };
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_INVALID_PARAMETER_2);
    KT_EQ_PTR(u.Buffer, NULL);
    a.Length = 0x7FFE;
    KT_EQ_STATUS(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_SUCCESS);
    KT_EQ_HEX(u.Length, 0xFFFC);
    KT_EQ_HEX(u.MaximumLength, 0xFFFE);
    RtlFreeUnicodeString(&u);
    free(src);
}

/* ---- RtlUnicodeStringToAnsiString ---- */

/* Converts to 1252 and NUL-terminates. */
KT_TEST(RtlUnicodeStringToAnsiString_converts)
{
    char buf[10];
    ANSI_STRING a = { 0, sizeof buf, buf };
    static WCHAR src[] = { 'C', 0xE9, 0x20AC, 0x0160, 0x0178, 0x0081 };
    UNICODE_STRING u = { sizeof src, sizeof src, src };
    memset(buf, '-', sizeof buf);
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(a.Length, 6);
    KT_EQ_INT(a.MaximumLength, 10);
    KT_EQ_MEM(buf, "C\xe9\x80\x8a\x9f\x81\0-", 8);
}

/* A character 1252 lacks becomes '?': CJK, a surrogate (per unit), U+0080,
 * and U+0100 (Windows would best-fit it to 'A'; ntbox does not). */
KT_TEST(RtlUnicodeStringToAnsiString_unmappable_is_question_mark)
{
    char buf[8];
    static WCHAR src[] = { 0x4E2D, 0xD83D, 0xDE00, 0x0080, 0x0100, 'k' };
    UNICODE_STRING u = { sizeof src, sizeof src, src };
    ANSI_STRING a = { 0, sizeof buf, buf };
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(a.Length, 6);
    KT_EQ_MEM(buf, "?????k", 7);
}

/* Not allocating and too small: STATUS_BUFFER_OVERFLOW after converting the
 * first MaximumLength - 1 characters and terminating them. */
KT_TEST(RtlUnicodeStringToAnsiString_partial_copy_on_overflow)
{
    char buf[6];
    ANSI_STRING a = { 0, 4, buf };
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"abcdef");
    memset(buf, '-', sizeof buf);
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(a.Length, 3);
    KT_EQ_MEM(buf, "abc\0--", 6);
}

/* The boundary: a result of exactly MaximumLength bytes leaves no room for
 * the terminator and overflows; one byte more succeeds. */
KT_TEST(RtlUnicodeStringToAnsiString_boundary)
{
    char buf[5];
    ANSI_STRING a = { 0, 4, buf };
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"abcd");
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_BUFFER_OVERFLOW);
    KT_EQ_MEM(buf, "abc", 4);
    a.MaximumLength = 5;
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(a.Length, 4);
    KT_EQ_MEM(buf, "abcd", 5);
}

/* MaximumLength 0: STATUS_BUFFER_OVERFLOW and nothing written, not even a
 * terminator; Windows has set Length to the converted length. */
KT_TEST(RtlUnicodeStringToAnsiString_zero_maximum)
{
    char buf[1] = { '-' };
    ANSI_STRING a = { 0, 0, buf };
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"abc");
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(a.Length, 3);
    KT_EQ_HEX(buf[0], '-');
}

/* An odd Length converts its whole characters only. */
KT_TEST(RtlUnicodeStringToAnsiString_odd_length)
{
    char buf[4];
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"xyz");
    ANSI_STRING a = { 0, sizeof buf, buf };
    u.Length = 5;
    KT_EQ_INT(RtlxUnicodeStringToAnsiSize(&u), 3);
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(a.Length, 2);
    KT_EQ_MEM(buf, "xy", 3);
}

/* AllocateDestinationString: Length + 1 bytes, PagedPool, "Strg"; freed and
 * zeroed by RtlFreeAnsiString. */
KT_TEST(RtlUnicodeStringToAnsiString_allocates)
{
    ANSI_STRING a = { 0, 0, NULL };
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"\x00c0 bient\x00f4t");
    KT_EQ_STATUS(RtlUnicodeStringToAnsiString(&a, &u, TRUE), STATUS_SUCCESS);
    KT_REQUIRE(KT_TRUE(a.Buffer != NULL));
    KT_EQ_INT(a.Length, 9);
    KT_EQ_INT(a.MaximumLength, 10);
    KT_EQ_MEM(a.Buffer, "\xc0 bient\xf4t", 10);
    check_string_block(a.Buffer, 10, RtlUnicodeStringToAnsiString_allocates);
    RtlFreeAnsiString(&a);
    KT_EQ_INT(a.Length, 0);
    KT_EQ_INT(a.MaximumLength, 0);
    KT_EQ_PTR(a.Buffer, NULL);
}

/* Sizes include the terminator: one byte per UTF-16 unit plus one; two
 * bytes per ANSI byte plus two. The WDK macros give the same. */
KT_TEST(RtlxUnicodeStringToAnsiSize_includes_terminator)
{
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"abc"), empty = { 0, 0, NULL };
    ANSI_STRING a = RTL_CONSTANT_STRING("abc");
    KT_EQ_INT(RtlxUnicodeStringToAnsiSize(&u), 4);
    KT_EQ_INT(RtlUnicodeStringToAnsiSize(&u), 4);
    KT_EQ_INT(RtlxUnicodeStringToAnsiSize(&empty), 1);
    KT_EQ_INT(RtlxAnsiStringToUnicodeSize(&a), 8);
    KT_EQ_INT(RtlAnsiStringToUnicodeSize(&a), 8);
}

/* RtlFreeUnicodeString / RtlFreeAnsiString on a string with no buffer do
 * nothing. */
KT_TEST(RtlFreeUnicodeString_null_buffer)
{
    UNICODE_STRING u = { 4, 8, NULL };
    ANSI_STRING a = { 2, 2, NULL };
    RtlFreeUnicodeString(&u);
    RtlFreeAnsiString(&a);
    KT_EQ_INT(u.Length, 4);
    KT_EQ_INT(a.Length, 2);
}

/* ---- RtlUpcaseUnicodeString ---- */

/* Not allocating: upcased into the destination (in place allowed), Length
 * set, no terminator added. */
KT_TEST(RtlUpcaseUnicodeString_in_place)
{
    WCHAR buf[5] = { 'a', 0xE9, 0x3C9, 'z', 0x5555 };
    UNICODE_STRING s = { 8, 10, buf };
    static const WCHAR expected[5] = { 'A', 0xC9, 0x3A9, 'Z', 0x5555 };
    KT_EQ_STATUS(RtlUpcaseUnicodeString(&s, &s, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(s.Length, 8);
    KT_EQ_MEM(buf, expected, sizeof expected);
}

/* Source->Length over the destination's MaximumLength: STATUS_BUFFER_OVERFLOW,
 * destination unchanged; exactly MaximumLength fits. */
KT_TEST(RtlUpcaseUnicodeString_overflow)
{
    WCHAR buf[3] = { 0x5555, 0x5555, 0x5555 };
    UNICODE_STRING d = { 0, 4, buf };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"abc");
    KT_EQ_STATUS(RtlUpcaseUnicodeString(&d, &s, FALSE), STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(d.Length, 0);
    KT_EQ_HEX(buf[0], 0x5555);
    d.MaximumLength = 6;
    KT_EQ_STATUS(RtlUpcaseUnicodeString(&d, &s, FALSE), STATUS_SUCCESS);
    KT_EQ_INT(d.Length, 6);
    KT_EQ_MEM(buf, L"ABC", 6);
}

/* AllocateDestinationString: MaximumLength = Source->Length, PagedPool,
 * "Strg"; freed by RtlFreeUnicodeString. */
KT_TEST(RtlUpcaseUnicodeString_allocates)
{
    UNICODE_STRING d = { 0, 0, NULL };
    UNICODE_STRING s = RTL_CONSTANT_STRING(L"\\device\\x");
    KT_EQ_STATUS(RtlUpcaseUnicodeString(&d, &s, TRUE), STATUS_SUCCESS);
    KT_REQUIRE(KT_TRUE(d.Buffer != NULL));
    KT_EQ_INT(d.Length, 18);
    KT_EQ_INT(d.MaximumLength, 18);
    KT_EQ_USTR(&d, "\\DEVICE\\X");
    check_string_block(d.Buffer, 18, RtlUpcaseUnicodeString_allocates);
    RtlFreeUnicodeString(&d);
    KT_EQ_PTR(d.Buffer, NULL);
}

/* ---- RtlUpperChar ---- */

/* ASCII letters directly; others through Unicode and back, staying as they
 * are when 1252 has no uppercase (micro sign) or there is none. */
KT_TEST(RtlUpperChar_cp1252)
{
    KT_EQ_HEX((UCHAR)RtlUpperChar('q'), 'Q');
    KT_EQ_HEX((UCHAR)RtlUpperChar('Q'), 'Q');
    KT_EQ_HEX((UCHAR)RtlUpperChar('1'), '1');
    KT_EQ_HEX((UCHAR)RtlUpperChar((CHAR)0xE9), 0xC9);
    KT_EQ_HEX((UCHAR)RtlUpperChar((CHAR)0xFF), 0x9F);
    KT_EQ_HEX((UCHAR)RtlUpperChar((CHAR)0x9A), 0x8A);
    KT_EQ_HEX((UCHAR)RtlUpperChar((CHAR)0xB5), 0xB5);
    KT_EQ_HEX((UCHAR)RtlUpperChar((CHAR)0xF7), 0xF7);
}
