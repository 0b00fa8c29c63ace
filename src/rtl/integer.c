/* rtl/integer.c: integers <-> strings (Rtl): RtlUnicodeStringToInteger,
 * RtlCharToInteger, RtlIntegerToChar, RtlIntegerToUnicodeString,
 * RtlInt64ToUnicodeString.
 *
 * Parsing never fails on overflow: the value wraps modulo 2^32 and a '-'
 * negates the wrapped value ("4294967296" is 0, "-2147483649" is
 * 2147483647), as on Windows. Formatting writes uppercase hex digits and a
 * terminator only when one fits. Surprise kept from Windows: a result that
 * fits exactly without its terminator succeeds, unterminated (Windows 11
 * then leaves Length 0; ntbox sets it, as the documentation and earlier
 * Windows do). */
#include <ntddk.h>

#include <stdbool.h>
#include <string.h>

/* Characters of a number being parsed: UTF-16 units or bytes. */
struct rtl_digits {
    const void *p;
    size_t n;
    bool wide;
};

static ULONG rtl_digits_at(const struct rtl_digits *s, size_t i)
{
    return s->wide ? ((const WCHAR *)s->p)[i] : (UCHAR)((const CHAR *)s->p)[i];
}

static ULONG rtl_digit_value(ULONG c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 36;
}

static bool rtl_base_valid(ULONG Base)
{
    return Base == 2 || Base == 8 || Base == 10 || Base == 16;
}

/* Skips characters <= ' ', takes one '+' or '-', then (Base 0) a "0x", "0o"
 * or "0b" prefix, and reads digits up to the first that is not one. */
static NTSTATUS rtl_parse_integer(const struct rtl_digits *s, ULONG Base, PULONG Value)
{
    size_t i = 0;
    bool minus = false;
    if (Base && !rtl_base_valid(Base))
        return STATUS_INVALID_PARAMETER;
    if (!Value)
        return STATUS_ACCESS_VIOLATION;
    while (i < s->n && rtl_digits_at(s, i) <= ' ')
        i++;
    if (i < s->n && (rtl_digits_at(s, i) == '+' || rtl_digits_at(s, i) == '-'))
        minus = rtl_digits_at(s, i++) == '-';
    if (!Base) {
        Base = 10;
        if (i + 1 < s->n && rtl_digits_at(s, i) == '0') {
            ULONG c = rtl_digits_at(s, i + 1);
            Base = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 10;
            if (Base != 10)
                i += 2;
        }
    }
    ULONG total = 0;
    for (; i < s->n; i++) {
        ULONG digit = rtl_digit_value(rtl_digits_at(s, i));
        if (digit >= Base)
            break;
        total = total * Base + digit;
    }
    *Value = minus ? 0 - total : total;
    return STATUS_SUCCESS;
}

/* Base 0 reads a 0x/0o/0b prefix, else decimal; 2, 8, 10, 16 are the others;
 * leading white space skipped, one sign allowed; no valid number gives 0 and
 * STATUS_SUCCESS; an empty string is STATUS_INVALID_PARAMETER
 * (WDK, RtlUnicodeStringToInteger). An odd Length is malformed and
 * STATUS_INVALID_PARAMETER too, as on Windows since Vista. */
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    struct rtl_digits s = { String->Buffer, String->Length / sizeof(WCHAR), true };
    if (!String->Length || (String->Length & 1))
        return STATUS_INVALID_PARAMETER;
    return rtl_parse_integer(&s, Base, Value);
}

/* The same rules for a NUL-terminated 8-bit string (WDK, RtlCharToInteger). */
NTSYSAPI NTSTATUS NTAPI RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value)
{
    struct rtl_digits s = { String, strlen(String), false };
    return rtl_parse_integer(&s, Base, Value);
}

/* Writes Value's digits in Base at the end of buf[65]; returns the first. */
static const char *rtl_format_digits(ULONGLONG Value, ULONG Base, char buf[65])
{
    char *p = buf + 64;
    *p = 0;
    do {
        *--p = "0123456789ABCDEF"[Value % Base];
        Value /= Base;
    } while (Value);
    return p;
}

/* Base 0 or 10 decimal, 2, 8, 16 (uppercase); other bases
 * STATUS_INVALID_PARAMETER. More digits than OutputLength:
 * STATUS_BUFFER_OVERFLOW, nothing written; a NUL follows when room remains
 * (WDK, RtlIntegerToChar). */
NTSYSAPI NTSTATUS NTAPI RtlIntegerToChar(ULONG Value, ULONG Base, LONG OutputLength, PSZ String)
{
    char buf[65];
    if (!Base)
        Base = 10;
    if (!rtl_base_valid(Base))
        return STATUS_INVALID_PARAMETER;
    const char *digits = rtl_format_digits(Value, Base, buf);
    LONG n = (LONG)strlen(digits);
    if (n > OutputLength)
        return STATUS_BUFFER_OVERFLOW;
    if (!String)
        return STATUS_ACCESS_VIOLATION;
    memcpy(String, digits, (size_t)n);
    if (n < OutputLength)
        String[n] = 0;
    return STATUS_SUCCESS;
}

static NTSTATUS rtl_integer_to_unicode(ULONGLONG Value, ULONG Base, PUNICODE_STRING String)
{
    char buf[65];
    if (!Base)
        Base = 10;
    if (!rtl_base_valid(Base))
        return STATUS_INVALID_PARAMETER;
    const char *digits = rtl_format_digits(Value, Base, buf);
    size_t n = strlen(digits);
    if (n * sizeof(WCHAR) > String->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    for (size_t i = 0; i < n; i++)
        String->Buffer[i] = (WCHAR)digits[i];
    if ((n + 1) * sizeof(WCHAR) <= String->MaximumLength)
        String->Buffer[n] = UNICODE_NULL;
    String->Length = (USHORT)(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* Value in Base 0/10, 2, 8 or 16 into String's buffer; other bases
 * STATUS_INVALID_PARAMETER; a result larger than MaximumLength
 * STATUS_BUFFER_OVERFLOW, String unchanged (WDK, RtlIntegerToUnicodeString). */
NTSYSAPI NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    return rtl_integer_to_unicode(Value, Base, String);
}

/* The same rules for a 64-bit value (WDK, RtlInt64ToUnicodeString). */
NTSYSAPI NTSTATUS NTAPI RtlInt64ToUnicodeString(ULONGLONG Value, ULONG Base, PUNICODE_STRING String)
{
    return rtl_integer_to_unicode(Value, Base, String);
}
