/* tests/ex/test_pool_report.c: the poolmon-style table (ex_pool_print_table)
 * and the list of outstanding allocations (ex_pool_outstanding). */
#include "ktest.h"

#include "ex/pool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The table as text (malloc'd). */
static char *table_text(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ex_pool_print_table(f);
    fclose(f);
    return buf;
}

/* poolmon's column headers, first. */
KT_TEST(ex_pool_print_table_header)
{
    char *t = table_text();
    KT_REQUIRE(KT_TRUE(t != NULL));
    const char *header = " Tag  Type       Allocs      Frees     Diff      Bytes Per Alloc\n";
    KT_EQ_INT(strncmp(t, header, strlen(header)), 0);
    if (strncmp(t, header, strlen(header)))
        kt_fail(__FILE__, __LINE__, "table starts:\n%s", t);
    free(t);
}

/* "The value of the tag is stored, and sometimes displayed, in reverse
 * (little-endian) order": the table shows memory order, 'dcba' as abcd.
 * One row per (tag, pool): Allocs, Frees, Diff, Bytes outstanding, Per Alloc. */
KT_TEST(ex_pool_print_table_row)
{
    void *a = ExAllocatePoolWithTag(PagedPool, 88, 'dcba');
    void *b = ExAllocatePoolWithTag(PagedPool, 40, 'dcba');
    void *c = ExAllocatePoolWithTag(PagedPool, 100, 'dcba' | PROTECTED_POOL);
    KT_REQUIRE(KT_TRUE(a && b && c));
    ExFreePoolWithTag(b, 'dcba');
    char *t = table_text();
    KT_CONTAINS(t, "\n abcd Paged           3          1        2        188        94\n");
    free(t);
    ExFreePool(a);
    ExFreePool(c);
    t = table_text();
    KT_CONTAINS(t, "\n abcd Paged           3          3        0          0         0\n");
    free(t);
}

/* ExAllocatePool's tag 'enoN' reads "None"; NUL bytes show as spaces (a
 * short tag 'ab' is "ba  "), other unprintable bytes as '.'. */
KT_TEST(ex_pool_print_table_tag_bytes)
{
    void *a = ExAllocatePool(NonPagedPoolNx, 8);
    void *b = ExAllocatePoolWithTag(NonPagedPoolNx, 8, 'ab');
    void *c = ExAllocatePoolWithTag(NonPagedPoolNx, 8, 0x7A797801);
    KT_REQUIRE(KT_TRUE(a && b && c));
    char *t = table_text();
    KT_CONTAINS(t, "\n None NonpNx          1          0        1          8         8\n");
    KT_CONTAINS(t, "\n ba   NonpNx          1          0        1          8         8\n");
    KT_CONTAINS(t, "\n .xyz NonpNx          1          0        1          8         8\n");
    free(t);
    ExFreePool(a);
    ExFreePool(b);
    ExFreePool(c);
}

/* Rows are sorted by tag, as poolmon sorts by default; one tag's pools
 * come in the order Nonp, NonpNx, Paged. */
KT_TEST(ex_pool_print_table_sorted_by_tag)
{
    static const ULONG tags[] = { 'zzzz', 'aaaa', 'mmmm' };
    static const POOL_TYPE types[] = { PagedPool, NonPagedPoolNx, NonPagedPool };
    void *p[9];
    for (int i = 0; i < 9; i++)
        p[i] = ExAllocatePoolWithTag(types[i % 3], 16, tags[i / 3]);
    char *t = table_text();
    const char *order[] = { "\n aaaa Nonp ", "\n aaaa NonpNx ", "\n aaaa Paged ", "\n mmmm Nonp ",
                            "\n zzzz Nonp ", "\n zzzz NonpNx ", "\n zzzz Paged " };
    const char *at = t;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *next = strstr(at, order[i]);
        if (!next) {
            kt_fail(__FILE__, __LINE__, "\"%s\" missing or out of order in:\n%s", order[i] + 1, t);
            break;
        }
        at = next + 1;
    }
    free(t);
    for (int i = 0; i < 9; i++)
        ExFreePool(p[i]);
}

/* Each allocation not yet freed, in allocation order: tag, pool type, size,
 * address, and where it was allocated; small and large blocks alike. */
KT_TEST(ex_pool_outstanding_lists_live_blocks_in_order)
{
    size_t before = ex_pool_outstanding(NULL);
    void *a = ExAllocatePoolWithTag(PagedPool, 0x58, 'dcba');
    void *b = ExAllocatePoolWithTag(NonPagedPoolNx, 0x20, '2keL');
    void *big = ExAllocatePoolWithTag(PagedPool, 0x12345, 'giBL');
    void *c = ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE, 0x11, '3keL');
    KT_REQUIRE(KT_TRUE(a && b && big && c));
    ExFreePool(b);

    char *text, line_a[128], line_big[128], line_c[128];
    KT_EQ_INT(ex_pool_outstanding(&text) - before, 3);
    snprintf(line_a, sizeof line_a, "  'abcd' PagedPool 0x58 bytes at 0x%016llx allocated at ",
             (unsigned long long)(uintptr_t)a);
    snprintf(line_big, sizeof line_big, "  'LBig' PagedPool 0x12345 bytes at 0x%016llx allocated at ",
             (unsigned long long)(uintptr_t)big);
    snprintf(line_c, sizeof line_c, "  'Lek3' NonPagedPool 0x11 bytes at 0x%016llx allocated at ",
             (unsigned long long)(uintptr_t)c);
    const char *pa = strstr(text, line_a), *pbig = strstr(text, line_big), *pc = strstr(text, line_c);
    KT_CONTAINS(text, line_a);
    KT_CONTAINS(text, line_big);
    KT_CONTAINS(text, line_c);
    KT_TRUE(pa && pbig && pc && pa < pbig && pbig < pc);
    KT_TRUE(strstr(text, "'Lek2'") == NULL);
    free(text);
    ExFreePool(a);
    ExFreePool(big);
    ExFreePool(c);
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
}
