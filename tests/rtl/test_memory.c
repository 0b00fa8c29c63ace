/* tests/rtl/test_memory.c: RtlCompareMemory, RtlCompareMemoryUlong and the
 * WDK's memory macros. */
#include "ktest.h"

/* "Returns the number of bytes that match; Length if all match." */
KT_TEST(RtlCompareMemory_counts_matching_prefix)
{
    KT_EQ_INT(RtlCompareMemory("abcdef", "abcxef", 6), 3);
    KT_EQ_INT(RtlCompareMemory("abcdef", "abcdef", 6), 6);
    KT_EQ_INT(RtlCompareMemory("x", "y", 1), 0);
    KT_EQ_INT(RtlCompareMemory("x", "y", 0), 0);
}

/* The number of leading bytes equal to Pattern, counted in whole ULONGs. */
KT_TEST(RtlCompareMemoryUlong_counts_matching_ulongs)
{
    ULONG block[4] = { 0xA5A5A5A5, 0xA5A5A5A5, 0xA5A5A500, 0xA5A5A5A5 };
    KT_EQ_INT(RtlCompareMemoryUlong(block, sizeof block, 0xA5A5A5A5), 8);
    KT_EQ_INT(RtlCompareMemoryUlong(block, 8, 0xA5A5A5A5), 8);
    KT_EQ_INT(RtlCompareMemoryUlong(&block[3], 4, 0xA5A5A5A5), 4);
    KT_EQ_INT(RtlCompareMemoryUlong(block, sizeof block, 0), 0);
}

/* "Returns zero if Source is not ULONG-aligned or if Length is not a
 * multiple of sizeof(ULONG)." */
KT_TEST(RtlCompareMemoryUlong_misaligned_is_zero)
{
    ULONG block[3] = { 0, 0, 0 };
    KT_EQ_INT(RtlCompareMemoryUlong(block, 6, 0), 0);
    KT_EQ_INT(RtlCompareMemoryUlong((PUCHAR)block + 1, 4, 0), 0);
    KT_EQ_INT(RtlCompareMemoryUlong(block, 12, 0), 12);
}

/* RtlCopyMemory, RtlMoveMemory (overlap), RtlFillMemory, RtlZeroMemory,
 * RtlEqualMemory (TRUE when equal), RtlSecureZeroMemory (returns ptr). */
KT_TEST(RtlMemory_macros)
{
    char buf[8] = "abcdefg";
    RtlMoveMemory(buf + 1, buf, 4);
    KT_EQ_MEM(buf, "aabcdfg", 8);
    RtlCopyMemory(buf, "xy", 2);
    KT_EQ_MEM(buf, "xybcdfg", 8);
    RtlFillMemory(buf, 3, 'z');
    KT_EQ_MEM(buf, "zzzcdfg", 8);
    KT_TRUE(RtlEqualMemory(buf, "zzzc", 4));
    KT_FALSE(RtlEqualMemory(buf, "zzzd", 4));
    RtlZeroMemory(buf, 2);
    KT_EQ_MEM(buf, "\0\0zcdfg", 8);
    KT_EQ_PTR(RtlSecureZeroMemory(buf, 8), buf);
    KT_EQ_MEM(buf, "\0\0\0\0\0\0\0\0", 8);
}
