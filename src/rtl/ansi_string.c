/* rtl/ansi_string.c: string conversions (Rtl): RtlAnsiStringToUnicodeString,
 * RtlUnicodeStringToAnsiString, RtlUpcaseUnicodeString, RtlUpperChar,
 * RtlFreeUnicodeString, RtlFreeAnsiString, RtlxUnicodeStringToAnsiSize,
 * RtlxAnsiStringToUnicodeSize.
 *
 * The ANSI code page is Windows-1252, one byte per character: 0x80-0x9F hold
 * the euro sign, typographic quotes and a few letters; the five bytes 1252
 * leaves undefined map to the C1 controls of the same value, as Windows' NLS
 * table does. A character 1252 lacks becomes '?', Windows' default
 * character. FIXME: Windows first tries a "best fit" (U+0100 'A' macron to
 * 'A'); ntbox always gives '?'.
 * Buffers allocated for the caller come from PagedPool with the tag Windows
 * uses for Rtl string buffers, 'grtS' ("Strg" in poolmon), charged to the
 * driver's call site. */
#include <ntddk.h>

#include "ex/pool.h"

#include <string.h>

#define RTL_STRING_TAG 'grtS'

/* U+XXXX of bytes 0x80-0x9F. */
static const WCHAR rtl_cp1252_80_9f[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static WCHAR rtl_ansi_to_unicode(UCHAR c)
{
    return c >= 0x80 && c < 0xA0 ? rtl_cp1252_80_9f[c - 0x80] : c;
}

/* The 1252 byte of w, or '?' when 1252 has none. */
static UCHAR rtl_unicode_to_ansi(WCHAR w)
{
    if (w < 0x80 || (w >= 0xA0 && w <= 0xFF))
        return (UCHAR)w;
    for (UCHAR i = 0; i < 32; i++)
        if (rtl_cp1252_80_9f[i] == w)
            return (UCHAR)(0x80 + i);
    return '?';
}

/* Bytes RtlUnicodeStringToAnsiString needs, terminator included: one per
 * whole UTF-16 unit plus one (WDK, RtlxUnicodeStringToAnsiSize). */
NTSYSAPI ULONG NTAPI RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString)
{
    return UnicodeString->Length / sizeof(WCHAR) + 1;
}

/* Bytes RtlAnsiStringToUnicodeString needs, terminator included
 * (WDK, RtlxAnsiStringToUnicodeSize). */
NTSYSAPI ULONG NTAPI RtlxAnsiStringToUnicodeSize(PCANSI_STRING AnsiString)
{
    return ((ULONG)AnsiString->Length + 1) * sizeof(WCHAR);
}

/* Converts SourceString to UTF-16 and NUL-terminates. Allocating: a PagedPool
 * buffer of exactly the size needed, freed with RtlFreeUnicodeString; none
 * on failure (STATUS_NO_MEMORY). Not allocating: when the result and its
 * terminator do not fit in MaximumLength, STATUS_BUFFER_OVERFLOW and nothing
 * copied. A result over MAXUSHORT bytes: STATUS_INVALID_PARAMETER_2. Length
 * is set to the converted length before the room check, as Windows does
 * (WDK, RtlAnsiStringToUnicodeString). */
NTSYSAPI NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                                     BOOLEAN AllocateDestinationString)
{
    ULONG size = RtlxAnsiStringToUnicodeSize(SourceString);
    if (size > MAXUSHORT)
        return STATUS_INVALID_PARAMETER_2;
    DestinationString->Length = (USHORT)(size - sizeof(WCHAR));
    if (AllocateDestinationString) {
        DestinationString->MaximumLength = (USHORT)size;
        DestinationString->Buffer = ex_pool_allocate(PagedPool, size, RTL_STRING_TAG, __builtin_return_address(0));
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
    } else if (DestinationString->Length >= DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    USHORT n = SourceString->Length;
    for (USHORT i = 0; i < n; i++)
        DestinationString->Buffer[i] = rtl_ansi_to_unicode((UCHAR)SourceString->Buffer[i]);
    if (DestinationString->Length + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n] = UNICODE_NULL;
    return STATUS_SUCCESS;
}

/* Converts SourceString to code page 1252 and NUL-terminates. Allocating: a
 * PagedPool buffer of exactly the size needed, freed with RtlFreeAnsiString;
 * none on failure. Not allocating and too small: STATUS_BUFFER_OVERFLOW after
 * converting the first MaximumLength - 1 characters and terminating them
 * (MaximumLength 0: nothing) (WDK, RtlUnicodeStringToAnsiString; the partial
 * copy is Windows' behaviour). A single-byte result never exceeds MAXUSHORT,
 * so the STATUS_INVALID_PARAMETER_2 check of multibyte code pages is moot. */
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                                     BOOLEAN AllocateDestinationString)
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG size = RtlxUnicodeStringToAnsiSize(SourceString);
    DestinationString->Length = (USHORT)(size - 1);
    if (AllocateDestinationString) {
        DestinationString->MaximumLength = (USHORT)size;
        DestinationString->Buffer = ex_pool_allocate(PagedPool, size, RTL_STRING_TAG, __builtin_return_address(0));
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
    } else if (DestinationString->Length >= DestinationString->MaximumLength) {
        if (!DestinationString->MaximumLength)
            return STATUS_BUFFER_OVERFLOW;
        DestinationString->Length = DestinationString->MaximumLength - 1;
        status = STATUS_BUFFER_OVERFLOW;
    }
    USHORT n = DestinationString->Length;
    for (USHORT i = 0; i < n; i++)
        DestinationString->Buffer[i] = (CHAR)rtl_unicode_to_ansi(SourceString->Buffer[i]);
    DestinationString->Buffer[n] = ANSI_NULL;
    return status;
}

/* Upcases SourceString into DestinationString (they may be the same); no
 * terminator is added. Allocating: a PagedPool buffer of Source->Length
 * bytes, freed with RtlFreeUnicodeString. Not allocating: Source->Length over
 * the destination's MaximumLength is STATUS_BUFFER_OVERFLOW, nothing copied
 * (WDK, RtlUpcaseUnicodeString). */
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                               BOOLEAN AllocateDestinationString)
{
    USHORT length = SourceString->Length;
    if (AllocateDestinationString) {
        DestinationString->MaximumLength = length;
        DestinationString->Buffer = ex_pool_allocate(PagedPool, length, RTL_STRING_TAG, __builtin_return_address(0));
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
    } else if (length > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (USHORT i = 0; i < length / sizeof(WCHAR); i++)
        DestinationString->Buffer[i] = RtlUpcaseUnicodeChar(SourceString->Buffer[i]);
    DestinationString->Length = length;
    return STATUS_SUCCESS;
}

/* The uppercase of an ANSI character: through Unicode for bytes >= 0x80; a
 * letter whose uppercase 1252 lacks (the micro sign) stays as it is
 * (WDK, RtlUpperChar). */
NTSYSAPI CHAR NTAPI RtlUpperChar(CHAR Character)
{
    UCHAR c = (UCHAR)Character;
    if (c < 0x80)
        return c >= 'a' && c <= 'z' ? (CHAR)(c - 32) : Character;
    WCHAR upper = RtlUpcaseUnicodeChar(rtl_ansi_to_unicode(c));
    UCHAR back = rtl_unicode_to_ansi(upper);
    return back == '?' ? Character : (CHAR)back;
}

/* Frees a buffer RtlAnsiStringToUnicodeString or RtlUpcaseUnicodeString
 * allocated, then zeroes the string; a NULL Buffer is left alone
 * (WDK, RtlFreeUnicodeString). */
NTSYSAPI VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (!UnicodeString->Buffer)
        return;
    ex_pool_free(UnicodeString->Buffer, 0, __builtin_return_address(0));
    memset(UnicodeString, 0, sizeof *UnicodeString);
}

/* Frees a buffer RtlUnicodeStringToAnsiString allocated, then zeroes the
 * string (WDK, RtlFreeAnsiString). */
NTSYSAPI VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (!AnsiString->Buffer)
        return;
    ex_pool_free(AnsiString->Buffer, 0, __builtin_return_address(0));
    memset(AnsiString, 0, sizeof *AnsiString);
}
