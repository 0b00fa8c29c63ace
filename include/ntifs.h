/* ntifs.h: the installable file system kit's header: ntddk.h plus the
 * routines the WDK declares only here (ObQueryNameString, ZwCreateEvent,
 * ZwOpenDirectoryObject, ZwCreateSymbolicLinkObject, SeExports, ...). Each
 * component's header keeps its ntifs part behind _NTIFS_ and is included
 * again here, so the order ntddk.h then ntifs.h works too. */
#ifndef _NTIFS_
#define _NTIFS_

#include <ntddk.h>
#include <ntbox/km_ob.h>
#include <ntbox/km_se.h>

#endif /* _NTIFS_ */
