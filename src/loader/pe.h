/* loader/pe.h: reading and mapping x64 PE images (.sys drivers).
 *
 * These routines know the PE format and nothing of ntbox: they read a file
 * image from memory, check every field before using it, map the image,
 * relocate it and walk its directories; binding imports to routines and
 * running the driver are pe_load.c's. Each failure fills err with one
 * sentence naming the part of the file and what is wrong with it
 * ("section .text: raw data extends past end of file"). The fuzzer
 * (fuzz/pe_loader.c) drives them directly.
 *
 * Field names follow Microsoft's PE format specification. */
#ifndef NTBOX_LOADER_PE_H
#define NTBOX_LOADER_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PE_MACHINE_AMD64 0x8664
#define PE_MACHINE_I386 0x014c
#define PE_MACHINE_ARM64 0xaa64

#define PE_FILE_RELOCS_STRIPPED 0x0001
#define PE_FILE_EXECUTABLE_IMAGE 0x0002
#define PE_FILE_LARGE_ADDRESS_AWARE 0x0020
#define PE_FILE_DLL 0x2000

#define PE_SUBSYSTEM_NATIVE 1

#define PE_DLLCHAR_HIGH_ENTROPY_VA 0x0020
#define PE_DLLCHAR_DYNAMIC_BASE 0x0040
#define PE_DLLCHAR_FORCE_INTEGRITY 0x0080
#define PE_DLLCHAR_NX_COMPAT 0x0100
#define PE_DLLCHAR_GUARD_CF 0x4000

#define PE_SCN_CNT_CODE 0x00000020
#define PE_SCN_CNT_INITIALIZED_DATA 0x00000040
#define PE_SCN_CNT_UNINITIALIZED_DATA 0x00000080
#define PE_SCN_MEM_DISCARDABLE 0x02000000
#define PE_SCN_MEM_NOT_PAGED 0x08000000
#define PE_SCN_MEM_EXECUTE 0x20000000
#define PE_SCN_MEM_READ 0x40000000
#define PE_SCN_MEM_WRITE 0x80000000

enum pe_directory {
    PE_DIR_EXPORT = 0,
    PE_DIR_IMPORT = 1,
    PE_DIR_RESOURCE = 2,
    PE_DIR_EXCEPTION = 3,
    PE_DIR_SECURITY = 4, /* a file offset, not an RVA */
    PE_DIR_BASERELOC = 5,
    PE_DIR_DEBUG = 6,
    PE_DIR_TLS = 9,
    PE_DIR_LOAD_CONFIG = 10,
    PE_DIR_IAT = 12,
    PE_DIR_DELAY_IMPORT = 13,
    PE_DIR_COUNT = 16
};

/* Windows loads at most 96 sections; ntbox maps images of at most 1 GiB. */
#define PE_MAX_SECTIONS 96
#define PE_MAX_IMAGE_SIZE (1u << 30)

/* The Microsoft linker's initial /GS cookie, which the loader replaces. */
#define PE_DEFAULT_SECURITY_COOKIE 0x00002B992DDFA232ULL

/* Little-endian fields at any alignment. */
static inline uint16_t pe_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t pe_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t pe_rd64(const uint8_t *p)
{
    return pe_rd32(p) | (uint64_t)pe_rd32(p + 4) << 32;
}

struct pe_section {
    char name[9];             /* the header's name field ("/4": a long name, see pe_section_name) */
    uint32_t rva;
    uint32_t vsize;           /* bytes mapped: VirtualSize, or SizeOfRawData when VirtualSize is 0 */
    uint32_t raw_offset;
    uint32_t raw_size;        /* SizeOfRawData as the header says */
    uint32_t copy_size;       /* bytes copied from the file: min(raw_size, vsize) */
    uint32_t characteristics;
};

struct pe_dir {
    uint32_t rva, size;
};

/* A parsed image file. data/size are the caller's buffer, which must outlive it. */
struct pe_file {
    const uint8_t *data;
    size_t size;
    uint32_t nt_offset;       /* e_lfanew: where "PE\0\0" is */
    uint16_t machine, nsections, characteristics;
    uint32_t timestamp, symtab_offset, nsymbols;
    uint8_t linker_major, linker_minor;
    uint16_t os_major, os_minor, subsystem_major, subsystem_minor;
    uint16_t subsystem, dll_characteristics;
    uint32_t entry_rva, size_of_code, size_of_image, size_of_headers;
    uint32_t section_alignment, file_alignment, checksum, ndirs;
    uint64_t image_base;
    struct pe_dir dir[PE_DIR_COUNT];   /* entries past ndirs are zero */
    struct pe_section sections[PE_MAX_SECTIONS];
};

/* Formats a failure's message into err; returns false. */
__attribute__((format(printf, 3, 4))) bool pe_fail(char *err, size_t errn, const char *fmt, ...);

/* Parses and validates the headers, the section table and the data
 * directories' ranges of the image in data[size]. */
bool pe_parse(const void *data, size_t size, struct pe_file *pe, char *err, size_t errn);

/* The section's full name: long names ("/4") are looked up in the COFF
 * string table; a reference that leads nowhere is shown as it is. */
const char *pe_section_name(const struct pe_file *pe, unsigned index, char *buf, size_t n);

/* The index of the section holding rva, or -1. */
int pe_section_at(const struct pe_file *pe, uint64_t rva);

/* "import", "base relocation", ...: a data directory's name for messages. */
const char *pe_directory_name(unsigned index);

/* The COFF string table (after the symbol table), or false when the image
 * has none or it lies outside the file. */
bool pe_string_table(const struct pe_file *pe, const char **table, uint32_t *size);

/* A mapped image: RVA r is at base + r. */
struct pe_image {
    uint8_t *base;
    size_t size;              /* SizeOfImage: what RVAs may address */
    size_t mapped;            /* SizeOfImage rounded up to whole pages */
};

/* Whether [rva, rva + n) lies in the mapped image. */
static inline bool pe_image_has(const struct pe_image *img, uint64_t rva, uint64_t n)
{
    return rva <= img->size && n <= img->size - rva;
}

/* The NUL-terminated string at rva, or NULL when rva is outside the image
 * or the string does not end inside it. */
const char *pe_image_string(const struct pe_image *img, uint64_t rva);

/* Maps the image: headers and sections copied at their RVAs (DWARF
 * .debug_* sections left zero: nothing in the image reads them), read-write
 * until pe_protect. An image whose relocations are stripped must go at its
 * ImageBase; others go anywhere, aligned to 64 KiB as Windows places them. */
bool pe_map(const struct pe_file *pe, struct pe_image *img, char *err, size_t errn);

/* Checks every base relocation and, when the image is not at its ImageBase,
 * applies them (DIR64, HIGHLOW; ABSOLUTE is padding). */
bool pe_relocate(const struct pe_file *pe, struct pe_image *img, char *err, size_t errn);

/* The PROT_* protection a section with these characteristics is mapped with. */
int pe_section_prot(uint32_t characteristics);

/* Gives each page its section's protection (code read+execute, data
 * read(+write), never both write and execute unless the section asks),
 * the headers read-only and the rest inaccessible. */
bool pe_protect(const struct pe_file *pe, struct pe_image *img, char *err, size_t errn);

void pe_unmap(struct pe_image *img);

/* One imported routine or variable. */
struct pe_import {
    const char *module;       /* as the image spells it: "ntoskrnl.exe", "HAL.dll" */
    const char *name;         /* NULL for an import by ordinal */
    uint16_t ordinal;         /* by ordinal: the ordinal; by name: the hint */
    uint32_t slot_rva;        /* its import address table entry */
    uint64_t *slot;
};

/* Calls fn for every import, descriptor by descriptor; fn returns false to
 * stop. Every descriptor, thunk and name is checked to lie in the image and
 * names to end before it does. */
typedef bool pe_import_fn(void *ctx, const struct pe_import *imp);
bool pe_imports(const struct pe_file *pe, struct pe_image *img, pe_import_fn *fn, void *ctx, char *err, size_t errn);

/* The image's /GS cookie (its load configuration's SecurityCookie; not
 * necessarily aligned), or NULL in *cookie when it has none. Called after
 * pe_relocate. */
bool pe_security_cookie(const struct pe_file *pe, struct pe_image *img, uint64_t **cookie, char *err, size_t errn);

/* Names for code addresses: the image's exported routines and, when the
 * file keeps one, its COFF symbol table's functions. */
struct pe_symbol {
    uint32_t rva;
    uint32_t section_end;     /* the end of the section holding it */
    const char *name;         /* into names */
};
struct pe_symbols {
    struct pe_symbol *v;      /* sorted by rva */
    size_t n;
    char *names;
};

/* Collects the symbols (malformed tables are skipped, never fatal: they only
 * name things). Returns false only when memory runs out. */
bool pe_symbols_load(const struct pe_file *pe, const struct pe_image *img, struct pe_symbols *syms);

/* The nearest symbol at or before rva in the same section, or NULL. */
const struct pe_symbol *pe_symbols_find(const struct pe_symbols *syms, uint32_t rva);

void pe_symbols_free(struct pe_symbols *syms);

/* Calls fn for every exported name (name, RVA of the routine; forwarders
 * are skipped). Returns false with err when the export directory is malformed. */
typedef void pe_export_fn(void *ctx, const char *name, uint32_t rva);
bool pe_exports(const struct pe_file *pe, const struct pe_image *img, pe_export_fn *fn, void *ctx, char *err,
                size_t errn);

#endif
