/* ke/seh_dispatch.c: the exception dispatcher: the search for a handler,
 * innermost frame first, through .sys frames (each function's language
 * handler, found with the image's unwind data) and gcc __try frames; what
 * EXCEPTION_CONTINUE_EXECUTION does; the bugcheck when no handler takes the
 * exception; and RtlRaiseException.
 *
 * Surprise: the walk over .sys frames starts at the innermost .sys frame
 * and ends at the first frame outside a .sys (ntbox's code, which has no
 * Windows unwind data): a __try in a .sys further up, past a routine of
 * ntbox that called back into a driver, is not searched. gcc __try frames
 * are found wherever they are. */
#include "ke/seh.h"

#include "ke/bugcheck.h"
#include "ps/process.h"
#include "rtl/status_name.h"
#include "rtl/unwind.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

void ke_seh_dispatch_init(struct ke_seh_dispatch *d, NTSTATUS code, ULONG flags, const void *address,
                          const CONTEXT *context)
{
    memset(d, 0, sizeof *d);
    d->own_record.ExceptionCode = code;
    d->own_record.ExceptionFlags = flags;
    d->own_record.ExceptionAddress = (PVOID)address;
    d->record = &d->own_record;
    d->context = *context;
    d->at = address;
    d->history.LowAddress = (ULONG64)(uintptr_t)d;
    d->history.HighAddress = ~d->history.LowAddress;
}

void ke_seh_dispatch_find_pe(struct ke_seh_dispatch *d)
{
    if (rtl_function_table_covers(d->context.Rip)) {
        d->pe_start = d->context;
        d->pe = true;
    } else if (rtl_function_tables_have_handlers()) {
        d->pe = ke_seh_context_of_caller(&d->pe_start, NULL);
    }
}

struct ke_seh_dispatch *ke_seh_dispatch_of(PUNWIND_HISTORY_TABLE history)
{
    struct ke_seh_dispatch *d;
    if (!history)
        return NULL;
    d = (struct ke_seh_dispatch *)((char *)history - offsetof(struct ke_seh_dispatch, history));
    return history->LowAddress == (ULONG64)(uintptr_t)d && history->HighAddress == ~history->LowAddress ? d : NULL;
}

/* The search phase. Returns EXCEPTION_CONTINUE_EXECUTION when a filter says
 * so, EXCEPTION_CONTINUE_SEARCH when no frame takes the exception; a frame
 * that takes it unwinds the stack and never returns here. */
static LONG ke_seh_search(struct ke_seh_dispatch *d)
{
    EXCEPTION_RECORD *record = d->record;
    ULONG flags = record->ExceptionFlags & EXCEPTION_NONCONTINUABLE;
    CONTEXT walk = d->pe_start;

    d->pointers.ExceptionRecord = record;
    d->pointers.ContextRecord = &d->context;
    for (unsigned n = 0; n < KE_SEH_MAX_FRAMES; n++) {
        ULONG64 base = 0, frame, pc = walk.Rip;
        bool in_sys = d->pe && rtl_function_table_covers(pc), ok;
        PRUNTIME_FUNCTION fn = in_sys ? rtl_lookup_function_entry(pc, &base) : NULL;
        PNTBOX_SEH_FRAME native;
        LONG disposition;
        PVOID data;

        native = ke_seh_native_search(d, in_sys ? walk.Rsp : UINTPTR_MAX, &disposition);
        if (native && disposition > 0)
            ke_seh_unwind(d, 0, NULL, NULL, native);
        if (native)
            return EXCEPTION_CONTINUE_EXECUTION;
        if (!in_sys || (!fn && !rtl_unwind_leaf(&walk)))
            break;
        if (!fn)
            continue;
        PEXCEPTION_ROUTINE handler =
            rtl_virtual_unwind(UNW_FLAG_EHANDLER, base, pc, fn, &walk, &data, &frame, NULL, &ok);
        if (!ok)
            break; /* the stack cannot be walked further (Windows: EXCEPTION_STACK_INVALID) */
        if (!handler)
            continue;
        DISPATCHER_CONTEXT dc = { pc, base, fn, frame, 0, &walk, handler, data, &d->history, 0, 0 };
        record->ExceptionFlags = flags;
        EXCEPTION_DISPOSITION r = handler(record, (PVOID)(uintptr_t)frame, &d->context, &dc);
        flags |= record->ExceptionFlags & EXCEPTION_NONCONTINUABLE;
        record->ExceptionFlags = flags;
        if (r == ExceptionContinueExecution)
            return EXCEPTION_CONTINUE_EXECUTION;
        if (r != ExceptionContinueSearch)
            ke_seh_broken(d, STATUS_INVALID_DISPOSITION,
                          "A .sys function's language handler returned a disposition other than "
                          "ExceptionContinueExecution or ExceptionContinueSearch while the exception was dispatched.");
    }
    return EXCEPTION_CONTINUE_SEARCH;
}

void ke_seh_raise(struct ke_seh_dispatch *d)
{
    char name[96];

    for (;;) {
        LONG result = ke_seh_search(d);
        ke_seh_native_release(d);
        if (result == EXCEPTION_CONTINUE_SEARCH)
            ke_seh_unhandled(d);
        if (!(d->record->ExceptionFlags & EXCEPTION_NONCONTINUABLE))
            return;
        if (d->record == &d->noncontinuable) {
            snprintf(d->text + strlen(d->text), sizeof d->text - strlen(d->text),
                     " A filter continued the STATUS_NONCONTINUABLE_EXCEPTION raised for it too.");
            ke_seh_unhandled(d);
        }
        /* As Windows: continuing a noncontinuable exception raises another. */
        d->noncontinuable.ExceptionCode = STATUS_NONCONTINUABLE_EXCEPTION;
        d->noncontinuable.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
        d->noncontinuable.ExceptionRecord = d->record;
        d->noncontinuable.ExceptionAddress = d->record->ExceptionAddress;
        snprintf(d->text, sizeof d->text, "A filter returned EXCEPTION_CONTINUE_EXECUTION for %s, which cannot be "
                 "continued (ExRaiseStatus and its variants raise noncontinuable exceptions).",
                 rtl_status_describe(d->record->ExceptionCode, name, sizeof name));
        d->detail = d->text;
        d->record = &d->noncontinuable;
    }
}

void ke_seh_unhandled(struct ke_seh_dispatch *d)
{
    const EXCEPTION_RECORD *r = d->record;
    char name[96];

    /* The context decides the bug check: 0x7E in the System process, 0x3B
     * in a system service a client's thread called (ke/bugcheck.c). */
    (void)r, (void)name;
    if (d->fault_signal && r == &d->own_record)
        ke_seh_fault_unhandled(d);
    ke_unhandled_exception(r->ExceptionCode, d->at, d->detail);
}

void ke_seh_broken(struct ke_seh_dispatch *d, NTSTATUS status, const char *why)
{
    ke_unhandled_exception(status, d->at, why);
}

/* RtlRaiseException's body: context is its caller's. */
__attribute__((used)) static void rtl_raise_exception(PEXCEPTION_RECORD record, ULONG64 unused, CONTEXT *context)
{
    struct ke_seh_dispatch d;

    (void)unused;
    record->ExceptionAddress = (PVOID)(uintptr_t)context->Rip;
    ke_seh_dispatch_init(&d, record->ExceptionCode, record->ExceptionFlags, record->ExceptionAddress, context);
    d.record = record;
    d.detail = "The driver called RtlRaiseException.";
    ke_seh_dispatch_find_pe(&d);
    ke_seh_raise(&d);
    *context = d.context; /* continued: resume as the filters left it */
}

/* Raises ExceptionRecord's exception, its address set to the caller's
 * return address; returns when a filter continues execution, with the
 * context the filter may have changed (WDK, RtlRaiseException). */
KE_SEH_CAPTURING_ENTRY(RtlRaiseException, rtl_raise_exception);
