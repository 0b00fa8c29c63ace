/* loader/pe_symbols.c: function names inside a PE image, for reports when
 * no debug line information names them (see pe.h).
 *
 * Two sources: the export directory (kept by every image that exports) and
 * the COFF symbol table (kept by mingw-built images unless stripped; the
 * Microsoft linker leaves it out and puts names in a PDB). Both only name
 * things, so a malformed table is skipped, never an error. */
#include "loader/pe.h"

#include <stdlib.h>
#include <string.h>

#define PE_SYMBOL_SIZE 18
#define PE_SYM_CLASS_EXTERNAL 2
#define PE_SYM_CLASS_STATIC 3
#define PE_SYM_DTYPE_FUNCTION 2

struct pe_symbol_builder {
    struct pe_symbols *syms;
    size_t cap, names_len, names_cap;
    bool failed;
    const struct pe_file *pe;
};

static void pe_symbol_add(struct pe_symbol_builder *b, const char *name, size_t len, uint32_t rva)
{
    struct pe_symbols *s = b->syms;
    int section = pe_section_at(b->pe, rva);
    if (b->failed || !len || section < 0)
        return;
    if (s->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct pe_symbol *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            b->failed = true;
            return;
        }
        s->v = v;
        b->cap = cap;
    }
    if (b->names_len + len + 1 > b->names_cap) {
        size_t cap = (b->names_cap + len + 1) * 2;
        char *names = realloc(s->names, cap);
        if (!names) {
            b->failed = true;
            return;
        }
        s->names = names;
        b->names_cap = cap;
    }
    memcpy(s->names + b->names_len, name, len);
    s->names[b->names_len + len] = 0;
    /* Offsets for now: names may still move. */
    const struct pe_section *sec = &b->pe->sections[section];
    s->v[s->n++] = (struct pe_symbol){ rva, sec->rva + sec->vsize, (const char *)(uintptr_t)b->names_len };
    b->names_len += len + 1;
}

static void pe_symbol_export(void *ctx, const char *name, uint32_t rva)
{
    pe_symbol_add(ctx, name, strlen(name), rva);
}

static void pe_symbols_coff(const struct pe_file *pe, struct pe_symbol_builder *b)
{
    const char *strings = NULL;
    uint32_t strings_size = 0;
    uint64_t end = pe->symtab_offset + (uint64_t)pe->nsymbols * PE_SYMBOL_SIZE;

    if (!pe->symtab_offset || end > pe->size)
        return;
    pe_string_table(pe, &strings, &strings_size);
    for (uint32_t i = 0; i < pe->nsymbols; i++) {
        const uint8_t *sym = pe->data + pe->symtab_offset + (uint64_t)i * PE_SYMBOL_SIZE;
        uint32_t value = pe_rd32(sym + 8);
        int16_t section = (int16_t)pe_rd16(sym + 12);
        uint16_t type = pe_rd16(sym + 14);
        uint8_t storage = sym[16];
        const char *name = (const char *)sym;
        size_t len = strnlen(name, 8);

        i += sym[17]; /* auxiliary records follow */
        if (section < 1 || section > pe->nsections || (type >> 4) != PE_SYM_DTYPE_FUNCTION ||
            (storage != PE_SYM_CLASS_EXTERNAL && storage != PE_SYM_CLASS_STATIC))
            continue;
        if (pe_rd32(sym) == 0) {
            uint32_t off = pe_rd32(sym + 4);
            if (!strings || off < 4 || off >= strings_size || !memchr(strings + off, 0, strings_size - off))
                continue;
            name = strings + off;
            len = strlen(name);
        }
        uint64_t rva = (uint64_t)pe->sections[section - 1].rva + value;
        if (rva < pe->size_of_image)
            pe_symbol_add(b, name, len, (uint32_t)rva);
    }
}

static int pe_symbol_order(const void *a, const void *b)
{
    const struct pe_symbol *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

bool pe_symbols_load(const struct pe_file *pe, const struct pe_image *img, struct pe_symbols *syms)
{
    struct pe_symbol_builder b = { syms, 0, 0, 0, false, pe };
    char ignored[256];

    memset(syms, 0, sizeof *syms);
    pe_exports(pe, img, pe_symbol_export, &b, ignored, sizeof ignored);
    pe_symbols_coff(pe, &b);
    if (b.failed) {
        pe_symbols_free(syms);
        return false;
    }
    for (size_t i = 0; i < syms->n; i++)
        syms->v[i].name = syms->names + (uintptr_t)syms->v[i].name;
    if (syms->n) /* v is NULL when there are none, which qsort may not be given */
        qsort(syms->v, syms->n, sizeof *syms->v, pe_symbol_order);
    return true;
}

const struct pe_symbol *pe_symbols_find(const struct pe_symbols *syms, uint32_t rva)
{
    size_t lo = 0, hi = syms->n;
    while (lo < hi) { /* first symbol past rva */
        size_t mid = lo + (hi - lo) / 2;
        if (syms->v[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct pe_symbol *s = &syms->v[lo - 1];
    return rva < s->section_end ? s : NULL;
}

void pe_symbols_free(struct pe_symbols *syms)
{
    free(syms->v);
    free(syms->names);
    memset(syms, 0, sizeof *syms);
}
