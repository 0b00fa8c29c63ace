/* tests/loader/test_pe_parse.c: pe_parse on a valid image and on images
 * broken one field at a time: every malformed file gets its own message,
 * naming the part of the file and what is wrong; none crashes or hangs. */
#include "ktest.h"

#include "loader/pe.h"
#include "pe_image.h"

static struct pe_file kt_pe;

/* "ok", or pe_parse's message. */
static const char *kt_parse(const uint8_t *p, size_t n)
{
    static char err[512];
    memset(err, 0, sizeof err);
    return pe_parse(p, n, &kt_pe, err, sizeof err) ? "ok" : err;
}

/* The image with one change: the width-byte field at off set to v. */
static const char *kt_parse_with(size_t off, uint32_t v, int width)
{
    uint8_t *p = kt_pe_build();
    if (width == 2)
        kt_put16(p, off, (uint16_t)v);
    else
        kt_put32(p, off, v);
    const char *r = kt_parse(p, KT_PE_FILE_SIZE);
    free(p);
    return r;
}
#define kt_parse16(off, v) kt_parse_with((off), (v), 2)
#define kt_parse32(off, v) kt_parse_with((off), (v), 4)

KT_TEST(pe_parse_valid_image)
{
    uint8_t *p = kt_pe_build();
    KT_EQ_STR(kt_parse(p, KT_PE_FILE_SIZE), "ok");
    KT_EQ_HEX(kt_pe.machine, 0x8664);
    KT_EQ_INT(kt_pe.nsections, 4);
    KT_EQ_HEX(kt_pe.entry_rva, 0x1000);
    KT_EQ_HEX(kt_pe.image_base, KT_PE_BASE);
    KT_EQ_HEX(kt_pe.size_of_image, 0x5000);
    KT_EQ_HEX(kt_pe.size_of_headers, 0x400);
    KT_EQ_INT(kt_pe.subsystem, PE_SUBSYSTEM_NATIVE);
    KT_EQ_INT(kt_pe.ndirs, 16);
    KT_EQ_HEX(kt_pe.dir[PE_DIR_IMPORT].rva, KT_RVA_IMPORTS);
    KT_EQ_HEX(kt_pe.dir[PE_DIR_BASERELOC].size, KT_RELOC_SIZE);
    KT_EQ_STR(kt_pe.sections[KT_PE_DATA].name, ".data");
    KT_EQ_HEX(kt_pe.sections[KT_PE_DATA].rva, 0x3000);
    KT_EQ_HEX(kt_pe.sections[KT_PE_DATA].raw_offset, 0xc00);
    KT_EQ_INT(pe_section_at(&kt_pe, 0x3123), KT_PE_DATA);
    KT_EQ_INT(pe_section_at(&kt_pe, 0x0123), -1);
    KT_EQ_INT(pe_section_at(&kt_pe, 0x4400), -1);
    free(p);
}

/* Cut short anywhere before its last section's raw data ends, the file is
 * refused; the cut lands in one header or another, each with its message. */
KT_TEST(pe_parse_truncated_at_every_length)
{
    uint8_t *p = kt_pe_build();
    for (size_t n = 0; n < 0x1400; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes, so ASan sees any read past them */
        memcpy(copy, p, n);
        const char *r = kt_parse(copy, n);
        if (strcmp(r, "ok") == 0)
            kt_fail(__FILE__, __LINE__, "a file cut at %zu bytes was accepted", n);
        free(copy);
    }
    KT_EQ_STR(kt_parse(p, 10), "DOS header: extends past end of file (the file is 10 bytes, the header 64)");
    KT_EQ_STR(kt_parse(p, 0x82), "PE signature: e_lfanew 0x80 points past end of file");
    KT_EQ_STR(kt_parse(p, 0x90), "COFF file header at 0x84: extends past end of file");
    KT_EQ_STR(kt_parse(p, 0x100), "optional header at 0x98 (240 bytes): extends past end of file");
    KT_EQ_STR(kt_parse(p, 0x1a0), "optional header: SizeOfHeaders 0x400 extends past end of file");
    KT_EQ_STR(kt_parse(p, 0x500),
              "section .text: raw data extends past end of file (0x400 bytes at 0x400, the file is 0x500 bytes)");
    KT_EQ_STR(kt_parse(p, 0x13ff),
              "section .reloc: raw data extends past end of file (0x400 bytes at 0x1000, the file is 0x13ff bytes)");
    KT_EQ_STR(kt_parse(p, 0x1400), "ok"); /* the COFF symbols only name things */
    free(p);
}

KT_TEST(pe_parse_not_a_pe_image)
{
    KT_EQ_STR(kt_parse16(0, 0x457f), "DOS header: no MZ signature: not a PE image");
    KT_EQ_STR(kt_parse32(0x3c, 0xfffffff0), "PE signature: e_lfanew 0xfffffff0 points past end of file");
    KT_EQ_STR(kt_parse32(KT_PE_NT, 0x00004e45),
              "PE signature at 0x80: missing (an MS-DOS program, or not a PE image)");
}

KT_TEST(pe_parse_machine_not_amd64)
{
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER, 0x014c),
              "COFF file header: machine 0x014c (i386) is not AMD64 (0x8664): ntbox runs x64 drivers");
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER, 0xaa64),
              "COFF file header: machine 0xaa64 (ARM64) is not AMD64 (0x8664): ntbox runs x64 drivers");
}

KT_TEST(pe_parse_object_file_refused)
{
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER + 18, 0x0020),
              "COFF file header: IMAGE_FILE_EXECUTABLE_IMAGE is clear: an object file, not a linked image");
}

KT_TEST(pe_parse_section_counts)
{
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER + 2, 0), "COFF file header: the image has no sections");
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER + 2, 0xffff),
              "COFF file header: 65535 sections; Windows loads images of at most 96");
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER + 2, 96),
              "section table at 0x188 (96 sections): extends past SizeOfHeaders 0x400");
}

KT_TEST(pe_parse_optional_header_kind)
{
    KT_EQ_STR(kt_parse16(KT_PE_OPT, 0x10b),
              "optional header: magic 0x10b is PE32, a 32-bit image: ntbox runs x64 (PE32+) drivers");
    KT_EQ_STR(kt_parse16(KT_PE_OPT, 0x107), "optional header: magic 0x107 is not PE32+ (0x20b)");
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER + 16, 0), "optional header at 0x98: missing (SizeOfOptionalHeader 0)");
    KT_EQ_STR(kt_parse16(KT_PE_FILE_HEADER + 16, 80),
              "optional header: SizeOfOptionalHeader 80 is smaller than PE32+'s 112 bytes");
}

KT_TEST(pe_parse_data_directory_counts)
{
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 108, 0x10000),
              "optional header: NumberOfRvaAndSizes 65536; PE32+ defines 16 data directories");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 108, 0xffffffff),
              "optional header: NumberOfRvaAndSizes 4294967295; PE32+ defines 16 data directories");
    /* 16 directories claimed in an optional header with room for 8 */
    uint8_t *p = kt_pe_build();
    kt_put16(p, KT_PE_FILE_HEADER + 16, 176);
    KT_EQ_STR(kt_parse(p, KT_PE_FILE_SIZE),
              "optional header: 16 data directories need 240 bytes, SizeOfOptionalHeader is 176");
    free(p);
    /* fewer directories are fine: the missing ones are empty */
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 108, 2), "ok");
    KT_EQ_HEX(kt_pe.dir[PE_DIR_BASERELOC].rva, 0);
}

KT_TEST(pe_parse_alignments)
{
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 32, 0x1001), "optional header: SectionAlignment 0x1001 is not a power of two");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 32, 0), "optional header: SectionAlignment 0x0 is not a power of two");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 36, 3), "optional header: FileAlignment 0x3 is not a power of two");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 36, 0x2000), "optional header: FileAlignment 0x2000 exceeds SectionAlignment 0x1000");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 24, 0x40001000), "optional header: ImageBase 0x140001000 is not a multiple of 64 KiB");
}

/* Sizes near 2^32 are refused, never wrapped around. */
KT_TEST(pe_parse_sizes_near_4g)
{
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 56, 0xfffff000),
              "optional header: SizeOfImage 0xfffff000: ntbox maps images of 1 to 0x40000000 bytes");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 56, 0), "optional header: SizeOfImage 0x0: ntbox maps images of 1 to 0x40000000 bytes");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 60, 0x6000), "optional header: SizeOfHeaders 0x6000 exceeds SizeOfImage 0x5000");
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_TEXT) + 8, 0xffffff00),
              "section .text: 0xffffff00 bytes at RVA 0x1000 extend past SizeOfImage 0x5000");
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_DATA) + 12, 0xfffff000),
              "section .data: 0x400 bytes at RVA 0xfffff000 extend past SizeOfImage 0x5000");
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_RDATA) + 20, 0xffffff00),
              "section .rdata: raw data extends past end of file (0x400 bytes at 0xffffff00, the file is 0x1480 bytes)");
    /* SizeOfRawData beyond VirtualSize: only VirtualSize is copied, as Windows does */
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_DATA) + 16, 0xffffffff), "ok");
    KT_EQ_HEX(kt_pe.sections[KT_PE_DATA].copy_size, 0x400);
    KT_EQ_STR(kt_parse32(KT_PE_DIR(PE_DIR_IMPORT) + 4, 0xffffffff),
              "import directory: 0xffffffff bytes at RVA 0x2000 extend past SizeOfImage 0x5000");
    KT_EQ_STR(kt_parse32(KT_PE_DIR(PE_DIR_BASERELOC), 0xfffffff0),
              "base relocation directory: 0x1c bytes at RVA 0xfffffff0 extend past SizeOfImage 0x5000");
}

KT_TEST(pe_parse_section_placement)
{
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_DATA) + 12, 0x3100),
              "section .data: VirtualAddress 0x3100 is not a multiple of SectionAlignment 0x1000");
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_TEXT) + 12, 0),
              "section .text: VirtualAddress 0x0 lies inside the headers (SizeOfHeaders 0x400)");
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_RDATA) + 12, 0x1000),
              "sections .text and .rdata overlap (RVA 0x1000-0x1400 and 0x1000-0x1400)");
    KT_EQ_STR(kt_parse32(KT_PE_SECTION(KT_PE_TEXT) + 8, 0x1800),
              "sections .text and .rdata overlap (RVA 0x1000-0x2800 and 0x2000-0x2400)");
}

KT_TEST(pe_parse_subsystem)
{
    KT_EQ_STR(kt_parse16(KT_PE_OPT + 68, 3),
              "optional header: subsystem 3 (Windows console) is not a driver's: drivers are linked with /SUBSYSTEM:NATIVE");
    /* an export driver (a DLL) may carry another subsystem */
    uint8_t *p = kt_pe_build();
    kt_put16(p, KT_PE_OPT + 68, 3);
    kt_put16(p, KT_PE_FILE_HEADER + 18, 0x2022);
    KT_EQ_STR(kt_parse(p, KT_PE_FILE_SIZE), "ok");
    free(p);
}

KT_TEST(pe_parse_entry_point)
{
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 16, 0x2000), "entry point: RVA 0x2000 is not in an executable section");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 16, 0x4ff0), "entry point: RVA 0x4ff0 is not in an executable section");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 16, 0xfffffff0), "entry point: RVA 0xfffffff0 is not in an executable section");
    KT_EQ_STR(kt_parse32(KT_PE_OPT + 16, 0), "ok"); /* pe_load.c refuses it to run, pe_parse reads it */
}

/* Long section names ("/N") come from the COFF string table. */
KT_TEST(pe_section_name_long_names)
{
    char name[64];
    uint8_t *p = kt_pe_build();
    memcpy(p + KT_PE_SECTION(KT_PE_RELOC), "/26\0\0\0\0\0", 8);
    KT_REQUIRE(KT_EQ_STR(kt_parse(p, KT_PE_FILE_SIZE), "ok"));
    KT_EQ_STR(pe_section_name(&kt_pe, KT_PE_RELOC, name, sizeof name), ".debug_long");
    KT_EQ_STR(pe_section_name(&kt_pe, KT_PE_TEXT, name, sizeof name), ".text");
    memcpy(p + KT_PE_SECTION(KT_PE_RELOC), "/9999999", 8); /* past the table: shown as it is */
    KT_REQUIRE(KT_EQ_STR(kt_parse(p, KT_PE_FILE_SIZE), "ok"));
    KT_EQ_STR(pe_section_name(&kt_pe, KT_PE_RELOC, name, sizeof name), "/9999999");
    kt_put32(p, KT_PE_FILE_HEADER + 8, 0xfffffff0); /* a symbol table outside the file */
    memcpy(p + KT_PE_SECTION(KT_PE_RELOC), "/26\0\0\0\0\0", 8);
    KT_REQUIRE(KT_EQ_STR(kt_parse(p, KT_PE_FILE_SIZE), "ok"));
    KT_EQ_STR(pe_section_name(&kt_pe, KT_PE_RELOC, name, sizeof name), "/26");
    free(p);
}

/* Unprintable bytes in a section name are shown as '?', so messages stay text. */
KT_TEST(pe_parse_unprintable_section_name)
{
    uint8_t *p = kt_pe_build();
    memcpy(p + KT_PE_SECTION(KT_PE_TEXT), "\x01\xff" "ab\n", 5);
    kt_put32(p, KT_PE_SECTION(KT_PE_TEXT) + 12, 0x1100);
    KT_EQ_STR(kt_parse(p, KT_PE_FILE_SIZE),
              "section ??ab?: VirtualAddress 0x1100 is not a multiple of SectionAlignment 0x1000");
    free(p);
}
