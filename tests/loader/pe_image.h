/* tests/loader/pe_image.h: a small, valid x64 driver image built in memory,
 * for the PE loader's tests to load as it is or to break one field at a time.
 *
 * File layout (FileAlignment 0x200, each section 0x400 bytes) and image
 * layout (SectionAlignment 0x1000, ImageBase 0x140000000, SizeOfImage 0x5000):
 *   0x000  DOS header, e_lfanew 0x80; PE header at 0x80; optional header at
 *          0x98 (240 bytes, 16 directories); section table at 0x188
 *   .text   RVA 0x1000, file 0x400: the entry point returns the address in
 *           .data 0x3100 (base + 0x1000 once relocated); Helper at +0x10,
 *           AVeryLongFunctionName at +0x20
 *   .rdata  RVA 0x2000, file 0x800: import descriptors (ntoskrnl.exe:
 *           DbgPrint, ExAllocatePool2 by name; NTOSKRNL.EXE: KeBugCheckEx by
 *           ordinal), their names and lookup tables; the load configuration
 *           at 0x2200; the export directory at 0x2300 (DriverEntry)
 *   .data   RVA 0x3000, file 0xc00: the import address tables at 0x3000
 *           and 0x3040; a DIR64 pointer at 0x3100 and a HIGHLOW one at
 *           0x3108; the /GS cookie at 0x3180
 *   .reloc  RVA 0x4000, file 0x1000: blocks for pages 0x3000 and 0x2000
 *   0x1400 COFF symbol table (2 functions, one with a long name), string table
 * Every offset a test patches has a name below. */
#ifndef NTBOX_TESTS_LOADER_PE_IMAGE_H
#define NTBOX_TESTS_LOADER_PE_IMAGE_H

#include "loader/exports.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KT_PE_BASE 0x140000000ULL
#define KT_PE_NT 0x80                       /* "PE\0\0" */
#define KT_PE_FILE_HEADER (KT_PE_NT + 4)    /* Machine, NumberOfSections, ... */
#define KT_PE_OPT (KT_PE_NT + 24)           /* the optional header */
#define KT_PE_DIR(i) (KT_PE_OPT + 112 + 8 * (i))
#define KT_PE_SECTION(i) (KT_PE_OPT + 240 + 40 * (i))
#define KT_PE_TEXT 0
#define KT_PE_RDATA 1
#define KT_PE_DATA 2
#define KT_PE_RELOC 3
#define KT_PE_FILE_SIZE 0x1480

/* File offset of an RVA in the image's sections. */
#define KT_PE_FILE(rva) ((rva) - ((rva) & ~0xfffu) + 0x400 + (((rva) >> 12) - 1) * 0x400)

/* RVAs of the parts. */
#define KT_RVA_IMPORTS 0x2000        /* three descriptors, the last null */
#define KT_RVA_NAME_NTOS 0x2080      /* "ntoskrnl.exe" (16-byte slot) */
#define KT_RVA_NAME_NTOS2 0x2090     /* "NTOSKRNL.EXE" */
#define KT_RVA_ILT1 0x2100           /* DbgPrint, ExAllocatePool2, 0 */
#define KT_RVA_ILT2 0x2140           /* ordinal of KeBugCheckEx, 0 */
#define KT_RVA_HINT_DBGPRINT 0x2180  /* hint + name, 32-byte slots */
#define KT_RVA_HINT_ALLOC 0x21a0
#define KT_RVA_LOAD_CONFIG 0x2200
#define KT_RVA_EXPORTS 0x2300
#define KT_RVA_IAT1 0x3000
#define KT_RVA_IAT2 0x3040
#define KT_RVA_PTR64 0x3100
#define KT_RVA_PTR32 0x3108
#define KT_RVA_COOKIE 0x3180
#define KT_RVA_RELOCS 0x4000
#define KT_RELOC_SIZE 28             /* blocks of 16 and 12 bytes */
#define KT_SYMTAB 0x1400

static inline void kt_put16(uint8_t *p, size_t off, uint16_t v)
{
    memcpy(p + off, &v, 2);
}

static inline void kt_put32(uint8_t *p, size_t off, uint32_t v)
{
    memcpy(p + off, &v, 4);
}

static inline void kt_put64(uint8_t *p, size_t off, uint64_t v)
{
    memcpy(p + off, &v, 8);
}

static inline void kt_pe_section(uint8_t *p, int i, const char *name, uint32_t rva, uint32_t characteristics)
{
    size_t h = KT_PE_SECTION(i);
    memcpy(p + h, name, strlen(name));
    kt_put32(p, h + 8, 0x400);                /* VirtualSize */
    kt_put32(p, h + 12, rva);
    kt_put32(p, h + 16, 0x400);               /* SizeOfRawData */
    kt_put32(p, h + 20, KT_PE_FILE(rva));     /* PointerToRawData */
    kt_put32(p, h + 36, characteristics);
}

static inline void kt_pe_hint_name(uint8_t *p, uint32_t rva, const char *name)
{
    kt_put16(p, KT_PE_FILE(rva), 0);
    memcpy(p + KT_PE_FILE(rva) + 2, name, strlen(name) + 1);
}

/* A COFF symbol: a function (type 0x20) in section 1 at value. */
static inline void kt_pe_symbol(uint8_t *p, size_t at, const char *short_name, uint32_t string_offset, uint32_t value)
{
    if (short_name)
        memcpy(p + at, short_name, strlen(short_name));
    else
        kt_put32(p, at + 4, string_offset);
    kt_put32(p, at + 8, value);
    kt_put16(p, at + 12, 1);
    kt_put16(p, at + 14, 0x20);
    p[at + 16] = 3; /* IMAGE_SYM_CLASS_STATIC */
}

/* The image described above, malloc'd (KT_PE_FILE_SIZE bytes). */
static inline uint8_t *kt_pe_build(void)
{
    uint8_t *p = calloc(1, KT_PE_FILE_SIZE);
    const struct ldr_export *bugcheck = ldr_export_find("ntoskrnl.exe", "KeBugCheckEx");

    if (!p)
        abort();
    p[0] = 'M', p[1] = 'Z';
    kt_put32(p, 0x3c, KT_PE_NT);
    memcpy(p + KT_PE_NT, "PE\0\0", 4);
    kt_put16(p, KT_PE_FILE_HEADER, 0x8664);
    kt_put16(p, KT_PE_FILE_HEADER + 2, 4);
    kt_put32(p, KT_PE_FILE_HEADER + 8, KT_SYMTAB);   /* PointerToSymbolTable */
    kt_put32(p, KT_PE_FILE_HEADER + 12, 2);          /* NumberOfSymbols */
    kt_put16(p, KT_PE_FILE_HEADER + 16, 240);
    kt_put16(p, KT_PE_FILE_HEADER + 18, 0x0022);     /* executable, large address aware */

    uint8_t *o = p + KT_PE_OPT;
    kt_put16(o, 0, 0x20b);
    kt_put32(o, 16, 0x1000);                          /* AddressOfEntryPoint */
    kt_put64(o, 24, KT_PE_BASE);
    kt_put32(o, 32, 0x1000);
    kt_put32(o, 36, 0x200);
    kt_put32(o, 56, 0x5000);                          /* SizeOfImage */
    kt_put32(o, 60, 0x400);                           /* SizeOfHeaders */
    kt_put16(o, 68, 1);                               /* native */
    kt_put16(o, 70, 0x0160);
    kt_put32(o, 108, 16);
    kt_put32(p, KT_PE_DIR(0), KT_RVA_EXPORTS);
    kt_put32(p, KT_PE_DIR(0) + 4, 0x80);
    kt_put32(p, KT_PE_DIR(1), KT_RVA_IMPORTS);
    kt_put32(p, KT_PE_DIR(1) + 4, 60);
    kt_put32(p, KT_PE_DIR(5), KT_RVA_RELOCS);
    kt_put32(p, KT_PE_DIR(5) + 4, KT_RELOC_SIZE);
    kt_put32(p, KT_PE_DIR(10), KT_RVA_LOAD_CONFIG);
    kt_put32(p, KT_PE_DIR(10) + 4, 0x70);
    kt_put32(p, KT_PE_DIR(12), KT_RVA_IAT1);
    kt_put32(p, KT_PE_DIR(12) + 4, 0x50);

    kt_pe_section(p, KT_PE_TEXT, ".text", 0x1000, 0x60000020);   /* code, read, execute */
    kt_pe_section(p, KT_PE_RDATA, ".rdata", 0x2000, 0x40000040); /* initialized data, read */
    kt_pe_section(p, KT_PE_DATA, ".data", 0x3000, 0xC0000040);   /* initialized data, read, write */
    kt_pe_section(p, KT_PE_RELOC, ".reloc", 0x4000, 0x42000040); /* discardable, read */

    /* .text: mov rax, [rip + (0x3100 - 0x1007)]; ret */
    static const uint8_t entry[] = { 0x48, 0x8b, 0x05, 0xf9, 0x20, 0x00, 0x00, 0xc3 };
    memcpy(p + KT_PE_FILE(0x1000), entry, sizeof entry);
    p[KT_PE_FILE(0x1010)] = 0xc3;
    p[KT_PE_FILE(0x1020)] = 0xc3;

    /* .rdata: imports */
    size_t d = KT_PE_FILE(KT_RVA_IMPORTS);
    kt_put32(p, d, KT_RVA_ILT1);
    kt_put32(p, d + 12, KT_RVA_NAME_NTOS);
    kt_put32(p, d + 16, KT_RVA_IAT1);
    kt_put32(p, d + 20, KT_RVA_ILT2);
    kt_put32(p, d + 32, KT_RVA_NAME_NTOS2);
    kt_put32(p, d + 36, KT_RVA_IAT2);
    strcpy((char *)p + KT_PE_FILE(KT_RVA_NAME_NTOS), "ntoskrnl.exe");
    strcpy((char *)p + KT_PE_FILE(KT_RVA_NAME_NTOS2), "NTOSKRNL.EXE");
    kt_pe_hint_name(p, KT_RVA_HINT_DBGPRINT, "DbgPrint");
    kt_pe_hint_name(p, KT_RVA_HINT_ALLOC, "ExAllocatePool2");
    uint64_t by_ordinal = (1ULL << 63) | (bugcheck ? bugcheck->ordinal : 0);
    kt_put64(p, KT_PE_FILE(KT_RVA_ILT1), KT_RVA_HINT_DBGPRINT);
    kt_put64(p, KT_PE_FILE(KT_RVA_ILT1) + 8, KT_RVA_HINT_ALLOC);
    kt_put64(p, KT_PE_FILE(KT_RVA_ILT2), by_ordinal);
    kt_put64(p, KT_PE_FILE(KT_RVA_IAT1), KT_RVA_HINT_DBGPRINT);
    kt_put64(p, KT_PE_FILE(KT_RVA_IAT1) + 8, KT_RVA_HINT_ALLOC);
    kt_put64(p, KT_PE_FILE(KT_RVA_IAT2), by_ordinal);

    /* .rdata: load configuration (IMAGE_LOAD_CONFIG_DIRECTORY64), SecurityCookie at 0x58 */
    kt_put32(p, KT_PE_FILE(KT_RVA_LOAD_CONFIG), 0x70);
    kt_put64(p, KT_PE_FILE(KT_RVA_LOAD_CONFIG) + 0x58, KT_PE_BASE + KT_RVA_COOKIE);

    /* .rdata: exports: DriverEntry, ordinal base 1 */
    size_t e = KT_PE_FILE(KT_RVA_EXPORTS);
    kt_put32(p, e + 16, 1);                         /* Base */
    kt_put32(p, e + 20, 1);                         /* NumberOfFunctions */
    kt_put32(p, e + 24, 1);                         /* NumberOfNames */
    kt_put32(p, e + 28, KT_RVA_EXPORTS + 0x40);     /* AddressOfFunctions */
    kt_put32(p, e + 32, KT_RVA_EXPORTS + 0x48);     /* AddressOfNames */
    kt_put32(p, e + 36, KT_RVA_EXPORTS + 0x50);     /* AddressOfNameOrdinals */
    kt_put32(p, e + 0x40, 0x1000);
    kt_put32(p, e + 0x48, KT_RVA_EXPORTS + 0x60);
    strcpy((char *)p + e + 0x60, "DriverEntry");

    /* .data: what the relocations fix, and the cookie */
    kt_put64(p, KT_PE_FILE(KT_RVA_PTR64), KT_PE_BASE + 0x1000);
    kt_put32(p, KT_PE_FILE(KT_RVA_PTR32), (uint32_t)(KT_PE_BASE + 0x1000));
    kt_put64(p, KT_PE_FILE(KT_RVA_COOKIE), 0x00002B992DDFA232ULL);

    /* .reloc: page 0x3000: DIR64 0x100, HIGHLOW 0x108, two ABSOLUTE pads;
     * page 0x2000: DIR64 0x258 (SecurityCookie), an ABSOLUTE pad */
    size_t r = KT_PE_FILE(KT_RVA_RELOCS);
    kt_put32(p, r, 0x3000);
    kt_put32(p, r + 4, 16);
    kt_put16(p, r + 8, 0xA000 | 0x100);
    kt_put16(p, r + 10, 0x3000 | 0x108);
    kt_put32(p, r + 16, 0x2000);
    kt_put32(p, r + 20, 12);
    kt_put16(p, r + 24, 0xA000 | 0x258);

    /* COFF symbols: Helper (.text+0x10), AVeryLongFunctionName (.text+0x20) */
    kt_pe_symbol(p, KT_SYMTAB, "Helper", 0, 0x10);
    kt_pe_symbol(p, KT_SYMTAB + 18, NULL, 4, 0x20);
    size_t strings = KT_SYMTAB + 36;
    kt_put32(p, strings, 4 + 22 + 12);
    strcpy((char *)p + strings + 4, "AVeryLongFunctionName");
    strcpy((char *)p + strings + 26, ".debug_long");
    return p;
}

#endif
