/* tests/loader/test_pe_patch.c: inline privileged instructions, patched at
 * load time (loader/pe_patch.c) and emulated when they fault
 * (ke/emulate.c), checked instruction by instruction: each runs inside a
 * harness that loads every register and the flags from a table, executes
 * it, and stores them all back, so a test sees exactly what it changed.
 * Every case runs twice, patched and on the fault path, with the same
 * expectations. */
#include "ktest.h"

#include "ke/irql.h"
#include "ke/kuser.h"
#include "ke/pcr.h"
#include "loader/module.h"
#include "loader/pe_patch.h"
#include "rtl/version.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define KT_CODE_SIZE 0x1000
#define KT_FLAGS_IN 0x8C3      /* CF, ZF, SF, OF and the always-set bit 1 */
#define KT_ARITH_FLAGS 0x8D5   /* CF PF AF ZF SF OF */
#define KT_REG_RSP 4
#define KT_REG_RDI 7

struct kt_regs {
    uint64_t r[16];
    uint64_t flags;
};

struct kt_code {
    uint8_t *p;
};

static void kt_b(struct kt_code *c, unsigned b)
{
    *c->p++ = (uint8_t)b;
}

static void kt_d32(struct kt_code *c, uint32_t v)
{
    memcpy(c->p, &v, 4);
    c->p += 4;
}

/* mov r64, [rdi + disp32] (load) or mov [rdi + disp32], r64 (store) */
static void kt_move(struct kt_code *c, unsigned opcode, unsigned r, unsigned disp)
{
    kt_b(c, 0x48 | (r >= 8 ? 4 : 0));
    kt_b(c, opcode);
    kt_b(c, 0x87 | (r & 7) << 3);
    kt_d32(c, disp);
}

/* The harness, a System V function of a struct kt_regs *: callee-saved
 * registers and the table pointer kept on the stack, flags and registers
 * (but rsp) loaded, the instruction, everything stored back. */
static size_t kt_emit_harness(uint8_t *p, const uint8_t *insn, size_t n, size_t *insn_offset)
{
    struct kt_code c = { p };
    static const uint8_t prologue[] = { 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, 0x57 };
    static const uint8_t epilogue[] = { 0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3 };

    memcpy(c.p, prologue, sizeof prologue), c.p += sizeof prologue;
    kt_move(&c, 0x8B, 0, offsetof(struct kt_regs, flags));
    kt_b(&c, 0x50), kt_b(&c, 0x9D);                             /* push rax; popfq */
    for (unsigned r = 0; r < 16; r++)
        if (r != KT_REG_RSP && r != KT_REG_RDI)
            kt_move(&c, 0x8B, r, 8 * r);
    kt_move(&c, 0x8B, KT_REG_RDI, 8 * KT_REG_RDI);
    *insn_offset = (size_t)(c.p - p);
    memcpy(c.p, insn, n), c.p += n;
    kt_b(&c, 0x48), kt_b(&c, 0x87), kt_b(&c, 0x3C), kt_b(&c, 0x24); /* xchg rdi, [rsp] */
    for (unsigned r = 0; r < 16; r++)
        if (r != KT_REG_RSP && r != KT_REG_RDI)
            kt_move(&c, 0x89, r, 8 * r);
    kt_b(&c, 0x9C), kt_b(&c, 0x58);                             /* pushfq; pop rax */
    kt_move(&c, 0x89, 0, offsetof(struct kt_regs, flags));
    kt_b(&c, 0x58);                                             /* pop rax: the instruction's rdi */
    kt_move(&c, 0x89, 0, 8 * KT_REG_RDI);
    memcpy(c.p, epilogue, sizeof epilogue), c.p += sizeof epilogue;
    return (size_t)(c.p - p);
}

/* A table every register of which is distinct and recognizable. */
static void kt_regs_init(struct kt_regs *st)
{
    for (unsigned r = 0; r < 16; r++)
        st->r[r] = 0x1111111111111111ull * (r + 1) ^ 0x0102030405060708ull;
    st->flags = KT_FLAGS_IN;
}

struct kt_run {
    const uint8_t *insn;
    size_t n;
    bool patch;
    struct kt_regs st;
    struct ldr_patch_counts counts;
    int32_t take_window;      /* nonzero: before patching, take the 16 MiB a jump from the
                               * instruction lands in when its rel32's top byte is this << 24 */
    uint8_t patched[16];      /* the instruction's bytes after patching */
};

/* Mappings kt_take made, for kt_give_back. */
static struct {
    uintptr_t at;
    size_t len;
} kt_taken[8192];
static size_t kt_ntaken;

static void kt_take_at(uintptr_t at, size_t len)
{
    void *p = mmap((void *)at, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p == MAP_FAILED)
        return;
    if ((uintptr_t)p != at || kt_ntaken == sizeof kt_taken / sizeof kt_taken[0]) {
        munmap(p, len);
        return;
    }
    kt_taken[kt_ntaken].at = at;
    kt_taken[kt_ntaken++].len = len;
}

/* Occupies [lo, lo + size) as far as it is free, in 1 MiB pieces, then page
 * by page where a piece overlaps something: no patch code can go there. */
static void kt_take(uint64_t lo, uint64_t size)
{
    const uint64_t piece = 1 << 20;
    lo &= ~(uint64_t)0xFFF;
    for (uint64_t a = lo; a < lo + size + 0x1000; a += piece) {
        size_t before = kt_ntaken;
        kt_take_at(a, piece);
        for (uint64_t p = a; kt_ntaken == before && p < a + piece; p += 0x1000)
            kt_take_at(p, 0x1000);
        if (kt_ntaken == before)
            continue;
        for (uint64_t p = kt_taken[kt_ntaken - 1].at + 0x1000; p < a + piece && kt_taken[kt_ntaken - 1].len == 0x1000;
             p += 0x1000)
            kt_take_at(p, 0x1000);
    }
}

static void kt_give_back(void)
{
    while (kt_ntaken) {
        kt_ntaken--;
        munmap((void *)kt_taken[kt_ntaken].at, kt_taken[kt_ntaken].len);
    }
}

/* Runs the harness around run->insn: as a loaded driver's code, so a fault
 * in it is emulated, and patched first when run->patch says so. */
static void kt_run_insn(struct kt_run *run)
{
    uint8_t *code = mmap(NULL, KT_CODE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct ldr_patches *patches = NULL;
    struct ldr_module m;

    memset(&run->counts, 0, sizeof run->counts);
    if (code == MAP_FAILED) {
        kt_fail(__FILE__, __LINE__, "cannot map the harness");
        return;
    }
    size_t off, len = kt_emit_harness(code, run->insn, run->n, &off);
    uint64_t window = (uintptr_t)code + off + 5 + (uint64_t)(int64_t)run->take_window * (1 << 24);
    memset(&m, 0, sizeof m);
    snprintf(m.name, sizeof m.name, "harness");
    snprintf(m.image_name, sizeof m.image_name, "harness");
    if (!realpath("/proc/self/exe", m.image)) /* reports run addr2line on it: it finds nothing, quietly */
        m.image[0] = 0;
    m.start = (uintptr_t)code;
    m.end = m.start + KT_CODE_SIZE;
    struct ldr_module *slot = ldr_module_add(&m);
    const uint32_t func[1][2] = { { 0, (uint32_t)len } };
    if (run->patch && run->take_window)
        kt_take(window, 1 << 24);
    if (run->patch)
        KT_TRUE(ldr_patch_region(code, code + len, func, 1, &patches, &run->counts));
    kt_give_back();
    memcpy(run->patched, code + off, run->n < 16 ? run->n : 16);
    mprotect(code, KT_CODE_SIZE, PROT_READ | PROT_EXEC);
    ((void (*)(struct kt_regs *))(void *)code)(&run->st);
    if (slot)
        ldr_module_remove(slot);
    ldr_patches_free(patches);
    munmap(code, KT_CODE_SIZE);
}

/* Runs insn both ways from the same table (patched with the window
 * take_window names taken, when not 0); check judges each run. */
static void kt_both_taking(const uint8_t *insn, size_t n, const struct kt_regs *in, int32_t take_window,
                           void (*check)(const struct kt_regs *before, const struct kt_run *run))
{
    for (int patch = 1; patch >= 0; patch--) {
        struct kt_run run = { .insn = insn, .n = n, .patch = patch, .st = *in, .take_window = take_window };
        kt_run_insn(&run);
        check(in, &run);
    }
}

static void kt_both(const uint8_t *insn, size_t n, const struct kt_regs *in,
                    void (*check)(const struct kt_regs *before, const struct kt_run *run))
{
    kt_both_taking(insn, n, in, 0, check);
}

/* Every register but `changed` (and rsp) is what it was. */
static void kt_expect_others(const struct kt_regs *before, const struct kt_run *run, int changed)
{
    for (int r = 0; r < 16; r++)
        if (r != changed && r != KT_REG_RSP && run->st.r[r] != before->r[r])
            kt_fail(__FILE__, __LINE__, "%s: register %d changed from 0x%llx to 0x%llx", run->patch ? "patched" : "fault path",
                    r, (unsigned long long)before->r[r], (unsigned long long)run->st.r[r]);
}

/* --- CR8 --- */

static uint8_t kt_cr8_insn[4];
static int kt_cr8_reg;

static void kt_check_cr8_read(const struct kt_regs *before, const struct kt_run *run)
{
    KT_EQ_HEX(run->st.r[kt_cr8_reg], CLOCK_LEVEL);
    kt_expect_others(before, run, kt_cr8_reg);
    if (run->patch)
        KT_EQ_INT(run->counts.cr8 - run->counts.left, 1);
}

/* mov reg, cr8 gives the thread's IRQL, zero-extended, into any of the 15
 * registers (REX.B reaches r8-r15), patched or emulated. */
KT_TEST(cr8_read_into_every_register)
{
    struct kt_regs st;
    KIRQL saved = ke_irql_get();
    ke_irql_set(CLOCK_LEVEL);
    for (kt_cr8_reg = 0; kt_cr8_reg < 16; kt_cr8_reg++) {
        if (kt_cr8_reg == KT_REG_RSP)
            continue;
        kt_regs_init(&st);
        kt_cr8_insn[0] = 0x44 | (kt_cr8_reg >= 8 ? 1 : 0);
        kt_cr8_insn[1] = 0x0F, kt_cr8_insn[2] = 0x20, kt_cr8_insn[3] = (uint8_t)(0xC0 | (kt_cr8_reg & 7));
        kt_both(kt_cr8_insn, 4, &st, kt_check_cr8_read);
    }
    ke_irql_set(saved);
}

static void kt_check_cr8_write(const struct kt_regs *before, const struct kt_run *run)
{
    KT_EQ_INT(ke_irql_get(), before->r[kt_cr8_reg]);
    kt_expect_others(before, run, -1);
    ke_irql_set(PASSIVE_LEVEL);
}

/* mov cr8, reg sets the thread's IRQL from any register, changing no
 * register; every valid IRQL is accepted, raising or lowering. */
KT_TEST(cr8_write_from_every_register)
{
    struct kt_regs st;
    for (kt_cr8_reg = 0; kt_cr8_reg < 16; kt_cr8_reg++) {
        if (kt_cr8_reg == KT_REG_RSP)
            continue;
        kt_regs_init(&st);
        st.r[kt_cr8_reg] = (uint64_t)(kt_cr8_reg % 15 + 1);
        kt_cr8_insn[0] = 0x44 | (kt_cr8_reg >= 8 ? 1 : 0);
        kt_cr8_insn[1] = 0x0F, kt_cr8_insn[2] = 0x22, kt_cr8_insn[3] = (uint8_t)(0xC0 | (kt_cr8_reg & 7));
        kt_both(kt_cr8_insn, 4, &st, kt_check_cr8_write);
    }
}

static void kt_check_cr8_pair(const struct kt_regs *before, const struct kt_run *run)
{
    KT_EQ_HEX(run->st.r[0], DISPATCH_LEVEL);   /* the IRQL before the write */
    KT_EQ_INT(ke_irql_get(), 9);
    kt_expect_others(before, run, 0);
    if (run->patch) {
        KT_EQ_INT(run->counts.left, 0);
        KT_EQ_HEX(run->patched[0], 0xE9);
    }
    ke_irql_set(DISPATCH_LEVEL);
}

/* KfRaiseIrql inlined: mov rax, cr8 right before mov cr8, rcx. */
static void kt_cr8_pair(int32_t take_window)
{
    static const uint8_t insn[] = { 0x44, 0x0F, 0x20, 0xC0, 0x44, 0x0F, 0x22, 0xC1 };
    struct kt_regs st;
    KIRQL saved = ke_irql_get();
    ke_irql_set(DISPATCH_LEVEL);
    kt_regs_init(&st);
    st.r[1] = 9;
    kt_both_taking(insn, sizeof insn, &st, take_window, kt_check_cr8_pair);
    ke_irql_set(saved);
}

/* The first jump's last byte is the second's first, which becomes E9 once
 * that one is patched: both still land where they should. */
KT_TEST(cr8_read_then_write_back_to_back)
{
    kt_cr8_pair(0);
}

static void kt_check_cr8_then_next(const struct kt_regs *before, const struct kt_run *run)
{
    KT_EQ_HEX(run->st.r[2], APC_LEVEL);
    kt_expect_others(before, run, 2);
    if (run->patch)
        KT_EQ_INT(run->counts.left, 0);
}

/* The jump from a 4-byte mov reg, cr8 borrows the next instruction's first
 * byte as its top byte: below 0x80 the patch code lies after the site
 * (0x48: about 1.2 GiB), from 0x80 before it (0x90: about 1.8 GiB). The
 * next instruction runs unchanged. */
KT_TEST(cr8_patch_code_placed_by_the_next_byte)
{
    static const uint8_t before_rex[] = { 0x44, 0x0F, 0x20, 0xC2, 0x48, 0x89, 0xC0 };  /* mov rdx, cr8; mov rax, rax */
    static const uint8_t before_nop[] = { 0x44, 0x0F, 0x20, 0xC2, 0x90 };              /* mov rdx, cr8; nop */
    static const uint8_t before_zero[] = { 0x44, 0x0F, 0x20, 0xC2, 0x00, 0xC0 };       /* mov rdx, cr8; add al, al */
    struct kt_regs st;
    KIRQL saved = ke_irql_get();
    ke_irql_set(APC_LEVEL);
    kt_regs_init(&st);
    kt_both(before_rex, sizeof before_rex, &st, kt_check_cr8_then_next);
    kt_both(before_nop, sizeof before_nop, &st, kt_check_cr8_then_next);
    st.r[0] = 0; /* add al, al keeps rax 0 and the flags it sets are checked nowhere */
    kt_both(before_zero, sizeof before_zero, &st, kt_check_cr8_then_next);
    ke_irql_set(saved);
}

static void kt_check_detour(const struct kt_regs *before, const struct kt_run *run)
{
    KT_EQ_HEX(run->st.r[2], APC_LEVEL);
    kt_expect_others(before, run, 2);
    if (!run->patch)
        return;
    KT_EQ_INT(run->counts.left, 0);
    KT_EQ_HEX(run->patched[0], 0xE9);
    KT_EQ_HEX(run->patched[5], 0xCC); /* the moved mov rax, rax: jumped over */
    KT_EQ_HEX(run->patched[6], 0xCC);
}

/* When the window the borrowed byte fixes is taken, the site and the
 * instructions after it are moved into the patch code (a detour): the
 * jump covers them, the code does the same and comes back after them. */
KT_TEST(cr8_detour_when_the_window_is_taken)
{
    static const uint8_t insn[] = { 0x44, 0x0F, 0x20, 0xC2, 0x48, 0x89, 0xC0 };  /* mov rdx, cr8; mov rax, rax */
    struct kt_regs st;
    KIRQL saved = ke_irql_get();
    ke_irql_set(APC_LEVEL);
    kt_regs_init(&st);
    kt_both_taking(insn, sizeof insn, &st, 0x48, kt_check_detour);
    ke_irql_set(saved);
}

/* The pair again, the read's window taken (its borrowed byte is the
 * write's E9 once that is patched): the read's detour covers the write's
 * first byte, and its code goes on with the write's. */
KT_TEST(cr8_detour_moves_the_next_site_along)
{
    kt_cr8_pair((int8_t)0xE9);
}

static void kt_check_detour_emulated(const struct kt_regs *before, const struct kt_run *run)
{
    KT_EQ_HEX(run->st.r[2], APC_LEVEL);
    KT_EQ_HEX(run->st.r[0], (uintptr_t)ke_pcr_current_thread());
    for (int r = 0; r < 16; r++)
        if (r != 0 && r != 2 && r != KT_REG_RSP)
            KT_EQ_HEX(run->st.r[r], before->r[r]);
    if (run->patch) {
        KT_EQ_INT(run->counts.left, 1);   /* the gs load: two address registers */
        KT_EQ_HEX(run->patched[0], 0xE9);
    }
}

/* An instruction moved by a detour that faults (a gs load not patched)
 * is emulated in the patch code as it would be in the driver. */
KT_TEST(detour_moved_instruction_still_emulated)
{
    /* mov rdx, cr8; mov rax, gs:[rcx+rdx] */
    static const uint8_t insn[] = { 0x44, 0x0F, 0x20, 0xC2, 0x65, 0x48, 0x8B, 0x04, 0x11 };
    struct kt_regs st;
    KIRQL saved = ke_irql_get();
    ke_irql_set(APC_LEVEL);
    kt_regs_init(&st);
    st.r[1] = 0x188 - APC_LEVEL;
    kt_both_taking(insn, sizeof insn, &st, 0x65, kt_check_detour_emulated);
    ke_irql_set(saved);
}

/* No detour over an instruction a branch lands on (here the loop back to
 * it), nor in a function that jumps through a table: left to the fault
 * path, bytes unchanged. */
KT_TEST(patch_no_detour_over_a_branch_target)
{
    uint8_t *code = mmap(NULL, KT_CODE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* mov rdx, cr8; L: mov rax, rax; jne L; ret */
    static const uint8_t looped[] = { 0x44, 0x0F, 0x20, 0xC2, 0x48, 0x89, 0xC0, 0x75, 0xFB, 0xC3 };
    /* mov rdx, cr8; mov rax, rax; jmp rcx; ret */
    static const uint8_t table[] = { 0x44, 0x0F, 0x20, 0xC2, 0x48, 0x89, 0xC0, 0xFF, 0xE1, 0xC3 };
    const uint8_t *cases[] = { looped, table };
    KT_REQUIRE(code != MAP_FAILED);
    for (int i = 0; i < 2; i++) {
        struct ldr_patches *patches = NULL;
        struct ldr_patch_counts counts = { 0 };
        const uint32_t func[1][2] = { { 0, 10 } };
        memcpy(code, cases[i], 10);
        uint64_t window = (uintptr_t)code + 5 + (0x48ull << 24);
        kt_take(window, 1 << 24);
        KT_TRUE(ldr_patch_region(code, code + 10, func, 1, &patches, &counts));
        kt_give_back();
        KT_EQ_INT(counts.cr8, 1);
        KT_EQ_INT(counts.left, 1);
        KT_EQ_MEM(code, cases[i], 10);
        ldr_patches_free(patches);
    }
    munmap(code, KT_CODE_SIZE);
}

static void kt_write_16_to_cr8(void *patch)
{
    static const uint8_t insn[] = { 0x44, 0x0F, 0x22, 0xC1 };  /* mov cr8, rcx */
    struct kt_run run = { .insn = insn, .n = sizeof insn, .patch = patch != NULL, .st.flags = KT_FLAGS_IN };
    run.st.r[1] = 16;
    ke_irql_set(APC_LEVEL);
    kt_run_insn(&run);
}

/* A value above HIGH_LEVEL is not an IRQL: Driver Verifier's 0xC4/0x30
 * (raising to an invalid IRQL), P2 the current IRQL, P3 the value. */
KT_TEST(cr8_write_invalid_value_bugchecks)
{
    for (int patch = 1; patch >= 0; patch--) {
        const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x30, kt_write_16_to_cr8, patch ? (void *)1 : NULL);
        KT_REQUIRE(out != NULL);
        KT_CONTAINS(out, "*** STOP: 0x000000C4 (0x0000000000000030,0x0000000000000001,0x0000000000000010,"
                         "0x0000000000000000)");
        KT_CONTAINS(out, "The driver wrote 0x10 to CR8 (KeRaiseIrql, KeLowerIrql or KfRaiseIrql inlined) at "
                         "APC_LEVEL: it is not an IRQL (HIGH_LEVEL is 15).");
        KT_CONTAINS(out, "At: (harness+0x");
    }
}

/* --- gs: the KPCR --- */

static uint64_t kt_expect_value;
static int kt_expect_reg;
static bool kt_expect_patched;

static void kt_check_load(const struct kt_regs *before, const struct kt_run *run)
{
    if (run->st.r[kt_expect_reg] != kt_expect_value)
        kt_fail(__FILE__, __LINE__, "%s: register %d is 0x%llx, expected 0x%llx", run->patch ? "patched" : "fault path",
                kt_expect_reg, (unsigned long long)run->st.r[kt_expect_reg], (unsigned long long)kt_expect_value);
    kt_expect_others(before, run, kt_expect_reg);
    KT_EQ_HEX(run->st.flags & KT_ARITH_FLAGS, KT_FLAGS_IN & KT_ARITH_FLAGS);
    if (run->patch)
        KT_EQ_INT(run->counts.left, kt_expect_patched ? 0 : 1);
}

static void kt_load(const uint8_t *insn, size_t n, const struct kt_regs *st, int reg, uint64_t value, bool patched)
{
    kt_expect_reg = reg;
    kt_expect_value = value;
    kt_expect_patched = patched;
    kt_both(insn, n, st, kt_check_load);
}

static uint64_t kt_pcr_field(unsigned offset)
{
    uint64_t v;
    memcpy(&v, ke_pcr_current() + offset, sizeof v);
    return v;
}

/* KeGetCurrentThread: mov reg, gs:[0x188] into any register. */
KT_TEST(gs_current_thread_into_every_register)
{
    struct kt_regs st;
    uint8_t insn[9] = { 0x65, 0, 0x8B, 0, 0x25, 0x88, 0x01, 0, 0 };
    void *thread = ke_pcr_current_thread();
    KT_REQUIRE(KT_TRUE(thread != NULL));
    for (int r = 0; r < 16; r++) {
        if (r == KT_REG_RSP)
            continue;
        kt_regs_init(&st);
        insn[1] = (uint8_t)(0x48 | (r >= 8 ? 4 : 0));
        insn[3] = (uint8_t)(0x04 | (r & 7) << 3);
        kt_load(insn, sizeof insn, &st, r, (uintptr_t)thread, true);
    }
}

/* The forms gcc emits at -O0, where the offset is in a register
 * (mov rax, gs:[rax]), and the other shapes of address and load: a base in
 * r8, a scaled index, 16-bit and AH loads that keep the rest of the
 * register, movzx. Flags are never touched. */
KT_TEST(gs_load_forms)
{
    static const uint8_t via_rax[] = { 0x65, 0x48, 0x8B, 0x00 };                        /* mov rax, gs:[rax] */
    static const uint8_t via_r8[] = { 0x65, 0x49, 0x8B, 0x18 };                         /* mov rbx, gs:[r8] */
    static const uint8_t scaled[] = { 0x65, 0x48, 0x8B, 0x14, 0xCD, 0, 0, 0, 0 };        /* mov rdx, gs:[rcx*8] */
    static const uint8_t word[] = { 0x65, 0x66, 0x8B, 0x04, 0x25, 0x62, 0, 0, 0 };      /* mov ax, gs:[0x62] */
    static const uint8_t high8[] = { 0x65, 0x8A, 0x24, 0x25, 0x60, 0, 0, 0 };           /* mov ah, gs:[0x60] */
    static const uint8_t zx[] = { 0x65, 0x48, 0x0F, 0xB7, 0x34, 0x25, 0x60, 0, 0, 0 };  /* movzx rsi, word gs:[0x60] */
    static const uint8_t dword[] = { 0x65, 0x44, 0x8B, 0x0C, 0x25, 0xA4, 0x01, 0, 0 };  /* mov r9d, gs:[0x1A4] */
    uint64_t self = (uintptr_t)ke_pcr_current();
    struct kt_regs st;

    kt_regs_init(&st);
    st.r[0] = KE_PCR_SELF;
    kt_load(via_rax, sizeof via_rax, &st, 0, self, true);
    kt_regs_init(&st);
    st.r[8] = KE_PCR_CURRENT_PRCB;
    kt_load(via_r8, sizeof via_r8, &st, 3, self + KE_PCR_PRCB, true);
    kt_regs_init(&st);
    st.r[1] = KE_PCR_SELF / 8;
    kt_load(scaled, sizeof scaled, &st, 2, self, true);
    kt_regs_init(&st);
    kt_load(word, sizeof word, &st, 0, (st.r[0] & ~0xFFFFull) | 1, true);
    kt_regs_init(&st);
    kt_load(high8, sizeof high8, &st, 0, (st.r[0] & ~0xFF00ull) | 0x100, true);
    kt_regs_init(&st);
    kt_load(zx, sizeof zx, &st, 6, 1, true);
    kt_regs_init(&st);
    kt_load(dword, sizeof dword, &st, 9, 0, true);
    KT_EQ_HEX(kt_pcr_field(KE_PCR_SELF), self);
}

/* Two address registers (gs:[rcx+rdx]) leave no register for the KPCR's
 * address: not patched, emulated. */
KT_TEST(gs_load_with_base_and_index_is_emulated)
{
    static const uint8_t insn[] = { 0x65, 0x48, 0x8B, 0x04, 0x11 };  /* mov rax, gs:[rcx+rdx] */
    struct kt_regs st;
    kt_regs_init(&st);
    st.r[1] = 0x100;
    st.r[2] = 0x88;
    kt_load(insn, sizeof insn, &st, 0, (uintptr_t)ke_pcr_current_thread(), false);
}

static void kt_set_thread_and_read(void *arg)
{
    static const uint8_t insn[] = { 0x65, 0x48, 0x8B, 0x04, 0x25, 0x88, 0x01, 0, 0 };
    struct kt_run run = { .insn = insn, .n = sizeof insn, .patch = arg != NULL, .st.flags = KT_FLAGS_IN };
    static uint64_t object[16];
    ke_pcr_set_thread(object);
    kt_run_insn(&run);
    printf("thread %s\n", run.st.r[0] == (uintptr_t)object ? "set" : "wrong");
    ke_pcr_set_thread(NULL);
    run.patch = !run.patch;
    kt_run_insn(&run);
    printf("placeholder %s\n", run.st.r[0] == (uintptr_t)ke_pcr_current_thread() && run.st.r[0] != (uintptr_t)object
                                   ? "back" : "wrong");
}

/* ke_pcr_set_thread sets what gs:[0x188] reads; NULL restores the thread's
 * placeholder. */
KT_TEST(gs_current_thread_follows_ke_pcr_set_thread)
{
    int status;
    const char *out = kt_run_child(kt_set_thread_and_read, (void *)1, &status);
    KT_EQ_INT(status, 0);
    KT_EQ_STR(out, "thread set\nplaceholder back\n");
}

struct kt_thread_result {
    bool patch;
    uint64_t read, own_thread, own_pcr;
    bool had_pcr_before;
};

static void *kt_fresh_thread(void *arg)
{
    static const uint8_t insn[] = { 0x65, 0x48, 0x8B, 0x04, 0x25, 0x18, 0, 0, 0 };  /* mov rax, gs:[0x18] */
    struct kt_thread_result *res = arg;
    struct kt_run run = { .insn = insn, .n = sizeof insn, .patch = res->patch, .st.flags = KT_FLAGS_IN };
    res->had_pcr_before = ke_pcr_if_created() != NULL;
    kt_run_insn(&run);
    res->read = run.st.r[0];
    res->own_pcr = (uintptr_t)ke_pcr_if_created();
    res->own_thread = (uintptr_t)ke_pcr_current_thread();
    return NULL;
}

/* A thread's first gs access makes its KPCR, its own and no other's: in
 * patched code the load through a NULL KPCR pointer faults once and is run
 * again, on the fault path the zero gs base faults every time. */
KT_TEST(gs_each_thread_gets_its_own_kpcr)
{
    uint64_t main_pcr = (uintptr_t)ke_pcr_current();
    for (int patch = 1; patch >= 0; patch--) {
        struct kt_thread_result res = { patch, 0, 0, 0, true };
        pthread_t t;
        KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, kt_fresh_thread, &res), 0));
        pthread_join(t, NULL);
        KT_FALSE(res.had_pcr_before);
        KT_TRUE(res.own_pcr != 0);
        KT_EQ_HEX(res.read, res.own_pcr);
        KT_TRUE(res.read != main_pcr);
        KT_TRUE(res.own_thread >= res.own_pcr + KE_PCR_SIZE);
    }
}

static void kt_gs_past_kpcr(void *arg)
{
    static const uint8_t insn[] = { 0x65, 0x48, 0x8B, 0x00 };  /* mov rax, gs:[rax] */
    struct kt_run run = { .insn = insn, .n = sizeof insn, .patch = arg != NULL, .st = { { KE_PCR_SIZE }, KT_FLAGS_IN } };
    kt_run_insn(&run);
}

/* Past the KPCR and KPRCB there is nothing to read: an access violation,
 * unhandled (0x7E), whether the load was patched (it hits the guard page)
 * or not. */
KT_TEST(gs_load_past_the_kpcr_faults)
{
    KT_EXPECT_BUGCHECK(0x7E, 0xC0000005, kt_gs_past_kpcr, (void *)1);
    KT_EXPECT_BUGCHECK(0x7E, 0xC0000005, kt_gs_past_kpcr, NULL);
}

/* --- KUSER_SHARED_DATA --- */

static void kt_put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* SharedUserData->NtMajorVersion at -O0 (movabs rax, KUSER; mov eax,
 * [rax+0x26C]) and a whole-address form (movabs rdx, KUSER+0x270;
 * mov edx, [rdx]); the address is replaced by ntbox's page, or the load
 * emulated, with --os-version's numbers. */
KT_TEST(kuser_version_loads)
{
    uint8_t base_form[16] = { 0x48, 0xB8 }, full_form[16] = { 0x48, 0xBA };
    ULONG major, minor, build;
    struct kt_regs st;

    kt_put64(base_form + 2, KE_KUSER_ADDRESS);
    memcpy(base_form + 10, (const uint8_t[]){ 0x8B, 0x80, 0x6C, 0x02, 0, 0 }, 6);
    kt_put64(full_form + 2, KE_KUSER_ADDRESS + KE_KUSER_NT_MINOR_VERSION);
    memcpy(full_form + 10, (const uint8_t[]){ 0x8B, 0x12 }, 2);
    rtl_version_get(&major, &minor, &build);
    KT_REQUIRE(KT_TRUE(rtl_version_parse_and_set("6.3.9600")));
    kt_regs_init(&st);
    kt_load(base_form, 16, &st, 0, 6, true);
    kt_regs_init(&st);
    kt_load(full_form, 12, &st, 2, 3, true);
    char text[40];
    snprintf(text, sizeof text, "%lu.%lu.%lu", (unsigned long)major, (unsigned long)minor, (unsigned long)build);
    rtl_version_parse_and_set(text);
}

static uint64_t kt_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return ((uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100) / KE_KUSER_TIME_INCREMENT;
}

static void kt_check_ticks(const struct kt_regs *before, const struct kt_run *run)
{
    uint64_t now = kt_ticks();
    KT_TRUE(run->st.r[0] <= now && run->st.r[0] + 8 >= now); /* a tick is 15.6 ms: 8 is generous */
    kt_expect_others(before, run, 0);
    if (run->patch)
        KT_EQ_INT(run->counts.kuser, 1);
}

/* KeQueryTickCount at -O2: mov rax, [moffs64 0xFFFFF78000000320]. */
KT_TEST(kuser_tick_count_moffs_load)
{
    uint8_t insn[10] = { 0x48, 0xA1 };
    struct kt_regs st;
    kt_put64(insn + 2, KE_KUSER_ADDRESS + KE_KUSER_TICK_COUNT);
    kt_regs_init(&st);
    kt_both(insn, sizeof insn, &st, kt_check_ticks);
}

static void kt_store_to_kuser(void *patch)
{
    uint8_t insn[16] = { 0x48, 0xB8 };
    kt_put64(insn + 2, KE_KUSER_ADDRESS + KE_KUSER_NT_MAJOR_VERSION);
    memcpy(insn + 10, (const uint8_t[]){ 0xC7, 0x00, 0x05, 0, 0, 0 }, 6);  /* mov dword [rax], 5 */
    struct kt_run run = { .insn = insn, .n = 16, .patch = patch != NULL, .st.flags = KT_FLAGS_IN };
    kt_run_insn(&run);
}

/* The page is read-only, as on Windows, where a store to it is bugcheck
 * 0xBE ATTEMPTED_WRITE_TO_READONLY_MEMORY, P1 the address written: through
 * the patched address and through the real system address alike, P1 the
 * Windows address both times. */
KT_TEST(kuser_store_is_0xBE)
{
    const char *out = KT_EXPECT_BUGCHECK(0xBE, KE_KUSER_ADDRESS + KE_KUSER_NT_MAJOR_VERSION, kt_store_to_kuser,
                                         (void *)1);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, "ATTEMPTED_WRITE_TO_READONLY_MEMORY");
    KT_CONTAINS(out, "The driver wrote to KUSER_SHARED_DATA at 0xFFFFF7800000026C: the page is read-only.");
    KT_EXPECT_BUGCHECK(0xBE, KE_KUSER_ADDRESS + KE_KUSER_NT_MAJOR_VERSION, kt_store_to_kuser, NULL);
}

/* --- what is not patched --- */

/* Bytes that look like mov rax, cr8 inside another instruction (here the
 * immediate of a movabs) are data: decoding from the function's start never
 * meets them, and they stay as they are. */
KT_TEST(patch_ignores_lookalike_bytes)
{
    uint8_t code[16] = { 0x48, 0xB8, 0x44, 0x0F, 0x20, 0xC0, 0x65, 0x8B, 0x00, 0x90, 0xC3 };
    uint8_t copy[16];
    struct ldr_patches *patches = NULL;
    struct ldr_patch_counts counts = { 0 };
    const uint32_t func[1][2] = { { 0, 11 } };
    memcpy(copy, code, sizeof code);
    KT_TRUE(ldr_patch_region(code, code + sizeof code, func, 1, &patches, &counts));
    KT_EQ_MEM(code, copy, sizeof code);
    KT_EQ_INT(counts.cr8 + counts.gs + counts.kuser, 0);
    KT_EQ_PTR(patches, NULL);
}

/* Decoding stops at an encoding the decoder does not know (here VEX):
 * what follows is left to the fault path rather than guessed at. */
KT_TEST(patch_stops_at_unknown_encodings)
{
    uint8_t code[16] = { 0xC5, 0xF8, 0x77, 0x44, 0x0F, 0x20, 0xC0, 0xC3 };
    uint8_t copy[16];
    struct ldr_patches *patches = NULL;
    struct ldr_patch_counts counts = { 0 };
    const uint32_t func[1][2] = { { 0, 8 } };
    memcpy(copy, code, sizeof code);
    KT_TRUE(ldr_patch_region(code, code + sizeof code, func, 1, &patches, &counts));
    KT_EQ_MEM(code, copy, sizeof code);
    KT_EQ_INT(counts.cr8, 0);
}

/* A 4-byte site needs the bytes after it for its jump: one at the very end
 * of the code is left to the fault path; with a ret after it, it is
 * patched (the ret moves into the patch code). Patch code pages are known
 * to the fault handler while they exist. */
KT_TEST(patch_site_at_the_end_is_left)
{
    uint8_t *code = mmap(NULL, KT_CODE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static const uint8_t tail[] = { 0x44, 0x0F, 0x20, 0xC0 };
    static const uint8_t body[] = { 0x44, 0x0F, 0x20, 0xC0, 0xC3 };
    struct ldr_patches *patches = NULL;
    struct ldr_patch_counts counts = { 0 };
    KT_REQUIRE(code != MAP_FAILED);
    memcpy(code, tail, sizeof tail);
    const uint32_t func[1][2] = { { 0, 4 } };
    KT_TRUE(ldr_patch_region(code, code + 4, func, 1, &patches, &counts));
    KT_EQ_INT(counts.cr8, 1);
    KT_EQ_INT(counts.left, 1);
    KT_EQ_MEM(code, tail, sizeof tail);

    memcpy(code, body, sizeof body);
    const uint32_t func2[1][2] = { { 0, 5 } };
    KT_TRUE(ldr_patch_region(code, code + 5, func2, 1, &patches, &counts));
    KT_EQ_INT(counts.left, 1);
    KT_EQ_HEX(code[0], 0xE9);
    int32_t rel;
    memcpy(&rel, code + 1, 4);
    const uint8_t *target = code + 5 + rel;
    KT_TRUE(ldr_patch_code_at(target));
    ldr_patches_free(patches);
    KT_FALSE(ldr_patch_code_at(target));
    munmap(code, KT_CODE_SIZE);
}
