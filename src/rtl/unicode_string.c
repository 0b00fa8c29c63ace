/* rtl/unicode_string.c: counted strings (Rtl): RtlInitUnicodeString(Ex),
 * RtlInitString(Ex), RtlInitAnsiString(Ex), RtlCopyUnicodeString,
 * RtlCopyString, RtlAppendUnicodeStringToString, RtlAppendUnicodeToString,
 * RtlCompareUnicodeString, RtlEqualUnicodeString, RtlPrefixUnicodeString,
 * RtlCompareString, RtlEqualString.
 *
 * Lengths are bytes. A UNICODE_STRING with an odd Length is malformed but
 * legal: copies move the odd byte as Windows does, comparisons look at whole
 * characters only. Terminators are written only when a whole one fits in
 * MaximumLength (Windows would write a WCHAR into a single spare byte). */
#include <ntddk.h>

#include <string.h>

/* Longest Length the Init routines produce: the terminator must still fit
 * in a USHORT MaximumLength (WdmlibRtlInitUnicodeStringEx, RtlInitString). */
#define RTL_MAX_USTRING_LENGTH 0xFFFC
#define RTL_MAX_STRING_LENGTH 0xFFFE

static size_t rtl_wcslen(PCWSTR s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Buffer = SourceString; Length = its bytes without, MaximumLength with the
 * terminator; NULL gives 0/0. A source over 0xFFFC bytes gives Length 0xFFFC,
 * MaximumLength 0xFFFE, misrepresenting it (WDK, WdmlibRtlInitUnicodeStringEx). */
NTSYSAPI VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    size_t n = SourceString ? rtl_wcslen(SourceString) * sizeof(WCHAR) : 0;
    if (n > RTL_MAX_USTRING_LENGTH)
        n = RTL_MAX_USTRING_LENGTH;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = SourceString ? (USHORT)(n + sizeof(WCHAR)) : 0;
    DestinationString->Buffer = (PWCH)SourceString;
}

/* As RtlInitUnicodeString, but a source over 0xFFFC bytes fails with
 * STATUS_NAME_TOO_LONG, leaving Length and MaximumLength 0 (Windows). */
NTSYSAPI NTSTATUS NTAPI RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    DestinationString->Length = 0;
    DestinationString->MaximumLength = 0;
    DestinationString->Buffer = (PWCH)SourceString;
    if (!SourceString)
        return STATUS_SUCCESS;
    size_t n = rtl_wcslen(SourceString) * sizeof(WCHAR);
    if (n > RTL_MAX_USTRING_LENGTH)
        return STATUS_NAME_TOO_LONG;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = (USHORT)(n + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* Buffer = SourceString; Length = strlen, MaximumLength = strlen + 1; NULL
 * gives 0/0; over MAXUSHORT - 1 bytes gives MAXUSHORT - 1 and MAXUSHORT
 * (WDK, RtlInitString). */
NTSYSAPI VOID NTAPI RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
    size_t n = SourceString ? strlen(SourceString) : 0;
    if (n > RTL_MAX_STRING_LENGTH)
        n = RTL_MAX_STRING_LENGTH;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = SourceString ? (USHORT)(n + 1) : 0;
    DestinationString->Buffer = (PCHAR)SourceString;
}

/* As RtlInitString; a source over MAXUSHORT - 1 bytes fails with
 * STATUS_NAME_TOO_LONG (WDK, RtlInitStringEx), leaving 0/0. */
NTSYSAPI NTSTATUS NTAPI RtlInitStringEx(PSTRING DestinationString, PCSZ SourceString)
{
    DestinationString->Length = 0;
    DestinationString->MaximumLength = 0;
    DestinationString->Buffer = (PCHAR)SourceString;
    if (!SourceString)
        return STATUS_SUCCESS;
    size_t n = strlen(SourceString);
    if (n > RTL_MAX_STRING_LENGTH)
        return STATUS_NAME_TOO_LONG;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = (USHORT)(n + 1);
    return STATUS_SUCCESS;
}

/* ANSI_STRING is STRING: the same rules (WDK, RtlInitAnsiString). */
NTSYSAPI VOID NTAPI RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    RtlInitString(DestinationString, SourceString);
}

/* The same rules as RtlInitStringEx (WDK, RtlInitAnsiStringEx). */
NTSYSAPI NTSTATUS NTAPI RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString)
{
    return RtlInitStringEx(DestinationString, SourceString);
}

/* Copies n bytes to buffer and sets *length to n; then writes a terminator
 * of `unit` bytes when one fits in maximum. */
static void rtl_copy_counted(PUSHORT length, USHORT maximum, PVOID buffer, const void *src, USHORT n, size_t unit)
{
    memmove(buffer, src, n);
    *length = n;
    if ((size_t)n + unit <= maximum)
        memset((PUCHAR)buffer + n, 0, unit);
}

/* Copies min(Source->Length, Destination->MaximumLength) bytes; NUL-terminates
 * when room remains; a NULL source sets Length 0. MaximumLength and Buffer
 * are not changed (WDK, RtlCopyUnicodeString). */
NTSYSAPI VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = min(SourceString->Length, DestinationString->MaximumLength);
    rtl_copy_counted(&DestinationString->Length, DestinationString->MaximumLength, DestinationString->Buffer,
                     SourceString->Buffer, n, sizeof(WCHAR));
}

/* The same rules for 8-bit strings (WDK, RtlCopyString). */
NTSYSAPI VOID NTAPI RtlCopyString(PSTRING DestinationString, const STRING *SourceString)
{
    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = min(SourceString->Length, DestinationString->MaximumLength);
    rtl_copy_counted(&DestinationString->Length, DestinationString->MaximumLength, DestinationString->Buffer,
                     SourceString->Buffer, n, sizeof(CHAR));
}

/* Appends n bytes, all or nothing: STATUS_BUFFER_TOO_SMALL leaves Destination
 * unchanged. The terminator is written when it fits. */
static NTSTATUS rtl_append(PUNICODE_STRING Destination, const WCHAR *src, size_t n)
{
    if (!n)
        return STATUS_SUCCESS;
    if (Destination->Length + n > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    PUCHAR end = (PUCHAR)Destination->Buffer + Destination->Length;
    memmove(end, src, n);
    Destination->Length = (USHORT)(Destination->Length + n);
    if (Destination->Length + sizeof(WCHAR) <= Destination->MaximumLength)
        memset(end + n, 0, sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* Appends Source after Destination's contents and adds its Length; when the
 * sum exceeds MaximumLength, STATUS_BUFFER_TOO_SMALL and Length unchanged
 * (WDK, RtlAppendUnicodeStringToString). */
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    return rtl_append(Destination, Source->Buffer, Source->Length);
}

/* Appends the NUL-terminated Source (NULL: nothing); when the result (its
 * terminator not counted) does not fit, STATUS_BUFFER_TOO_SMALL and the
 * destination unchanged (WDK, RtlAppendUnicodeToString). */
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    return rtl_append(Destination, Source, Source ? rtl_wcslen(Source) * sizeof(WCHAR) : 0);
}

/* Compares the first n characters of a and b; 0 when equal, else the
 * difference of the first differing (upcased) pair. */
static LONG rtl_compare_wchars(const WCHAR *a, const WCHAR *b, size_t n, BOOLEAN CaseInSensitive)
{
    for (size_t i = 0; i < n; i++) {
        WCHAR c1 = a[i], c2 = b[i];
        if (c1 != c2 && CaseInSensitive) {
            c1 = RtlUpcaseUnicodeChar(c1);
            c2 = RtlUpcaseUnicodeChar(c2);
        }
        if (c1 != c2)
            return (LONG)c1 - (LONG)c2;
    }
    return 0;
}

/* < 0, 0, > 0 as String1 sorts before, equal to, after String2: the first
 * differing character decides, else the shorter string sorts first;
 * CaseInSensitive upcases both first (WDK, RtlCompareUnicodeString). */
NTSYSAPI LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                            BOOLEAN CaseInSensitive)
{
    size_t n = min(String1->Length, String2->Length) / sizeof(WCHAR);
    LONG r = rtl_compare_wchars(String1->Buffer, String2->Buffer, n, CaseInSensitive);
    return r ? r : (LONG)String1->Length - (LONG)String2->Length;
}

/* TRUE when both have the same length and characters (upcased first when
 * CaseInSensitive) (WDK, RtlEqualUnicodeString). */
NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                             BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    return !rtl_compare_wchars(String1->Buffer, String2->Buffer, String1->Length / sizeof(WCHAR), CaseInSensitive);
}

/* TRUE when String1 is a prefix of String2 (WDK, RtlPrefixUnicodeString). */
NTSYSAPI BOOLEAN NTAPI RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                              BOOLEAN CaseInSensitive)
{
    if (String1->Length > String2->Length)
        return FALSE;
    return !rtl_compare_wchars(String1->Buffer, String2->Buffer, String1->Length / sizeof(WCHAR), CaseInSensitive);
}

static LONG rtl_compare_chars(const CHAR *a, const CHAR *b, size_t n, BOOLEAN CaseInSensitive)
{
    for (size_t i = 0; i < n; i++) {
        UCHAR c1 = (UCHAR)a[i], c2 = (UCHAR)b[i];
        if (c1 != c2 && CaseInSensitive) {
            c1 = (UCHAR)RtlUpperChar((CHAR)c1);
            c2 = (UCHAR)RtlUpperChar((CHAR)c2);
        }
        if (c1 != c2)
            return (LONG)c1 - (LONG)c2;
    }
    return 0;
}

/* As RtlCompareUnicodeString for 8-bit strings, bytes compared unsigned,
 * CaseInSensitive through RtlUpperChar (WDK, RtlCompareString). */
NTSYSAPI LONG NTAPI RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    LONG r = rtl_compare_chars(String1->Buffer, String2->Buffer, min(String1->Length, String2->Length),
                               CaseInSensitive);
    return r ? r : (LONG)String1->Length - (LONG)String2->Length;
}

/* TRUE when both have the same length and bytes (WDK, RtlEqualString). */
NTSYSAPI BOOLEAN NTAPI RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    return !rtl_compare_chars(String1->Buffer, String2->Buffer, String1->Length, CaseInSensitive);
}
