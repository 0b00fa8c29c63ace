/* verifier/verifier.h: which of Driver Verifier's checks a run makes.
 *
 * The checks come in groups a developer switches with
 * `ntbox run --verifier=GROUPS`. `ntbox run` starts with every group on
 * (VF_ALL); the library's own state, before anything configures it (unit
 * tests of the kernel routines), is every group but special-pool, since
 * special pool replaces the allocator those tests exercise. A check asks
 * vf_enabled() at the moment it would fire: one load and a bit test. */
#ifndef NTBOX_VERIFIER_VERIFIER_H
#define NTBOX_VERIFIER_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum vf_group {
    VF_POOL_TRACKING, /* leaks at unload, zero-byte allocations */
    VF_SPECIAL_POOL,  /* a page per allocation, guard page after it */
    VF_IRQL,          /* IRQL rules of the routines a driver calls */
    VF_LOCKS,         /* spin lock ownership */
    VF_IO,            /* I/O verification: IRPs and devices (0xC9) */
    VF_LISTS,         /* LIST_ENTRY integrity checks compiled into drivers */
    VF_DEADLOCK,      /* lock order inversions (verifier/lock_order.h) */
    VF_GROUPS
};

#define VF_ALL ((1u << VF_GROUPS) - 1)
#define VF_LIBRARY_DEFAULT (VF_ALL & ~(1u << VF_SPECIAL_POOL))

/* One bit per enum vf_group. */
extern unsigned vf_group_mask;

static inline bool vf_enabled(enum vf_group group)
{
    return (__atomic_load_n(&vf_group_mask, __ATOMIC_RELAXED) >> group) & 1;
}

/* Replaces the enabled groups. */
void vf_set_groups(unsigned mask);

/* Applies a --verifier list to *mask: items separated by commas, each
 * "all", "none", "+NAME" (add), "-NAME" (remove) or "NAME". A list whose
 * first item is a bare NAME selects exactly the groups it names (as if it
 * began with "none"); any other list changes *mask. False, with err saying
 * why, for an empty item or an unknown group (*mask unchanged then). */
bool vf_parse_groups(const char *list, unsigned *mask, char *err, size_t errn);

/* "special-pool"; NULL for a value that is no group. */
const char *vf_group_name(enum vf_group group);

/* The groups, one per line ("  irql           IRQL rules ..."), each
 * line starting with indent: for `ntbox --help`. */
void vf_print_groups(FILE *out, const char *indent);

#endif
