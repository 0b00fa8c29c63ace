/* mm/pageable.h: drivers' pageable image sections (PAGE, PAGEDATA, ...:
 * what #pragma alloc_text(PAGE, f) and data_seg("PAGEDATA") make), trimmed
 * whenever a thread raises to DISPATCH_LEVEL or above, as paged pool is
 * (ex/pool_special.c): code or data Windows may page out, touched where no
 * page fault can be served, is caught every time, not only when the page
 * happens to be out. A thread below DISPATCH_LEVEL that touches a trimmed
 * section opens it again (from the fault handler); one at or above it
 * faults: 0xD1. The loader registers the sections while the verifier's
 * irql group is on; with none registered a raise costs nothing more. */
#ifndef NTBOX_MM_PAGEABLE_H
#define NTBOX_MM_PAGEABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether a section with this name is pageable: its name starts with "PAGE". */
bool mm_pageable_name(const char *section);

/* Registers [start, start + size) (whole pages) of image as the pageable
 * section named section (the string must live until it is removed), whose
 * mapped protection is prot; it starts open. False when memory runs out. */
bool mm_pageable_add(const char *image, const char *section, void *start, size_t size, int prot);

/* Forgets every range registered for image (at unload), leaving each with
 * its mapped protection. */
void mm_pageable_remove(const char *image);

/* Makes every open range inaccessible (on a raise to DISPATCH_LEVEL). */
void mm_pageable_trim(void);

/* A fault at addr, below DISPATCH_LEVEL, in a registered range: a trimmed
 * one is opened again; true when the access (PROT_READ, PROT_WRITE or
 * PROT_EXEC) is one its protection allows, so that it is to be retried.
 * False for anything else (a write to PAGE code: read-only). Runs in the
 * fault handler. */
bool mm_pageable_reopen(const void *addr, int access);

/* The section's name ("PAGE") and image when addr lies in a registered
 * range, else false. Runs in the fault handler. */
bool mm_pageable_at(const void *addr, const char **image, const char **section);

#endif
