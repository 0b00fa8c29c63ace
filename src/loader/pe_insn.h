/* loader/pe_insn.h: decoding x86-64 instructions, as much as ntbox needs to
 * find and emulate what compiled drivers execute that a user process may not
 * (pe_patch.c at load time, ke/emulate.c when one faults): the length of any
 * general-purpose, x87, SSE or system instruction in 64-bit mode, its
 * prefixes, opcode, ModRM/SIB memory operand, displacement and immediate.
 *
 * VEX, EVEX and 3DNow! encodings are not decoded: a caller sweeping code
 * stops there, and a caller emulating one lets the fault stand. */
#ifndef NTBOX_LOADER_PE_INSN_H
#define NTBOX_LOADER_PE_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcode maps. */
#define PE_INSN_MAP_ONE 0    /* one-byte opcodes */
#define PE_INSN_MAP_0F 1     /* 0F xx */
#define PE_INSN_MAP_0F38 2   /* 0F 38 xx */
#define PE_INSN_MAP_0F3A 3   /* 0F 3A xx */

/* Register numbers as the encoding has them: 0 rax, 1 rcx, 2 rdx, 3 rbx,
 * 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8..15 r8..r15. */
#define PE_REG_RAX 0
#define PE_REG_RSP 4
#define PE_REG_NONE (-1)

struct pe_insn {
    uint8_t len;
    uint8_t seg;              /* segment override prefix (0x64 fs, 0x65 gs, ...), or 0 */
    bool opsize16;            /* 66 */
    bool addr32;              /* 67 */
    bool lock;                /* F0 */
    uint8_t rep;              /* F2, F3, or 0 */
    uint8_t rex;              /* the REX byte, or 0 */
    uint8_t map;              /* PE_INSN_MAP_* */
    uint8_t opcode;           /* the opcode byte in its map */
    bool has_modrm;
    uint8_t mod;              /* ModRM.mod; 3 is a register operand */
    uint8_t reg;              /* ModRM.reg with REX.R: 0..15 */
    uint8_t rm;               /* ModRM.rm with REX.B (a register when mod is 3) */
    bool memory;              /* a memory operand: ModRM with mod != 3, or a moffs */
    int8_t base, index;       /* its registers, PE_REG_NONE when absent */
    uint8_t scale;            /* 1, 2, 4, 8 */
    bool rip_relative;
    bool moffs;               /* A0-A3: the address is the immediate-sized offset */
    int64_t disp;             /* sign-extended displacement, or the moffs address */
    uint8_t disp_size, disp_offset;
    uint8_t imm_size, imm_offset;
};

/* Decodes the instruction at code (avail bytes readable there) into *in.
 * Returns its length, or 0 when the bytes are not an instruction this
 * decoder knows (or are cut short). */
size_t pe_insn_decode(const uint8_t *code, size_t avail, struct pe_insn *in);

/* A load into a general-purpose register: mov r, m (8A, 8B, A0, A1),
 * movzx/movsx (0F B6, B7, BE, BF), movsxd (63). */
struct pe_load {
    uint8_t src_size;         /* bytes read: 1, 2, 4, 8 */
    uint8_t dst_size;         /* bytes of the register written: 1, 2, 4 (zero-extends to 64), 8 */
    bool sign;                /* sign- rather than zero-extended to dst_size */
    uint8_t reg;              /* the register written (0..15) */
    bool high8;               /* AH, CH, DH or BH: bits 8..15 of register reg */
};

/* Whether in is such a load from memory; fills *ld. */
bool pe_insn_load(const struct pe_insn *in, struct pe_load *ld);

/* Whether in moves from or to a control register (0F 20 / 0F 22): *cr its
 * number (LOCK selects CR8 from CR0, AMD's alternative encoding), *gpr the
 * general-purpose register, *write true for mov crN, reg. */
bool pe_insn_control_register(const struct pe_insn *in, unsigned *cr, unsigned *gpr, bool *write);

#endif
