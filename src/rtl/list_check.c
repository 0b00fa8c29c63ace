/* rtl/list_check.c: what is wrong with a LIST_ENTRY (see list_check.h).
 * Every read goes through safe_read: the entry came from a fault, and its
 * links are exactly the values not to be trusted. */
#include "rtl/list_check.h"

#include "base/safe_read.h"

#include <stddef.h>
#include <stdio.h>

/* *out = the link at byte offset `field` of the entry at `at`; false when
 * it cannot be read. Integer arithmetic: `at` may be NULL or misaligned. */
static bool rtl_read_link(const LIST_ENTRY *at, size_t field, const LIST_ENTRY **out)
{
    return safe_read((const void *)((ULONG_PTR)at + field), out, sizeof *out);
}

bool rtl_list_describe_corruption(const LIST_ENTRY *entry, char *buf, size_t n)
{
    LIST_ENTRY links;
    const LIST_ENTRY *back;

    if (!entry || !safe_read(entry, &links, sizeof links))
        return false;
    if (rtl_read_link(links.Flink, offsetof(LIST_ENTRY, Blink), &back) && back != entry) {
        snprintf(buf, n, "LIST_ENTRY 0x%016llx: Flink->Blink should be 0x%016llx, but is 0x%016llx (Flink 0x%016llx)",
                 (unsigned long long)(ULONG_PTR)entry, (unsigned long long)(ULONG_PTR)entry,
                 (unsigned long long)(ULONG_PTR)back, (unsigned long long)(ULONG_PTR)links.Flink);
        return true;
    }
    if (rtl_read_link(links.Blink, offsetof(LIST_ENTRY, Flink), &back) && back != entry) {
        snprintf(buf, n, "LIST_ENTRY 0x%016llx: Blink->Flink should be 0x%016llx, but is 0x%016llx (Blink 0x%016llx)",
                 (unsigned long long)(ULONG_PTR)entry, (unsigned long long)(ULONG_PTR)entry,
                 (unsigned long long)(ULONG_PTR)back, (unsigned long long)(ULONG_PTR)links.Blink);
        return true;
    }
    return false;
}
