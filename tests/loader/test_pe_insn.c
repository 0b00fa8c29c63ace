/* tests/loader/test_pe_insn.c: the x86-64 instruction decoder the loader
 * sweeps driver code with and the fault handler emulates with
 * (loader/pe_insn.c): lengths of every encoding family, memory operands,
 * loads, control-register moves, and what it refuses to guess. */
#include "ktest.h"

#include "loader/pe_insn.h"

struct kt_encoding {
    const char *what;
    uint8_t bytes[16];
    size_t len;
};

/* One instruction of each shape (lengths as the Intel SDM encodes them). */
static const struct kt_encoding kt_lengths[] = {
    { "ret", { 0xC3 }, 1 },
    { "push rbp", { 0x55 }, 1 },
    { "push r12", { 0x41, 0x54 }, 2 },
    { "mov rbp, rsp", { 0x48, 0x89, 0xE5 }, 3 },
    { "sub rsp, 0x70", { 0x48, 0x83, 0xEC, 0x70 }, 4 },
    { "mov [rbp+0x10], rcx", { 0x48, 0x89, 0x4D, 0x10 }, 4 },
    { "mov rax, [rip+0]", { 0x48, 0x8B, 0x05, 0, 0, 0, 0 }, 7 },
    { "mov eax, [rsp+rcx*4+0x100]", { 0x8B, 0x84, 0x8C, 0x00, 0x01, 0, 0 }, 7 },
    { "mov eax, [abs 0x188] (SIB, no base)", { 0x8B, 0x04, 0x25, 0x88, 0x01, 0, 0 }, 7 },
    { "mov rax, gs:[0x188]", { 0x65, 0x48, 0x8B, 0x04, 0x25, 0x88, 0x01, 0, 0 }, 9 },
    { "mov ax, gs:[0x184]", { 0x65, 0x66, 0x8B, 0x04, 0x25, 0x84, 0x01, 0, 0 }, 9 },
    { "movabs rdx, imm64", { 0x48, 0xBA, 0x14, 0, 0, 0, 0x80, 0xF7, 0xFF, 0xFF }, 10 },
    { "mov eax, imm32", { 0xB8, 1, 2, 3, 4 }, 5 },
    { "mov ax, imm16", { 0x66, 0xB8, 1, 2 }, 4 },
    { "movabs rax, [moffs64]", { 0x48, 0xA1, 0x14, 0, 0, 0, 0x80, 0xF7, 0xFF, 0xFF }, 10 },
    { "mov eax, [moffs32] (67)", { 0x67, 0xA1, 1, 2, 3, 4 }, 6 },
    { "movb [rbp-0x41], 2", { 0xC6, 0x45, 0xBF, 0x02 }, 4 },
    { "movl [rbp-0x1c], 0x188", { 0xC7, 0x45, 0xE4, 0x88, 0x01, 0, 0 }, 7 },
    { "movw [rax], 0x1234", { 0x66, 0xC7, 0x00, 0x34, 0x12 }, 5 },
    { "test byte [rax], 1", { 0xF6, 0x00, 0x01 }, 3 },
    { "test dword [rax], imm32", { 0xF7, 0x00, 1, 2, 3, 4 }, 6 },
    { "test word [rax], imm16", { 0x66, 0xF7, 0x00, 1, 2 }, 5 },
    { "not dword [rax]", { 0xF7, 0x10 }, 2 },
    { "call rel32", { 0xE8, 0, 0, 0, 0 }, 5 },
    { "jmp rel32 with 66 (still rel32)", { 0x66, 0xE9, 0, 0, 0, 0 }, 6 },
    { "jne rel8", { 0x75, 0x10 }, 2 },
    { "je rel32", { 0x0F, 0x84, 0, 0, 0, 0 }, 6 },
    { "enter 0x10, 0", { 0xC8, 0x10, 0, 0 }, 4 },
    { "ret 8", { 0xC2, 8, 0 }, 3 },
    { "int 0x2c", { 0xCD, 0x2C }, 2 },
    { "int3", { 0xCC }, 1 },
    { "imul eax, [rcx], 0x12345678", { 0x69, 0x01, 0x78, 0x56, 0x34, 0x12 }, 6 },
    { "shld eax, ecx, 4", { 0x0F, 0xA4, 0xC8, 0x04 }, 4 },
    { "bt dword [rax], 3", { 0x0F, 0xBA, 0x20, 0x03 }, 4 },
    { "movzx eax, byte [rbp-0x41]", { 0x0F, 0xB6, 0x45, 0xBF }, 4 },
    { "pshufd xmm0, xmm1, 0x1b", { 0x66, 0x0F, 0x70, 0xC1, 0x1B }, 5 },
    { "movdqu xmm0, [rax+0x10]", { 0xF3, 0x0F, 0x6F, 0x40, 0x10 }, 5 },
    { "pshufb xmm0, xmm1 (0F 38)", { 0x66, 0x0F, 0x38, 0x00, 0xC1 }, 5 },
    { "palignr xmm0, xmm1, 4 (0F 3A)", { 0x66, 0x0F, 0x3A, 0x0F, 0xC1, 0x04 }, 6 },
    { "lock cmpxchg [rdx], ecx", { 0xF0, 0x0F, 0xB1, 0x0A }, 4 },
    { "rep stosb", { 0xF3, 0xAA }, 2 },
    { "fld qword [rax]", { 0xDD, 0x00 }, 2 },
    { "syscall", { 0x0F, 0x05 }, 2 },
    { "ud2", { 0x0F, 0x0B }, 2 },
    { "bswap r9", { 0x49, 0x0F, 0xC9 }, 3 },
    { "nop word [rax+rax+0]", { 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00 }, 6 },
    { "mov rax, cr8", { 0x44, 0x0F, 0x20, 0xC0 }, 4 },
    { "mov cr8, r9 (REX.R and REX.B)", { 0x45, 0x0F, 0x22, 0xC1 }, 4 },
    { "mov rax, cr8 with mod 00 (mod is ignored: no SIB, no disp)", { 0x44, 0x0F, 0x20, 0x04 }, 4 },
    { "mov rax, [rbp+disp32]", { 0x48, 0x8B, 0x85, 0x00, 0x01, 0, 0 }, 7 },
    { "mov rax, [r13+0] (r13 needs a displacement)", { 0x49, 0x8B, 0x45, 0x00 }, 4 },
};

/* Every family decodes to its length. */
KT_TEST(pe_insn_decode_lengths)
{
    struct pe_insn in;
    for (size_t i = 0; i < sizeof kt_lengths / sizeof kt_lengths[0]; i++) {
        size_t n = pe_insn_decode(kt_lengths[i].bytes, sizeof kt_lengths[i].bytes, &in);
        if (n != kt_lengths[i].len)
            kt_fail(__FILE__, __LINE__, "%s: length %zu, expected %zu", kt_lengths[i].what, n, kt_lengths[i].len);
        else
            KT_EQ_INT(in.len, n);
    }
}

/* An instruction cut short is not an instruction: 0, whatever is missing. */
KT_TEST(pe_insn_decode_short_input)
{
    static const uint8_t movabs[] = { 0x48, 0xBA, 0x14, 0, 0, 0, 0x80, 0xF7, 0xFF, 0xFF };
    struct pe_insn in;
    for (size_t n = 0; n < sizeof movabs; n++)
        KT_EQ_INT(pe_insn_decode(movabs, n, &in), 0);
    KT_EQ_INT(pe_insn_decode(movabs, sizeof movabs, &in), 10);
}

/* Encodings it does not decode, or that are invalid in 64-bit mode, are
 * refused rather than guessed: VEX (C4, C5), EVEX (62), 3DNow! (0F 0F),
 * 32-bit-only opcodes, a prefix after REX, more than 15 bytes (16 here). */
KT_TEST(pe_insn_decode_refuses)
{
    static const uint8_t cases[][16] = {
        { 0xC5, 0xF8, 0x77 },             /* vzeroupper */
        { 0xC4, 0xE2, 0x79, 0x18, 0x00 }, /* vbroadcastss */
        { 0x62, 0xF1, 0x7C, 0x48, 0x10, 0x00 },
        { 0x0F, 0x0F, 0xC1, 0x9E },       /* 3DNow! pfadd */
        { 0x06 }, { 0x27 }, { 0x60 }, { 0x9A }, { 0xD4, 0x0A }, { 0x0F, 0x04 },
        { 0x48, 0x66, 0x8B, 0x00 },       /* REX, then a prefix */
        { 0x48, 0x48, 0x8B, 0x00 },       /* two REX */
        { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90 },
    };
    struct pe_insn in;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (pe_insn_decode(cases[i], sizeof cases[i], &in) != 0)
            kt_fail(__FILE__, __LINE__, "case %zu (first byte 0x%02X) decoded to %u bytes", i, cases[i][0], in.len);
}

/* ModRM and SIB: base, index, scale, displacement, REX extensions, RIP. */
KT_TEST(pe_insn_decode_memory_operands)
{
    static const uint8_t sib[] = { 0x4B, 0x8B, 0x44, 0xD5, 0xF0 };      /* mov rax, [r13+r10*8-0x10] */
    static const uint8_t abs32[] = { 0x65, 0x8B, 0x0C, 0x25, 0x88, 0x01, 0, 0 }; /* mov ecx, gs:[0x188] */
    static const uint8_t rip[] = { 0x8B, 0x05, 0x10, 0, 0, 0 };         /* mov eax, [rip+0x10] */
    static const uint8_t reg[] = { 0x48, 0x89, 0xE5 };                  /* mov rbp, rsp */
    static const uint8_t moffs[] = { 0x48, 0xA1, 0x14, 0, 0, 0, 0x80, 0xF7, 0xFF, 0xFF };
    struct pe_insn in;

    KT_REQUIRE(KT_EQ_INT(pe_insn_decode(sib, sizeof sib, &in), 5));
    KT_TRUE(in.memory);
    KT_EQ_INT(in.base, 13);
    KT_EQ_INT(in.index, 10);
    KT_EQ_INT(in.scale, 8);
    KT_EQ_INT(in.disp, -0x10);
    KT_EQ_INT(in.disp_size, 1);
    KT_EQ_INT(in.reg, 0);

    KT_REQUIRE(KT_EQ_INT(pe_insn_decode(abs32, sizeof abs32, &in), 8));
    KT_EQ_HEX(in.seg, 0x65);
    KT_EQ_INT(in.base, PE_REG_NONE);
    KT_EQ_INT(in.index, PE_REG_NONE);
    KT_EQ_HEX(in.disp, 0x188);
    KT_EQ_INT(in.disp_offset, 4);
    KT_EQ_INT(in.reg, 1);

    KT_REQUIRE(KT_EQ_INT(pe_insn_decode(rip, sizeof rip, &in), 6));
    KT_TRUE(in.rip_relative);
    KT_EQ_INT(in.base, PE_REG_NONE);
    KT_EQ_HEX(in.disp, 0x10);

    KT_REQUIRE(KT_EQ_INT(pe_insn_decode(reg, sizeof reg, &in), 3));
    KT_FALSE(in.memory);
    KT_EQ_INT(in.mod, 3);
    KT_EQ_INT(in.rm, 5);
    KT_EQ_INT(in.reg, 4);

    KT_REQUIRE(KT_EQ_INT(pe_insn_decode(moffs, sizeof moffs, &in), 10));
    KT_TRUE(in.moffs);
    KT_TRUE(in.memory);
    KT_EQ_HEX((uint64_t)in.disp, 0xFFFFF78000000014ULL);
    KT_EQ_INT(in.disp_offset, 2);
    KT_EQ_INT(in.disp_size, 8);
}

/* Loads into a register: sizes, extension, AH..BH without REX. */
KT_TEST(pe_insn_load_forms)
{
    static const struct {
        uint8_t bytes[10];
        bool load;
        uint8_t src, dst, reg;
        bool sign, high8;
    } cases[] = {
        { { 0x48, 0x8B, 0x00 }, true, 8, 8, 0, false, false },       /* mov rax, [rax] */
        { { 0x8B, 0x08 }, true, 4, 4, 1, false, false },             /* mov ecx, [rax] */
        { { 0x66, 0x8B, 0x10 }, true, 2, 2, 2, false, false },       /* mov dx, [rax] */
        { { 0x8A, 0x20 }, true, 1, 1, 0, false, true },              /* mov ah, [rax] */
        { { 0x40, 0x8A, 0x20 }, true, 1, 1, 4, false, false },       /* mov spl, [rax] */
        { { 0x44, 0x8A, 0x00 }, true, 1, 1, 8, false, false },       /* mov r8b, [rax] */
        { { 0x0F, 0xB6, 0x00 }, true, 1, 4, 0, false, false },       /* movzx eax, byte [rax] */
        { { 0x48, 0x0F, 0xBF, 0x00 }, true, 2, 8, 0, true, false },  /* movsx rax, word [rax] */
        { { 0x48, 0x63, 0x00 }, true, 4, 8, 0, true, false },        /* movsxd rax, [rax] */
        { { 0xA0, 1, 2, 3, 4, 5, 6, 7, 8 }, true, 1, 1, 0, false, false }, /* mov al, [moffs] */
        { { 0x89, 0x00 }, false, 0, 0, 0, false, false },            /* a store */
        { { 0x48, 0x8B, 0xC1 }, false, 0, 0, 0, false, false },      /* register to register */
        { { 0x48, 0x03, 0x00 }, false, 0, 0, 0, false, false },      /* add: not a plain load */
        { { 0xA3, 1, 2, 3, 4, 5, 6, 7, 8 }, false, 0, 0, 0, false, false }, /* moffs store */
    };
    struct pe_insn in;
    struct pe_load ld;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        KT_REQUIRE(KT_TRUE(pe_insn_decode(cases[i].bytes, sizeof cases[i].bytes, &in) != 0));
        bool load = pe_insn_load(&in, &ld);
        if (load != cases[i].load) {
            kt_fail(__FILE__, __LINE__, "case %zu: load %d, expected %d", i, load, cases[i].load);
            continue;
        }
        if (!load)
            continue;
        if (ld.src_size != cases[i].src || ld.dst_size != cases[i].dst || ld.reg != cases[i].reg ||
            ld.sign != cases[i].sign || ld.high8 != cases[i].high8)
            kt_fail(__FILE__, __LINE__, "case %zu: src %u dst %u reg %u sign %d high8 %d", i, ld.src_size,
                    ld.dst_size, ld.reg, ld.sign, ld.high8);
    }
}

/* mov to and from control registers: CR8 through REX.R, or through LOCK
 * (AMD's alternative encoding); the register through REX.B. */
KT_TEST(pe_insn_control_registers)
{
    static const uint8_t read_cr8[] = { 0x44, 0x0F, 0x20, 0xC2 };   /* mov rdx, cr8 */
    static const uint8_t write_cr8[] = { 0x45, 0x0F, 0x22, 0xC7 };  /* mov cr8, r15 */
    static const uint8_t lock_cr8[] = { 0xF0, 0x0F, 0x20, 0xC0 };   /* mov eax, cr8 (lock cr0) */
    static const uint8_t read_cr3[] = { 0x0F, 0x20, 0xD8 };         /* mov rax, cr3 */
    static const uint8_t other[] = { 0x0F, 0x21, 0xC0 };            /* mov rax, dr0 */
    unsigned cr, gpr;
    bool write;
    struct pe_insn in;

    pe_insn_decode(read_cr8, sizeof read_cr8, &in);
    KT_REQUIRE(KT_TRUE(pe_insn_control_register(&in, &cr, &gpr, &write)));
    KT_EQ_INT(cr, 8);
    KT_EQ_INT(gpr, 2);
    KT_FALSE(write);
    pe_insn_decode(write_cr8, sizeof write_cr8, &in);
    KT_REQUIRE(KT_TRUE(pe_insn_control_register(&in, &cr, &gpr, &write)));
    KT_EQ_INT(cr, 8);
    KT_EQ_INT(gpr, 15);
    KT_TRUE(write);
    pe_insn_decode(lock_cr8, sizeof lock_cr8, &in);
    KT_REQUIRE(KT_TRUE(pe_insn_control_register(&in, &cr, &gpr, &write)));
    KT_EQ_INT(cr, 8);
    pe_insn_decode(read_cr3, sizeof read_cr3, &in);
    KT_REQUIRE(KT_TRUE(pe_insn_control_register(&in, &cr, &gpr, &write)));
    KT_EQ_INT(cr, 3);
    pe_insn_decode(other, sizeof other, &in);
    KT_FALSE(pe_insn_control_register(&in, &cr, &gpr, &write));
}
