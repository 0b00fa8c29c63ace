/* loader/pe_map.c: an image mapped as the Windows loader maps it (see pe.h):
 * sections at their RVAs (but DWARF debug information), base relocations
 * applied, each page protected as its section asks; and where the image
 * keeps its /GS cookie.
 *
 * Windows places a driver wherever it likes in kernel space and relocates
 * it; ntbox does the same in the process, 64 KiB aligned like Windows'
 * allocation granularity. Only an image whose relocations were stripped must
 * sit at its ImageBase. */
#include "loader/pe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PE_REL_BASED_ABSOLUTE 0
#define PE_REL_BASED_HIGHLOW 3
#define PE_REL_BASED_DIR64 10
#define PE_PLACEMENT_ALIGN 0x10000u

static size_t pe_page(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

const char *pe_image_string(const struct pe_image *img, uint64_t rva)
{
    if (rva >= img->size)
        return NULL;
    const char *s = (const char *)img->base + rva;
    return memchr(s, 0, img->size - rva) ? s : NULL;
}

/* Reserves size bytes at a 64 KiB boundary: over-allocate, trim both ends. */
static uint8_t *pe_reserve_anywhere(size_t size)
{
    size_t total = size + PE_PLACEMENT_ALIGN;
    uint8_t *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)p + PE_PLACEMENT_ALIGN - 1) & ~(uintptr_t)(PE_PLACEMENT_ALIGN - 1);
    size_t head = start - (uintptr_t)p, tail = total - head - size;
    if (head)
        munmap(p, head);
    if (tail)
        munmap((uint8_t *)start + size, tail);
    return (uint8_t *)start;
}

/* DWARF debug information (mingw-w64's -g: discardable .debug_* sections)
 * is left out of the mapping, its pages never touched: nothing in the
 * image reads it, and reports read it from the file (addr2line). */
static bool pe_debug_section(const struct pe_file *pe, unsigned index)
{
    char name[64];
    return (pe->sections[index].characteristics & PE_SCN_MEM_DISCARDABLE) &&
           strncmp(pe_section_name(pe, index, name, sizeof name), ".debug", 6) == 0;
}

bool pe_map(const struct pe_file *pe, struct pe_image *img, char *err, size_t errn)
{
    size_t page = pe_page();
    img->size = pe->size_of_image;
    img->mapped = ((size_t)pe->size_of_image + page - 1) & ~(page - 1);
    img->base = NULL;

    if (pe->characteristics & PE_FILE_RELOCS_STRIPPED) {
        void *want = (void *)(uintptr_t)pe->image_base;
        void *p = pe->image_base > UINTPTR_MAX - img->mapped ? MAP_FAILED
                  : mmap(want, img->mapped, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED || p != want) {
            if (p != MAP_FAILED)
                munmap(p, img->mapped);
            return pe_fail(err, errn, "relocations stripped (IMAGE_FILE_RELOCS_STRIPPED): the image can only go at "
                                      "its ImageBase 0x%llx, which is not available; relink it with relocations",
                           (unsigned long long)pe->image_base);
        }
        img->base = p;
    } else {
        img->base = pe_reserve_anywhere(img->mapped);
        if (!img->base)
            return pe_fail(err, errn, "cannot map 0x%zx bytes for the image: %s", img->mapped, strerror(errno));
    }
    memcpy(img->base, pe->data, pe->size_of_headers);
    for (unsigned i = 0; i < pe->nsections; i++) {
        const struct pe_section *s = &pe->sections[i];
        if (s->copy_size && !pe_debug_section(pe, i))
            memcpy(img->base + s->rva, pe->data + s->raw_offset, s->copy_size);
    }
    return true;
}

/* Walks the base relocation blocks, checking each; applies them when delta
 * is not 0. */
bool pe_relocate(const struct pe_file *pe, struct pe_image *img, char *err, size_t errn)
{
    const struct pe_dir *dir = &pe->dir[PE_DIR_BASERELOC];
    uint64_t delta = (uint64_t)(uintptr_t)img->base - pe->image_base;

    for (uint32_t off = 0; off < dir->size;) {
        uint32_t at = dir->rva + off;
        if (dir->size - off < 8)
            return pe_fail(err, errn, "base relocations: block at RVA 0x%x is truncated (%u bytes left in the "
                                      "directory)", at, dir->size - off);
        uint32_t page_rva = pe_rd32(img->base + at), block = pe_rd32(img->base + at + 4);
        if (block < 8 || block > dir->size - off)
            return pe_fail(err, errn, "base relocations: block at RVA 0x%x has SizeOfBlock %u (8 to %u allowed)", at,
                           block, dir->size - off);
        for (uint32_t k = 8; k + 2 <= block; k += 2) {
            uint16_t entry = pe_rd16(img->base + at + k);
            unsigned type = entry >> 12;
            uint64_t target = (uint64_t)page_rva + (entry & 0xfff);
            unsigned width = type == PE_REL_BASED_DIR64 ? 8 : 4;
            if (type == PE_REL_BASED_ABSOLUTE)
                continue;
            if (type != PE_REL_BASED_DIR64 && type != PE_REL_BASED_HIGHLOW)
                return pe_fail(err, errn, "base relocations: type %u at RVA 0x%llx is not an x64 relocation "
                                          "(DIR64, HIGHLOW or ABSOLUTE)", type, (unsigned long long)target);
            if (!pe_image_has(img, target, width))
                return pe_fail(err, errn, "base relocations: the fixup at RVA 0x%llx lies outside the image "
                                          "(SizeOfImage 0x%x)", (unsigned long long)target, pe->size_of_image);
            if (!delta)
                continue;
            uint8_t *p = img->base + target;
            if (type == PE_REL_BASED_DIR64) {
                uint64_t v = pe_rd64(p) + delta;
                memcpy(p, &v, 8);
            } else {
                uint32_t v = pe_rd32(p) + (uint32_t)delta; /* the low half, as Windows applies it */
                memcpy(p, &v, 4);
            }
        }
        off += block;
    }
    return true;
}

int pe_section_prot(uint32_t characteristics)
{
    int prot = 0;
    if (characteristics & (PE_SCN_MEM_READ | PE_SCN_MEM_WRITE | PE_SCN_MEM_EXECUTE))
        prot |= PROT_READ;
    if (characteristics & PE_SCN_MEM_WRITE)
        prot |= PROT_WRITE;
    if (characteristics & PE_SCN_MEM_EXECUTE)
        prot |= PROT_EXEC;
    return prot;
}

/* A page shared by two sections (possible when SectionAlignment is below
 * the page size) gets both protections. */
bool pe_protect(const struct pe_file *pe, struct pe_image *img, char *err, size_t errn)
{
    size_t page = pe_page(), npages = img->mapped / page;
    unsigned char *prot = calloc(npages, 1);

    if (!prot)
        return pe_fail(err, errn, "out of memory protecting the image");
    for (size_t p = 0; p * page < pe->size_of_headers; p++)
        prot[p] |= PROT_READ;
    for (unsigned i = 0; i < pe->nsections; i++) {
        const struct pe_section *s = &pe->sections[i];
        for (size_t p = s->rva / page; s->vsize && p <= (s->rva + (size_t)s->vsize - 1) / page; p++)
            prot[p] |= (unsigned char)pe_section_prot(s->characteristics);
    }
    bool ok = true;
    for (size_t p = 0, run; ok && p < npages; p += run) {
        for (run = 1; p + run < npages && prot[p + run] == prot[p]; run++)
            ;
        if (mprotect(img->base + p * page, run * page, prot[p]) != 0)
            ok = pe_fail(err, errn, "cannot protect the image at RVA 0x%zx: %s", p * page, strerror(errno));
    }
    free(prot);
    return ok;
}

void pe_unmap(struct pe_image *img)
{
    if (img->base)
        munmap(img->base, img->mapped);
    img->base = NULL;
}

bool pe_security_cookie(const struct pe_file *pe, struct pe_image *img, uint64_t **cookie, char *err, size_t errn)
{
    const struct pe_dir *dir = &pe->dir[PE_DIR_LOAD_CONFIG];
    const uint32_t cookie_field = 0x58; /* IMAGE_LOAD_CONFIG_DIRECTORY64.SecurityCookie */

    *cookie = NULL;
    if (!dir->rva)
        return true;
    if (!pe_image_has(img, dir->rva, 4))
        return pe_fail(err, errn, "load configuration: RVA 0x%x lies outside the image", dir->rva);
    uint32_t size = pe_rd32(img->base + dir->rva);
    if (size < cookie_field + 8)
        return true; /* too old a structure to have SecurityCookie */
    if (!pe_image_has(img, dir->rva, cookie_field + 8))
        return pe_fail(err, errn, "load configuration: %u bytes at RVA 0x%x extend past the image", size, dir->rva);
    uint64_t va = pe_rd64(img->base + dir->rva + cookie_field);
    if (!va)
        return true;
    /* The field is relocated with the image; an image without a fixup for
     * it still holds the address at its ImageBase. */
    uint64_t base = (uintptr_t)img->base, rva = va - base;
    if (!pe_image_has(img, rva, 8))
        rva = va - pe->image_base;
    if (!pe_image_has(img, rva, 8))
        return pe_fail(err, errn, "load configuration: SecurityCookie 0x%llx lies outside the image",
                       (unsigned long long)va);
    *cookie = (uint64_t *)(img->base + rva);
    return true;
}
