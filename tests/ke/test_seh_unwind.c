/* tests/ke/test_seh_unwind.c: x64 unwind data, on an image built in
 * memory: the function table's registration and checks,
 * RtlLookupFunctionEntry, and RtlVirtualUnwind through each unwind code
 * Microsoft's "x64 exception handling" documents (UWOP_PUSH_NONVOL,
 * ALLOC_SMALL and ALLOC_LARGE, SET_FPREG, SAVE_NONVOL(_FAR),
 * SAVE_XMM128(_FAR), PUSH_MACHFRAME), in a prolog, past it and in an
 * epilog, chained unwind information, and the language handler it returns. */
#include "ktest.h"

#include "rtl/unwind.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define IMG_SIZE 0x4000
#define PDATA 0x3000

/* Unwind codes as the array holds them: prolog offset, operation, info. */
#define CODE(offset, op, info) ((USHORT)((offset) | (op) << 8 | (info) << 12))
#define PUSH_NONVOL 0
#define ALLOC_LARGE 1
#define ALLOC_SMALL 2
#define SET_FPREG 3
#define SAVE_NONVOL 4
#define SAVE_NONVOL_FAR 5
#define SAVE_XMM128 8
#define SAVE_XMM128_FAR 9
#define PUSH_MACHFRAME 10
/* Register numbers in unwind codes. */
#define NUM_RBX 3
#define NUM_RBP 5
#define NUM_RSI 6
#define NUM_R12 12

static uint8_t *img;
static ULONG64 base;
static ULONG64 *stack; /* a fake stack */

/* An UNWIND_INFO at rva; tail: the handler RVA, or a chained entry's three
 * words, after the codes. */
static void put_info(ULONG rva, UCHAR flags, UCHAR prolog, UCHAR frame, const USHORT *codes, UCHAR count,
                     const ULONG *tail, unsigned tail_words)
{
    uint8_t *p = img + rva;
    p[0] = (UCHAR)(1 | flags << 3);
    p[1] = prolog;
    p[2] = count;
    p[3] = frame;
    memcpy(p + 4, codes, count * sizeof *codes);
    if (tail_words)
        memcpy(p + 4 + ((count + 1u) & ~1u) * 2, tail, tail_words * sizeof *tail);
}

static void put_entry(unsigned index, ULONG begin, ULONG end, ULONG unwind)
{
    RUNTIME_FUNCTION f = { begin, end, unwind };
    memcpy(img + PDATA + index * sizeof f, &f, sizeof f);
}

static void put_code(ULONG rva, const char *bytes, size_t n)
{
    memcpy(img + rva, bytes, n);
}

/* F1 0x1000-0x1040: push rbp; push rbx; sub rsp, 0x28 ... epilog at 0x1030:
 *   add rsp, 0x28; pop rbx; pop rbp; ret. With an exception handler.
 * F2 0x1100-0x1140: push rbp; sub rsp, 0x40; mov [rsp+0x10], rsi;
 *   movaps [rsp+0x20], xmm6; lea rbp, [rsp+0x20] ... epilog at 0x1130:
 *   lea rsp, [rbp+0x20]; pop rbp; ret.
 * F3 0x1200-0x1240: ALLOC_LARGE (both forms), SAVE_NONVOL_FAR,
 *   SAVE_XMM128_FAR.
 * F4 0x1300-0x1320, its chunk 0x1380-0x13a0 with chained information.
 * F5 0x1400-0x1410: a machine frame with an error code.
 * F6 0x1500-0x1510: an indirect entry, naming F1's.
 * 0x1600-0x1610: a leaf, with no entry. */
static void build(void)
{
    static const USHORT f1[] = { CODE(6, ALLOC_SMALL, 4), CODE(2, PUSH_NONVOL, NUM_RBX), CODE(1, PUSH_NONVOL, NUM_RBP) };
    static const USHORT f2[] = { CODE(21, SET_FPREG, 0),   CODE(16, SAVE_XMM128, 6), 2,
                                 CODE(10, SAVE_NONVOL, NUM_RSI), 2,                        CODE(5, ALLOC_SMALL, 7),
                                 CODE(1, PUSH_NONVOL, NUM_RBP) };
    static const USHORT f3[] = { CODE(20, SAVE_XMM128_FAR, 7), 0x0100, 0,      CODE(14, SAVE_NONVOL_FAR, NUM_R12),
                                 0x0208,                       0x0002, CODE(7, ALLOC_LARGE, 1), 0x0000,
                                 0x0010,                       CODE(3, ALLOC_LARGE, 0),         0x0100 };
    static const USHORT f4[] = { CODE(5, ALLOC_SMALL, 3), CODE(1, PUSH_NONVOL, NUM_RBP) };
    static const USHORT chunk[] = { CODE(4, SAVE_NONVOL, NUM_RBX), 1 };
    static const USHORT f5[] = { CODE(1, PUSH_MACHFRAME, 1) };
    const ULONG handler[] = { 0x1050, 0xABCD };
    const ULONG chained[] = { 0x1300, 0x1320, 0x2300 };

    img = aligned_alloc(4096, IMG_SIZE);
    memset(img, 0x90, IMG_SIZE); /* nop */
    base = (ULONG64)(uintptr_t)img;
    put_info(0x2000, UNW_FLAG_EHANDLER, 6, 0, f1, 3, handler, 2);
    put_info(0x2100, 0, 21, NUM_RBP | 2 << 4, f2, 7, NULL, 0);
    put_info(0x2200, 0, 21, 0, f3, 11, NULL, 0);
    put_info(0x2300, 0, 5, 0, f4, 2, NULL, 0);
    put_info(0x2400, UNW_FLAG_CHAININFO, 8, 0, chunk, 2, chained, 3);
    put_info(0x2500, 0, 1, 0, f5, 1, NULL, 0);
    put_code(0x1000, "\x55\x53\x48\x83\xEC\x28", 6);
    put_code(0x1030, "\x48\x83\xC4\x28\x5B\x5D\xC3", 7);
    put_code(0x1130, "\x48\x8D\x65\x20\x5D\xC3", 6);
    put_entry(0, 0x1000, 0x1040, 0x2000);
    put_entry(1, 0x1100, 0x1140, 0x2100);
    put_entry(2, 0x1200, 0x1240, 0x2200);
    put_entry(3, 0x1300, 0x1320, 0x2300);
    put_entry(4, 0x1380, 0x13a0, 0x2400);
    put_entry(5, 0x1400, 0x1410, 0x2500);
    put_entry(6, 0x1500, 0x1510, PDATA | 1);
    stack = calloc(0x110000, 1);
}

static bool registered(void)
{
    char err[256] = "";
    if (!img)
        build();
    rtl_function_table_remove(base);
    if (!rtl_function_table_add(base, IMG_SIZE, PDATA, 7 * sizeof(RUNTIME_FUNCTION), err, sizeof err))
        return kt_fail(__FILE__, __LINE__, "registration failed: %s", err);
    return true;
}

/* A context whose only register is RSP, at sp. */
static void at(CONTEXT *c, const ULONG64 *sp)
{
    memset(c, 0, sizeof *c);
    c->Rsp = (ULONG64)(uintptr_t)sp;
}

/* Unwinds ctx from pc in the function holding it. */
static PEXCEPTION_ROUTINE unwind(ULONG type, ULONG pc, CONTEXT *ctx, ULONG64 *frame, PVOID *data,
                                 KNONVOLATILE_CONTEXT_POINTERS *pointers)
{
    ULONG64 image;
    PRUNTIME_FUNCTION fn = RtlLookupFunctionEntry(base + pc, &image, NULL);
    if (!fn) {
        kt_fail(__FILE__, __LINE__, "no entry for RVA 0x%x", pc);
        return NULL;
    }
    return RtlVirtualUnwind(type, image, base + pc, fn, ctx, data, frame, pointers);
}

/* "These entries are sorted": the lookup finds the entry holding the
 * address, its image base; none in a gap or outside the image. */
KT_TEST(RtlLookupFunctionEntry_finds_the_entry)
{
    ULONG64 image = 1;
    KT_REQUIRE(registered());
    PRUNTIME_FUNCTION fn = RtlLookupFunctionEntry(base + 0x1101, &image, NULL);
    KT_REQUIRE(KT_TRUE(fn != NULL));
    KT_EQ_HEX(fn->BeginAddress, 0x1100);
    KT_EQ_HEX(image, base);
    KT_EQ_HEX(RtlLookupFunctionEntry(base + 0x13a0 - 1, &image, NULL)->BeginAddress, 0x1380);
    KT_EQ_PTR(RtlLookupFunctionEntry(base + 0x1040, &image, NULL), NULL); /* End is exclusive */
    KT_TRUE(rtl_function_table_covers(base + 0x1040));
    KT_EQ_PTR(RtlLookupFunctionEntry(base + IMG_SIZE, &image, NULL), NULL);
    KT_EQ_HEX(image, 0);
    KT_FALSE(rtl_function_table_covers(base + IMG_SIZE));
    /* an indirect entry (UnwindData bit 0) gives the entry it names */
    KT_EQ_HEX(RtlLookupFunctionEntry(base + 0x1508, &image, NULL)->BeginAddress, 0x1000);
    rtl_function_table_remove(base);
    KT_EQ_PTR(RtlLookupFunctionEntry(base + 0x1101, &image, NULL), NULL);
}

/* A malformed exception directory is refused, saying which entry and why. */
KT_TEST(function_table_checks)
{
    char err[256];
    KT_REQUIRE(registered());
    rtl_function_table_remove(base);
    KT_FALSE(rtl_function_table_add(base, IMG_SIZE, PDATA, 13, err, sizeof err));
    KT_CONTAINS(err, "are not 4-byte aligned 12-byte entries");
    put_entry(1, 0x0F00, 0x0F40, 0x2100);
    KT_FALSE(rtl_function_table_add(base, IMG_SIZE, PDATA, 7 * sizeof(RUNTIME_FUNCTION), err, sizeof err));
    KT_CONTAINS(err, "entry 1 (code at RVA 0xf00-0xf40, unwind data 0x2100): it does not follow the previous entry");
    put_entry(1, 0x1100, 0x5000, 0x2100);
    KT_FALSE(rtl_function_table_add(base, IMG_SIZE, PDATA, 7 * sizeof(RUNTIME_FUNCTION), err, sizeof err));
    KT_CONTAINS(err, "its code range is not inside the image");
    put_entry(1, 0x1100, 0x1140, 0x3FFE);
    KT_FALSE(rtl_function_table_add(base, IMG_SIZE, PDATA, 7 * sizeof(RUNTIME_FUNCTION), err, sizeof err));
    KT_CONTAINS(err, "its unwind information is not inside the image");
    put_entry(1, 0x1100, 0x1140, 0x3FF8);
    img[0x3FF8 + 2] = 20; /* 20 codes from 0x3FFC run past the end */
    KT_FALSE(rtl_function_table_add(base, IMG_SIZE, PDATA, 7 * sizeof(RUNTIME_FUNCTION), err, sizeof err));
    KT_CONTAINS(err, "its unwind information runs past the end of the image");
    put_entry(1, 0x1100, 0x1140, 0x2100);
    KT_TRUE(rtl_function_table_add(base, IMG_SIZE, 0, 0, err, sizeof err)); /* no directory: nothing to do */
    KT_TRUE(registered());
    KT_TRUE(rtl_function_tables_have_handlers()); /* F1's */
    rtl_function_table_remove(base);
}

/* Past the prolog every code is undone: RSP back over the allocation and
 * the pushes, the pushed registers reloaded, RIP the return address; the
 * establisher frame is RSP as the body has it, and ContextPointers says
 * where each register was found. */
KT_TEST(RtlVirtualUnwind_body)
{
    CONTEXT c;
    KNONVOLATILE_CONTEXT_POINTERS pointers;
    ULONG64 frame = 0, *sp = stack + 100;
    PVOID data = NULL;

    KT_REQUIRE(registered());
    memset(&c, 0, sizeof c);
    memset(&pointers, 0, sizeof pointers);
    c.Rsp = (ULONG64)(uintptr_t)sp;
    sp[5] = 0xB0B0; /* rbx at +0x28 */
    sp[6] = 0xBEBE; /* rbp */
    sp[7] = 0x7777; /* return address */
    PEXCEPTION_ROUTINE handler = unwind(UNW_FLAG_EHANDLER, 0x1010, &c, &frame, &data, &pointers);
    KT_EQ_HEX(frame, (uintptr_t)sp);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(sp + 8));
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rbx, 0xB0B0);
    KT_EQ_HEX(c.Rbp, 0xBEBE);
    KT_EQ_PTR(pointers.Rbx, &sp[5]);
    KT_EQ_PTR(pointers.Rbp, &sp[6]);
    /* the handler: its RVA after the codes, its data after that */
    KT_EQ_HEX((uintptr_t)handler, base + 0x1050);
    KT_EQ_HEX((uintptr_t)data, base + 0x2000 + 4 + 4 * 2 + 4);
    KT_EQ_HEX(*(ULONG *)data, 0xABCD);
    rtl_function_table_remove(base);
}

/* "If the RIP lies within the prologue ... the effects of the prolog are
 * unwound by ... undoing ... the remaining items": at offset 1 only the
 * push of RBP has run; at 0 nothing has. No handler in a prolog. */
KT_TEST(RtlVirtualUnwind_prolog)
{
    CONTEXT c;
    ULONG64 frame, *sp = stack + 100;
    PVOID data;

    KT_REQUIRE(registered());
    at(&c, sp);
    c.Rbx = 0x1111;
    sp[0] = 0xBEBE;
    sp[1] = 0x7777;
    KT_EQ_PTR(unwind(UNW_FLAG_EHANDLER, 0x1001, &c, &frame, &data, NULL), NULL);
    KT_EQ_HEX(c.Rbp, 0xBEBE);
    KT_EQ_HEX(c.Rbx, 0x1111);
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(sp + 2));
    c.Rsp = (ULONG64)(uintptr_t)sp;
    KT_EQ_PTR(unwind(UNW_FLAG_EHANDLER, 0x1000, &c, &frame, &data, NULL), NULL);
    KT_EQ_HEX(c.Rip, 0xBEBE);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(sp + 1));
    rtl_function_table_remove(base);
}

/* "If the RIP is within an epilog ... the remaining portion of the epilog
 * is simulated": from `add rsp`, and from its second pop. No handler. */
KT_TEST(RtlVirtualUnwind_epilog)
{
    CONTEXT c;
    ULONG64 frame, *sp = stack + 100;
    PVOID data;

    KT_REQUIRE(registered());
    at(&c, sp);
    sp[5] = 0xB0B0;
    sp[6] = 0xBEBE;
    sp[7] = 0x7777;
    KT_EQ_PTR(unwind(UNW_FLAG_EHANDLER, 0x1030, &c, &frame, &data, NULL), NULL);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(sp + 8));
    KT_EQ_HEX(c.Rbx, 0xB0B0);
    KT_EQ_HEX(c.Rbp, 0xBEBE);
    KT_EQ_HEX(c.Rip, 0x7777);
    at(&c, sp + 6);
    unwind(UNW_FLAG_EHANDLER, 0x1035, &c, &frame, &data, NULL);
    KT_EQ_HEX(c.Rbx, 0);
    KT_EQ_HEX(c.Rbp, 0xBEBE);
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(sp + 8));
    rtl_function_table_remove(base);
}

/* A frame register: the establisher frame is RBP - 16 * FrameOffset even
 * when RSP moved on (alloca); saved RSI and XMM6 are found from it; the
 * epilog's `lea rsp, [rbp + 0x20]` is followed too. */
KT_TEST(RtlVirtualUnwind_frame_register)
{
    CONTEXT c;
    KNONVOLATILE_CONTEXT_POINTERS pointers;
    ULONG64 frame, *fixed = stack + 100;
    PVOID data;

    KT_REQUIRE(registered());
    memset(&c, 0, sizeof c);
    memset(&pointers, 0, sizeof pointers);
    c.Rsp = (ULONG64)(uintptr_t)(fixed - 30); /* dynamic allocations below */
    c.Rbp = (ULONG64)(uintptr_t)fixed + 0x20;
    fixed[2] = 0x5151;                       /* rsi at +0x10 */
    fixed[4] = 0x66;                         /* xmm6 at +0x20 */
    fixed[5] = 0x6600;
    fixed[8] = 0xBEBE;                       /* rbp at +0x40 */
    fixed[9] = 0x7777;
    unwind(UNW_FLAG_UHANDLER, 0x1120, &c, &frame, &data, &pointers);
    KT_EQ_HEX(frame, (uintptr_t)fixed);
    KT_EQ_HEX(c.Rsi, 0x5151);
    KT_EQ_HEX(c.Xmm6.Low, 0x66);
    KT_EQ_HEX(c.Xmm6.High, 0x6600);
    KT_EQ_PTR(pointers.Xmm6, &fixed[4]);
    KT_EQ_HEX(c.Rbp, 0xBEBE);
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(fixed + 10));
    /* in the prolog before SET_FPREG the frame is RSP */
    at(&c, fixed);
    c.Rbp = 1;
    unwind(UNW_FLAG_UHANDLER, 0x1110, &c, &frame, &data, NULL);
    KT_EQ_HEX(frame, (uintptr_t)fixed);
    KT_EQ_HEX(c.Rsi, 0x5151);
    KT_EQ_HEX(c.Rip, 0x7777);
    /* the epilog */
    at(&c, fixed - 30);
    c.Rbp = (ULONG64)(uintptr_t)fixed + 0x20;
    unwind(UNW_FLAG_UHANDLER, 0x1130, &c, &frame, &data, NULL);
    KT_EQ_HEX(c.Rbp, 0xBEBE);
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(fixed + 10));
    rtl_function_table_remove(base);
}

/* ALLOC_LARGE's two forms (size / 8 in one slot; the size in two),
 * SAVE_NONVOL_FAR and SAVE_XMM128_FAR (unscaled offsets in two slots). */
KT_TEST(RtlVirtualUnwind_large_forms)
{
    CONTEXT c;
    ULONG64 frame, *sp = stack + 16;
    PVOID data;

    KT_REQUIRE(registered());
    at(&c, sp);
    sp[0x20208 / 8] = 0x1212;               /* r12 at frame + 0x20208 */
    sp[0x100 / 8] = 0x77;                   /* xmm7 at frame + 0x100 */
    sp[(0x100000 + 0x800) / 8] = 0x7777;    /* after 0x100000 + 0x100 * 8 bytes */
    unwind(UNW_FLAG_NHANDLER, 0x1230, &c, &frame, &data, NULL);
    KT_EQ_HEX(c.R12, 0x1212);
    KT_EQ_HEX(c.Xmm7.Low, 0x77);
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, (uintptr_t)sp + 0x100000 + 0x800 + 8);
    rtl_function_table_remove(base);
}

/* "While walking the unwind code array ... once the end of the array is
 * reached, it's then linked to the parent unwind info": the chunk's save of
 * RBX, then all of the primary's codes. */
KT_TEST(RtlVirtualUnwind_chained)
{
    CONTEXT c;
    ULONG64 frame, *sp = stack + 100;
    PVOID data;

    KT_REQUIRE(registered());
    at(&c, sp);
    sp[1] = 0xB0B0; /* rbx at frame + 8 */
    sp[4] = 0xBEBE; /* rbp after the 0x20 allocation */
    sp[5] = 0x7777;
    unwind(UNW_FLAG_EHANDLER, 0x1390, &c, &frame, &data, NULL);
    KT_EQ_HEX(c.Rbx, 0xB0B0);
    KT_EQ_HEX(c.Rbp, 0xBEBE);
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(sp + 6));
    rtl_function_table_remove(base);
}

/* UWOP_PUSH_MACHFRAME with an error code: RIP at RSP + 8, the old RSP at
 * RSP + 32; no return address is popped after it. */
KT_TEST(RtlVirtualUnwind_machine_frame)
{
    CONTEXT c;
    ULONG64 frame, *sp = stack + 100;
    PVOID data;

    KT_REQUIRE(registered());
    at(&c, sp);
    sp[0] = 0xE; /* error code */
    sp[1] = 0x7777;
    sp[4] = 0x5000;
    unwind(UNW_FLAG_NHANDLER, 0x1405, &c, &frame, &data, NULL);
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, 0x5000);
    rtl_function_table_remove(base);
}

/* The handler is returned only for the kind asked for. */
KT_TEST(RtlVirtualUnwind_handler_kind)
{
    CONTEXT c;
    ULONG64 frame, *sp = stack + 100;
    PVOID data = (PVOID)1;

    KT_REQUIRE(registered());
    at(&c, sp);
    KT_EQ_PTR(unwind(UNW_FLAG_UHANDLER, 0x1010, &c, &frame, &data, NULL), NULL);
    KT_EQ_PTR(data, NULL);
    rtl_function_table_remove(base);
}

/* A leaf has no entry: its return address is at RSP. A stack that cannot be
 * read ends the walk (the internal form says so) instead of faulting. */
KT_TEST(leaf_and_unreadable_stack)
{
    CONTEXT c;
    ULONG64 frame, *sp = stack + 100, image;
    PVOID data;
    bool ok = true;
    void *hole = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    KT_REQUIRE(registered());
    memset(&c, 0, sizeof c);
    c.Rip = base + 0x1600;
    c.Rsp = (ULONG64)(uintptr_t)sp;
    sp[0] = 0x7777;
    KT_TRUE(rtl_unwind_leaf(&c));
    KT_EQ_HEX(c.Rip, 0x7777);
    KT_EQ_HEX(c.Rsp, (uintptr_t)(sp + 1));
    c.Rsp = (ULONG64)(uintptr_t)hole;
    KT_FALSE(rtl_unwind_leaf(&c));
    PRUNTIME_FUNCTION fn = RtlLookupFunctionEntry(base + 0x1010, &image, NULL);
    rtl_virtual_unwind(UNW_FLAG_NHANDLER, image, base + 0x1010, fn, &c, &data, &frame, NULL, &ok);
    KT_FALSE(ok);
    munmap(hole, PAGE_SIZE);
    rtl_function_table_remove(base);
}
