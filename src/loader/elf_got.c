/* loader/elf_got.c: rewriting a loaded object's GOT (see elf_got.h).
 *
 * The dynamic linker resolves a shared object's imports into GOT slots:
 * R_X86_64_JUMP_SLOT for calls through the PLT, R_X86_64_GLOB_DAT for
 * addresses taken (and calls with -fno-plt). Both tables (DT_JMPREL,
 * DT_RELA) are walked; glibc has already relocated the dynamic section's
 * addresses. With full RELRO the slots are read-only once relocated: the
 * PT_GNU_RELRO range is made writable around the stores, then read-only
 * again. */
#include "loader/elf_got.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct ldr_got_image {
    const struct link_map *map;
    uintptr_t relro, relro_end; /* page-aligned; 0 when the object has none */
};

static int ldr_got_find_relro(struct dl_phdr_info *info, size_t size, void *ctx)
{
    struct ldr_got_image *img = ctx;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    (void)size;
    if (info->dlpi_addr != img->map->l_addr || !info->dlpi_name || strcmp(info->dlpi_name, img->map->l_name) != 0)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_GNU_RELRO)
            continue;
        img->relro = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
        img->relro_end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
    }
    return 1;
}

static int ldr_got_protect(const struct ldr_got_image *img, int prot)
{
    if (!img->relro)
        return 0;
    return mprotect((void *)img->relro, img->relro_end - img->relro, prot);
}

int ldr_elf_rebind_got(void *handle, void *(*rebind)(const char *name, void *current, void *ctx), void *ctx)
{
    struct ldr_got_image img = { 0 };
    struct link_map *map;
    const ElfW(Sym) *symtab = NULL;
    const char *strtab = NULL;
    const ElfW(Rela) *tables[2] = { NULL, NULL };
    size_t sizes[2] = { 0, 0 };
    int changed = 0;

    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map->l_ld)
        return -1;
    img.map = map;
    for (const ElfW(Dyn) *d = map->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: symtab = (const ElfW(Sym) *)d->d_un.d_ptr; break;
        case DT_STRTAB: strtab = (const char *)d->d_un.d_ptr; break;
        case DT_JMPREL: tables[0] = (const ElfW(Rela) *)d->d_un.d_ptr; break;
        case DT_PLTRELSZ: sizes[0] = d->d_un.d_val; break;
        case DT_RELA: tables[1] = (const ElfW(Rela) *)d->d_un.d_ptr; break;
        case DT_RELASZ: sizes[1] = d->d_un.d_val; break;
        }
    }
    if (!symtab || !strtab)
        return -1;
    dl_iterate_phdr(ldr_got_find_relro, &img);
    if (ldr_got_protect(&img, PROT_READ | PROT_WRITE) != 0)
        return -1;
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; tables[t] && i < sizes[t] / sizeof(ElfW(Rela)); i++) {
            const ElfW(Rela) *r = &tables[t][i];
            unsigned type = ELF64_R_TYPE(r->r_info), sym = ELF64_R_SYM(r->r_info);
            if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || !sym)
                continue;
            void **slot = (void **)(map->l_addr + r->r_offset);
            void *to = rebind(strtab + symtab[sym].st_name, *slot, ctx);
            if (to) {
                *slot = to;
                changed++;
            }
        }
    }
    if (ldr_got_protect(&img, PROT_READ) != 0)
        return -1;
    return changed;
}
