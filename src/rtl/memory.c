/* rtl/memory.c: memory comparison (Rtl): RtlCompareMemory,
 * RtlCompareMemoryUlong.
 *
 * RtlCopyMemory, RtlMoveMemory, RtlFillMemory, RtlZeroMemory, RtlEqualMemory
 * and RtlSecureZeroMemory are macros and inlines in km_rtl.h, as in the WDK. */
#include <ntddk.h>

/* The number of leading bytes that match; Length when all do
 * (WDK, RtlCompareMemory). */
NTSYSAPI SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const UCHAR *a = Source1, *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i])
        i++;
    return i;
}

/* The number of leading bytes, in whole ULONGs, equal to Pattern repeated;
 * zero when Source is not ULONG-aligned or Length not a multiple of
 * sizeof(ULONG) (WDK, RtlCompareMemoryUlong). */
NTSYSAPI SIZE_T NTAPI RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern)
{
    const ULONG *p = Source;
    if (((ULONG_PTR)Source % sizeof(ULONG)) || (Length % sizeof(ULONG)))
        return 0;
    SIZE_T i = 0;
    while (i < Length / sizeof(ULONG) && p[i] == Pattern)
        i++;
    return i * sizeof(ULONG);
}
