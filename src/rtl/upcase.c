/* rtl/upcase.c: Unicode case mapping (Rtl): RtlUpcaseUnicodeChar,
 * RtlDowncaseUnicodeChar.
 *
 * Windows maps case through the NLS table loaded at boot (simple, one
 * character to one character). ntbox carries the part of it drivers meet:
 * ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic (with its extensions),
 * Armenian, Latin Extended Additional and fullwidth ASCII. Characters outside
 * these blocks map to themselves. FIXME: Latin Extended-B, Georgian, Cherokee,
 * Glagolitic, Coptic and Deseret are not mapped. */
#include <ntddk.h>

#include <stddef.h>

/* Lowercase letters first..last (every `step`-th one) whose uppercase is
 * the letter plus delta. Downcasing searches the same table from the top,
 * so an uppercase letter with two lowercase forms (SIGMA: sigma and final
 * sigma; MU: mu and the micro sign) downcases through the first row. */
struct rtl_case_range {
    WCHAR first, last;
    SHORT delta;
    UCHAR step;
};

static const struct rtl_case_range rtl_case_ranges[] = {
    { 0x0061, 0x007A, -32, 1 },   /* a-z */
    { 0x00E0, 0x00F6, -32, 1 },   /* Latin-1 lowercase, up to the division sign */
    { 0x00F8, 0x00FE, -32, 1 },
    { 0x00FF, 0x00FF, 121, 1 },   /* y diaeresis -> U+0178 */
    { 0x0101, 0x012F, -1, 2 },    /* Latin Extended-A pairs */
    { 0x0133, 0x0137, -1, 2 },
    { 0x013A, 0x0148, -1, 2 },
    { 0x014B, 0x0177, -1, 2 },
    { 0x017A, 0x017E, -1, 2 },
    { 0x03AC, 0x03AC, -38, 1 },   /* Greek with tonos */
    { 0x03AD, 0x03AF, -37, 1 },
    { 0x03B1, 0x03C1, -32, 1 },   /* alpha-rho */
    { 0x03C3, 0x03CB, -32, 1 },   /* sigma-upsilon with dialytika */
    { 0x03CC, 0x03CC, -64, 1 },
    { 0x03CD, 0x03CE, -63, 1 },
    { 0x0430, 0x044F, -32, 1 },   /* Cyrillic a-ya */
    { 0x0450, 0x045F, -80, 1 },   /* Cyrillic ie grave-dzhe */
    { 0x0461, 0x0481, -1, 2 },
    { 0x048B, 0x04BF, -1, 2 },
    { 0x04C2, 0x04CE, -1, 2 },
    { 0x04CF, 0x04CF, -15, 1 },
    { 0x04D1, 0x052F, -1, 2 },
    { 0x0561, 0x0586, -48, 1 },   /* Armenian */
    { 0x1E01, 0x1E95, -1, 2 },    /* Latin Extended Additional */
    { 0x1EA1, 0x1EFF, -1, 2 },
    { 0xFF41, 0xFF5A, -32, 1 },   /* fullwidth a-z */
    { 0x03C2, 0x03C2, -31, 1 },   /* final sigma: after sigma, see above */
    { 0x00B5, 0x00B5, 743, 1 },   /* micro sign -> GREEK CAPITAL MU */
};

/* c in upper (to_upper) or lower case through the table; c when no row has it. */
static int rtl_case_lookup(WCHAR c, int to_upper)
{
    for (size_t i = 0; i < RTL_NUMBER_OF(rtl_case_ranges); i++) {
        const struct rtl_case_range *r = &rtl_case_ranges[i];
        int lower = to_upper ? c : c - r->delta;
        if (lower < r->first || lower > r->last || (lower - r->first) % r->step)
            continue;
        return to_upper ? c + r->delta : lower;
    }
    return c;
}

/* The uppercase form of SourceCharacter, or the character itself when it has
 * none (WDK, RtlUpcaseUnicodeChar). */
NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    if (SourceCharacter < 0x80)
        return SourceCharacter >= 'a' && SourceCharacter <= 'z' ? (WCHAR)(SourceCharacter - 32) : SourceCharacter;
    return (WCHAR)rtl_case_lookup(SourceCharacter, 1);
}

/* The lowercase form of SourceCharacter, or the character itself when it has
 * none (WDK, RtlDowncaseUnicodeChar). */
NTSYSAPI WCHAR NTAPI RtlDowncaseUnicodeChar(WCHAR SourceCharacter)
{
    if (SourceCharacter < 0x80)
        return SourceCharacter >= 'A' && SourceCharacter <= 'Z' ? (WCHAR)(SourceCharacter + 32) : SourceCharacter;
    return (WCHAR)rtl_case_lookup(SourceCharacter, 0);
}
