/* rtl/list_check.h: describing a corrupted LIST_ENTRY for a report.
 * The WDK's list inlines fail fast (int 0x29, ECX = 3) on a broken link;
 * ntbox's fail path leaves the entry whose check failed in RDX, and the
 * fault handler asks this module to say what is wrong with it. */
#ifndef NTBOX_RTL_LIST_CHECK_H
#define NTBOX_RTL_LIST_CHECK_H

#include <ntddk.h>
#include <stdbool.h>
#include <stddef.h>

/* Reads entry and its neighbours without faulting (the pointers may be
 * wild) and writes one sentence into buf, Linux list_debug style:
 *   "LIST_ENTRY 0x...40: Flink->Blink should be 0x...40, but is 0x...c0 (Flink 0x...80)"
 * or the same for Blink->Flink. The Flink side is checked first. Returns
 * false, buf unchanged, when both neighbours point back at entry or when
 * what would be needed cannot be read. */
bool rtl_list_describe_corruption(const LIST_ENTRY *entry, char *buf, size_t n);

#endif
