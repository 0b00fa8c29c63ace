/* loader/pe_patch_code.c: the code patched sites jump to (see
 * pe_patch_code.h). Every sequence keeps every register but the
 * instruction's destination; the gs loads keep the flags too (CR8 moves
 * leave the arithmetic flags undefined, so their code may use them). */
#include "loader/pe_patch_code.h"

#include "ke/cr8.h"
#include "ke/pcr.h"

#include <string.h>

static void ldr_e8(struct ldr_emit *e, unsigned b)
{
    *e->p++ = (uint8_t)b;
}

static void ldr_e32(struct ldr_emit *e, uint32_t v)
{
    memcpy(e->p, &v, 4);
    e->p += 4;
}

static void ldr_e64(struct ldr_emit *e, uint64_t v)
{
    memcpy(e->p, &v, 8);
    e->p += 8;
}

void ldr_emit_bytes(struct ldr_emit *e, const uint8_t *bytes, size_t n)
{
    memcpy(e->p, bytes, n);
    e->p += n;
}

void ldr_emit_jmp(struct ldr_emit *e, const uint8_t *target)
{
    ldr_e8(e, 0xE9);
    ldr_e32(e, (uint32_t)(target - (e->p + 4)));
}

/* An fs-relative operand: ModRM (mod 00, rm 100) and SIB (no base, no
 * index), then the 32-bit offset from the thread pointer. */
static void ldr_emit_fs_operand(struct ldr_emit *e, unsigned reg, intptr_t offset)
{
    ldr_e8(e, 0x04 | (reg & 7) << 3);
    ldr_e8(e, 0x25);
    ldr_e32(e, (uint32_t)offset);
}

/* movzx r32, byte fs:[IRQL] */
static void ldr_emit_cr8_read(struct ldr_emit *e, unsigned reg)
{
    ldr_e8(e, 0x64);
    if (reg >= 8)
        ldr_e8(e, 0x44);
    ldr_e8(e, 0x0F);
    ldr_e8(e, 0xB6);
    ldr_emit_fs_operand(e, reg, ke_cr8_tls_offset());
}

/* cmp r64, 15; jbe ok;
 *   the report, entered as if called from the instruction's end (`back`),
 *   so the backtrace goes on into the driver: mov rdi, r64; mov rsi, back;
 *   and rsp, -16; push rsi; mov rax, ke_cr8_write_invalid; jmp rax
 * ok: mov byte fs:[IRQL], r8 */
static void ldr_emit_cr8_write(struct ldr_emit *e, unsigned reg, const uint8_t *back)
{
    ldr_e8(e, 0x48 | (reg >= 8 ? 1 : 0));
    ldr_e8(e, 0x83);
    ldr_e8(e, 0xF8 | (reg & 7));
    ldr_e8(e, 0x0F);
    ldr_e8(e, 0x76);
    uint8_t *jbe = e->p++;
    uint8_t *bad = e->p;
    ldr_e8(e, 0x48 | (reg >= 8 ? 4 : 0));
    ldr_e8(e, 0x89);
    ldr_e8(e, 0xC7 | (reg & 7) << 3);
    ldr_e8(e, 0x48);
    ldr_e8(e, 0xBE);
    ldr_e64(e, (uintptr_t)back);
    ldr_e8(e, 0x48), ldr_e8(e, 0x83), ldr_e8(e, 0xE4), ldr_e8(e, 0xF0);
    ldr_e8(e, 0x56);
    ldr_e8(e, 0x48);
    ldr_e8(e, 0xB8);
    ldr_e64(e, (uintptr_t)ke_cr8_write_invalid);
    ldr_e8(e, 0xFF), ldr_e8(e, 0xE0);
    *jbe = (uint8_t)(e->p - bad);
    ldr_e8(e, 0x64);
    if (reg >= 4)
        ldr_e8(e, 0x40 | (reg >= 8 ? 4 : 0)); /* spl..dil and r8b..r15b need REX */
    ldr_e8(e, 0x88);
    ldr_emit_fs_operand(e, reg, ke_cr8_tls_offset());
}

/* push t; mov t, fs:[KPCR pointer]; the load, its address now relative to
 * t; pop t. t is one of rax..rbx the load does not use. A thread without a
 * KPCR loads t = 0 and faults once on the load; ke/emulate.c then makes
 * the KPCR and runs the load again. */
static void ldr_emit_gs_load(struct ldr_emit *e, const struct pe_insn *in)
{
    struct pe_load ld;
    pe_insn_load(in, &ld);
    unsigned t = 0;
    while (t == ld.reg || (int)t == in->base || (int)t == in->index)
        t++;
    ldr_e8(e, 0x50 + t);
    ldr_e8(e, 0x64);
    ldr_e8(e, 0x48);
    ldr_e8(e, 0x8B);
    ldr_emit_fs_operand(e, t, ke_pcr_tls_offset());

    int index = in->base != PE_REG_NONE ? in->base : in->index;
    unsigned scale = in->base != PE_REG_NONE ? 1 : in->scale;
    unsigned rex = (in->rex & 0x0C) | (index >= 8 ? 2 : 0);
    if (in->opsize16)
        ldr_e8(e, 0x66);
    if (in->rex || rex)
        ldr_e8(e, 0x40 | rex);
    if (in->map == PE_INSN_MAP_0F)
        ldr_e8(e, 0x0F);
    ldr_e8(e, in->opcode);
    if (index == PE_REG_NONE) {
        ldr_e8(e, 0x80 | (in->reg & 7) << 3 | t);
    } else {
        ldr_e8(e, 0x84 | (in->reg & 7) << 3);
        ldr_e8(e, (unsigned)(__builtin_ctz(scale) << 6) | (index & 7) << 3 | t);
    }
    ldr_e32(e, (uint32_t)in->disp);
    ldr_e8(e, 0x58 + t);
}

void ldr_emit_site(struct ldr_emit *e, enum ldr_site_kind kind, const struct pe_insn *in, unsigned reg,
                   const uint8_t *at)
{
    if (kind == LDR_SITE_CR8_READ)
        ldr_emit_cr8_read(e, reg);
    else if (kind == LDR_SITE_CR8_WRITE)
        ldr_emit_cr8_write(e, reg, at + in->len);
    else
        ldr_emit_gs_load(e, in);
}
