/* ex/pool_report.c: the pool as poolmon shows it, and the list of
 * allocations still outstanding (what a leak report at unload prints).
 *
 * poolmon's conventions: a tag reads in memory order ('dcba' is "abcd"),
 * rows sorted by tag, "Paged" and "Nonp" types; ntbox adds "NonpNx" so the
 * no-execute nonpaged pool (POOL_FLAG_NON_PAGED) is counted apart. Bytes are
 * the bytes requested and not yet freed, without pool headers. */
#include "ex/pool_internal.h"

#include "loader/module.h"
#include "loader/symbols.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *ex_pool_tag_text(ULONG tag, char out[5])
{
    tag &= ~(ULONG)PROTECTED_POOL;
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        out[i] = c == 0 ? ' ' : (c < 0x20 || c > 0x7E) ? '.' : (char)c;
    }
    out[4] = 0;
    return out;
}

static const char *ex_class_name(enum ex_pool_class pool_class)
{
    static const char *const names[EX_POOL_CLASSES] = { "Paged", "Nonp", "NonpNx" };
    return names[pool_class];
}

static int ex_by_tag(const void *a, const void *b)
{
    const struct ex_pool_tag_row *x = a, *y = b;
    char tx[5], ty[5];
    int c = strcmp(ex_pool_tag_text(x->tag, tx), ex_pool_tag_text(y->tag, ty));
    return c ? c : strcmp(ex_class_name(x->pool_class), ex_class_name(y->pool_class));
}

void ex_pool_print_table(FILE *out)
{
    struct ex_pool_tag_row *rows;
    size_t n = ex_pool_tag_rows(&rows);
    char tag[5];

    qsort(rows, n, sizeof *rows, ex_by_tag);
    fprintf(out, " %-4s %-6s %10s %10s %8s %10s %9s\n", "Tag", "Type", "Allocs", "Frees", "Diff", "Bytes",
            "Per Alloc");
    for (size_t i = 0; i < n; i++) {
        LONG64 diff = rows[i].allocs - rows[i].frees;
        fprintf(out, " %-4s %-6s %10lld %10lld %8lld %10lld %9lld\n", ex_pool_tag_text(rows[i].tag, tag),
                ex_class_name(rows[i].pool_class), (long long)rows[i].allocs, (long long)rows[i].frees,
                (long long)diff, (long long)rows[i].bytes, (long long)(diff > 0 ? rows[i].bytes / diff : 0));
    }
    fflush(out);
    free(rows);
}

struct ex_live_list {
    struct ex_pool_block_info *blocks;
    size_t n, cap;
};

static void ex_collect_live(const struct ex_found *b, void *ctx)
{
    struct ex_live_list *list = ctx;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        struct ex_pool_block_info *grown = realloc(list->blocks, cap * sizeof *grown);
        if (!grown)
            return; /* the report lists what fitted */
        list->blocks = grown;
        list->cap = cap;
    }
    list->blocks[list->n++] = (struct ex_pool_block_info){ (const void *)b->addr, b->size, b->rec.tag,
                                                           (POOL_TYPE)b->rec.type, b->rec.caller,
                                                           b->rec.sequence };
}

static int ex_by_sequence(const void *a, const void *b)
{
    const struct ex_pool_block_info *x = a, *y = b;
    if (x->sequence != y->sequence)
        return x->sequence < y->sequence ? -1 : 1;
    return x->address < y->address ? -1 : x->address > y->address;
}

void ex_each_live(ex_block_visit *fn, void *ctx)
{
    ex_slab_each_live(fn, ctx);
    ex_large_each_live(fn, ctx);
    ex_special_each_live(fn, ctx);
}

size_t ex_pool_live_blocks(struct ex_pool_block_info **blocks)
{
    struct ex_live_list list = { NULL, 0, 0 };
    ex_each_live(ex_collect_live, &list);
    if (list.n)
        qsort(list.blocks, list.n, sizeof *list.blocks, ex_by_sequence);
    *blocks = list.blocks;
    return list.n;
}

size_t ex_pool_outstanding_of(const struct ldr_module *owner, char **text)
{
    struct ex_pool_block_info *blocks;
    size_t n = ex_pool_live_blocks(&blocks), count = 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = text ? open_memstream(&buf, &len) : NULL;

    for (size_t i = 0; i < n; i++) {
        if (owner && ldr_module_at(blocks[i].caller) != owner)
            continue;
        count++;
        if (!f)
            continue;
        char tag[5], where[512];
        const char *type = ex_pool_type_name(blocks[i].type);
        const char *driver = ldr_driver_name_at(blocks[i].caller);
        fprintf(f, "  '%s' %s 0x%llx bytes at 0x%016llx allocated at %s", ex_pool_tag_text(blocks[i].tag, tag),
                type ? type : "?", (unsigned long long)blocks[i].size, (unsigned long long)(uintptr_t)blocks[i].address,
                ldr_describe_address(blocks[i].caller, true, where, sizeof where));
        if (driver)
            fprintf(f, " by %s", driver);
        fputc('\n', f);
    }
    if (f)
        fclose(f);
    if (text)
        *text = buf;
    free(blocks);
    return count;
}

size_t ex_pool_outstanding(char **text)
{
    return ex_pool_outstanding_of(NULL, text);
}
