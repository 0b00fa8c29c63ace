/* loader/elf_imports.c: listing an ELF shared object's imports, so a native
 * driver that calls routines ntbox lacks is refused with the whole list at
 * load time, as a .sys with missing imports would be. */
#include "loader/elf_imports.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ldr_fail(char *err, size_t errn, const char *path, const char *what)
{
    snprintf(err, errn, "%s: %s", path, what);
    return false;
}

static bool ldr_in_file(size_t file_size, unsigned long long off, unsigned long long size)
{
    return off <= file_size && size <= file_size - off;
}

bool ldr_elf_imports(const char *path, void (*fn)(const char *name, void *ctx), void *ctx, char *err, size_t errn)
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
        const char *strtab = (const char *)(data + sh[sh[i].sh_link].sh_offset);
        size_t strsize = sh[sh[i].sh_link].sh_size;
        for (size_t k = 1; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
            if (syms[k].st_shndx != SHN_UNDEF || ELF64_ST_BIND(syms[k].st_info) == STB_WEAK)
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
