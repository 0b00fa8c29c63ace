/* rtl/status_name.c: NTSTATUS values by name, from the generated table. */
#include "rtl/status_name.h"

#include <stdio.h>

struct rtl_status_entry { unsigned value; const char *name; };
extern const struct rtl_status_entry rtl_status_table[];
extern const unsigned rtl_status_table_count;

const char *rtl_status_name(NTSTATUS status)
{
    for (unsigned i = 0; i < rtl_status_table_count; i++)
        if (rtl_status_table[i].value == (unsigned)status)
            return rtl_status_table[i].name;
    return NULL;
}

const char *rtl_status_describe(NTSTATUS status, char *buf, unsigned n)
{
    const char *name = rtl_status_name(status);
    if (name)
        snprintf(buf, n, "%s (0x%08X)", name, (unsigned)status);
    else
        snprintf(buf, n, "0x%08X", (unsigned)status);
    return buf;
}
