/* loader/pe_patch_code.h: the machine code a patched site jumps to
 * (pe_patch_code.c): for each kind of site, instructions that do what the
 * site's instruction would, through the thread pointer (fs) rather than
 * CR8 or gs, falling through at the end so that several can follow one
 * another; then a jump back. */
#ifndef NTBOX_LOADER_PE_PATCH_CODE_H
#define NTBOX_LOADER_PE_PATCH_CODE_H

#include "loader/pe_insn.h"

#include <stddef.h>
#include <stdint.h>

enum ldr_site_kind { LDR_SITE_CR8_READ, LDR_SITE_CR8_WRITE, LDR_SITE_GS, LDR_SITE_KUSER };

/* The most one site's code takes (a CR8 write with its report path). */
#define LDR_SITE_CODE_MAX 48u

struct ldr_emit {
    uint8_t *p;
};

/* What the site's instruction `in`, at `at`, does: `reg` is a CR8 move's
 * general-purpose register. */
void ldr_emit_site(struct ldr_emit *e, enum ldr_site_kind kind, const struct pe_insn *in, unsigned reg,
                   const uint8_t *at);

void ldr_emit_bytes(struct ldr_emit *e, const uint8_t *bytes, size_t n);

/* jmp rel32 to target (which the caller made sure it reaches). */
void ldr_emit_jmp(struct ldr_emit *e, const uint8_t *target);

#endif
