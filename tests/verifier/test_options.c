/* tests/verifier/test_options.c: Driver Verifier's check groups
 * (src/verifier/options.c): vf_enabled, vf_set_groups, the --verifier list
 * syntax (vf_parse_groups), the names and the --help listing. */
#include "ktest.h"

#include "verifier/verifier.h"

#include <stdio.h>
#include <stdlib.h>

#define BIT(g) (1u << (g))

/* Parses list from start; returns the mask, or ~0u when refused. */
static unsigned parse(const char *list, unsigned start)
{
    char err[256];
    unsigned mask = start;
    return vf_parse_groups(list, &mask, err, sizeof err) ? mask : ~0u;
}

/* Before anything configures them, every group is on but special pool;
 * vf_set_groups replaces them and vf_enabled reads them. */
KT_TEST(vf_enabled_library_default_and_set)
{
    KT_EQ_HEX(vf_group_mask, VF_ALL & ~BIT(VF_SPECIAL_POOL));
    KT_TRUE(vf_enabled(VF_POOL_TRACKING));
    KT_FALSE(vf_enabled(VF_SPECIAL_POOL));
    KT_TRUE(vf_enabled(VF_LISTS));
    vf_set_groups(BIT(VF_IO));
    KT_TRUE(vf_enabled(VF_IO));
    KT_FALSE(vf_enabled(VF_IRQL));
    vf_set_groups(~0u);
    KT_EQ_HEX(vf_group_mask, VF_ALL);
    vf_set_groups(VF_LIBRARY_DEFAULT);
}

/* all and none set every group or none; -NAME and +NAME remove and add. */
KT_TEST(vf_parse_groups_all_none_add_remove)
{
    KT_EQ_HEX(parse("all", 0), VF_ALL);
    KT_EQ_HEX(parse("none", VF_ALL), 0);
    KT_EQ_HEX(parse("-special-pool", VF_ALL), VF_ALL & ~BIT(VF_SPECIAL_POOL));
    KT_EQ_HEX(parse("-special-pool,-locks", VF_ALL), VF_ALL & ~BIT(VF_SPECIAL_POOL) & ~BIT(VF_LOCKS));
    KT_EQ_HEX(parse("none,+irql", VF_ALL), BIT(VF_IRQL));
    KT_EQ_HEX(parse("+io", 0), BIT(VF_IO));
    KT_EQ_HEX(parse("all,-irql,+irql", 0), VF_ALL);
}

/* A list that starts with a bare name selects exactly the groups it
 * names; bare names after the first add. */
KT_TEST(vf_parse_groups_bare_names_select)
{
    KT_EQ_HEX(parse("irql", VF_ALL), BIT(VF_IRQL));
    KT_EQ_HEX(parse("irql,locks", VF_ALL), BIT(VF_IRQL) | BIT(VF_LOCKS));
    KT_EQ_HEX(parse("pool-tracking,-pool-tracking", VF_ALL), 0);
    KT_EQ_HEX(parse("-io,lists", VF_ALL), VF_ALL & ~BIT(VF_IO));
}

/* An unknown group or an empty item is refused, naming it, and the mask is
 * left as it was. */
KT_TEST(vf_parse_groups_errors)
{
    char err[256];
    unsigned mask = BIT(VF_IO);
    KT_FALSE(vf_parse_groups("irql,pool", &mask, err, sizeof err));
    KT_CONTAINS(err, "unknown group \"pool\" (groups: pool-tracking, special-pool, irql, locks, io, lists, deadlock; or all, none)");
    KT_EQ_HEX(mask, BIT(VF_IO));
    KT_FALSE(vf_parse_groups("irql,,io", &mask, err, sizeof err));
    KT_CONTAINS(err, "empty item in \"irql,,io\"");
    KT_FALSE(vf_parse_groups("", &mask, err, sizeof err));
    KT_FALSE(vf_parse_groups("-", &mask, err, sizeof err));
    KT_FALSE(vf_parse_groups("+all", &mask, err, sizeof err));
    KT_EQ_HEX(mask, BIT(VF_IO));
}

KT_TEST(vf_group_name_each)
{
    static const char *const names[VF_GROUPS] = { "pool-tracking", "special-pool", "irql", "locks", "io", "lists", "deadlock" };
    for (int g = 0; g < VF_GROUPS; g++)
        KT_EQ_STR(vf_group_name((enum vf_group)g), names[g]);
    KT_EQ_PTR(vf_group_name(VF_GROUPS), NULL);
}

/* --help's list: each group on a line of its own, after the indent. */
KT_TEST(vf_print_groups_lists_each)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    vf_print_groups(f, "  ");
    fclose(f);
    KT_CONTAINS(text, "  pool-tracking  pool leaks at unload (0xC4/0x62)");
    KT_CONTAINS(text, "\n  special-pool   each block under a page");
    KT_CONTAINS(text, "\n                 guard page after it");
    KT_CONTAINS(text, "\n  irql           ");
    KT_CONTAINS(text, "\n  locks          ");
    KT_CONTAINS(text, "\n  io             ");
    KT_CONTAINS(text, "\n  lists          ");
    free(text);
}
