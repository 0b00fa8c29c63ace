/* loader/elf_imports.c: listing an ELF image's dynamic symbols: a native
 * driver's imports, so one that calls routines ntbox lacks is refused with
 * the whole list at load time, as a .sys with missing imports is; and
 * ntbox's own exports, which the export table must all list. */
#include "loader/elf_imports.h"

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Which symbols a listing wants; version: the symbol's .gnu.version index
 * (1, "global", when the image has none). */
typedef bool ldr_elf_want(const Elf64_Sym *sym, unsigned version);

static bool ldr_fail(char *err, size_t errn, const char *path, const char *what)
{
    snprintf(err, errn, "%s: %s", path, what);
    return false;
}

static bool ldr_in_file(size_t file_size, unsigned long long off, unsigned long long size)
{
    return off <= file_size && size <= file_size - off;
}

/* The .gnu.version entries parallel to dynsym section `dynsym`, or NULL. */
static const uint16_t *ldr_elf_versions(const unsigned char *data, size_t n, const Elf64_Shdr *sh, unsigned count,
                                        unsigned dynsym, size_t nsyms)
{
    for (unsigned i = 0; i < count; i++)
        if (sh[i].sh_type == SHT_GNU_versym && sh[i].sh_link == dynsym &&
            ldr_in_file(n, sh[i].sh_offset, sh[i].sh_size) && sh[i].sh_size / 2 >= nsyms && !(sh[i].sh_offset & 1))
            return (const uint16_t *)(data + sh[i].sh_offset);
    return NULL;
}

static bool ldr_elf_symbols(const char *path, ldr_elf_want *want, void (*fn)(const char *name, void *ctx), void *ctx,
                            char *err, size_t errn)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ldr_fail(err, errn, path, "cannot be opened");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = size > 0 ? malloc((size_t)size) : NULL;
    bool read_ok = data && fread(data, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    if (!read_ok) {
        free(data);
        return ldr_fail(err, errn, path, "cannot be read");
    }

    size_t n = (size_t)size;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    bool ok = false;
    if (n < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_machine != EM_X86_64) {
        ldr_fail(err, errn, path, "is not an x86-64 ELF shared object (build it with `ntbox run` from source)");
        goto out;
    }
    if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !ldr_in_file(n, eh->e_shoff, (unsigned long long)eh->e_shnum * sizeof(Elf64_Shdr))) {
        ldr_fail(err, errn, path, "section header table extends past end of file");
        goto out;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM)
            continue;
        if (sh[i].sh_link >= eh->e_shnum || !ldr_in_file(n, sh[i].sh_offset, sh[i].sh_size) ||
            !ldr_in_file(n, sh[sh[i].sh_link].sh_offset, sh[sh[i].sh_link].sh_size)) {
            ldr_fail(err, errn, path, "section .dynsym or its string table extends past end of file");
            goto out;
        }
        const Elf64_Sym *syms = (const Elf64_Sym *)(data + sh[i].sh_offset);
        size_t nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
        const uint16_t *versions = ldr_elf_versions(data, n, sh, eh->e_shnum, i, nsyms);
        const char *strtab = (const char *)(data + sh[sh[i].sh_link].sh_offset);
        size_t strsize = sh[sh[i].sh_link].sh_size;
        for (size_t k = 1; k < nsyms; k++) {
            if (!want(&syms[k], versions ? versions[k] & 0x7fff : 1))
                continue;
            if (syms[k].st_name >= strsize || !memchr(strtab + syms[k].st_name, 0, strsize - syms[k].st_name)) {
                ldr_fail(err, errn, path, "a symbol name lies outside .dynstr");
                goto out;
            }
            if (strtab[syms[k].st_name])
                fn(strtab + syms[k].st_name, ctx);
        }
    }
    ok = true;
out:
    free(data);
    return ok;
}

static bool ldr_elf_is_import(const Elf64_Sym *sym, unsigned version)
{
    (void)version;
    return sym->st_shndx == SHN_UNDEF && ELF64_ST_BIND(sym->st_info) != STB_WEAK;
}

static bool ldr_elf_is_export(const Elf64_Sym *sym, unsigned version)
{
    unsigned type = ELF64_ST_TYPE(sym->st_info);
    return sym->st_shndx != SHN_UNDEF && ELF64_ST_BIND(sym->st_info) == STB_GLOBAL &&
           ELF64_ST_VISIBILITY(sym->st_other) == STV_DEFAULT && (type == STT_FUNC || type == STT_OBJECT) &&
           version <= 1;
}

bool ldr_elf_imports(const char *path, void (*fn)(const char *name, void *ctx), void *ctx, char *err, size_t errn)
{
    return ldr_elf_symbols(path, ldr_elf_is_import, fn, ctx, err, errn);
}

bool ldr_elf_exports(const char *path, void (*fn)(const char *name, void *ctx), void *ctx, char *err, size_t errn)
{
    return ldr_elf_symbols(path, ldr_elf_is_export, fn, ctx, err, errn);
}
