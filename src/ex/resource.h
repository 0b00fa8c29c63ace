/* ex/resource.h: ntbox-internal views of executive resources
 * (ex/resource.c), for hang reports. */
#ifndef NTBOX_EX_RESOURCE_H
#define NTBOX_EX_RESOURCE_H

#include <ntddk.h>

#include <stdbool.h>

/* The threads (KTHREADs) that own resource, exclusively or shared, up to
 * max of them in owners; returns how many there are. */
ULONG ex_resource_owners(PERESOURCE resource, ERESOURCE_THREAD *owners, ULONG max);

/* Calls fn for every initialized resource thread owns, saying how. */
void ex_resources_owned_by(ERESOURCE_THREAD thread, void (*fn)(PERESOURCE resource, bool exclusive, void *context),
                           void *context);

#endif
