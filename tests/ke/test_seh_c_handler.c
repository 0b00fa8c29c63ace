/* tests/ke/test_seh_c_handler.c: __C_specific_handler, the language handler
 * of C's __try, given scope tables and dispatcher contexts built here: the
 * filters of the scopes that hold the control address, innermost first,
 * while an exception is searched for; the __finally blocks while the stack
 * unwinds, up to the target __except's scope in the target frame. */
#include "ktest.h"

#include "rtl/unwind.h"

#include <stdint.h>
#include <stdlib.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

extern const char __executable_start[];

static char g_calls[16];
static int g_ncalls;
static PVOID g_frame;
static NTSTATUS g_code;

static LONG NTAPI filter_a(PEXCEPTION_POINTERS p, PVOID frame)
{
    g_calls[g_ncalls++] = 'a';
    g_code = p->ExceptionRecord->ExceptionCode;
    g_frame = frame;
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG NTAPI filter_b(PEXCEPTION_POINTERS p, PVOID frame)
{
    (void)p, (void)frame;
    g_calls[g_ncalls++] = 'b';
    return EXCEPTION_CONTINUE_SEARCH;
}

static LONG NTAPI filter_continue(PEXCEPTION_POINTERS p, PVOID frame)
{
    (void)p, (void)frame;
    g_calls[g_ncalls++] = 'c';
    return EXCEPTION_CONTINUE_EXECUTION;
}

static VOID NTAPI finally_x(BOOLEAN abnormal, PVOID frame)
{
    g_calls[g_ncalls++] = abnormal ? 'X' : 'x';
    g_frame = frame;
}

static VOID NTAPI finally_y(BOOLEAN abnormal, PVOID frame)
{
    (void)frame;
    g_calls[g_ncalls++] = abnormal ? 'Y' : 'y';
}

/* Image-relative addresses from the start of this executable. */
static ULONG rva(const void *p)
{
    return (ULONG)((uintptr_t)p - (uintptr_t)__executable_start);
}

static struct {
    ULONG Count;
    struct { ULONG BeginAddress, EndAddress, HandlerAddress, JumpTarget; } ScopeRecord[4];
} g_table;

static void scope(ULONG i, ULONG begin, ULONG end, const void *handler, ULONG jump)
{
    g_table.ScopeRecord[i].BeginAddress = begin;
    g_table.ScopeRecord[i].EndAddress = end;
    g_table.ScopeRecord[i].HandlerAddress = handler == (const void *)1 ? 1 : rva(handler);
    g_table.ScopeRecord[i].JumpTarget = jump;
    if (i >= g_table.Count)
        g_table.Count = i + 1;
}

/* Calls the handler as the dispatcher would, for control at RVA pc. */
static EXCEPTION_DISPOSITION call(ULONG flags, ULONG pc, ULONG scope_index, ULONG target, DISPATCHER_CONTEXT *dc)
{
    static EXCEPTION_RECORD record;
    static CONTEXT context;
    memset(&record, 0, sizeof record);
    record.ExceptionCode = STATUS_UNSUCCESSFUL;
    record.ExceptionFlags = flags;
    memset(dc, 0, sizeof *dc);
    dc->ImageBase = (ULONG64)(uintptr_t)__executable_start;
    dc->ControlPc = dc->ImageBase + pc;
    dc->HandlerData = &g_table;
    dc->ScopeIndex = scope_index;
    dc->TargetIp = dc->ImageBase + target;
    dc->EstablisherFrame = 0x5000;
    dc->ContextRecord = &context;
    g_ncalls = 0;
    memset(g_calls, 0, sizeof g_calls);
    return __C_specific_handler(&record, (PVOID)0x5000, &context, dc);
}

/* Searching: the filters of the __except scopes holding the control
 * address run in table order (innermost first) with the exception's
 * pointers and the establisher frame; __finally scopes and scopes that do
 * not hold the address are passed over. */
KT_TEST(search_calls_the_filters_that_hold_the_address)
{
    DISPATCHER_CONTEXT dc;
    memset(&g_table, 0, sizeof g_table);
    scope(0, 0x100, 0x200, filter_a, 0x300);
    scope(1, 0x100, 0x200, finally_x, 0);
    scope(2, 0x180, 0x200, filter_continue, 0x310);
    scope(3, 0x000, 0x400, filter_b, 0x320);
    KT_EQ_INT(call(0, 0x150, 0, 0, &dc), ExceptionContinueSearch);
    KT_EQ_STR(g_calls, "ab");
    KT_EQ_PTR(g_frame, (PVOID)0x5000);
    KT_EQ_STATUS(g_code, STATUS_UNSUCCESSFUL);
    /* dc.ScopeIndex: where the search resumes */
    KT_EQ_INT(call(0, 0x150, 1, 0, &dc), ExceptionContinueSearch);
    KT_EQ_STR(g_calls, "b");
}

/* A filter's EXCEPTION_CONTINUE_EXECUTION ends the search. */
KT_TEST(search_continue_execution)
{
    DISPATCHER_CONTEXT dc;
    KT_EQ_INT(call(0, 0x190, 0, 0, &dc), ExceptionContinueExecution);
    KT_EQ_STR(g_calls, "ac");
}

/* Unwinding: the termination handlers of the __finally scopes holding the
 * address run, innermost first, with TRUE and the establisher frame;
 * ScopeIndex moves past each one called. */
KT_TEST(unwind_runs_the_finally_blocks)
{
    DISPATCHER_CONTEXT dc;
    memset(&g_table, 0, sizeof g_table);
    scope(0, 0x100, 0x200, finally_x, 0);
    scope(1, 0x100, 0x200, filter_a, 0x300);
    scope(2, 0x000, 0x400, finally_y, 0);
    KT_EQ_INT(call(EXCEPTION_UNWINDING, 0x150, 0, 0, &dc), ExceptionContinueSearch);
    KT_EQ_STR(g_calls, "XY");
    KT_EQ_INT(dc.ScopeIndex, 3);
    KT_EQ_PTR(g_frame, (PVOID)0x5000);
}

/* In the target frame the unwind stops at the target __except's scope: its
 * inner __finally runs, the enclosing one does not. */
KT_TEST(target_unwind_stops_at_the_target)
{
    DISPATCHER_CONTEXT dc;
    KT_EQ_INT(call(EXCEPTION_UNWINDING | EXCEPTION_TARGET_UNWIND, 0x150, 0, 0x300, &dc), ExceptionContinueSearch);
    KT_EQ_STR(g_calls, "X");
}

static void execute_without_a_dispatch(void *arg)
{
    DISPATCHER_CONTEXT dc;
    (void)arg;
    memset(&g_table, 0, sizeof g_table);
    scope(0, 0x100, 0x200, (const void *)1, 0x300); /* __except (EXCEPTION_EXECUTE_HANDLER) */
    call(0, 0x150, 0, 0, &dc);
}

/* A filter that takes the exception unwinds (RtlUnwindEx); called here
 * with no such frame on the stack, the unwind cannot find it: ntbox stops. */
KT_TEST(execute_handler_unwinds)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_BAD_STACK,
                                         execute_without_a_dispatch, NULL);
    KT_CONTAINS(out, "RtlUnwindEx did not find its target frame");
}

/* A scope table that points outside its registered image is ignored. */
KT_TEST(scope_table_outside_the_image_is_ignored)
{
    DISPATCHER_CONTEXT dc;
    char err[128];
    uint8_t *img = aligned_alloc(4096, 0x2000);
    RUNTIME_FUNCTION fn = { 0x100, 0x200, 0x400 };

    KT_REQUIRE(KT_TRUE(img != NULL));
    memset(img, 0, 0x2000);
    memcpy(img + 0x1000, &fn, sizeof fn);
    img[0x400] = 1;
    KT_REQUIRE(KT_TRUE(rtl_function_table_add((uintptr_t)img, 0x2000, 0x1000, sizeof fn, err, sizeof err)));
    memset(&g_table, 0, sizeof g_table);
    scope(0, 0x100, 0x200, filter_a, 0x300);
    call(0, 0x150, 0, 0, &dc);
    KT_EQ_STR(g_calls, "a"); /* not registered: as given */
    dc.ImageBase = (ULONG64)(uintptr_t)img;
    dc.ControlPc = dc.ImageBase + 0x150;
    g_ncalls = 0;
    memset(g_calls, 0, sizeof g_calls);
    KT_EQ_INT(__C_specific_handler(&(EXCEPTION_RECORD){ .ExceptionCode = 1 }, (PVOID)0x5000, dc.ContextRecord, &dc),
              ExceptionContinueSearch);
    KT_EQ_STR(g_calls, "");
    rtl_function_table_remove((uintptr_t)img);
    free(img);
}
