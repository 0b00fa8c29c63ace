/* loader/pe_patch.h: what compiled x64 drivers execute that a user process
 * may not, rewritten at load time into code that runs at full speed.
 *
 * The WDK's and mingw-w64's amd64 headers inline three things:
 *   - `mov reg, cr8` / `mov cr8, reg` (KeGetCurrentIrql, KeRaiseIrql,
 *     KeLowerIrql): each becomes a jump to a few instructions that read or
 *     write the thread's IRQL byte through the fs base (ke/cr8.h);
 *   - gs-relative loads (KeGetCurrentThread's `mov rax, gs:[0x188]`,
 *     KeGetPcr, KeGetCurrentProcessorNumber): each becomes a jump to a load
 *     from the thread's KPCR (ke/pcr.h);
 *   - the address of KUSER_SHARED_DATA, 0xFFFFF78000000000, as the 64-bit
 *     immediate of `mov reg, imm64` or `mov rax, [moffs64]`: it is replaced
 *     by the address of ntbox's live copy (ke/kuser.h), in place.
 * Only instructions met by decoding each function from its start (the
 * image's .pdata table, or each code section from its start when there is
 * none) are patched, never byte patterns that merely look like one. What is
 * not patched still works: it faults, and ke/emulate.c performs it.
 *
 * A jump needs 5 bytes and `mov reg, cr8` has 4: either the jump's last
 * byte is left as it is (the first byte of the next instruction, which
 * still runs unchanged when jumped to) and the patch code placed where the
 * jump with that top byte lands, within a 16 MiB window 16 MiB times that
 * byte away; or the jump also covers the next instruction, which the patch
 * code then performs (when no branch lands on it). Patch code pages live
 * outside the image, within a jump's reach; the other registers and the
 * flags the compiler may rely on are preserved (mov to and from CR8 leaves
 * the arithmetic flags undefined, so only the CR8 code uses them). */
#ifndef NTBOX_LOADER_PE_PATCH_H
#define NTBOX_LOADER_PE_PATCH_H

#include "loader/pe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the loader patches images (default true): tests and the
 * benchmark turn it off to run the fault path instead. */
extern bool ldr_patch_enabled;

/* How many instructions were found, by kind, and how many of them were
 * left to the fault path (no room for patch code, or a form not patched). */
struct ldr_patch_counts {
    unsigned cr8, gs, kuser;
    unsigned left;
};

/* An image's patch code pages. */
struct ldr_patches;

/* Patches the mapped image's code sections (while they are writable, before
 * pe_protect); *patches receives the patch code (free with
 * ldr_patches_free), *counts what was found. False only when memory runs
 * out, with err saying so; the image is then unchanged or wholly patched
 * site by site, and runs either way. */
bool ldr_patch_image(const struct pe_file *pe, struct pe_image *img, struct ldr_patches **patches,
                     struct ldr_patch_counts *counts, char *err, size_t errn);

/* The same for code outside an image: [lo, hi) a writable code region,
 * funcs[i][0] to funcs[i][1] its functions' offsets from lo. Adds to
 * *patches and *counts. */
bool ldr_patch_region(uint8_t *lo, uint8_t *hi, const uint32_t (*funcs)[2], size_t nfuncs,
                      struct ldr_patches **patches, struct ldr_patch_counts *counts);

void ldr_patches_free(struct ldr_patches *patches);

/* Whether pc lies in patch code (the fault handler's question). */
bool ldr_patch_code_at(const void *pc);

#endif
