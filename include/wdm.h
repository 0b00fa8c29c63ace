/* wdm.h: the Windows Driver Model kernel API, as drivers include it.
 * Each kernel component's part lives in include/ntbox/km_*.h; this file
 * pulls them in in dependency order. */
#ifndef _WDMDDK_
#define _WDMDDK_

#include <ntdef.h>
/* The C runtime's memory and string routines, as the WDK's wdm.h includes them
 * (native drivers link ntbox's Microsoft-ABI runtime for them). */
#include <string.h>

#ifndef DBG
#define DBG 0
#endif

#include <ntbox/km_types.h>
#include <ntbox/km_interlocked.h>
#include <ntbox/km_ke.h>
#include <ntbox/km_list.h>
#include <ntbox/km_rtl.h>
#include <ntbox/km_ex.h>
#include <ntbox/km_seh.h>
#include <ntbox/km_ob.h>
#include <ntbox/km_dbg.h>
#include <ntbox/km_io.h>
#include <ntbox/km_mm.h>
#include <ntbox/km_file.h>
#include <ntbox/km_ps.h>

#endif /* _WDMDDK_ */
