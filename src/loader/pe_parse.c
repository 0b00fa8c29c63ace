/* loader/pe_parse.c: the headers of an x64 PE image, read and checked
 * (see pe.h).
 *
 * Every offset, size, count and RVA is checked against the file or the
 * image before it is used, in 64-bit arithmetic so values near 2^32 cannot
 * wrap. The checks are the ones the Windows loader makes, plus ntbox's own
 * limits (x64 only, at most 1 GiB mapped). */
#include "loader/pe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PE_FILE_HEADER_SIZE 20
#define PE_OPT64_FIXED_SIZE 112 /* the PE32+ optional header without its data directories */
#define PE_SECTION_HEADER_SIZE 40
#define PE_SYMBOL_SIZE 18

static const char *const pe_dir_names[PE_DIR_COUNT] = {
    "export", "import", "resource", "exception", "security", "base relocation", "debug", "architecture",
    "global pointer", "TLS", "load configuration", "bound import", "import address table", "delay import",
    "CLR runtime header", "reserved",
};

bool pe_fail(char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
    return false;
}

static bool pe_pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

static const char *pe_machine_name(uint16_t machine)
{
    switch (machine) {
    case PE_MACHINE_I386: return "i386";
    case PE_MACHINE_ARM64: return "ARM64";
    case 0x01c4: return "ARM";
    case 0x0200: return "IA-64";
    default: return "unknown";
    }
}

static const char *pe_subsystem_name(uint16_t subsystem)
{
    switch (subsystem) {
    case 2: return "Windows GUI";
    case 3: return "Windows console";
    case 10: return "EFI application";
    case 11: return "EFI boot service driver";
    case 12: return "EFI runtime driver";
    default: return "unknown";
    }
}

/* A section's name for messages: printable, NUL-terminated. */
static void pe_copy_name(char out[9], const uint8_t *field)
{
    int i = 0;
    for (; i < 8 && field[i]; i++)
        out[i] = field[i] >= 0x20 && field[i] < 0x7f ? (char)field[i] : '?';
    out[i] = 0;
}

static bool pe_parse_file_header(struct pe_file *pe, char *err, size_t errn)
{
    const uint8_t *d = pe->data;

    if (pe->size < 64)
        return pe_fail(err, errn, "DOS header: extends past end of file (the file is %zu bytes, the header 64)",
                       pe->size);
    if (d[0] != 'M' || d[1] != 'Z')
        return pe_fail(err, errn, "DOS header: no MZ signature: not a PE image");
    pe->nt_offset = pe_rd32(d + 0x3c);
    uint64_t at = (uint64_t)pe->nt_offset + 4;
    if (at > pe->size)
        return pe_fail(err, errn, "PE signature: e_lfanew 0x%x points past end of file", pe->nt_offset);
    if (memcmp(d + pe->nt_offset, "PE\0\0", 4) != 0)
        return pe_fail(err, errn, "PE signature at 0x%x: missing (an MS-DOS program, or not a PE image)",
                       pe->nt_offset);
    if (at + PE_FILE_HEADER_SIZE > pe->size)
        return pe_fail(err, errn, "COFF file header at 0x%llx: extends past end of file", (unsigned long long)at);
    const uint8_t *fh = d + at;
    pe->machine = pe_rd16(fh);
    pe->nsections = pe_rd16(fh + 2);
    pe->timestamp = pe_rd32(fh + 4);
    pe->symtab_offset = pe_rd32(fh + 8);
    pe->nsymbols = pe_rd32(fh + 12);
    pe->characteristics = pe_rd16(fh + 18);
    if (pe->machine != PE_MACHINE_AMD64)
        return pe_fail(err, errn, "COFF file header: machine 0x%04x (%s) is not AMD64 (0x8664): ntbox runs x64 drivers",
                       pe->machine, pe_machine_name(pe->machine));
    if (!(pe->characteristics & PE_FILE_EXECUTABLE_IMAGE))
        return pe_fail(err, errn, "COFF file header: IMAGE_FILE_EXECUTABLE_IMAGE is clear: an object file, not a "
                                  "linked image");
    if (pe->nsections == 0)
        return pe_fail(err, errn, "COFF file header: the image has no sections");
    if (pe->nsections > PE_MAX_SECTIONS)
        return pe_fail(err, errn, "COFF file header: %u sections; Windows loads images of at most %d", pe->nsections,
                       PE_MAX_SECTIONS);
    return true;
}

static bool pe_parse_optional_header(struct pe_file *pe, char *err, size_t errn)
{
    uint64_t at = (uint64_t)pe->nt_offset + 4 + PE_FILE_HEADER_SIZE;
    uint16_t opt_size = pe_rd16(pe->data + pe->nt_offset + 4 + 16);

    if (opt_size < 2 || at + 2 > pe->size)
        return pe_fail(err, errn, "optional header at 0x%llx: missing (SizeOfOptionalHeader %u)",
                       (unsigned long long)at, opt_size);
    const uint8_t *o = pe->data + at;
    uint16_t magic = pe_rd16(o);
    if (magic == 0x10b)
        return pe_fail(err, errn, "optional header: magic 0x10b is PE32, a 32-bit image: ntbox runs x64 (PE32+) "
                                  "drivers");
    if (magic != 0x20b)
        return pe_fail(err, errn, "optional header: magic 0x%x is not PE32+ (0x20b)", magic);
    if (opt_size < PE_OPT64_FIXED_SIZE)
        return pe_fail(err, errn, "optional header: SizeOfOptionalHeader %u is smaller than PE32+'s %d bytes",
                       opt_size, PE_OPT64_FIXED_SIZE);
    if (at + opt_size > pe->size)
        return pe_fail(err, errn, "optional header at 0x%llx (%u bytes): extends past end of file",
                       (unsigned long long)at, opt_size);
    pe->linker_major = o[2];
    pe->linker_minor = o[3];
    pe->size_of_code = pe_rd32(o + 4);
    pe->entry_rva = pe_rd32(o + 16);
    pe->image_base = pe_rd64(o + 24);
    pe->section_alignment = pe_rd32(o + 32);
    pe->file_alignment = pe_rd32(o + 36);
    pe->os_major = pe_rd16(o + 40);
    pe->os_minor = pe_rd16(o + 42);
    pe->subsystem_major = pe_rd16(o + 48);
    pe->subsystem_minor = pe_rd16(o + 50);
    pe->size_of_image = pe_rd32(o + 56);
    pe->size_of_headers = pe_rd32(o + 60);
    pe->checksum = pe_rd32(o + 64);
    pe->subsystem = pe_rd16(o + 68);
    pe->dll_characteristics = pe_rd16(o + 70);
    pe->ndirs = pe_rd32(o + 108);
    if (pe->ndirs > PE_DIR_COUNT)
        return pe_fail(err, errn, "optional header: NumberOfRvaAndSizes %u; PE32+ defines %d data directories",
                       pe->ndirs, PE_DIR_COUNT);
    if (PE_OPT64_FIXED_SIZE + 8ull * pe->ndirs > opt_size)
        return pe_fail(err, errn, "optional header: %u data directories need %llu bytes, SizeOfOptionalHeader is %u",
                       pe->ndirs, PE_OPT64_FIXED_SIZE + 8ull * pe->ndirs, opt_size);
    for (uint32_t i = 0; i < pe->ndirs; i++) {
        pe->dir[i].rva = pe_rd32(o + PE_OPT64_FIXED_SIZE + 8 * i);
        pe->dir[i].size = pe_rd32(o + PE_OPT64_FIXED_SIZE + 8 * i + 4);
    }

    if (!pe_pow2(pe->section_alignment))
        return pe_fail(err, errn, "optional header: SectionAlignment 0x%x is not a power of two",
                       pe->section_alignment);
    if (!pe_pow2(pe->file_alignment))
        return pe_fail(err, errn, "optional header: FileAlignment 0x%x is not a power of two", pe->file_alignment);
    if (pe->file_alignment > pe->section_alignment)
        return pe_fail(err, errn, "optional header: FileAlignment 0x%x exceeds SectionAlignment 0x%x",
                       pe->file_alignment, pe->section_alignment);
    if (pe->image_base & 0xffff)
        return pe_fail(err, errn, "optional header: ImageBase 0x%llx is not a multiple of 64 KiB",
                       (unsigned long long)pe->image_base);
    if (pe->size_of_image == 0 || pe->size_of_image > PE_MAX_IMAGE_SIZE)
        return pe_fail(err, errn, "optional header: SizeOfImage 0x%x: ntbox maps images of 1 to 0x%x bytes",
                       pe->size_of_image, PE_MAX_IMAGE_SIZE);
    if (pe->size_of_headers > pe->size_of_image)
        return pe_fail(err, errn, "optional header: SizeOfHeaders 0x%x exceeds SizeOfImage 0x%x",
                       pe->size_of_headers, pe->size_of_image);
    if (pe->size_of_headers > pe->size)
        return pe_fail(err, errn, "optional header: SizeOfHeaders 0x%x extends past end of file",
                       pe->size_of_headers);
    if (pe->subsystem != PE_SUBSYSTEM_NATIVE && !(pe->characteristics & PE_FILE_DLL))
        return pe_fail(err, errn, "optional header: subsystem %u (%s) is not a driver's: drivers are linked with "
                                  "/SUBSYSTEM:NATIVE", pe->subsystem, pe_subsystem_name(pe->subsystem));
    return true;
}

static bool pe_parse_sections(struct pe_file *pe, char *err, size_t errn)
{
    uint16_t opt_size = pe_rd16(pe->data + pe->nt_offset + 4 + 16);
    uint64_t at = (uint64_t)pe->nt_offset + 4 + PE_FILE_HEADER_SIZE + opt_size;
    uint64_t end = at + (uint64_t)pe->nsections * PE_SECTION_HEADER_SIZE;

    /* SizeOfHeaders lies within the file (checked above), so the table does too. */
    if (end > pe->size_of_headers)
        return pe_fail(err, errn, "section table at 0x%llx (%u sections): extends past SizeOfHeaders 0x%x",
                       (unsigned long long)at, pe->nsections, pe->size_of_headers);
    for (unsigned i = 0; i < pe->nsections; i++) {
        const uint8_t *h = pe->data + at + (uint64_t)i * PE_SECTION_HEADER_SIZE;
        struct pe_section *s = &pe->sections[i];
        pe_copy_name(s->name, h);
        uint32_t virtual_size = pe_rd32(h + 8);
        s->rva = pe_rd32(h + 12);
        s->raw_size = pe_rd32(h + 16);
        s->raw_offset = pe_rd32(h + 20);
        s->characteristics = pe_rd32(h + 36);
        s->vsize = virtual_size ? virtual_size : s->raw_size;
        s->copy_size = s->raw_size < s->vsize ? s->raw_size : s->vsize;

        if (s->rva % pe->section_alignment)
            return pe_fail(err, errn, "section %s: VirtualAddress 0x%x is not a multiple of SectionAlignment 0x%x",
                           s->name, s->rva, pe->section_alignment);
        if (s->rva < pe->size_of_headers)
            return pe_fail(err, errn, "section %s: VirtualAddress 0x%x lies inside the headers (SizeOfHeaders 0x%x)",
                           s->name, s->rva, pe->size_of_headers);
        if ((uint64_t)s->rva + s->vsize > pe->size_of_image)
            return pe_fail(err, errn, "section %s: 0x%x bytes at RVA 0x%x extend past SizeOfImage 0x%x", s->name,
                           s->vsize, s->rva, pe->size_of_image);
        if (s->copy_size && (uint64_t)s->raw_offset + s->copy_size > pe->size)
            return pe_fail(err, errn, "section %s: raw data extends past end of file (0x%x bytes at 0x%x, the file "
                                      "is 0x%zx bytes)", s->name, s->copy_size, s->raw_offset, pe->size);
        for (unsigned k = 0; k < i; k++) {
            const struct pe_section *o = &pe->sections[k];
            if (s->vsize && o->vsize && s->rva < (uint64_t)o->rva + o->vsize && o->rva < (uint64_t)s->rva + s->vsize)
                return pe_fail(err, errn, "sections %s and %s overlap (RVA 0x%x-0x%llx and 0x%x-0x%llx)", o->name,
                               s->name, o->rva, (unsigned long long)o->rva + o->vsize, s->rva,
                               (unsigned long long)s->rva + s->vsize);
        }
    }
    return true;
}

static bool pe_check_directories(struct pe_file *pe, char *err, size_t errn)
{
    for (unsigned i = 0; i < pe->ndirs; i++) {
        const struct pe_dir *d = &pe->dir[i];
        if (i == PE_DIR_SECURITY || (d->rva == 0 && d->size == 0))
            continue;
        if ((uint64_t)d->rva + d->size > pe->size_of_image)
            return pe_fail(err, errn, "%s directory: 0x%x bytes at RVA 0x%x extend past SizeOfImage 0x%x",
                           pe_dir_names[i], d->size, d->rva, pe->size_of_image);
    }
    if (pe->entry_rva) {
        int s = pe_section_at(pe, pe->entry_rva);
        if (s < 0 || !(pe->sections[s].characteristics & PE_SCN_MEM_EXECUTE))
            return pe_fail(err, errn, "entry point: RVA 0x%x is not in an executable section", pe->entry_rva);
    }
    return true;
}

bool pe_parse(const void *data, size_t size, struct pe_file *pe, char *err, size_t errn)
{
    memset(pe, 0, sizeof *pe);
    pe->data = data;
    pe->size = size;
    return pe_parse_file_header(pe, err, errn) && pe_parse_optional_header(pe, err, errn) &&
           pe_parse_sections(pe, err, errn) && pe_check_directories(pe, err, errn);
}

int pe_section_at(const struct pe_file *pe, uint64_t rva)
{
    for (unsigned i = 0; i < pe->nsections; i++)
        if (rva >= pe->sections[i].rva && rva < (uint64_t)pe->sections[i].rva + pe->sections[i].vsize)
            return (int)i;
    return -1;
}

bool pe_string_table(const struct pe_file *pe, const char **table, uint32_t *size)
{
    uint64_t at = pe->symtab_offset + (uint64_t)pe->nsymbols * PE_SYMBOL_SIZE;
    if (!pe->symtab_offset || at + 4 > pe->size)
        return false;
    uint32_t n = pe_rd32(pe->data + at);
    if (n < 4 || at + n > pe->size)
        return false;
    *table = (const char *)pe->data + at;
    *size = n;
    return true;
}

const char *pe_section_name(const struct pe_file *pe, unsigned index, char *buf, size_t n)
{
    const char *name = pe->sections[index].name, *table;
    uint32_t size, off = 0;

    snprintf(buf, n, "%s", name);
    if (name[0] != '/' || !name[1] || strspn(name + 1, "0123456789") != strlen(name + 1))
        return buf;
    for (const char *p = name + 1; *p; p++)
        off = off * 10 + (uint32_t)(*p - '0');
    if (pe_string_table(pe, &table, &size) && off >= 4 && off < size && memchr(table + off, 0, size - off))
        snprintf(buf, n, "%s", table + off);
    return buf;
}

const char *pe_directory_name(unsigned index)
{
    return index < PE_DIR_COUNT ? pe_dir_names[index] : "?";
}
