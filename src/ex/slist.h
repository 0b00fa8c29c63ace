/* ex/slist.h: the SList operations ntbox's own code needs (lookaside lists),
 * with the driver's call site passed in for reports. */
#ifndef NTBOX_EX_SLIST_H
#define NTBOX_EX_SLIST_H

#include <ntddk.h>

/* InitializeSListHead's work: an empty list; a header that is not 16-byte
 * aligned raises STATUS_DATATYPE_MISALIGNMENT, charged to caller, in the
 * name of routine. */
void ex_slist_init(PSLIST_HEADER head, const char *routine, const void *caller);

/* Empties the list in one step; returns the former first entry (its Next
 * chain is the rest of the list), NULL when the list was empty. */
PSLIST_ENTRY ex_slist_flush(PSLIST_HEADER head);

#endif
