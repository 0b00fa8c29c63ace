/* ke/seh_unwind.c: the unwind phase: RtlUnwindEx, RtlUnwind, and the
 * unwind to a gcc __try frame's __except block. Every frame between the
 * exception and the target runs its termination handlers (a .sys frame,
 * through its language handler called with EXCEPTION_UNWINDING) or its
 * __finally block (a gcc __try frame), innermost first; then the target
 * resumes: a .sys frame at TargetIp with ReturnValue in RAX, as Windows
 * does, or a gcc __try frame's __except block.
 *
 * Surprise: RtlUnwindEx called by __C_specific_handler (or any language
 * handler) during a dispatch walks from where the exception was raised,
 * not from its own frame: ntbox's own frames in between have no Windows
 * unwind data. Called by a driver outside a dispatch, it walks from its
 * caller. */
#include "ke/seh.h"

#include "rtl/unwind.h"

void ke_seh_unwind(struct ke_seh_dispatch *d, ULONG64 target_frame, PVOID target_ip, PVOID return_value,
                   PNTBOX_SEH_FRAME native_target)
{
    EXCEPTION_RECORD *record = d->record;
    CONTEXT walk = d->pe_start, frame_context;

    /* Searching is over: an exception a __finally raises during the unwind
     * may be taken by any frame still on the stack, the target included. */
    ke_seh_native_release(d);
    record->ExceptionFlags |= EXCEPTION_UNWINDING;
    if (!target_frame && !native_target)
        record->ExceptionFlags |= EXCEPTION_EXIT_UNWIND;
    for (unsigned n = 0; n < KE_SEH_MAX_FRAMES; n++) {
        ULONG64 base = 0, frame;
        bool in_sys = d->pe && rtl_function_table_covers(walk.Rip), ok;
        PRUNTIME_FUNCTION fn = in_sys ? rtl_lookup_function_entry(walk.Rip, &base) : NULL;
        uintptr_t limit = in_sys ? walk.Rsp : UINTPTR_MAX;
        PVOID data;

        if (native_target && (uintptr_t)native_target < limit) {
            ke_seh_native_unwind_to(d, native_target);
            ke_seh_native_resume(d, native_target);
        }
        ke_seh_native_unwind(d, limit);
        if (!in_sys || (!fn && !rtl_unwind_leaf(&walk)))
            break;
        if (!fn)
            continue;
        frame_context = walk;
        PEXCEPTION_ROUTINE handler =
            rtl_virtual_unwind(UNW_FLAG_UHANDLER, base, walk.Rip, fn, &walk, &data, &frame, NULL, &ok);
        if (!ok)
            break;
        bool target = !native_target && frame == target_frame;
        if (target)
            record->ExceptionFlags |= EXCEPTION_TARGET_UNWIND;
        if (handler) {
            DISPATCHER_CONTEXT dc = { frame_context.Rip, base, fn, frame, (ULONG64)(uintptr_t)target_ip,
                                      &frame_context, handler, data, &d->history, 0, 0 };
            if (handler(record, (PVOID)(uintptr_t)frame, &frame_context, &dc) != ExceptionContinueSearch)
                ke_seh_broken(d, STATUS_INVALID_DISPOSITION,
                              "A .sys function's language handler returned a disposition other than "
                              "ExceptionContinueSearch while the stack was unwound.");
        }
        if (target) {
            frame_context.Rax = (ULONG64)(uintptr_t)return_value;
            frame_context.Rip = (ULONG64)(uintptr_t)target_ip;
            ke_seh_continue(&frame_context);
        }
        if (target_frame && frame > target_frame)
            break;
    }
    ke_seh_broken(d, STATUS_BAD_STACK,
                  "RtlUnwindEx did not find its target frame on the stack (the frames it unwound ran their "
                  "termination handlers).");
}

/* RtlUnwindEx and RtlUnwind: caller is the driver's return address. */
__attribute__((noreturn)) static void ke_seh_unwind_for(PVOID target_frame, PVOID target_ip,
                                                        PEXCEPTION_RECORD record, PVOID return_value,
                                                        PUNWIND_HISTORY_TABLE history, const void *caller,
                                                        const char *routine)
{
    struct ke_seh_dispatch *d = ke_seh_dispatch_of(history), own;

    if (!d) {
        CONTEXT context;
        if (!ke_seh_context_of_caller(&context, caller))
            context.Rip = (ULONG64)(uintptr_t)caller;
        d = &own;
        ke_seh_dispatch_init(d, STATUS_UNWIND, 0, caller, &context);
        ke_seh_dispatch_find_pe(d);
        d->detail = routine;
    }
    if (record)
        d->record = record;
    ke_seh_unwind(d, (ULONG64)(uintptr_t)target_frame, target_ip, return_value, NULL);
}

/* Unwinds to TargetFrame (an establisher frame), running the termination
 * handlers of every frame on the way, then continues at TargetIp with
 * ReturnValue in RAX. Without ExceptionRecord the unwind's record is
 * STATUS_UNWIND's. ContextRecord, scratch space on Windows, is not needed
 * (WDK, RtlUnwindEx). */
NTSYSAPI VOID NTAPI RtlUnwindEx(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord,
                                PVOID ReturnValue, PCONTEXT ContextRecord, PUNWIND_HISTORY_TABLE HistoryTable)
{
    (void)ContextRecord;
    ke_seh_unwind_for(TargetFrame, TargetIp, ExceptionRecord, ReturnValue, HistoryTable,
                      __builtin_return_address(0), "The driver called RtlUnwindEx.");
}

/* RtlUnwindEx without a context record or history table (WDK, RtlUnwind). */
NTSYSAPI VOID NTAPI RtlUnwind(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord,
                              PVOID ReturnValue)
{
    ke_seh_unwind_for(TargetFrame, TargetIp, ExceptionRecord, ReturnValue, NULL, __builtin_return_address(0),
                      "The driver called RtlUnwind.");
}
