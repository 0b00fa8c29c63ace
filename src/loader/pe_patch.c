/* loader/pe_patch.c: inline privileged instructions and KUSER_SHARED_DATA
 * addresses rewritten at load time (see pe_patch.h; the code sites jump to
 * is pe_patch_code.c's).
 *
 * Steps: find candidate bytes in each code section (cheap: most drivers
 * have none); decode each function that holds one, from its first byte,
 * collecting the instructions to patch; patch them from the highest address
 * down, so a jump that borrows the first bytes of the next instruction sees
 * them as they will stay. A CR8 or gs site gets, in order of preference:
 *   - a jump in its own bytes, when it has 5 or more;
 *   - a jump whose last bytes are the next instruction's first, when a page
 *     of patch code already lies where that jump lands (a 16 MiB window
 *     for a 4-byte site, fixed by the next byte);
 *   - a jump over it and the instructions after it, which the patch code
 *     performs in their place (a detour), when they can be moved: inside
 *     the function, not RIP-relative, not branches, and no branch of the
 *     code section lands on them (every function is decoded to know);
 *   - the borrowing jump again, with a new page in its window (which may be
 *     taken: pool reservations, libraries);
 *   - else nothing: it faults and ke/emulate.c performs it.
 * The order keeps the pages few (each costs system calls and a page fault
 * at every load): detours share one near the image. x86-64 only, like
 * ntbox. */
#include "loader/pe_patch.h"

#include "ke/kuser.h"
#include "ke/pcr.h"
#include "loader/pe_insn.h"
#include "loader/pe_patch_code.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LDR_PATCH_PAGE 4096u
#define LDR_PATCH_ALIGN 16u
#define LDR_DETOUR_MAX 4              /* instructions moved with a site (2 at most: sites have 3 bytes or more) */
#define LDR_PATCH_CODE_MAX ((LDR_DETOUR_MAX + 1) * LDR_SITE_CODE_MAX + 5)
#define LDR_PATCH_PAGES_MAX 256       /* patch code pages in the process, all images */
#define LDR_PATCH_TRIES 64            /* places tried for a new page in a window */
#define LDR_USER_LOW 0x10000ull
#define LDR_USER_HIGH 0x7FFFFFFFF000ull
#define LDR_REL32_REACH 0x7FFFF000ll  /* what rel32 reaches, less room for the code itself */

bool ldr_patch_enabled = true;

struct ldr_site {
    uint8_t *at;
    enum ldr_site_kind kind;
    unsigned reg;             /* CR8: the general-purpose register */
    struct pe_insn in;
    uint8_t *fn_end;          /* the end of its function */
    bool fn_jump_table;       /* its function jumps through a register or table */
    const uint8_t *code;      /* its patch code, once patched */
};

/* One code region being patched: its functions and sites, and, once a
 * detour needs them, every direct branch target in it. */
struct ldr_region {
    uint8_t *lo, *hi;
    const uint32_t (*funcs)[2];
    size_t nfuncs;
    struct ldr_site *v;
    size_t n, cap;
    const uint8_t **targets;
    size_t ntargets;
    bool targets_known;
    bool targets_partial;     /* a function could not be decoded to its end */
    bool out_of_memory;
};

struct ldr_patch_page {
    uint8_t *base;
    size_t used;
    struct ldr_patch_page *next;
};

struct ldr_patches {
    struct ldr_patch_page *pages;
};

/* Every patch code page of every image, for the fault handler: slots are
 * claimed and cleared atomically and only read there. */
static uintptr_t ldr_patch_page_table[LDR_PATCH_PAGES_MAX];

bool ldr_patch_code_at(const void *pc)
{
    uintptr_t a = (uintptr_t)pc;
    for (int i = 0; i < LDR_PATCH_PAGES_MAX; i++) {
        uintptr_t p = __atomic_load_n(&ldr_patch_page_table[i], __ATOMIC_ACQUIRE);
        if (p && a >= p && a < p + LDR_PATCH_PAGE)
            return true;
    }
    return false;
}

static bool ldr_patch_page_register(uintptr_t page)
{
    for (int i = 0; i < LDR_PATCH_PAGES_MAX; i++) {
        uintptr_t free_slot = 0;
        if (__atomic_compare_exchange_n(&ldr_patch_page_table[i], &free_slot, page, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return true;
    }
    return false;
}

static void ldr_patch_page_unregister(uintptr_t page)
{
    for (int i = 0; i < LDR_PATCH_PAGES_MAX; i++) {
        uintptr_t p = page;
        if (__atomic_compare_exchange_n(&ldr_patch_page_table[i], &p, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return;
    }
}

void ldr_patches_free(struct ldr_patches *patches)
{
    if (!patches)
        return;
    for (struct ldr_patch_page *p = patches->pages, *next; p; p = next) {
        next = p->next;
        ldr_patch_page_unregister((uintptr_t)p->base);
        munmap(p->base, LDR_PATCH_PAGE);
        free(p);
    }
    free(patches);
}

/* --- finding the sites --- */

/* An address in KUSER_SHARED_DATA, or just past it (a loop's end). */
static bool ldr_kuser_address(uint64_t a)
{
    return a - KE_KUSER_ADDRESS <= KE_KUSER_SIZE;
}

static bool ldr_kuser_immediate(uint64_t imm)
{
    return ldr_kuser_address(imm) || ldr_kuser_address(-imm);
}

/* What a KUSER_SHARED_DATA address in an immediate becomes. Compilers also
 * use its negation, to turn a pointer into the page into an offset from
 * another (p - SharedUserData->NtSystemRoot): that is rewritten to match,
 * or the difference would go wrong. */
static uint64_t ldr_kuser_rewrite(uint64_t imm, const uint8_t *page)
{
    if (ldr_kuser_address(imm))
        return (uintptr_t)page + (imm - KE_KUSER_ADDRESS);
    return -((uintptr_t)page + (-imm - KE_KUSER_ADDRESS));
}

static uint64_t ldr_read64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* A gs load the patch code can redo from the KPCR: one address register at
 * most besides the KPCR's, never rsp (the patch code pushes). */
static bool ldr_gs_patchable(const struct pe_insn *in)
{
    struct pe_load ld;
    if (in->seg != 0x65 || in->moffs || in->addr32 || in->rip_relative || !pe_insn_load(in, &ld))
        return false;
    if (in->base == PE_REG_RSP || (in->base != PE_REG_NONE && in->index != PE_REG_NONE))
        return false;
    if (in->base == PE_REG_NONE && in->index == PE_REG_NONE && (in->disp < 0 || in->disp > KE_PCR_SIZE - ld.src_size))
        return false;
    /* AH..BH are only reachable without REX; an index register r8-r15 needs one. */
    return !(ld.high8 && in->index >= 8);
}

/* jmp/call rel8/rel32, jcc, loop, jrcxz: *target where it lands. */
static bool ldr_direct_branch(const struct pe_insn *in, const uint8_t *at, const uint8_t **target)
{
    bool one = in->map == PE_INSN_MAP_ONE, rel8 = one && ((in->opcode & 0xF0) == 0x70 || in->opcode == 0xEB ||
                                                        (in->opcode >= 0xE0 && in->opcode <= 0xE3));
    bool rel32 = (one && (in->opcode == 0xE8 || in->opcode == 0xE9)) ||
                 (in->map == PE_INSN_MAP_0F && (in->opcode & 0xF0) == 0x80);
    if (!rel8 && !rel32)
        return false;
    int32_t rel = rel8 ? (int8_t)at[in->imm_offset] : (int32_t)(uint32_t)(at[in->imm_offset] |
                  (uint32_t)at[in->imm_offset + 1] << 8 | (uint32_t)at[in->imm_offset + 2] << 16 |
                  (uint32_t)at[in->imm_offset + 3] << 24);
    *target = at + in->len + rel;
    return true;
}

/* call or jmp through a register or memory (FF /2 to /5). */
static bool ldr_indirect_branch(const struct pe_insn *in)
{
    return in->map == PE_INSN_MAP_ONE && in->opcode == 0xFF && (in->reg & 7) >= 2 && (in->reg & 7) <= 5;
}

/* jmp through a register or a table (a switch), rather than through the
 * import address table (jmp [rip+X]): its targets are unknown. */
static bool ldr_jump_table(const struct pe_insn *in)
{
    return ldr_indirect_branch(in) && (in->reg & 6) == 4 && !in->rip_relative;
}

static void ldr_site_add(struct ldr_region *r, uint8_t *at, enum ldr_site_kind kind, unsigned reg,
                         const struct pe_insn *in, uint8_t *fn_end)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        struct ldr_site *v = realloc(r->v, cap * sizeof *v);
        if (!v) {
            r->out_of_memory = true;
            return;
        }
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = (struct ldr_site){ at, kind, reg, *in, fn_end, false, NULL };
}

/* Decodes one function from its start, collecting what is to be patched. */
static void ldr_scan_function(struct ldr_region *r, uint8_t *start, uint8_t *end, struct ldr_patch_counts *counts)
{
    struct pe_insn in;
    unsigned cr, gpr;
    bool write, jump_table = false;
    size_t first = r->n;

    for (uint8_t *p = start; p < end; p += in.len) {
        if (!pe_insn_decode(p, (size_t)(end - p), &in))
            break; /* not an instruction this decoder knows: stop rather than guess */
        jump_table |= ldr_jump_table(&in);
        if (pe_insn_control_register(&in, &cr, &gpr, &write) && cr == 8) {
            counts->cr8++;
            ldr_site_add(r, p, write ? LDR_SITE_CR8_WRITE : LDR_SITE_CR8_READ, gpr, &in, end);
        } else if (in.seg == 0x65) {
            counts->gs++;
            if (ldr_gs_patchable(&in))
                ldr_site_add(r, p, LDR_SITE_GS, 0, &in, end);
            else
                counts->left++;
        } else if (in.map == PE_INSN_MAP_ONE && in.imm_size == 8 && (in.opcode & 0xF8) == 0xB8 &&
                   ldr_kuser_immediate(ldr_read64(p + in.imm_offset))) {
            counts->kuser++;
            ldr_site_add(r, p, LDR_SITE_KUSER, 0, &in, end);
        } else if (in.moffs && in.disp_size == 8 && (uint64_t)in.disp - KE_KUSER_ADDRESS < KE_KUSER_SIZE) {
            counts->kuser++;
            if (in.opcode == 0xA0 || in.opcode == 0xA1)
                ldr_site_add(r, p, LDR_SITE_KUSER, 0, &in, end);
            else
                counts->left++; /* a store: it faults, as writing the read-only page would */
        }
    }
    for (size_t i = first; i < r->n; i++)
        r->v[i].fn_jump_table = jump_table;
}

/* Where the bytes that can begin a site are: 0F 20 / 0F 22, a gs prefix,
 * or the upper half of a KUSER_SHARED_DATA address (80 F7 FF FF) or of its
 * negation (80 08 00 00 or 7F 08 00 00). */
static bool ldr_candidate(const uint8_t *p, const uint8_t *hi)
{
    if (*p == 0x65)
        return true;
    if (hi - p >= 2 && p[0] == 0x0F && (p[1] == 0x20 || p[1] == 0x22))
        return true;
    if (hi - p < 4)
        return false;
    return (p[0] == 0x80 && p[1] == 0xF7 && p[2] == 0xFF && p[3] == 0xFF) ||
           ((p[0] == 0x80 || p[0] == 0x7F) && p[1] == 0x08 && p[2] == 0 && p[3] == 0);
}

static bool ldr_has_candidate(const uint8_t *start, const uint8_t *end, const uint8_t *hi)
{
    for (const uint8_t *p = start; p < end; p++)
        if (ldr_candidate(p, hi))
            return true;
    return false;
}

/* --- branch targets, for detours --- */

static int ldr_address_order(const void *a, const void *b)
{
    const uint8_t *x = *(const uint8_t *const *)a, *y = *(const uint8_t *const *)b;
    return (x > y) - (x < y);
}

static void ldr_target_add(struct ldr_region *r, const uint8_t *target, size_t *cap)
{
    if (target < r->lo || target >= r->hi)
        return;
    if (r->ntargets == *cap) {
        size_t n = *cap ? 2 * *cap : 256;
        const uint8_t **v = realloc(r->targets, n * sizeof *v);
        if (!v) {
            r->out_of_memory = true;
            return;
        }
        r->targets = v;
        *cap = n;
    }
    r->targets[r->ntargets++] = target;
}

/* Every direct branch target in the region, from all its functions: a cold
 * part split from a function jumps back into the middle of it. */
static void ldr_collect_targets(struct ldr_region *r)
{
    size_t cap = 0;
    struct pe_insn in;
    const uint8_t *target;

    r->targets_known = true;
    for (size_t f = 0; f < r->nfuncs; f++) {
        uint8_t *p = r->lo + r->funcs[f][0], *end = r->lo + r->funcs[f][1];
        for (; p < end && pe_insn_decode(p, (size_t)(end - p), &in); p += in.len)
            if (ldr_direct_branch(&in, p, &target))
                ldr_target_add(r, target, &cap);
        r->targets_partial |= p < end;
    }
    if (r->ntargets) /* targets is NULL when there are none, which qsort may not be given */
        qsort(r->targets, r->ntargets, sizeof *r->targets, ldr_address_order);
}

/* Whether a branch may land at p; when not every branch is known, yes. */
static bool ldr_is_target(struct ldr_region *r, const uint8_t *p)
{
    if (!r->targets_known)
        ldr_collect_targets(r);
    return r->out_of_memory || r->targets_partial ||
           (r->ntargets && bsearch(&p, r->targets, r->ntargets, sizeof *r->targets, ldr_address_order));
}

static int ldr_site_order(const void *a, const void *b)
{
    const uint8_t *x = ((const struct ldr_site *)a)->at, *y = ((const struct ldr_site *)b)->at;
    return (x < y) - (x > y); /* highest address first */
}

static struct ldr_site *ldr_site_find(struct ldr_region *r, const uint8_t *at)
{
    struct ldr_site key = { .at = (uint8_t *)at };
    return bsearch(&key, r->v, r->n, sizeof *r->v, ldr_site_order);
}

/* The instructions a detour of site a moves into its patch code, until the
 * jump's 5 bytes are covered: each inside the function (one without jump
 * tables, whose targets are unknown), not a branch target, and either an
 * instruction that runs the same anywhere or a CR8 or gs site not patched
 * (its code goes in instead). A site already patched ends the list: the
 * detour's code goes on with that site's (*chain). Returns how many were
 * moved, -1 when no detour can be made, and where the moved bytes end. */
static int ldr_detour_plan(struct ldr_region *r, const struct ldr_site *a, const struct ldr_site **moved,
                           struct pe_insn *insns, uint8_t **end, const uint8_t **chain)
{
    const uint8_t *target;
    uint8_t *p = a->at + a->in.len;
    int n = 0;

    *chain = NULL;
    if (a->fn_jump_table)
        return -1;
    for (; p < a->at + 5 && !*chain; n++) {
        if (n == LDR_DETOUR_MAX || p >= a->fn_end || ldr_is_target(r, p))
            return -1;
        moved[n] = ldr_site_find(r, p);
        if (moved[n] && moved[n]->kind == LDR_SITE_KUSER)
            moved[n] = NULL; /* rewritten in place: it moves as it is */
        if (moved[n] && moved[n]->code) {
            *chain = moved[n]->code;
            break;
        }
        if (moved[n]) {
            insns[n] = moved[n]->in;
        } else if (!pe_insn_decode(p, (size_t)(a->fn_end - p), &insns[n]) || insns[n].rip_relative ||
                   ldr_direct_branch(&insns[n], p, &target) || ldr_indirect_branch(&insns[n])) {
            return -1;
        }
        p += insns[n].len;
    }
    *end = p;
    return n;
}

/* --- patch code pages --- */

/* A new page at addr exactly, or NULL when that place is taken. */
static struct ldr_patch_page *ldr_page_at(struct ldr_patches *patches, uintptr_t addr)
{
    uint8_t *p = mmap((void *)addr, LDR_PATCH_PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    struct ldr_patch_page *page = (uintptr_t)p == addr ? calloc(1, sizeof *page) : NULL;
    if (!page || !ldr_patch_page_register(addr)) {
        munmap(p, LDR_PATCH_PAGE);
        free(page);
        return NULL;
    }
    page->base = p;
    page->next = patches->pages;
    patches->pages = page;
    return page;
}

/* Room for LDR_PATCH_CODE_MAX bytes of patch code starting in [lo, hi]:
 * in a page already made, or, when new_page allows, in a new one, tried at
 * places spread over the window, nearest `near` first, alternately after
 * and before it. The caller gives back what it did not use
 * (ldr_patch_used). */
static uint8_t *ldr_patch_space(struct ldr_patches *patches, uint64_t lo, uint64_t hi, uint64_t near, bool new_page,
                                struct ldr_patch_page **page)
{
    const uint64_t mask = LDR_PATCH_PAGE - 1;
    for (struct ldr_patch_page *p = patches->pages; p; p = p->next) {
        uint64_t at = ((uintptr_t)p->base + p->used + LDR_PATCH_ALIGN - 1) & ~(uint64_t)(LDR_PATCH_ALIGN - 1);
        if (at >= lo && at <= hi && at + LDR_PATCH_CODE_MAX <= (uintptr_t)p->base + LDR_PATCH_PAGE) {
            *page = p;
            return (uint8_t *)(uintptr_t)at;
        }
    }
    if (!new_page)
        return NULL;
    lo = lo < LDR_USER_LOW ? LDR_USER_LOW : (lo + mask) & ~mask;
    hi = hi > LDR_USER_HIGH ? LDR_USER_HIGH : hi & ~mask;
    if (lo > hi)
        return NULL;
    uint64_t step = ((hi - lo) / LDR_PATCH_TRIES) & ~mask;
    if (step < LDR_PATCH_PAGE)
        step = LDR_PATCH_PAGE;
    uint64_t first = near < lo ? lo : near > hi ? hi : near & ~mask;
    for (unsigned i = 0; i < 2 * LDR_PATCH_TRIES; i++) {
        uint64_t k = (i + 1) / 2 * step;
        bool before = i % 2;
        if (before ? first - lo < k : hi - first < k)
            continue;
        if ((*page = ldr_page_at(patches, before ? first - k : first + k)))
            return (*page)->base;
    }
    return NULL;
}

static void ldr_patch_used(struct ldr_patch_page *page, const struct ldr_emit *e)
{
    page->used = (size_t)(e->p - page->base);
}

/* The window of a jump over the whole site or a detour: anywhere rel32
 * reaches. */
static uint8_t *ldr_space_near(struct ldr_patches *patches, const uint8_t *at, uint64_t near,
                               struct ldr_patch_page **page)
{
    uint64_t next = (uintptr_t)at + 5;
    return ldr_patch_space(patches, next - LDR_REL32_REACH, next + LDR_REL32_REACH, near, true, page);
}

/* A site shorter than 5 bytes keeps the bytes after it, which fix the top
 * bytes of rel32 and so the window its code must start in. */
static uint8_t *ldr_space_borrowing(struct ldr_patches *patches, const struct ldr_site *s, const uint8_t *hi,
                                    uint64_t near, bool new_page, struct ldr_patch_page **page)
{
    unsigned len = s->in.len, shift = 8 * (len - 1);
    uint32_t fixed = 0;
    if (len < 3 || hi - s->at < 5)
        return NULL;
    for (unsigned i = len; i < 5; i++)
        fixed |= (uint32_t)s->at[i] << (8 * (i - 1));
    int64_t base = (int32_t)fixed;
    if (base < -LDR_REL32_REACH || base + (1ll << shift) > LDR_REL32_REACH)
        return NULL; /* the jump back would not reach */
    uint64_t lo = (uintptr_t)s->at + 5 + (uint64_t)base;
    return ldr_patch_space(patches, lo, lo + ((1ull << shift) - 1), near, new_page, page);
}

/* jmp rel32 at the site: its bytes up to `keep` (the borrowed ones stay),
 * int3 from the jump's end to `end`. */
static void ldr_write_jump(uint8_t *at, const uint8_t *code, const uint8_t *keep, uint8_t *end)
{
    uint32_t rel = (uint32_t)(code - (at + 5));
    at[0] = 0xE9;
    for (unsigned i = 1; i < 5 && at + i < keep; i++)
        at[i] = (uint8_t)(rel >> (8 * (i - 1)));
    for (uint8_t *p = at + 5; p < end; p++)
        *p = 0xCC;
}

/* Patch code for the site, in the order the file's comment gives. */
static bool ldr_patch_site(struct ldr_region *r, struct ldr_site *s, struct ldr_patches *patches, uint64_t near)
{
    struct ldr_patch_page *page;
    const struct ldr_site *moved[LDR_DETOUR_MAX];
    struct pe_insn insns[LDR_DETOUR_MAX];
    const uint8_t *chain = NULL;
    uint8_t *at = s->at, *end = at + s->in.len, *code;
    int n = -1;

    if (s->in.len >= 5)
        code = ldr_space_near(patches, at, near, &page);
    else if (!(code = ldr_space_borrowing(patches, s, r->hi, near, false, &page)) &&
             (n = ldr_detour_plan(r, s, moved, insns, &end, &chain)) >= 0)
        code = ldr_space_near(patches, at, near, &page);
    else if (!code)
        code = ldr_space_borrowing(patches, s, r->hi, near, true, &page);
    if (!code)
        return false;
    struct ldr_emit e = { code };
    ldr_emit_site(&e, s->kind, &s->in, s->reg, at);
    for (int i = 0, off = s->in.len; i < n; off += insns[i].len, i++) {
        if (moved[i])
            ldr_emit_site(&e, moved[i]->kind, &moved[i]->in, moved[i]->reg, moved[i]->at);
        else
            ldr_emit_bytes(&e, at + off, insns[i].len);
    }
    ldr_emit_jmp(&e, chain ? chain : end);
    ldr_patch_used(page, &e);
    ldr_write_jump(at, code, n >= 0 ? at + 5 : end, end);
    s->code = code;
    return true;
}

static bool ldr_patch_sites(struct ldr_region *r, uint64_t near, struct ldr_patches **patches,
                            struct ldr_patch_counts *counts)
{
    if (!r->n)
        return true;
    if (!*patches && !(*patches = calloc(1, sizeof **patches)))
        return false;
    qsort(r->v, r->n, sizeof *r->v, ldr_site_order);
    const uint8_t *kuser = NULL;
    for (size_t i = 0; i < r->n; i++) {
        struct ldr_site *site = &r->v[i];
        if (i && site->at == r->v[i - 1].at) {
            site->code = r->v[i - 1].code; /* listed by two overlapping function entries */
            continue;
        }
        if (site->kind == LDR_SITE_KUSER) {
            if (!kuser && !(kuser = ke_kuser_page())) {
                counts->left++;
                continue;
            }
            unsigned offset = site->in.moffs ? site->in.disp_offset : site->in.imm_offset;
            uint64_t target = ldr_kuser_rewrite(ldr_read64(site->at + offset), kuser);
            memcpy(site->at + offset, &target, sizeof target);
        } else if (!ldr_patch_site(r, site, *patches, near)) {
            counts->left++;
        }
    }
    for (struct ldr_patch_page *p = (*patches)->pages; p; p = p->next)
        mprotect(p->base, LDR_PATCH_PAGE, PROT_READ | PROT_EXEC);
    return !r->out_of_memory;
}

/* Patch code pages are made executable once filled; more patching writes
 * to them again. */
static void ldr_patches_writable(struct ldr_patches *patches)
{
    for (struct ldr_patch_page *p = patches ? patches->pages : NULL; p; p = p->next)
        mprotect(p->base, LDR_PATCH_PAGE, PROT_READ | PROT_WRITE);
}

bool ldr_patch_region(uint8_t *lo, uint8_t *hi, const uint32_t (*funcs)[2], size_t nfuncs,
                      struct ldr_patches **patches, struct ldr_patch_counts *counts)
{
    struct ldr_region r = { .lo = lo, .hi = hi, .funcs = funcs, .nfuncs = nfuncs };
    if (!ldr_has_candidate(lo, hi, hi))
        return true;
    for (size_t i = 0; i < nfuncs; i++) {
        uint8_t *start = lo + funcs[i][0], *end = lo + funcs[i][1];
        if (funcs[i][0] < funcs[i][1] && end <= hi && ldr_has_candidate(start, end, hi))
            ldr_scan_function(&r, start, end, counts);
    }
    ldr_patches_writable(*patches);
    uint64_t near = ((uintptr_t)hi + LDR_PATCH_PAGE - 1) & ~(uint64_t)(LDR_PATCH_PAGE - 1);
    bool ok = !r.out_of_memory && ldr_patch_sites(&r, near, patches, counts);
    free(r.v);
    free(r.targets);
    return ok;
}

/* The functions of the code section [rva, end) from .pdata (RUNTIME_FUNCTION:
 * BeginAddress, EndAddress, UnwindInfo), or the whole section when the
 * image lists none there. */
static size_t ldr_section_functions(const struct pe_file *pe, const struct pe_image *img, uint32_t rva, uint32_t end,
                                    uint32_t (**out)[2])
{
    const struct pe_dir *dir = &pe->dir[PE_DIR_EXCEPTION];
    size_t n = 0, count = pe_image_has(img, dir->rva, dir->size) ? dir->size / 12 : 0;
    uint32_t (*f)[2] = malloc((count ? count : 1) * sizeof *f);

    if (!f)
        return 0;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *e = img->base + dir->rva + 12 * i;
        uint32_t begin = pe_rd32(e), stop = pe_rd32(e + 4);
        if (begin >= rva && begin < stop && stop <= end) {
            f[n][0] = begin - rva;
            f[n][1] = stop - rva;
            n++;
        }
    }
    if (!n) {
        f[0][0] = 0;
        f[0][1] = end - rva;
        n = 1;
    }
    *out = f;
    return n;
}

bool ldr_patch_image(const struct pe_file *pe, struct pe_image *img, struct ldr_patches **patches,
                     struct ldr_patch_counts *counts, char *err, size_t errn)
{
    memset(counts, 0, sizeof *counts);
    *patches = NULL;
    for (unsigned i = 0; i < pe->nsections; i++) {
        const struct pe_section *sec = &pe->sections[i];
        if (!(sec->characteristics & PE_SCN_MEM_EXECUTE) || !sec->vsize || !pe_image_has(img, sec->rva, sec->vsize))
            continue;
        uint32_t (*funcs)[2] = NULL;
        size_t n = ldr_section_functions(pe, img, sec->rva, sec->rva + sec->vsize, &funcs);
        bool ok = funcs && ldr_patch_region(img->base + sec->rva, img->base + sec->rva + sec->vsize,
                                            (const uint32_t(*)[2])funcs, n, patches, counts);
        free(funcs);
        if (!ok)
            return pe_fail(err, errn, "out of memory patching the image's inline privileged instructions");
    }
    return true;
}
