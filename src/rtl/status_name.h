/* rtl/status_name.h: NTSTATUS values by name (table generated from ntstatus.h). */
#ifndef NTBOX_RTL_STATUS_NAME_H
#define NTBOX_RTL_STATUS_NAME_H

#include <ntdef.h>

/* "STATUS_INSUFFICIENT_RESOURCES", or NULL for a value ntstatus.h lacks. */
const char *rtl_status_name(NTSTATUS status);

/* "STATUS_INSUFFICIENT_RESOURCES (0xC000009A)", or "0xC000009A" alone;
 * returns buf. */
const char *rtl_status_describe(NTSTATUS status, char *buf, unsigned n);

#endif
