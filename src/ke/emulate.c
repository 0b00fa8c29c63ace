/* ke/emulate.c: privileged and kernel-address instructions, emulated when
 * they fault (see emulate.h). */
#include "ke/emulate.h"

#include "base/safe_read.h"
#include "ke/cr8.h"
#include "ke/irql.h"
#include "ke/kuser.h"
#include "ke/pcr.h"
#include "loader/module.h"
#include "loader/pe_insn.h"
#include "loader/pe_patch.h"

#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#define KE_INSN_MAX 15
#define KE_PAGE 4096u

/* The encoding's register numbers as ucontext's indexes. */
static const int ke_greg[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* The instruction bytes at pc: 15, or up to the end of its page when the
 * next page cannot be read. */
static size_t ke_fetch(const uint8_t *pc, uint8_t *code)
{
    if (safe_read(pc, code, KE_INSN_MAX))
        return KE_INSN_MAX;
    size_t n = KE_PAGE - ((uintptr_t)pc & (KE_PAGE - 1));
    return n < KE_INSN_MAX && safe_read(pc, code, n) ? n : 0;
}

static uint64_t ke_address(const struct pe_insn *in, const greg_t *g)
{
    uint64_t a = (uint64_t)in->disp;
    if (in->rip_relative)
        a += (uint64_t)g[REG_RIP] + in->len;
    if (in->base != PE_REG_NONE)
        a += (uint64_t)g[ke_greg[in->base]];
    if (in->index != PE_REG_NONE)
        a += (uint64_t)g[ke_greg[in->index]] * in->scale;
    return in->addr32 ? (uint32_t)a : a;
}

/* Writes a loaded value into its register as the instruction would: a
 * 32-bit destination clears the upper half, 8- and 16-bit ones keep the
 * rest of the register. */
static void ke_load_into(greg_t *g, const struct pe_load *ld, const uint8_t *bytes)
{
    uint64_t v = 0;
    for (unsigned i = ld->src_size; i-- > 0;)
        v = v << 8 | bytes[i];
    unsigned shift = 64 - 8 * ld->src_size;
    if (ld->sign && shift)
        v = (uint64_t)((int64_t)(v << shift) >> shift);
    uint64_t *r = (uint64_t *)&g[ke_greg[ld->reg]];
    switch (ld->dst_size) {
    case 1:
        if (ld->high8)
            *r = (*r & ~0xFF00ull) | (v & 0xFF) << 8;
        else
            *r = (*r & ~0xFFull) | (v & 0xFF);
        break;
    case 2:
        *r = (*r & ~0xFFFFull) | (v & 0xFFFF);
        break;
    case 4:
        *r = (uint32_t)v;
        break;
    default:
        *r = v;
    }
}

/* A patched gs load on a thread without a KPCR read through the thread's
 * KPCR pointer, 0: make the KPCR and let the load run again. */
static bool ke_first_gs_access(const struct pe_insn *in, greg_t *g)
{
    if (ke_pcr_if_created() || !in->memory || in->base == PE_REG_NONE || g[ke_greg[in->base]] != 0)
        return false;
    uint8_t *pcr = ke_pcr_current();
    if (!pcr)
        return false;
    g[ke_greg[in->base]] = (greg_t)(uintptr_t)pcr;
    return true;
}

static bool ke_emulate_cr8(const struct pe_insn *in, greg_t *g, const uint8_t *pc)
{
    unsigned cr, gpr;
    bool write;
    if (!pe_insn_control_register(in, &cr, &gpr, &write) || cr != 8)
        return false;
    if (write)
        ke_cr8_write((uint64_t)g[ke_greg[gpr]], pc + in->len);
    else
        g[ke_greg[gpr]] = (greg_t)ke_irql_get();
    return true;
}

/* A load from the KPCR through gs, or from KUSER_SHARED_DATA. */
static bool ke_emulate_load(const struct pe_insn *in, greg_t *g)
{
    struct pe_load ld;
    uint8_t bytes[8];
    if (!pe_insn_load(in, &ld))
        return false;
    uint64_t a = ke_address(in, g);
    if (in->seg == 0x65) {
        const uint8_t *pcr = ke_pcr_current();
        if (!pcr || a > KE_PCR_SIZE - ld.src_size)
            return false;
        memcpy(bytes, pcr + a, ld.src_size);
    } else if (in->seg == 0x64 || a - KE_KUSER_ADDRESS >= KE_KUSER_SIZE ||
               !ke_kuser_read(a - KE_KUSER_ADDRESS, bytes, ld.src_size)) {
        return false;
    }
    ke_load_into(g, &ld, bytes);
    return true;
}

bool ke_emulate_fault(int sig, siginfo_t *si, void *context)
{
    ucontext_t *uc = context;
    greg_t *g = uc->uc_mcontext.gregs;
    const uint8_t *pc = (const uint8_t *)g[REG_RIP];
    uint8_t code[KE_INSN_MAX];
    struct pe_insn in;

    if (sig != SIGSEGV)
        return false;
    bool patch_code = ldr_patch_code_at(pc);
    if (!patch_code && !ldr_module_at(pc))
        return false;
    size_t n = ke_fetch(pc, code);
    if (!n || !pe_insn_decode(code, n, &in))
        return false;
    if (patch_code && ke_first_gs_access(&in, g))
        return true;
    if (si->si_code == SI_KERNEL ? !ke_emulate_cr8(&in, g, pc) : !ke_emulate_load(&in, g))
        return false;
    g[REG_RIP] += in.len;
    return true;
}
