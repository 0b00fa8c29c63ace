/* tests/rtl/test_integer.c: RtlUnicodeStringToInteger, RtlCharToInteger,
 * RtlIntegerToChar, RtlIntegerToUnicodeString, RtlInt64ToUnicodeString. */
#include "ktest.h"

/* Parses text (ASCII, widened) in base; returns the status, *value the result. */
static NTSTATUS parse(const char *text, ULONG base, ULONG *value)
{
    WCHAR buf[64];
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++)
        buf[i] = (UCHAR)text[i];
    UNICODE_STRING s = { (USHORT)(n * 2), sizeof buf, buf };
    *value = 0xDEADBEEF;
    return RtlUnicodeStringToInteger(&s, base, value);
}

#define KT_PARSES(text, base, expected) \
    do { \
        ULONG v_; \
        KT_EQ_STATUS(parse(text, base, &v_), STATUS_SUCCESS); \
        KT_EQ_HEX(v_, (ULONG)(expected)); \
    } while (0)

/* "123" base 10 is 123; "  -345" is -345; "xyz" is 0; "   +678abc" is 678
 * in base 10 and 0x678ABC in base 16; "007" is 7; "789" base 8 is 7;
 * "FGH" base 16 is 15; white space alone is 0 (the documentation's table). */
KT_TEST(RtlUnicodeStringToInteger_documented_table)
{
    KT_PARSES("123", 10, 123);
    KT_PARSES("  -345", 10, -345);
    KT_PARSES("xyz", 10, 0);
    KT_PARSES("   +678abc", 10, 678);
    KT_PARSES("   +678abc", 16, 6785724);
    KT_PARSES("007", 10, 7);
    KT_PARSES("789", 8, 7);
    KT_PARSES("FGH", 16, 15);
    KT_PARSES("      ", 10, 0);
}

/* Base 0: "0x", "0o", "0b" select 16, 8, 2 (lowercase only); anything else
 * is decimal, leading zeros included; a sign goes before the prefix. */
KT_TEST(RtlUnicodeStringToInteger_base_zero_prefixes)
{
    KT_PARSES("0x1aF", 0, 0x1AF);
    KT_PARSES("0o17", 0, 017);
    KT_PARSES("0b101", 0, 5);
    KT_PARSES("-0x10", 0, -16);
    KT_PARSES("0X10", 0, 0);
    KT_PARSES("056789", 0, 56789);
    KT_PARSES("0x", 0, 0);
    KT_PARSES("0b2", 0, 0);
    KT_PARSES("x10", 0, 0);
}

/* Every character up to ' ' counts as white space; one sign only; a
 * non-digit ends the number. */
KT_TEST(RtlUnicodeStringToInteger_whitespace_and_sign)
{
    KT_PARSES("\001\t\n\r 12", 10, 12);
    KT_PARSES("--1", 10, 0);
    KT_PARSES("+-1", 10, 0);
    KT_PARSES("214 0", 10, 214);
    KT_PARSES("1011", 2, 11);
    KT_PARSES("0x10", 16, 0);
}

/* Overflow is not an error: the value wraps modulo 2^32, then '-' negates. */
KT_TEST(RtlUnicodeStringToInteger_overflow_wraps)
{
    KT_PARSES("4294967295", 10, 0xFFFFFFFF);
    KT_PARSES("4294967296", 10, 0);
    KT_PARSES("9999999999", 10, 1410065407);
    KT_PARSES("-2147483649", 10, 2147483647);
    KT_PARSES("-2147483648", 10, 0x80000000);
}

/* "If the string is empty, the routine fails and returns
 * STATUS_INVALID_PARAMETER"; so does a base other than 0, 2, 8, 10, 16. */
KT_TEST(RtlUnicodeStringToInteger_invalid_parameter)
{
    ULONG v;
    KT_EQ_STATUS(parse("", 10, &v), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(parse("12", 20, &v), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(parse("12", 7, &v), STATUS_INVALID_PARAMETER);
    KT_EQ_HEX(v, 0xDEADBEEF);
}

/* Only Length counts (the buffer need not be terminated); an odd Length is
 * STATUS_INVALID_PARAMETER, as on Windows since Vista. */
KT_TEST(RtlUnicodeStringToInteger_counted_length)
{
    WCHAR buf[] = L"12345";
    UNICODE_STRING s = { 4, sizeof buf, buf };
    ULONG v = 0;
    KT_EQ_STATUS(RtlUnicodeStringToInteger(&s, 10, &v), STATUS_SUCCESS);
    KT_EQ_INT(v, 12);
    s.Length = 5;
    KT_EQ_STATUS(RtlUnicodeStringToInteger(&s, 10, &v), STATUS_INVALID_PARAMETER);
}

/* RtlCharToInteger: the same rules over a NUL-terminated string; a NULL
 * Value is STATUS_ACCESS_VIOLATION (after the base check), as on Windows. */
KT_TEST(RtlCharToInteger_rules)
{
    ULONG v = 0;
    KT_EQ_STATUS(RtlCharToInteger("  -0x1F", 0, &v), STATUS_SUCCESS);
    KT_EQ_HEX(v, (ULONG)-31);
    KT_EQ_STATUS(RtlCharToInteger("777", 8, &v), STATUS_SUCCESS);
    KT_EQ_INT(v, 511);
    KT_EQ_STATUS(RtlCharToInteger("1", 3, &v), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(RtlCharToInteger("1", 10, NULL), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(RtlCharToInteger("1", 20, NULL), STATUS_INVALID_PARAMETER);
}

/* RtlIntegerToChar: digits (uppercase hex) and a NUL when room remains;
 * exactly OutputLength digits: no NUL; more: STATUS_BUFFER_OVERFLOW, nothing
 * written. */
KT_TEST(RtlIntegerToChar_rules)
{
    char buf[12];
    memset(buf, '-', sizeof buf);
    KT_EQ_STATUS(RtlIntegerToChar(0xABCDEF01, 16, 9, buf), STATUS_SUCCESS);
    KT_EQ_MEM(buf, "ABCDEF01\0-", 10);
    memset(buf, '-', sizeof buf);
    KT_EQ_STATUS(RtlIntegerToChar(255, 2, 8, buf), STATUS_SUCCESS);
    KT_EQ_MEM(buf, "11111111--", 10);
    memset(buf, '-', sizeof buf);
    KT_EQ_STATUS(RtlIntegerToChar(123, 0, 2, buf), STATUS_BUFFER_OVERFLOW);
    KT_EQ_MEM(buf, "---", 3);
    KT_EQ_STATUS(RtlIntegerToChar(123, 0, 0, NULL), STATUS_BUFFER_OVERFLOW);
    KT_EQ_STATUS(RtlIntegerToChar(123, 12, 10, buf), STATUS_INVALID_PARAMETER);
}

/* Bases 0 and 10 decimal, 2, 8, 16 (uppercase); the terminator follows when
 * it fits. */
KT_TEST(RtlIntegerToUnicodeString_bases)
{
    WCHAR buf[40];
    UNICODE_STRING s = { 0, sizeof buf, buf };
    KT_EQ_STATUS(RtlIntegerToUnicodeString(4294967295U, 0, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "4294967295");
    KT_EQ_HEX(buf[10], 0);
    KT_EQ_STATUS(RtlIntegerToUnicodeString(0, 10, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "0");
    KT_EQ_STATUS(RtlIntegerToUnicodeString(0x80000001, 2, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "10000000000000000000000000000001");
    KT_EQ_STATUS(RtlIntegerToUnicodeString(8, 8, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "10");
    KT_EQ_STATUS(RtlIntegerToUnicodeString(0xFEDCBA98, 16, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "FEDCBA98");
}

/* "STATUS_INVALID_PARAMETER: the only valid bases are 0, 2, 8, 10 and 16." */
KT_TEST(RtlIntegerToUnicodeString_invalid_base)
{
    WCHAR buf[8] = { 0x5555 };
    UNICODE_STRING s = { 0, sizeof buf, buf };
    KT_EQ_STATUS(RtlIntegerToUnicodeString(5, 20, &s), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(RtlIntegerToUnicodeString(5, 1, &s), STATUS_INVALID_PARAMETER);
    KT_EQ_INT(s.Length, 0);
    KT_EQ_HEX(buf[0], 0x5555);
}

/* "STATUS_BUFFER_OVERFLOW: the UNICODE_STRING is too small to hold the
 * result": buffer and Length unchanged. A result that fits only without its
 * terminator succeeds, unterminated. */
KT_TEST(RtlIntegerToUnicodeString_buffer_overflow)
{
    WCHAR buf[9];
    UNICODE_STRING s = { 0, 14, buf };
    for (int i = 0; i < 9; i++)
        buf[i] = '-';
    KT_EQ_STATUS(RtlIntegerToUnicodeString(0xFFFFFFFF, 16, &s), STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(s.Length, 0);
    KT_EQ_HEX(buf[0], '-');
    s.MaximumLength = 16;
    KT_EQ_STATUS(RtlIntegerToUnicodeString(0xFFFFFFFF, 16, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "FFFFFFFF");
    KT_EQ_HEX(buf[8], '-');
    s.MaximumLength = 0;
    KT_EQ_STATUS(RtlIntegerToUnicodeString(0, 16, &s), STATUS_BUFFER_OVERFLOW);
}

/* RtlInt64ToUnicodeString: the same rules over 64 bits. */
KT_TEST(RtlInt64ToUnicodeString_rules)
{
    WCHAR buf[70];
    UNICODE_STRING s = { 0, sizeof buf, buf };
    KT_EQ_STATUS(RtlInt64ToUnicodeString(18446744073709551615ULL, 10, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "18446744073709551615");
    KT_EQ_HEX(buf[20], 0);
    KT_EQ_STATUS(RtlInt64ToUnicodeString(0x8000000000000000ULL, 2, &s), STATUS_SUCCESS);
    KT_EQ_INT(s.Length, 128);
    KT_EQ_STATUS(RtlInt64ToUnicodeString(0xFEDCBA9876543210ULL, 16, &s), STATUS_SUCCESS);
    KT_EQ_USTR(&s, "FEDCBA9876543210");
    KT_EQ_STATUS(RtlInt64ToUnicodeString(1, 3, &s), STATUS_INVALID_PARAMETER);
    s.MaximumLength = 30;
    KT_EQ_STATUS(RtlInt64ToUnicodeString(0xFEDCBA9876543210ULL, 16, &s), STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(s.Length, 32);
}
