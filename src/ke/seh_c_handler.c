/* ke/seh_c_handler.c: __C_specific_handler, the language handler MSVC and
 * clang give every function with a C __try. It reads the function's scope
 * table (SCOPE_TABLE_AMD64, after the handler's address in the UNWIND_INFO):
 * while an exception is searched for, it calls the filters of the __try
 * blocks that hold the address where control left the function, innermost
 * first, and unwinds to the __except block of the first that takes the
 * exception; while the stack unwinds, it calls their __finally blocks, up
 * to the target __except's own __try when this is the target frame, as the
 * Microsoft C runtime's handler does.
 *
 * Surprise: a scope table that points outside its (registered) image is
 * ignored, as if the function had no __try. */
#include "ke/seh.h"

#include "rtl/unwind.h"

#include <string.h>

/* Whether the scope table lies in its image and its addresses do. */
static bool ke_seh_scopes_ok(const DISPATCHER_CONTEXT *dc, const SCOPE_TABLE *table)
{
    size_t size = rtl_function_table_image_size(dc->ImageBase);
    uintptr_t at = (uintptr_t)table - dc->ImageBase;

    if (!size)
        return true; /* a table the caller built in memory: as given */
    if (at > size || size - at < sizeof table->Count || (size - at - sizeof table->Count) / 16 < table->Count)
        return false;
    for (ULONG i = 0; i < table->Count; i++) {
        if (table->ScopeRecord[i].BeginAddress > size || table->ScopeRecord[i].EndAddress > size ||
            table->ScopeRecord[i].JumpTarget >= size ||
            (table->ScopeRecord[i].HandlerAddress != EXCEPTION_EXECUTE_HANDLER &&
             table->ScopeRecord[i].HandlerAddress >= size))
            return false;
    }
    return true;
}

/* During the target frame's unwind: the unwind stops at the scope the
 * target __except belongs to (one with its jump target and filter holding
 * the target address, or whose jump target it is). */
static bool ke_seh_scope_is_target(const SCOPE_TABLE *table, ULONG i, ULONG64 target)
{
    if (table->ScopeRecord[i].JumpTarget && table->ScopeRecord[i].JumpTarget == target)
        return true;
    for (ULONG j = 0; j < table->Count; j++)
        if (target >= table->ScopeRecord[j].BeginAddress && target < table->ScopeRecord[j].EndAddress &&
            table->ScopeRecord[j].JumpTarget == table->ScopeRecord[i].JumpTarget &&
            table->ScopeRecord[j].HandlerAddress == table->ScopeRecord[i].HandlerAddress)
            return true;
    return false;
}

/* The language handler of C's __try (Microsoft C runtime,
 * __C_specific_handler): returns ExceptionContinueSearch, or
 * ExceptionContinueExecution when a filter says EXCEPTION_CONTINUE_EXECUTION;
 * a filter saying EXCEPTION_EXECUTE_HANDLER unwinds to its __except block
 * (RtlUnwindEx, with the exception code as the value in RAX) and never
 * returns. */
NTSYSAPI EXCEPTION_DISPOSITION NTAPI __C_specific_handler(PEXCEPTION_RECORD ExceptionRecord, PVOID EstablisherFrame,
                                                          PCONTEXT ContextRecord, PVOID DispatcherContext)
{
    PDISPATCHER_CONTEXT dc = DispatcherContext;
    const SCOPE_TABLE *table = dc->HandlerData;
    ULONG64 base = dc->ImageBase, pc = dc->ControlPc - base;

    if (!ke_seh_scopes_ok(dc, table))
        return ExceptionContinueSearch;
    if (ExceptionRecord->ExceptionFlags & EXCEPTION_UNWIND) {
        bool target_unwind = ExceptionRecord->ExceptionFlags & EXCEPTION_TARGET_UNWIND;
        for (ULONG i = dc->ScopeIndex; i < table->Count; i++) {
            if (pc < table->ScopeRecord[i].BeginAddress || pc >= table->ScopeRecord[i].EndAddress)
                continue;
            if (target_unwind && ke_seh_scope_is_target(table, i, dc->TargetIp - base))
                break;
            if (table->ScopeRecord[i].JumpTarget)
                continue;
            /* the next scope, should this __finally raise and be unwound past */
            dc->ScopeIndex = i + 1;
            ((PTERMINATION_HANDLER)(uintptr_t)(base + table->ScopeRecord[i].HandlerAddress))(TRUE, EstablisherFrame);
        }
        return ExceptionContinueSearch;
    }
    for (ULONG i = dc->ScopeIndex; i < table->Count; i++) {
        LONG filter = EXCEPTION_EXECUTE_HANDLER;
        if (pc < table->ScopeRecord[i].BeginAddress || pc >= table->ScopeRecord[i].EndAddress ||
            !table->ScopeRecord[i].JumpTarget)
            continue;
        if (table->ScopeRecord[i].HandlerAddress != EXCEPTION_EXECUTE_HANDLER) {
            EXCEPTION_POINTERS pointers = { ExceptionRecord, ContextRecord };
            filter = ((PEXCEPTION_FILTER)(uintptr_t)(base + table->ScopeRecord[i].HandlerAddress))(
                &pointers, EstablisherFrame);
        }
        if (filter < 0)
            return ExceptionContinueExecution;
        if (filter > 0)
            RtlUnwindEx(EstablisherFrame, (PVOID)(uintptr_t)(base + table->ScopeRecord[i].JumpTarget),
                        ExceptionRecord, (PVOID)(ULONG_PTR)(ULONG)ExceptionRecord->ExceptionCode,
                        dc->ContextRecord, dc->HistoryTable);
    }
    return ExceptionContinueSearch;
}
