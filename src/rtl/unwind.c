/* rtl/unwind.c: x64 unwind data, as Microsoft's "x64 exception handling"
 * describes it: the function tables of loaded .sys images (their exception
 * directories, .pdata), RtlLookupFunctionEntry, and RtlVirtualUnwind, which
 * takes a context one frame up by undoing the function's prolog (its
 * UNWIND_INFO codes, chained infos included) or by finishing the epilog
 * the context stands in.
 *
 * Surprise: every read of the stack and of the unwind data goes through
 * safe_read, so a corrupt stack or table ends a walk (the internal form
 * says so) instead of faulting inside the exception dispatcher. */
#include "rtl/unwind.h"

#include "base/safe_read.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define UWOP_PUSH_NONVOL 0
#define UWOP_ALLOC_LARGE 1
#define UWOP_ALLOC_SMALL 2
#define UWOP_SET_FPREG 3
#define UWOP_SAVE_NONVOL 4
#define UWOP_SAVE_NONVOL_FAR 5
#define UWOP_EPILOG 6 /* version 2 only: where the epilogs are; nothing to undo */
#define UWOP_SPARE_CODE 7
#define UWOP_SAVE_XMM128 8
#define UWOP_SAVE_XMM128_FAR 9
#define UWOP_PUSH_MACHFRAME 10

#define RTL_MAX_FUNCTION_TABLES 16
#define RTL_MAX_CHAIN 32 /* chained unwind info deeper than this is a loop */

struct rtl_function_table {
    uintptr_t base;
    size_t size;
    const RUNTIME_FUNCTION *entries;
    ULONG count;
    bool handlers;
    int used; /* set last, cleared first: readers take no lock */
};

static struct rtl_function_table rtl_tables[RTL_MAX_FUNCTION_TABLES];
static pthread_mutex_t rtl_tables_lock = PTHREAD_MUTEX_INITIALIZER;

/* An UNWIND_INFO with its codes copied out. */
struct rtl_unwind_info {
    UCHAR version, flags, prolog_size, count, frame_register, frame_offset;
    ULONG tail; /* RVA after the codes: handler RVA and its data, or the chained entry */
    USHORT codes[256];
};

static ULONG rtl_rd32(const UCHAR *p)
{
    return (ULONG)p[0] | (ULONG)p[1] << 8 | (ULONG)p[2] << 16 | (ULONG)p[3] << 24;
}

static bool rtl_read_info(ULONG64 base, ULONG rva, struct rtl_unwind_info *info)
{
    UCHAR h[4];
    if (!safe_read((const void *)(uintptr_t)(base + rva), h, sizeof h))
        return false;
    info->version = h[0] & 7;
    info->flags = h[0] >> 3;
    info->prolog_size = h[1];
    info->count = h[2];
    info->frame_register = h[3] & 15;
    info->frame_offset = h[3] >> 4;
    info->tail = rva + 4 + ((info->count + 1u) & ~1u) * 2;
    return (info->version == 1 || info->version == 2) &&
           safe_read((const void *)(uintptr_t)(base + rva + 4), info->codes, info->count * sizeof(USHORT));
}

/* The entry itself, or the one an indirect entry (UnwindData bit 0) names. */
static bool rtl_read_entry(ULONG64 base, const RUNTIME_FUNCTION *at, RUNTIME_FUNCTION *entry)
{
    if (!safe_read(at, entry, sizeof *entry))
        return false;
    if (entry->UnwindData & 1)
        return safe_read((const void *)(uintptr_t)(base + (entry->UnwindData & ~1u)), entry, sizeof *entry) &&
               !(entry->UnwindData & 1);
    return true;
}

/* Slots each unwind code takes in the array. */
static unsigned rtl_code_slots(USHORT code)
{
    unsigned op = (code >> 8) & 15, info = code >> 12;
    switch (op) {
    case UWOP_ALLOC_LARGE:
        return info ? 3 : 2;
    case UWOP_SAVE_NONVOL:
    case UWOP_SAVE_XMM128:
    case UWOP_EPILOG:
        return 2;
    case UWOP_SAVE_NONVOL_FAR:
    case UWOP_SAVE_XMM128_FAR:
    case UWOP_SPARE_CODE:
        return 3;
    default:
        return 1;
    }
}

/* Loads 8 bytes of stack at `at` into *reg, recording where it came from. */
static bool rtl_load(ULONG64 at, ULONG64 *reg, PULONG64 *where)
{
    if (!safe_read((const void *)(uintptr_t)at, reg, sizeof *reg))
        return false;
    if (where)
        *where = (PULONG64)(uintptr_t)at;
    return true;
}

static bool rtl_load_xmm(ULONG64 at, M128A *reg, PM128A *where)
{
    if (!safe_read((const void *)(uintptr_t)at, reg, sizeof *reg))
        return false;
    if (where)
        *where = (PM128A)(uintptr_t)at;
    return true;
}

/* Undoes info's codes whose instruction has run: those ending at or before
 * `offset` bytes into the function (all of them when control is past the
 * prolog). Offsets of saved registers count from `frame`, the establisher
 * frame (the base of the fixed allocation). */
static bool rtl_undo_codes(const struct rtl_unwind_info *info, ULONG64 offset, ULONG64 frame, PCONTEXT c,
                           PKNONVOLATILE_CONTEXT_POINTERS p, bool *machine_frame)
{
    ULONG64 *regs = &c->Rax;
    M128A *xmm = &c->Xmm0;

    for (unsigned i = 0; i < info->count;) {
        USHORT code = info->codes[i];
        unsigned op = (code >> 8) & 15, reg = code >> 12, slots = rtl_code_slots(code);
        ULONG far = i + 2 < info->count ? info->codes[i + 1] | (ULONG)info->codes[i + 2] << 16 : 0;
        bool ok = true;

        if (i + slots > info->count)
            return false;
        if ((code & 0xFF) <= offset) {
            switch (op) {
            case UWOP_PUSH_NONVOL:
                ok = rtl_load(c->Rsp, &regs[reg], p ? &p->IntegerContext[reg] : NULL);
                c->Rsp += 8;
                break;
            case UWOP_ALLOC_LARGE:
                c->Rsp += reg ? far : info->codes[i + 1] * 8u;
                break;
            case UWOP_ALLOC_SMALL:
                c->Rsp += reg * 8u + 8;
                break;
            case UWOP_SET_FPREG:
                c->Rsp = regs[info->frame_register] - info->frame_offset * 16u;
                break;
            case UWOP_SAVE_NONVOL:
            case UWOP_SAVE_NONVOL_FAR:
                ok = rtl_load(frame + (op == UWOP_SAVE_NONVOL ? info->codes[i + 1] * 8u : far), &regs[reg],
                              p ? &p->IntegerContext[reg] : NULL);
                break;
            case UWOP_SAVE_XMM128:
            case UWOP_SAVE_XMM128_FAR:
                ok = rtl_load_xmm(frame + (op == UWOP_SAVE_XMM128 ? info->codes[i + 1] * 16u : far), &xmm[reg],
                                  p ? &p->FloatingContext[reg] : NULL);
                break;
            case UWOP_PUSH_MACHFRAME: {
                /* RIP, CS, EFLAGS, RSP, SS, after an error code when reg is 1 */
                ULONG64 at = c->Rsp + (reg ? 8 : 0);
                ok = rtl_load(at, &c->Rip, NULL) && rtl_load(at + 24, &c->Rsp, NULL);
                *machine_frame = true;
                break;
            }
            case UWOP_EPILOG:
                ok = info->version == 2;
                break;
            default:
                return false;
            }
        }
        if (!ok)
            return false;
        i += slots;
    }
    return true;
}

/* The establisher frame: the base of the fixed stack allocation, through
 * the frame register once the prolog has set it. */
static ULONG64 rtl_establisher_frame(const struct rtl_unwind_info *info, ULONG64 offset, const CONTEXT *c)
{
    const ULONG64 *regs = &c->Rax;
    ULONG64 fp = regs[info->frame_register] - info->frame_offset * 16u;

    if (!info->frame_register)
        return c->Rsp;
    if (offset >= info->prolog_size || (info->flags & UNW_FLAG_CHAININFO))
        return fp;
    for (unsigned i = 0; i < info->count; i += rtl_code_slots(info->codes[i]))
        if (((info->codes[i] >> 8) & 15) == UWOP_SET_FPREG)
            return (info->codes[i] & 0xFF) <= offset ? fp : c->Rsp;
    return c->Rsp;
}

/* When the code at pc is the rest of an epilog (an optional `add rsp, N`
 * or `lea rsp, [frame register + N]`, pops, then `ret` or a jump out of
 * the function), runs it on c and returns true; *ok says whether its stack
 * reads worked. */
static bool rtl_finish_epilog(ULONG64 base, const RUNTIME_FUNCTION *fn, const struct rtl_unwind_info *info,
                              ULONG64 pc, PCONTEXT c, PKNONVOLATILE_CONTEXT_POINTERS p, bool *ok)
{
    UCHAR code[32];
    size_t n = base + fn->EndAddress - pc, i = 0, npops = 0;
    ULONG64 *regs = &c->Rax, rsp = c->Rsp;
    UCHAR pops[16];
    bool ends = false;

    if (n > sizeof code)
        n = sizeof code;
    if (!n || !safe_read((const void *)(uintptr_t)pc, code, n))
        return false;
    if (n >= 4 && code[0] == 0x48 && code[1] == 0x83 && code[2] == 0xC4) {
        rsp += (int8_t)code[3];
        i = 4;
    } else if (n >= 7 && code[0] == 0x48 && code[1] == 0x81 && code[2] == 0xC4) {
        rsp += (int32_t)rtl_rd32(code + 3);
        i = 7;
    } else if (n >= 4 && (code[0] & 0xFE) == 0x48 && code[1] == 0x8D && info->frame_register &&
               (((code[0] & 1u) << 3) | (code[2] & 7u)) == info->frame_register) {
        if ((code[2] & 0xF8) == 0x60) {
            rsp = regs[info->frame_register] + (int8_t)code[3];
            i = 4;
        } else if ((code[2] & 0xF8) == 0xA0 && n >= 7) {
            rsp = regs[info->frame_register] + (int32_t)rtl_rd32(code + 3);
            i = 7;
        }
    }
    while (npops < sizeof pops && i < n) {
        if ((code[i] & 0xF8) == 0x58) {
            pops[npops++] = code[i] & 7;
            i += 1;
        } else if (i + 1 < n && (code[i] & 0xF0) == 0x40 && (code[i + 1] & 0xF8) == 0x58) {
            pops[npops++] = (UCHAR)(((code[i] & 1u) << 3) | (code[i + 1] & 7u));
            i += 2;
        } else {
            break;
        }
    }
    if (i < n && (code[i] == 0xC3 || code[i] == 0xC2)) {
        ends = true;
    } else if (i + 1 < n && code[i] == 0xF3 && code[i + 1] == 0xC3) {
        ends = true;
    } else if ((i + 1 < n && code[i] == 0xEB) || (i + 4 < n && code[i] == 0xE9)) {
        /* a jump out of the function (or to its start) is a tail call */
        ULONG64 target = pc + i - base + (code[i] == 0xEB ? 2 + (int8_t)code[i + 1] : 5 + (int32_t)rtl_rd32(code + i + 1));
        ends = target <= fn->BeginAddress || target >= fn->EndAddress;
    } else if (i + 1 < n && code[i] == 0xFF && code[i + 1] == 0x25) {
        ends = true;
    } else if (i + 2 < n && (code[i] & 0xF8) == 0x48 && code[i + 1] == 0xFF && (code[i + 2] & 0x38) == 0x20) {
        ends = true;
    }
    if (!ends)
        return false;
    c->Rsp = rsp;
    *ok = true;
    for (size_t k = 0; k < npops && *ok; k++, c->Rsp += 8)
        *ok = rtl_load(c->Rsp, &regs[pops[k]], p ? &p->IntegerContext[pops[k]] : NULL);
    *ok = *ok && rtl_load(c->Rsp, &c->Rip, NULL);
    c->Rsp += 8;
    return true;
}

PEXCEPTION_ROUTINE rtl_virtual_unwind(ULONG handler_type, ULONG64 base, ULONG64 pc, PRUNTIME_FUNCTION function,
                                      PCONTEXT context, PVOID *handler_data, PULONG64 establisher_frame,
                                      PKNONVOLATILE_CONTEXT_POINTERS pointers, bool *ok)
{
    struct rtl_unwind_info info;
    RUNTIME_FUNCTION fn;
    bool machine_frame = false;
    ULONG handler;

    *ok = false;
    *handler_data = NULL;
    if (!rtl_read_entry(base, function, &fn) || !rtl_read_info(base, fn.UnwindData, &info))
        return NULL;
    *establisher_frame = rtl_establisher_frame(&info, pc - (base + fn.BeginAddress), context);
    if (((info.flags & UNW_FLAG_CHAININFO) || pc - (base + fn.BeginAddress) >= info.prolog_size) &&
        rtl_finish_epilog(base, &fn, &info, pc, context, pointers, ok))
        return NULL;
    for (unsigned depth = 0;; depth++) {
        if (!rtl_undo_codes(&info, pc - (base + fn.BeginAddress), *establisher_frame, context, pointers,
                            &machine_frame))
            return NULL;
        if (!(info.flags & UNW_FLAG_CHAININFO))
            break;
        if (depth == RTL_MAX_CHAIN ||
            !rtl_read_entry(base, (const RUNTIME_FUNCTION *)(uintptr_t)(base + info.tail), &fn) ||
            !rtl_read_info(base, fn.UnwindData, &info))
            return NULL;
    }
    if (!machine_frame) {
        if (!rtl_load(context->Rsp, &context->Rip, NULL))
            return NULL;
        context->Rsp += 8;
    }
    *ok = true;
    /* The handler is the primary function's, and only past its prolog. */
    if (pc - (base + fn.BeginAddress) < info.prolog_size || !(info.flags & handler_type) ||
        !safe_read((const void *)(uintptr_t)(base + info.tail), &handler, sizeof handler))
        return NULL;
    *handler_data = (PVOID)(uintptr_t)(base + info.tail + 4);
    return (PEXCEPTION_ROUTINE)(uintptr_t)(base + handler);
}

/* Why entry i of the table at base (an image of `size` bytes) is
 * malformed, or NULL. */
static const char *rtl_entry_problem(uintptr_t base, size_t size, const RUNTIME_FUNCTION *e, ULONG i, bool *handlers)
{
    ULONG unwind = e[i].UnwindData & ~1u;
    UCHAR h[4];

    if (e[i].BeginAddress > e[i].EndAddress || e[i].EndAddress > size)
        return "its code range is not inside the image";
    if (i && e[i].BeginAddress < e[i - 1].EndAddress)
        return "it does not follow the previous entry (the table must be sorted and not overlap)";
    if (unwind % 4 || unwind > size - (e[i].UnwindData & 1 ? sizeof *e : 4))
        return "its unwind information is not inside the image";
    if (e[i].UnwindData & 1)
        return NULL;
    if (!safe_read((const void *)(base + unwind), h, sizeof h))
        return "its unwind information cannot be read";
    size_t end = unwind + 4 + ((h[2] + 1u) & ~1u) * 2u + ((h[0] >> 3) & UNW_FLAG_CHAININFO ? sizeof *e : 0) +
                 ((h[0] >> 3) & (UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER) ? 4 : 0);
    if (end > size)
        return "its unwind information runs past the end of the image";
    *handlers = *handlers || ((h[0] >> 3) & (UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER));
    return NULL;
}

bool rtl_function_table_add(uintptr_t base, size_t size, uint32_t rva, uint32_t bytes, char *err, size_t errn)
{
    const RUNTIME_FUNCTION *entries = (const RUNTIME_FUNCTION *)(base + rva);
    ULONG count = bytes / sizeof *entries;
    bool handlers = false;

    if (!bytes)
        return true;
    if (bytes % sizeof *entries || rva % 4) {
        snprintf(err, errn, "exception directory: %u bytes at RVA 0x%x are not 4-byte aligned 12-byte entries",
                 bytes, rva);
        return false;
    }
    for (ULONG i = 0; i < count; i++) {
        const char *problem = rtl_entry_problem(base, size, entries, i, &handlers);
        if (problem) {
            snprintf(err, errn, "exception directory: entry %u (code at RVA 0x%x-0x%x, unwind data 0x%x): %s", i,
                     entries[i].BeginAddress, entries[i].EndAddress, entries[i].UnwindData, problem);
            return false;
        }
    }
    pthread_mutex_lock(&rtl_tables_lock);
    for (int i = 0; i < RTL_MAX_FUNCTION_TABLES; i++) {
        if (!rtl_tables[i].used) {
            rtl_tables[i] = (struct rtl_function_table){ base, size, entries, count, handlers, 0 };
            __atomic_store_n(&rtl_tables[i].used, 1, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&rtl_tables_lock);
            return true;
        }
    }
    pthread_mutex_unlock(&rtl_tables_lock);
    snprintf(err, errn, "exception directory: no room to register another image's (at most %d)",
             RTL_MAX_FUNCTION_TABLES);
    return false;
}

void rtl_function_table_remove(uintptr_t base)
{
    pthread_mutex_lock(&rtl_tables_lock);
    for (int i = 0; i < RTL_MAX_FUNCTION_TABLES; i++)
        if (rtl_tables[i].used && rtl_tables[i].base == base)
            __atomic_store_n(&rtl_tables[i].used, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&rtl_tables_lock);
}

bool rtl_function_tables_have_handlers(void)
{
    for (int i = 0; i < RTL_MAX_FUNCTION_TABLES; i++)
        if (__atomic_load_n(&rtl_tables[i].used, __ATOMIC_ACQUIRE) && rtl_tables[i].handlers)
            return true;
    return false;
}

static const struct rtl_function_table *rtl_table_at(ULONG64 addr)
{
    for (int i = 0; i < RTL_MAX_FUNCTION_TABLES; i++)
        if (__atomic_load_n(&rtl_tables[i].used, __ATOMIC_ACQUIRE) && addr - rtl_tables[i].base < rtl_tables[i].size)
            return &rtl_tables[i];
    return NULL;
}

bool rtl_function_table_covers(ULONG64 pc)
{
    return rtl_table_at(pc) != NULL;
}

bool rtl_unwind_leaf(PCONTEXT context)
{
    ULONG64 ret;
    if (!rtl_load(context->Rsp, &ret, NULL) || ret == context->Rip)
        return false;
    context->Rip = ret;
    context->Rsp += 8;
    return true;
}

size_t rtl_function_table_image_size(ULONG64 base)
{
    const struct rtl_function_table *t = rtl_table_at(base);
    return t && t->base == base ? t->size : 0;
}

PRUNTIME_FUNCTION rtl_lookup_function_entry(ULONG64 pc, ULONG64 *base)
{
    const struct rtl_function_table *t = rtl_table_at(pc);
    ULONG rva, lo = 0, hi = t ? t->count : 0;

    *base = 0;
    if (!t)
        return NULL;
    rva = (ULONG)(pc - t->base);
    while (lo < hi) {
        ULONG mid = lo + (hi - lo) / 2;
        const RUNTIME_FUNCTION *e = &t->entries[mid];
        if (rva < e->BeginAddress) {
            hi = mid;
        } else if (rva >= e->EndAddress) {
            lo = mid + 1;
        } else {
            *base = t->base;
            if (e->UnwindData & 1)
                e = (const RUNTIME_FUNCTION *)(t->base + (e->UnwindData & ~1u));
            return (PRUNTIME_FUNCTION)e;
        }
    }
    return NULL;
}

/* The function table entry for ControlPc in the loaded images, and the
 * image's base; NULL for a leaf function or an address outside them.
 * HistoryTable, a lookup cache, is not used. Any IRQL (WDK,
 * RtlLookupFunctionEntry). */
NTSYSAPI PRUNTIME_FUNCTION NTAPI RtlLookupFunctionEntry(ULONG64 ControlPc, PULONG64 ImageBase,
                                                      PUNWIND_HISTORY_TABLE HistoryTable)
{
    (void)HistoryTable;
    return rtl_lookup_function_entry(ControlPc, ImageBase);
}

/* Takes ContextRecord from the function at ControlPc to its caller; returns
 * the function's language handler when control is past its prolog and it
 * has one of HandlerType's kind, with its data in *HandlerData, and the
 * function's establisher frame in *EstablisherFrame (WDK, RtlVirtualUnwind). */
NTSYSAPI PEXCEPTION_ROUTINE NTAPI RtlVirtualUnwind(ULONG HandlerType, ULONG64 ImageBase, ULONG64 ControlPc,
                                                  PRUNTIME_FUNCTION FunctionEntry, PCONTEXT ContextRecord,
                                                  PVOID *HandlerData, PULONG64 EstablisherFrame,
                                                  PKNONVOLATILE_CONTEXT_POINTERS ContextPointers)
{
    bool ok;
    return rtl_virtual_unwind(HandlerType, ImageBase, ControlPc, FunctionEntry, ContextRecord, HandlerData,
                              EstablisherFrame, ContextPointers, &ok);
}
