/* ke/irql.h: ntbox-internal view of the per-thread IRQL. */
#ifndef NTBOX_KE_IRQL_H
#define NTBOX_KE_IRQL_H

#include <ntddk.h>

/* "DISPATCH_LEVEL" for 2, "HIGH_LEVEL" for 15, "IRQL 7" style otherwise
 * (static storage). */
const char *ke_irql_name(KIRQL irql);

#endif
