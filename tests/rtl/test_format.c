/* tests/rtl/test_format.c: the kernel printf formatter (rtl/format.h), rule
 * by rule: Windows' sizes (LLP64), flags, %p, (null), wide and counted
 * strings, %n refused, truncation and its return value. */
#include "ktest.h"

#include "rtl/format.h"

#include <stdio.h>

static char kt_buf[1024];

/* Formats with the arguments passed as a driver passes them (ms_abi
 * variadic) and checks the text and the returned length. */
#define KT_FMT(expected, ...) \
    do { \
        int n_ = rtl_formatf(kt_buf, sizeof kt_buf, __VA_ARGS__); \
        KT_EQ_STR(kt_buf, expected); \
        KT_EQ_INT(n_, (int)strlen(expected)); \
    } while (0)

static int __attribute__((ms_abi)) kt_format_info(char *buf, size_t size, struct rtl_format_info *info,
                                                  const char *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = rtl_format_info(buf, size, fmt, ap, info);
    __builtin_ms_va_end(ap);
    return n;
}

/* %d and %i are signed int, %u unsigned int. */
KT_TEST(format_d_i_u)
{
    KT_FMT("42 -42 -7", "%d %d %i", 42, -42, -7);
    KT_FMT("4294967295", "%u", -1);
    KT_FMT("-2147483648", "%d", (int)0x80000000u);
    KT_FMT("0", "%d", 0);
}

/* %x %X %o: hexadecimal lower/upper, octal. */
KT_TEST(format_x_X_o)
{
    KT_FMT("beef BEEF 17", "%x %X %o", 0xbeef, 0xbeef, 15);
    KT_FMT("ffffffff", "%x", -1);
}

/* 'l' is 32-bit on Windows x64 (LLP64): %lx %ld %lu read a ULONG. */
KT_TEST(format_l_prefix_is_32bit)
{
    KT_FMT("55667788", "%lx", 0x1122334455667788ULL);
    KT_FMT("-1", "%ld", 0xFFFFFFFFULL);
    KT_FMT("4294967295", "%lu", 0xFFFFFFFFFFFFFFFFULL);
    KT_FMT("0000beef", "%08lx", 0xBEEFUL);
}

/* I64 and ll are 64-bit, I32 32-bit, I pointer-sized (64-bit on x64). */
KT_TEST(format_I64_ll_I32_I)
{
    KT_FMT("-1234567890123", "%I64d", -1234567890123LL);
    KT_FMT("-1234567890123", "%lld", -1234567890123LL);
    KT_FMT("18446744073709551615", "%I64u", -1LL);
    KT_FMT("-9223372036854775808", "%I64d", (long long)0x8000000000000000ULL);
    KT_FMT("ffffffffffffffff", "%Ix", ~0ULL);
    KT_FMT("1122334455667788", "%IX", 0x1122334455667788ULL);
    KT_FMT("1", "%I32x", 0x100000001ULL);
    KT_FMT("123456789012 7fffffffffffffff", "%zu %zx", (size_t)123456789012ULL, (size_t)0x7fffffffffffffffULL);
}

/* h is short, hh char. */
KT_TEST(format_h_hh)
{
    KT_FMT("-1 9029", "%hd %hu", 65535, 0x12345);
    KT_FMT("-1 ff", "%hhd %hhx", 255, 0x1ff);
}

/* Flags: '-' left-justifies, '0' pads with zeros (ignored with '-' or a
 * precision), '+' and ' ' sign signed conversions, '#' adds 0x/0X/0. */
KT_TEST(format_flags)
{
    KT_FMT("abc       |", "%-10s|", "abc");
    KT_FMT("+5 -5  5 +5", "%+d %+d % d %+ d", 5, -5, 5, 5);
    KT_FMT("4294967295", "%+u", -1);
    KT_FMT("0xff 0XFF 010 0", "%#x %#X %#o %#x", 255, 255, 8, 0);
    KT_FMT("0x000000ff", "%#010x", 255);
    KT_FMT("-0042", "%05d", -42);
    KT_FMT("+0042", "%+05d", 42);
    KT_FMT("     005", "%08.3d", 5);
    KT_FMT("5       |", "%-08d|", 5);
    KT_FMT("    2a|2a    |", "%6x|%-6x|", 42, 42);
}

/* Precision: minimum digits for integers (".0" prints nothing for 0), most
 * characters for strings. */
KT_TEST(format_precision)
{
    KT_FMT("000ff", "%.5x", 255);
    KT_FMT("||     |", "|%.0d|%5.0d|", 0, 0);
    KT_FMT("-007", "%.3d", -7);
    KT_FMT("abc", "%.3s", "abcdef");
    KT_FMT("", "%.0s", "abc");
}

/* '*' takes width or precision from the arguments; a negative width means
 * '-', a negative precision none. */
KT_TEST(format_star)
{
    KT_FMT("   42", "%*d", 5, 42);
    KT_FMT("42   |", "%*d|", -5, 42);
    KT_FMT("abc", "%.*s", 3, "abcdef");
    KT_FMT("abcdef", "%.*s", -1, "abcdef");
    KT_FMT("    ab", "%*.*s", 6, 2, "abcdef");
}

/* %p: 16 uppercase hex digits, zero-padded, no 0x (2 * sizeof(void *)). */
KT_TEST(format_p)
{
    KT_FMT("0000000000000000", "%p", NULL);
    KT_FMT("000012345678ABCD", "%p", (void *)0x12345678abcdULL);
    KT_FMT("FFFF800012345678", "%p", (void *)0xFFFF800012345678ULL);
    KT_FMT("    00000000DEADBEEF|", "%20p|", (void *)0xdeadbeefULL);
    KT_FMT("00000000DEADBEEF    |", "%-20p|", (void *)0xdeadbeefULL);
    KT_FMT("    00000000DEADBEEF", "%020p", (void *)0xdeadbeefULL);
}

/* %c: one character, padded to the width. */
KT_TEST(format_c)
{
    KT_FMT("A  A|A  |", "%c%3c|%-3c|", 'A', 'A', 'A');
    KT_FMT("A", "%c", 0x141); /* narrow: the low byte */
    KT_FMT("B", "%hc", 'B');
}

/* NULL strings print "(null)", cut by the precision and padded. */
KT_TEST(format_s_null)
{
    KT_FMT("(null)", "%s", NULL);
    KT_FMT("(nu", "%.3s", NULL);
    KT_FMT("  (null)", "%8s", NULL);
    KT_FMT("(null)", "%ws", NULL);
    KT_FMT("(null)", "%S", NULL);
}

/* %ws %ls %S: a UTF-16 string in a narrow format, printed as UTF-8; %hs
 * and %hS are narrow. Width and precision count UTF-16 units. */
KT_TEST(format_wide_strings)
{
    KT_FMT("h\xC3\xA9llo h\xC3\xA9llo h\xC3\xA9llo", "%ws %ls %S", L"h\u00E9llo", L"h\u00E9llo", L"h\u00E9llo");
    KT_FMT("narrow narrow", "%hs %hS", "narrow", "narrow");
    KT_FMT("ab", "%.2ws", L"abc");
    KT_FMT("    \xC3\xA9|", "%5ws|", L"\u00E9");
    KT_FMT("\xE2\x82\xAC", "%ws", L"\u20AC");
    KT_FMT("\xF0\x9F\x98\x80", "%ws", L"\U0001F600");
}

/* A surrogate without its partner cannot be converted: '?', as Windows
 * prints unmappable characters. */
KT_TEST(format_wide_lone_surrogate)
{
    static const WCHAR lone[] = { 'a', 0xD800, 'b', 0xDC00, 0 };
    KT_FMT("a?b?", "%ws", lone);
    KT_FMT("?", "%.1ws", L"\U0001F600"); /* the precision splits the pair */
}

/* %wc %lc %C: a UTF-16 character; %c with 'h' is narrow. */
KT_TEST(format_wide_chars)
{
    KT_FMT("\xC3\xA9 \xC3\xA9 \xC3\xA9", "%wc %lc %C", 0xE9, 0xE9, 0xE9);
    KT_FMT("  x", "%3C", 'x');
    KT_FMT("x", "%hC", 'x');
}

/* %wZ: a PUNICODE_STRING, Length / 2 characters, no terminator needed; an
 * odd Length drops the half character. NULL or a NULL Buffer: "(null)". */
KT_TEST(format_wZ)
{
    WCHAR text[4] = { 'a', 'b', 'c', 'd' };
    UNICODE_STRING us = { 6, 8, text };
    KT_FMT("abc", "%wZ", &us);
    us.Length = 7;
    KT_FMT("abc", "%wZ", &us);
    us.Length = 8;
    KT_FMT("  abcd|abcd  |", "%6wZ|%-6wZ|", &us, &us);
    us.Length = 0;
    KT_FMT("[]", "[%wZ]", &us);
    KT_FMT("(null)", "%wZ", NULL);
    us.Buffer = NULL;
    KT_FMT("(null)", "%wZ", &us);
}

/* %Z: a PANSI_STRING, Length bytes. */
KT_TEST(format_Z)
{
    char text[] = "abcdef";
    ANSI_STRING as = { 3, 7, text };
    KT_FMT("abc", "%Z", &as);
    KT_FMT("(null)", "%Z", NULL);
    as.Buffer = NULL;
    KT_FMT("(null)", "%Z", &as);
}

/* %% prints '%'; an unknown conversion prints its character (msvcrt); a
 * format ending inside a code stops there. */
KT_TEST(format_percent_and_unknown)
{
    KT_FMT("100%", "100%%");
    KT_FMT("y", "%y");
    KT_FMT("abc", "abc%-");
    KT_FMT("abc", "abc%");
}

/* More arguments than registers: the ones on the stack are read in order. */
KT_TEST(format_many_arguments)
{
    KT_FMT("1 2 3 4 5 -6 7 x 00000000000000AB 10",
           "%d %d %d %d %d %I64d %u %s %p %lu", 1, 2, 3, 4, 5, -6LL, 7, "x", (void *)0xab, 10);
}

/* %n is refused: nothing is written through its pointer, the argument is
 * consumed, and the code is reported. */
KT_TEST(format_n_refused)
{
    struct rtl_format_info info;
    int target = 7;
    int n = kt_format_info(kt_buf, sizeof kt_buf, &info, "a%nb%d", &target, 5);
    KT_EQ_STR(kt_buf, "ab5");
    KT_EQ_INT(n, 3);
    KT_EQ_INT(target, 7);
    KT_REQUIRE(KT_TRUE(info.refused_code != NULL));
    KT_EQ_INT(info.refused_len, 2);
    KT_EQ_MEM(info.refused_code, "%n", 2);
}

/* Floating-point codes are not supported by the kernel's formatter: the
 * slot is consumed, nothing printed, the code reported. */
KT_TEST(format_float_refused)
{
    struct rtl_format_info info;
    int n = kt_format_info(kt_buf, sizeof kt_buf, &info, "[%5.2f|%d]", 1.5, 7);
    KT_EQ_STR(kt_buf, "[|7]");
    KT_EQ_INT(n, 4);
    KT_REQUIRE(KT_TRUE(info.refused_code != NULL));
    KT_EQ_INT(info.refused_len, 5);
    KT_EQ_MEM(info.refused_code, "%5.2f", 5);
}

/* The Unicode format codes (%C %S %lc %ls %wc %ws %wZ) are reported, since
 * Windows allows them only at PASSIVE_LEVEL; narrow ones are not. */
KT_TEST(format_unicode_codes_reported)
{
    struct rtl_format_info info;
    UNICODE_STRING us = { 2, 2, L"x" };
    kt_format_info(kt_buf, sizeof kt_buf, &info, "%hs %c %s %hS %hC %Z", "a", 'b', "c", "d", 'e', NULL);
    KT_EQ_PTR(info.unicode_code, NULL);
    KT_EQ_PTR(info.refused_code, NULL);
    kt_format_info(kt_buf, sizeof kt_buf, &info, "%d %-4wZ %ws", 1, &us, L"y");
    KT_REQUIRE(KT_TRUE(info.unicode_code != NULL));
    KT_EQ_INT(info.unicode_len, 5);
    KT_EQ_MEM(info.unicode_code, "%-4wZ", 5);
}

/* Truncation (_vsnprintf_s with _TRUNCATE): the first size-1 bytes and a
 * NUL, and -1; output that fits exactly with its NUL returns its length. */
KT_TEST(format_truncation)
{
    char b[16];
    memset(b, '#', sizeof b);
    KT_EQ_INT(rtl_formatf(b, 6, "hello world"), -1);
    KT_EQ_MEM(b, "hello\0#", 7);
    KT_EQ_INT(rtl_formatf(b, 12, "hello world"), 11);
    KT_EQ_STR(b, "hello world");
    KT_EQ_INT(rtl_formatf(b, 11, "hello world"), -1);
    KT_EQ_STR(b, "hello worl");
    KT_EQ_INT(rtl_formatf(b, 1, "x"), -1);
    KT_EQ_STR(b, "");
    KT_EQ_INT(rtl_formatf(b, 1, ""), 0);
    b[0] = '#';
    KT_EQ_INT(rtl_formatf(b, 0, ""), -1);
    KT_EQ_INT(b[0], '#');
    KT_EQ_INT(rtl_formatf(b, 8, "%ws", L"\u00E9\u00E9\u00E9\u00E9"), -1); /* cut inside UTF-8 is by bytes */
    KT_EQ_MEM(b, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\0", 8);
}

/* A huge width or precision is cut at the buffer, never overflowing it. */
KT_TEST(format_huge_width)
{
    char b[8];
    KT_EQ_INT(rtl_formatf(b, sizeof b, "%2000000000d", 1), -1);
    KT_EQ_STR(b, "       ");
    KT_EQ_INT(rtl_formatf(b, sizeof b, "%.2000000000d", 1), -1);
    KT_EQ_STR(b, "0000000");
    KT_EQ_INT(rtl_formatf(b, sizeof b, "%99999999999999999999d", 1), -1);
}

/* A NULL format is an error: "" and -1. */
KT_TEST(format_null_format)
{
    char b[4] = "abc";
    KT_EQ_INT(rtl_formatf(b, sizeof b, NULL), -1);
    KT_EQ_STR(b, "");
}
