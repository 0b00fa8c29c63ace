/* rtl/version.h: the Windows version ntbox reports (RtlGetVersion), set
 * from the command line (--os-version). Default: Windows 11 25H2, 10.0.26200. */
#ifndef NTBOX_RTL_VERSION_H
#define NTBOX_RTL_VERSION_H

#include <ntddk.h>
#include <stdbool.h>

/* Sets the reported version from "MAJOR.MINOR.BUILD": three decimal numbers,
 * each fitting a ULONG, nothing else. Returns false, changing nothing, when
 * text is malformed or NULL. */
bool rtl_version_parse_and_set(const char *text);

/* The reported version. */
void rtl_version_get(ULONG *major, ULONG *minor, ULONG *build);

#endif
