/* verifier/options.c: Driver Verifier's check groups, as --verifier
 * selects them (see verifier.h). */
#include "verifier/verifier.h"

#include <stdio.h>
#include <string.h>

unsigned vf_group_mask = VF_LIBRARY_DEFAULT;

static const struct {
    const char *name;
    const char *what;
} vf_groups[VF_GROUPS] = {
    /* Lines of at most 62 characters: --help indents them by 17. */
    [VF_POOL_TRACKING] = { "pool-tracking", "pool leaks at unload (0xC4/0x62), zero-byte allocations\n"
                                            "(0xC4/0x00)" },
    [VF_SPECIAL_POOL] = { "special-pool", "each block under a page alone at the end of a page, a\n"
                                          "guard page after it: overruns stop at once (0xD6), a\n"
                                          "corrupted slack at free (0xC1), use after free (0xD5)" },
    [VF_IRQL] = { "irql", "IRQL rules of the routines a driver calls: KeRaiseIrql\n"
                          "and KeLowerIrql (0xC4/0x30, 0x31), spin locks, fast\n"
                          "mutexes, pool above its IRQL (0xC4/0x01, 0x11...); with\n"
                          "special pool, paged pool touched at DISPATCH_LEVEL (0xD1)" },
    [VF_LOCKS] = { "locks", "spin lock releases: of a lock not held (0xC4/0x1007) or\n"
                            "held by another thread (0x1004)" },
    [VF_IO] = { "io", "I/O verification of IRPs and device objects (0xC9)" },
    [VF_LISTS] = { "lists", "LIST_ENTRY checks in native drivers' list routines (0x139)" },
    [VF_DEADLOCK] = { "deadlock", "lock order: two locks (spin locks, mutexes, resources,\n"
                                  "push locks) taken in both orders, even when no deadlock\n"
                                  "happens this run (0xC4/0x1001)" },
};

void vf_set_groups(unsigned mask)
{
    __atomic_store_n(&vf_group_mask, mask & VF_ALL, __ATOMIC_RELAXED);
}

const char *vf_group_name(enum vf_group group)
{
    return (unsigned)group < VF_GROUPS ? vf_groups[group].name : NULL;
}

static int vf_group_by_name(const char *name, size_t len)
{
    for (int g = 0; g < VF_GROUPS; g++)
        if (strlen(vf_groups[g].name) == len && strncmp(vf_groups[g].name, name, len) == 0)
            return g;
    return -1;
}

bool vf_parse_groups(const char *list, unsigned *mask, char *err, size_t errn)
{
    unsigned result = *mask;
    bool first = true;

    for (const char *item = list;; first = false) {
        size_t len = strcspn(item, ",");
        char sign = (*item == '+' || *item == '-') ? *item : 0;
        const char *name = sign ? item + 1 : item;
        size_t name_len = sign ? len - 1 : len;

        if (name_len == 0) {
            snprintf(err, errn, "empty item in \"%s\"", list);
            return false;
        }
        if (!sign && name_len == 3 && strncmp(name, "all", 3) == 0)
            result = VF_ALL;
        else if (!sign && name_len == 4 && strncmp(name, "none", 4) == 0)
            result = 0;
        else {
            int g = vf_group_by_name(name, name_len);
            if (g < 0) {
                snprintf(err, errn, "unknown group \"%.*s\" (groups: pool-tracking, special-pool, irql, locks, io, "
                         "lists, deadlock; or all, none)", (int)name_len, name);
                return false;
            }
            if (!sign && first)
                result = 0;
            if (sign == '-')
                result &= ~(1u << g);
            else
                result |= 1u << g;
        }
        if (!item[len])
            break;
        item += len + 1;
    }
    *mask = result;
    return true;
}

void vf_print_groups(FILE *out, const char *indent)
{
    for (int g = 0; g < VF_GROUPS; g++) {
        /* Continuation lines line up under the first. */
        const char *label = vf_groups[g].name;
        for (const char *line = vf_groups[g].what; *line; label = "") {
            size_t len = strcspn(line, "\n");
            fprintf(out, "%s%-15s%.*s\n", indent, label, (int)len, line);
            line += len + (line[len] == '\n');
        }
    }
}
