/* loader/pe_insn.c: x86-64 instruction decoding (see pe_insn.h).
 *
 * Table-driven, after the opcode maps of the Intel SDM volume 2, appendix A:
 * per opcode, whether a ModRM byte follows and how large the immediate is.
 * Opcodes that are invalid in 64-bit mode, and the VEX/EVEX/3DNow! escapes,
 * decode to 0 rather than to a guess, so that a linear sweep never goes on
 * out of step with the real instruction stream. */
#include "loader/pe_insn.h"

#include <string.h>

enum {
    M = 0x01,      /* ModRM follows */
    I8 = 0x02,     /* imm8 */
    I16 = 0x04,    /* imm16 */
    IZ = 0x08,     /* imm16 or imm32 by operand size */
    IV = 0x10,     /* imm16, imm32 or imm64 by operand size (B8-BF) */
    MO = 0x20,     /* moffs: 8 bytes, 4 with 67 */
    BAD = 0x40,    /* invalid in 64-bit mode, or an encoding not decoded here */
    G3 = 0x80,     /* F6/F7: TEST (ModRM.reg 0 or 1) has an immediate */
    D32 = 0x100,   /* rel32 (E8, E9, 0F 80-8F): 4 bytes whatever 66 says */
};

/* A prefix or REX byte reached as an opcode followed a REX, which must come
 * last: BAD. */

static const unsigned short pe_one_byte[256] = {
    [0x00 ... 0x03] = M, [0x04] = I8, [0x05] = IZ, [0x06 ... 0x07] = BAD,
    [0x08 ... 0x0B] = M, [0x0C] = I8, [0x0D] = IZ, [0x0E] = BAD,
    [0x10 ... 0x13] = M, [0x14] = I8, [0x15] = IZ, [0x16 ... 0x17] = BAD,
    [0x18 ... 0x1B] = M, [0x1C] = I8, [0x1D] = IZ, [0x1E ... 0x1F] = BAD,
    [0x20 ... 0x23] = M, [0x24] = I8, [0x25] = IZ, [0x26 ... 0x27] = BAD,
    [0x28 ... 0x2B] = M, [0x2C] = I8, [0x2D] = IZ, [0x2E ... 0x2F] = BAD,
    [0x30 ... 0x33] = M, [0x34] = I8, [0x35] = IZ, [0x36 ... 0x37] = BAD,
    [0x38 ... 0x3B] = M, [0x3C] = I8, [0x3D] = IZ, [0x3E ... 0x3F] = BAD,
    [0x40 ... 0x4F] = BAD, [0x60 ... 0x62] = BAD, [0x63] = M, [0x64 ... 0x67] = BAD,
    [0x68] = IZ, [0x69] = M | IZ, [0x6A] = I8, [0x6B] = M | I8,
    [0x70 ... 0x7F] = I8,
    [0x80] = M | I8, [0x81] = M | IZ, [0x82] = BAD, [0x83] = M | I8,
    [0x84 ... 0x8F] = M,
    [0x9A] = BAD,
    [0xA0 ... 0xA3] = MO, [0xA8] = I8, [0xA9] = IZ,
    [0xB0 ... 0xB7] = I8, [0xB8 ... 0xBF] = IV,
    [0xC0 ... 0xC1] = M | I8, [0xC2] = I16, [0xC4 ... 0xC5] = BAD, [0xC6] = M | I8, [0xC7] = M | IZ,
    [0xC8] = I16 | I8, [0xCA] = I16, [0xCD] = I8, [0xCE] = BAD,
    [0xD0 ... 0xD3] = M, [0xD4 ... 0xD6] = BAD, [0xD8 ... 0xDF] = M,
    [0xE0 ... 0xE7] = I8, [0xE8 ... 0xE9] = D32, [0xEA] = BAD, [0xEB] = I8,
    [0xF0] = BAD, [0xF2 ... 0xF3] = BAD, [0xF6] = M | G3, [0xF7] = M | G3, [0xFE ... 0xFF] = M,
};

static const unsigned short pe_two_byte[256] = {
    [0x00 ... 0x03] = M, [0x04] = BAD, [0x0A] = BAD, [0x0C] = BAD, [0x0D] = M, [0x0F] = BAD,
    [0x10 ... 0x23] = M, [0x24 ... 0x27] = BAD, [0x28 ... 0x2F] = M,
    [0x36] = BAD, [0x39] = BAD, [0x3B ... 0x3F] = BAD,
    [0x40 ... 0x6F] = M, [0x70 ... 0x73] = M | I8, [0x74 ... 0x76] = M, [0x78 ... 0x79] = M,
    [0x7A ... 0x7B] = BAD, [0x7C ... 0x7F] = M,
    [0x80 ... 0x8F] = D32, [0x90 ... 0x9F] = M,
    [0xA3] = M, [0xA4] = M | I8, [0xA5] = M, [0xA6 ... 0xA7] = BAD, [0xAB] = M, [0xAC] = M | I8,
    [0xAD ... 0xAF] = M, [0xB0 ... 0xB9] = M, [0xBA] = M | I8, [0xBB ... 0xC1] = M,
    [0xC2] = M | I8, [0xC3] = M, [0xC4 ... 0xC6] = M | I8, [0xC7] = M,
    [0xD0 ... 0xFF] = M,
};

static bool pe_is_legacy_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 || b == 0x66 ||
           b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

/* Legacy prefixes, then at most one REX right before the opcode. */
static size_t pe_insn_prefixes(const uint8_t *code, size_t avail, struct pe_insn *in)
{
    size_t n = 0;
    while (n < avail && pe_is_legacy_prefix(code[n])) {
        uint8_t b = code[n++];
        if (b == 0x66)
            in->opsize16 = true;
        else if (b == 0x67)
            in->addr32 = true;
        else if (b == 0xF0)
            in->lock = true;
        else if (b == 0xF2 || b == 0xF3)
            in->rep = b;
        else
            in->seg = b;
    }
    if (n < avail && (code[n] & 0xF0) == 0x40)
        in->rex = code[n++];
    return n;
}

/* The ModRM byte, SIB and displacement at code[n]; returns the new offset,
 * or 0 when the bytes run out. Control-register moves ignore mod: their
 * operand is always a register. */
static size_t pe_insn_modrm(const uint8_t *code, size_t avail, size_t n, struct pe_insn *in)
{
    if (n >= avail)
        return 0;
    uint8_t modrm = code[n++];
    in->has_modrm = true;
    in->mod = modrm >> 6;
    in->reg = (uint8_t)(((modrm >> 3) & 7) | ((in->rex & 4) << 1));
    in->rm = (uint8_t)((modrm & 7) | ((in->rex & 1) << 3));
    if (in->map == PE_INSN_MAP_0F && in->opcode >= 0x20 && in->opcode <= 0x23)
        in->mod = 3;
    if (in->mod == 3)
        return n;
    in->memory = true;
    in->base = (int8_t)in->rm;
    in->index = PE_REG_NONE;
    in->scale = 1;
    unsigned disp = in->mod == 1 ? 1 : in->mod == 2 ? 4 : 0;
    if ((modrm & 7) == 4) {
        if (n >= avail)
            return 0;
        uint8_t sib = code[n++];
        unsigned index = ((sib >> 3) & 7) | ((in->rex & 2) << 2);
        in->scale = (uint8_t)(1u << (sib >> 6));
        in->index = index == 4 ? PE_REG_NONE : (int8_t)index;
        in->base = (int8_t)((sib & 7) | ((in->rex & 1) << 3));
        if ((sib & 7) == 5 && in->mod == 0) {
            in->base = PE_REG_NONE;
            disp = 4;
        }
    } else if ((modrm & 7) == 5 && in->mod == 0) {
        in->base = PE_REG_NONE;
        in->rip_relative = true;
        disp = 4;
    }
    if (disp > avail - n)
        return 0;
    in->disp_size = (uint8_t)disp;
    in->disp_offset = (uint8_t)n;
    if (disp == 1)
        in->disp = (int8_t)code[n];
    else if (disp == 4)
        in->disp = (int32_t)((uint32_t)code[n] | (uint32_t)code[n + 1] << 8 | (uint32_t)code[n + 2] << 16 |
                             (uint32_t)code[n + 3] << 24);
    return n + disp;
}

static unsigned pe_insn_imm_size(unsigned flags, const struct pe_insn *in)
{
    unsigned opsize = (in->rex & 8) ? 8 : in->opsize16 ? 2 : 4;
    if (flags & D32)
        return 4;
    if (flags & IV)
        return opsize;
    if (flags & MO)
        return in->addr32 ? 4 : 8;
    unsigned size = 0;
    if (flags & I8)
        size += 1;
    if (flags & I16)
        size += 2;
    if ((flags & IZ) || ((flags & G3) && (in->reg & 7) < 2))
        size += (flags & G3) && in->opcode == 0xF6 ? 1 : opsize == 2 ? 2 : 4;
    return size;
}

size_t pe_insn_decode(const uint8_t *code, size_t avail, struct pe_insn *in)
{
    memset(in, 0, sizeof *in);
    in->base = in->index = PE_REG_NONE;
    if (avail > 15)
        avail = 15;
    size_t n = pe_insn_prefixes(code, avail, in);
    if (n >= avail)
        return 0;
    unsigned flags;
    uint8_t b = code[n++];
    if (b != 0x0F) {
        in->map = PE_INSN_MAP_ONE;
        in->opcode = b;
        flags = pe_one_byte[b];
    } else {
        if (n >= avail)
            return 0;
        b = code[n++];
        if (b == 0x38 || b == 0x3A) {
            if (n >= avail)
                return 0;
            in->map = b == 0x38 ? PE_INSN_MAP_0F38 : PE_INSN_MAP_0F3A;
            in->opcode = code[n++];
            flags = b == 0x38 ? M : M | I8;
        } else {
            in->map = PE_INSN_MAP_0F;
            in->opcode = b;
            flags = pe_two_byte[b];
        }
    }
    if (flags & BAD)
        return 0;
    if ((flags & M) && !(n = pe_insn_modrm(code, avail, n, in)))
        return 0;
    unsigned imm = pe_insn_imm_size(flags, in);
    if (imm > avail - n)
        return 0;
    if (flags & MO) {
        in->memory = in->moffs = true;
        in->disp_size = (uint8_t)imm;
        in->disp_offset = (uint8_t)n;
        uint64_t a = 0;
        for (unsigned i = imm; i-- > 0;)
            a = a << 8 | code[n + i];
        in->disp = (int64_t)a;
    } else if (imm) {
        in->imm_size = (uint8_t)imm;
        in->imm_offset = (uint8_t)n;
    }
    in->len = (uint8_t)(n + imm);
    return in->len;
}

bool pe_insn_load(const struct pe_insn *in, struct pe_load *ld)
{
    unsigned opsize = (in->rex & 8) ? 8 : in->opsize16 ? 2 : 4;

    if (!in->memory || in->lock || in->rep)
        return false;
    memset(ld, 0, sizeof *ld);
    ld->reg = in->reg;
    if (in->map == PE_INSN_MAP_ONE && in->moffs) {
        if (in->opcode != 0xA0 && in->opcode != 0xA1)
            return false;             /* A2, A3 store */
        ld->reg = PE_REG_RAX;
        ld->src_size = ld->dst_size = (uint8_t)(in->opcode == 0xA0 ? 1 : opsize);
    } else if (in->map == PE_INSN_MAP_ONE && in->opcode == 0x8A) {
        ld->src_size = ld->dst_size = 1;
        ld->high8 = !in->rex && in->reg >= 4;
        if (ld->high8)
            ld->reg = (uint8_t)(in->reg - 4);
    } else if (in->map == PE_INSN_MAP_ONE && in->opcode == 0x8B) {
        ld->src_size = ld->dst_size = (uint8_t)opsize;
    } else if (in->map == PE_INSN_MAP_ONE && in->opcode == 0x63) {
        ld->src_size = 4;
        ld->dst_size = (uint8_t)opsize;
        ld->sign = opsize == 8;
    } else if (in->map == PE_INSN_MAP_0F && (in->opcode & 0xF6) == 0xB6) {
        ld->src_size = (in->opcode & 1) ? 2 : 1;
        ld->dst_size = (uint8_t)opsize;
        ld->sign = (in->opcode & 8) != 0;
    } else {
        return false;
    }
    return true;
}

bool pe_insn_control_register(const struct pe_insn *in, unsigned *cr, unsigned *gpr, bool *write)
{
    if (in->map != PE_INSN_MAP_0F || (in->opcode != 0x20 && in->opcode != 0x22))
        return false;
    *cr = in->reg | (in->lock ? 8u : 0u);
    *gpr = in->rm;
    *write = in->opcode == 0x22;
    return true;
}
