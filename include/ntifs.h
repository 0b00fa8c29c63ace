/* ntifs.h: the installable file system kit's header: ntddk.h plus the
 * file-system and Zw routines. Those arrive with the components that
 * implement them; until then a file-system filter that includes ntifs.h
 * gets everything ntddk.h has. */
#ifndef _NTIFS_
#define _NTIFS_

#include <ntddk.h>

#endif /* _NTIFS_ */
