/* ke/seh_frames.c: __try / __except / __finally for drivers gcc compiles
 * (the macros in include/ntbox/km_seh.h): the routines they call, and what
 * the dispatcher does with their frames.
 *
 * Each __try pushes a frame on this thread's list while its body runs. To
 * evaluate a filter, or run a __finally during an unwind, the dispatcher
 * jumps back into the frame's function (__builtin_longjmp to the point
 * __builtin_setjmp saved) with the frame pointer the function had and the
 * stack pointer below the dispatcher's own frames: the filter expression or
 * the block runs on top of the stack, as Windows runs a filter function,
 * and the frames of the code that raised stay intact; then the frame's
 * routine jumps back up to the dispatcher. (The function addresses its
 * locals through its frame pointer: the macro's variable-length array makes
 * gcc keep one.) */
#include "ke/seh.h"

#include "ke/bugcheck.h"

#include <stdio.h>
#include <string.h>

static __thread PNTBOX_SEH_FRAME ke_seh_top;

/* Takes frame, and any frame left on the list inside it, off the list.
 * (By list order: the frames of one function lie in its stack frame in
 * whatever order the compiler chose.) */
static void ke_seh_pop(PNTBOX_SEH_FRAME frame)
{
    for (PNTBOX_SEH_FRAME f = ke_seh_top; f; f = f->Next) {
        if (f == frame) {
            ke_seh_top = frame->Next;
            return;
        }
    }
}

/* The routines below are called with the Microsoft ABI, in which XMM6-XMM15
 * are preserved: their cold paths go through these Microsoft-ABI helpers so
 * that they need not save those registers on every __try. */

/* Stops the run for a __try used in a way ntbox cannot follow. */
__attribute__((ms_abi, noreturn, noinline, cold)) static void ke_seh_misuse(const void *at, const char *why)
{
    ke_unhandled_exception(STATUS_NOT_IMPLEMENTED, at, why);
}

/* Back to the dispatcher that entered the frame. */
__attribute__((ms_abi, noreturn, noinline)) static void ke_seh_back(PNTBOX_SEH_FRAME frame)
{
    struct ke_seh_dispatch *d = frame->Dispatch;
    ke_seh_resume(&d->resume);
}

/* Jumps into frame's function at its __try, where the State it now holds
 * selects the block that runs; on top of the stack when `on_top` (the
 * jump buffer's words are gcc's: frame pointer, resume address, stack
 * pointer). */
__attribute__((noreturn, noinline)) static void ke_seh_enter_frame(PNTBOX_SEH_FRAME frame, bool on_top)
{
    PVOID jump[5];

    memcpy(jump, frame->Jump, sizeof jump);
    if (on_top)
        jump[2] = (PVOID)(((uintptr_t)__builtin_frame_address(0) - 128) & ~(uintptr_t)15);
    ke_seh_forget_stack();
    __builtin_longjmp(jump, 1);
}

/* Runs frame's filter, or its __finally block during an unwind, and comes
 * back with the filter's result. */
__attribute__((noinline)) static LONG ke_seh_visit(struct ke_seh_dispatch *d, PNTBOX_SEH_FRAME frame, LONG state)
{
    if (ke_seh_save(&d->resume))
        return d->filter_result;
    frame->Dispatch = d;
    frame->State = state;
    ke_seh_enter_frame(frame, true);
}

/* The body of a __try starts: push its frame. */
NTKERNELAPI VOID NTAPI _ntbox_seh_enter(PNTBOX_SEH_FRAME Frame)
{
    Frame->Dispatch = NULL;
    Frame->Completed = 0;
    Frame->State = NTBOX_SEH_BODY;
    Frame->Next = ke_seh_top;
    ke_seh_top = Frame;
}

/* A pass over the __try statement ended. Completed is 0 when `break` left
 * the block instead of its end (break cannot reach the driver's loop). */
NTKERNELAPI VOID NTAPI _ntbox_seh_step(PNTBOX_SEH_FRAME Frame)
{
    LONG state = Frame->State;

    if ((state == NTBOX_SEH_BODY || state == NTBOX_SEH_HANDLER || state == NTBOX_SEH_FINALLY) && !Frame->Completed)
        ke_seh_misuse(__builtin_return_address(0),
                      "The driver left a __try statement's block with `break`: ntbox's __try for gcc is a loop, "
                      "so `break` cannot reach the driver's own loop or switch (end the block, or use __leave).");
    if (state == NTBOX_SEH_BODY) {
        ke_seh_pop(Frame);
        Frame->Abnormal = 0;
        Frame->Completed = 0;
        Frame->State = Frame->Kind == NTBOX_SEH_KIND_FINALLY ? NTBOX_SEH_FINALLY : NTBOX_SEH_DONE;
        return;
    }
    Frame->State = NTBOX_SEH_DONE;
    if (state == NTBOX_SEH_FINALLY && Frame->Abnormal)
        ke_seh_back(Frame); /* the unwind goes on */
}

/* The filter expression's value: back to the dispatcher with it. */
NTKERNELAPI VOID NTAPI _ntbox_seh_filtered(PNTBOX_SEH_FRAME Frame, LONG Disposition)
{
    struct ke_seh_dispatch *d = Frame->Dispatch;

    if (Frame->State != NTBOX_SEH_FILTER || !d)
        ke_seh_misuse(__builtin_return_address(0), "A __try frame's filter ran when no exception was dispatched.");
    Frame->State = NTBOX_SEH_BODY;
    d->filter_result = Disposition;
    ke_seh_back(Frame);
}

/* __leave: to the end of the body; a __finally then runs normally. */
NTKERNELAPI VOID NTAPI _ntbox_seh_leave(PNTBOX_SEH_FRAME Frame)
{
    if (Frame->State != NTBOX_SEH_BODY)
        ke_seh_misuse(__builtin_return_address(0), "__leave was used outside a __try body.");
    ke_seh_pop(Frame);
    Frame->Abnormal = 0;
    Frame->Completed = 0;
    Frame->State = Frame->Kind == NTBOX_SEH_KIND_FINALLY ? NTBOX_SEH_FINALLY : NTBOX_SEH_DONE;
    ke_seh_enter_frame(Frame, false);
}

/* return or goto left the body: fine for __except, not for __finally,
 * whose block would have to run on the way out. */
NTKERNELAPI VOID NTAPI _ntbox_seh_abandon(PNTBOX_SEH_FRAME Frame)
{
    ke_seh_pop(Frame);
    Frame->State = NTBOX_SEH_DONE;
    if (Frame->Kind == NTBOX_SEH_KIND_FINALLY)
        ke_seh_misuse(__builtin_return_address(0),
                      "The driver left a __try/__finally body with `return` or `goto`: ntbox's __try for gcc "
                      "cannot run the __finally block on that path (use __leave, then return after the __finally).");
}

PNTBOX_SEH_FRAME ke_seh_native_search(struct ke_seh_dispatch *d, uintptr_t limit, LONG *disposition)
{
    for (PNTBOX_SEH_FRAME f = ke_seh_top; f && (uintptr_t)f < limit; f = f->Next) {
        if (f->Dispatch)
            continue; /* searched already, by d or by the dispatch whose filter raised this */
        f->Dispatch = d;
        if (f->Kind != NTBOX_SEH_KIND_EXCEPT || f->State != NTBOX_SEH_BODY)
            continue;
        f->Code = d->record->ExceptionCode;
        f->Pointers = &d->pointers;
        *disposition = ke_seh_visit(d, f, NTBOX_SEH_FILTER);
        f->Pointers = NULL;
        if (*disposition)
            return f;
    }
    return NULL;
}

/* Drops the innermost frame; an unwound __try/__finally runs its block. */
static void ke_seh_native_unwind_one(struct ke_seh_dispatch *d)
{
    PNTBOX_SEH_FRAME f = ke_seh_top;
    ke_seh_top = f->Next;
    if (f->Kind == NTBOX_SEH_KIND_FINALLY && f->State == NTBOX_SEH_BODY) {
        f->Abnormal = 1;
        f->Completed = 0;
        ke_seh_visit(d, f, NTBOX_SEH_FINALLY);
    }
}

void ke_seh_native_unwind(struct ke_seh_dispatch *d, uintptr_t limit)
{
    while (ke_seh_top && (uintptr_t)ke_seh_top < limit)
        ke_seh_native_unwind_one(d);
}

void ke_seh_native_unwind_to(struct ke_seh_dispatch *d, PNTBOX_SEH_FRAME target)
{
    while (ke_seh_top && ke_seh_top != target)
        ke_seh_native_unwind_one(d);
}

void ke_seh_native_resume(struct ke_seh_dispatch *d, PNTBOX_SEH_FRAME frame)
{
    ke_seh_pop(frame);
    frame->Code = d->record->ExceptionCode;
    frame->Pointers = NULL;
    frame->Dispatch = NULL;
    frame->Completed = 0;
    frame->State = NTBOX_SEH_HANDLER;
    ke_seh_enter_frame(frame, false);
}

void ke_seh_native_release(struct ke_seh_dispatch *d)
{
    for (PNTBOX_SEH_FRAME f = ke_seh_top; f; f = f->Next)
        if (f->Dispatch == d)
            f->Dispatch = NULL;
}

bool ke_seh_native_active(void)
{
    return ke_seh_top != NULL;
}
