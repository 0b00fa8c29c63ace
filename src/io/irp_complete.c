/* io/irp_complete.c: completing IRPs: IofCompleteRequest (the WDK's
 * IoCompleteRequest), IoSetCompletionRoutineEx, and io_irp_finish, the
 * I/O manager's end of a request it built (see io.h).
 *
 * Completion walks the stack locations from the completing driver's up to
 * the first, as Windows does: at each, PendingReturned takes the
 * location's SL_PENDING_RETURNED, the completion routine stored there runs
 * if its SL_INVOKE_ON_SUCCESS / _ERROR / _CANCEL bit matches the IRP, with
 * the device object of the driver that set it (NULL above the first
 * location), and STATUS_MORE_PROCESSING_REQUIRED stops the walk: the IRP is
 * its owner's again. A location without a routine passes the pending mark
 * up. Past the first location, an IRP with a requesting thread is finished
 * by the I/O manager. Surprise: Windows finishes it in an APC in the
 * requesting thread; ntbox, with one address space, finishes it at once on
 * the completing thread. */
#include "io/io.h"

#include "base/diag.h"
#include "ex/pool.h"
#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "loader/symbols.h"
#include "mm/mm.h"
#include "ob/ob.h"
#include "verifier/verifier.h"

#define MULTIPLE_IRP_COMPLETE_REQUESTS 0x44
/* IoSetCompletionRoutineEx's context ("IoUs"). */
#define IO_TAG_SAFE_COMPLETION 'sUoI'

/* The checks on entry: Driver Verifier's for IRQL (0xC9/0x0E: P2 the IRQL,
 * P3 the IRP), a pending or -1 status (0xC9/0x06: P2 the status, P3 the
 * IRP) and a cancel routine still set (0xC9/0x07: P2 the routine, P3 the
 * IRP), while the verifier's io group is on; and Windows' own, always, for
 * an IRP completed already, or not an IRP (MULTIPLE_IRP_COMPLETE_REQUESTS,
 * P1 the IRP). */
static void io_complete_check(PIRP irp, const void *at)
{
    KIRQL irql = ke_irql_get();
    bool verify = vf_enabled(VF_IO);
    unsigned long long p = (ULONG_PTR)irp;

    if (verify && irql > DISPATCH_LEVEL)
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0E, irql, (ULONG_PTR)irp, 0, at,
                    "IoCompleteRequest(0x%016llx) at %s: callers must be at <= DISPATCH_LEVEL.", p,
                    ke_irql_name(irql));
    if (irp->Type != IO_TYPE_IRP || irp->CurrentLocation > irp->StackCount + 1)
        ke_bugcheck(MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)irp, 0, 0, 0, at,
                    "IoCompleteRequest(0x%016llx): %s.", p,
                    irp->Type != IO_TYPE_IRP ? "the IRP was completed and freed already (or is not an IRP)"
                                             : "the IRP was completed already");
    if (verify && (irp->IoStatus.Status == STATUS_PENDING || irp->IoStatus.Status == (NTSTATUS)0xFFFFFFFF))
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x06, (ULONG)irp->IoStatus.Status, (ULONG_PTR)irp, 0, at,
                    "IoCompleteRequest(0x%016llx): IoStatus.Status is 0x%08X; a completed IRP needs its final status.",
                    p, (unsigned)irp->IoStatus.Status);
    if (verify && irp->CancelRoutine)
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x07, (ULONG_PTR)irp->CancelRoutine, (ULONG_PTR)irp, 0, at,
                    "IoCompleteRequest(0x%016llx): the cancel routine is still set; clear it with "
                    "IoSetCancelRoutine(Irp, NULL) first.",
                    p);
}

/* One stack location of the walk; the IRP already points at the location
 * above it. False when its completion routine took the IRP back. */
static bool io_complete_location(PIRP irp, PIO_STACK_LOCATION stack)
{
    UCHAR control = stack->Control;
    NTSTATUS status = irp->IoStatus.Status;
    bool above = irp->CurrentLocation <= irp->StackCount;
    PIO_COMPLETION_ROUTINE routine = stack->CompletionRoutine;

    stack->Control = 0;
    irp->PendingReturned = (control & SL_PENDING_RETURNED) != 0;
    if (!routine || !((NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS)) ||
                      (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR)) ||
                      (irp->Cancel && (control & SL_INVOKE_ON_CANCEL)))) {
        if (irp->PendingReturned && above)
            IoMarkIrpPending(irp);
        return true;
    }

    PDEVICE_OBJECT device = above ? IoGetCurrentIrpStackLocation(irp)->DeviceObject : NULL;
    if (routine(device, irp, stack->Context) == STATUS_MORE_PROCESSING_REQUIRED)
        return false;
    if (irp->PendingReturned && above && !(IoGetCurrentIrpStackLocation(irp)->Control & SL_PENDING_RETURNED)) {
        char where[512];
        diag_warn("completion routine %s returned with Irp->PendingReturned set but did not call "
                  "IoMarkIrpPending(Irp); whoever sent IRP 0x%016llx may wait for it forever (Driver Verifier "
                  "I/O error 0x228).",
                  ldr_describe_address((const void *)routine, false, where, sizeof where),
                  (unsigned long long)(ULONG_PTR)irp);
    }
    return true;
}

/* Completes the IRP: runs the completion routines from the current stack
 * location up and, past the first, hands an IRP with a requesting thread
 * to the I/O manager's finish; PriorityBoost is accepted and has no effect;
 * IRQL <= DISPATCH_LEVEL (WDK, IoCompleteRequest). Completing an IRP twice
 * is MULTIPLE_IRP_COMPLETE_REQUESTS, P1 the IRP (bug check 0x44
 * reference). */
VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    io_complete_check(Irp, __builtin_return_address(0));

    for (PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);; stack++) {
        IoSkipCurrentIrpStackLocation(Irp);
        if (Irp->CurrentLocation > Irp->StackCount + 1)
            break;
        if (!io_complete_location(Irp, stack))
            return;
    }
    if (Irp->Tail.Overlay.Thread)
        io_irp_finish(Irp);
    else
        diag_warn("IoCompleteRequest(0x%016llx): the IRP completed past its first stack location and has no "
                  "requesting thread to return to (on Windows the I/O manager then dereferences that missing "
                  "thread): a driver that allocates an IRP must stop its completion with "
                  "STATUS_MORE_PROCESSING_REQUIRED and free it.",
                  (unsigned long long)(ULONG_PTR)Irp);
}

void io_irp_finish(PIRP irp)
{
    bool requester_gone = io_irp_dequeue(irp);
    PFILE_OBJECT file = irp->Tail.Overlay.OriginalFileObject;
    /* A system service's request holds its file, and the caller's event
     * when it has one of its own, until it is finished; a create, cleanup or
     * close holds nothing. */
    bool holds = file && !(irp->Flags & (IRP_CREATE_OPERATION | IRP_CLOSE_OPERATION));
    PKEVENT held_event = holds && irp->UserEvent && irp->UserEvent != &file->Event &&
                                 !(irp->Flags & IRP_SYNCHRONOUS_API) ? irp->UserEvent : NULL;

    if (!requester_gone)
        io_irp_copy_back(irp);
    io_irp_free_buffers(irp);
    if (irp->UserIosb && !requester_gone) {
        if (irp->RequestorMode == UserMode)
            mm_safe_write(irp->UserIosb, &irp->IoStatus, sizeof irp->IoStatus);
        else
            *irp->UserIosb = irp->IoStatus;
    }
    if (irp->UserEvent && !requester_gone)
        KeSetEvent(irp->UserEvent, IO_NO_INCREMENT, FALSE);
    IoFreeIrp(irp);
    if (held_event)
        ob_dereference_object(held_event);
    if (holds)
        ob_dereference_object(file);
}

/* IoSetCompletionRoutineEx's context, freed once the routine has run. */
struct io_safe_completion {
    PIO_COMPLETION_ROUTINE routine;
    PVOID context;
};

static NTSTATUS NTAPI io_safe_completion(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    struct io_safe_completion *safe = context;
    NTSTATUS status = safe->routine(device, irp, safe->context);
    ex_pool_free(safe, IO_TAG_SAFE_COMPLETION, NULL);
    return status;
}

/* IoSetCompletionRoutine through a context the I/O manager allocates
 * (nonpaged pool, charged to the caller) and frees once the routine has
 * run; STATUS_SUCCESS, or STATUS_INSUFFICIENT_RESOURCES when the context
 * cannot be allocated (WDK, IoSetCompletionRoutineEx).
 * FIXME: Windows also references DeviceObject until the routine has run,
 * so its driver cannot unload meanwhile; ntbox has no object references
 * yet, and unloads only at the end of a run. */
NTSTATUS NTAPI IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_COMPLETION_ROUTINE CompletionRoutine,
                                        PVOID Context, BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                        BOOLEAN InvokeOnCancel)
{
    struct io_safe_completion *safe =
        ex_pool_allocate(NonPagedPoolNx, sizeof *safe, IO_TAG_SAFE_COMPLETION, __builtin_return_address(0));
    (void)DeviceObject;

    if (!safe)
        return STATUS_INSUFFICIENT_RESOURCES;
    safe->routine = CompletionRoutine;
    safe->context = Context;
    IoSetCompletionRoutine(Irp, io_safe_completion, safe, InvokeOnSuccess, InvokeOnError, InvokeOnCancel);
    return STATUS_SUCCESS;
}
