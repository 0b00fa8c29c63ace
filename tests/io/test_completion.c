/* tests/io/test_completion.c: IoCompleteRequest: completion routines run
 * bottom-up with their drivers' device objects, the SL_INVOKE_ON_* bits,
 * STATUS_MORE_PROCESSING_REQUIRED, PendingReturned, completion from another
 * thread, IoSetCompletionRoutineEx, the Driver Verifier warnings, and the
 * bugchecks (0x44; 0xC9 subcodes 0x06, 0x07, 0x0E). */
#include "ktest.h"

#include "ex/pool.h"
#include "fake_device.h"
#include "io/io.h"
#include "verifier/verifier.h"

#include <pthread.h>
#include <stdio.h>

#define MULTIPLE_IRP_COMPLETE_REQUESTS 0x44
#define DRIVER_VERIFIER_IOMANAGER_VIOLATION 0xC9

/* Who ran, in order: the completion routine's name, the device object it
 * was given, Irp->PendingReturned and CurrentLocation at the time. */
static struct {
    const char *who;
    PDEVICE_OBJECT device;
    BOOLEAN pending;
    CHAR location;
} calls[8];
static int ncalls;

static void record(const char *who, PDEVICE_OBJECT device, PIRP irp)
{
    calls[ncalls].who = who;
    calls[ncalls].device = device;
    calls[ncalls].pending = irp->PendingReturned;
    calls[ncalls].location = irp->CurrentLocation;
    ncalls++;
}

/* The device below completes with lower_status, or with lower_pends marks
 * the IRP pending, leaves it in `pended` and returns STATUS_PENDING (with
 * lower_completes_too it also completes it at once). */
static NTSTATUS lower_status;
static bool lower_pends, lower_completes_too;
static PIRP pended;

static NTSTATUS NTAPI lower_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    if (lower_pends) {
        IoMarkIrpPending(irp);
        pended = irp;
        if (lower_completes_too) {
            irp->IoStatus.Status = STATUS_SUCCESS;
            IoCompleteRequest(irp, IO_NO_INCREMENT);
        }
        return STATUS_PENDING;
    }
    irp->IoStatus.Status = lower_status;
    irp->IoStatus.Information = 3;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return lower_status;
}

/* The filter forwards with a completion routine of its own (filter_done),
 * or with filter_plain none at all. */
static PDEVICE_OBJECT lower;
static bool filter_plain, filter_forgets_pending;

static NTSTATUS NTAPI filter_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    (void)context;
    record("filter", device, irp);
    if (irp->PendingReturned && !filter_forgets_pending)
        IoMarkIrpPending(irp);
    return STATUS_CONTINUE_COMPLETION;
}

static NTSTATUS NTAPI filter_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    IoCopyCurrentIrpStackLocationToNext(irp);
    if (!filter_plain)
        IoSetCompletionRoutine(irp, filter_done, NULL, TRUE, TRUE, TRUE);
    return IoCallDriver(lower, irp);
}

/* The IRP's owner: records, signals the event in context if any, and
 * takes the IRP back. */
static NTSTATUS NTAPI origin_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    record("origin", device, irp);
    if (context)
        KeSetEvent(context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

struct stack {
    PDRIVER_OBJECT lower_driver, filter_driver;
    PDEVICE_OBJECT filter;
};

static struct stack stack_create(void)
{
    struct stack s;
    s.lower_driver = fake_driver(lower_dispatch);
    s.filter_driver = fake_driver(filter_dispatch);
    lower = fake_device(s.lower_driver, 1, 0);
    s.filter = fake_filter(s.filter_driver, lower);
    ncalls = 0;
    lower_status = STATUS_SUCCESS;
    lower_pends = lower_completes_too = false;
    filter_plain = filter_forgets_pending = false;
    pended = NULL;
    return s;
}

static void stack_free(struct stack *s)
{
    free(s->filter);
    free(lower);
    free(s->filter_driver);
    free(s->lower_driver);
}

/* An IRP for the filter, its owner's completion routine in the first
 * stack location. */
static PIRP origin_irp(struct stack *s, PKEVENT event)
{
    PIRP irp = IoAllocateIrp(s->filter->StackSize, FALSE);
    IoSetCompletionRoutine(irp, origin_done, event, TRUE, TRUE, TRUE);
    return irp;
}

/* Completion runs the routines from the completing driver's location up:
 * the filter's first, given the filter's device object, then the owner's,
 * given NULL since the owner has no stack location of its own (WDK,
 * IO_COMPLETION_ROUTINE). */
KT_TEST(IoCompleteRequest_routines_bottom_up)
{
    struct stack s = stack_create();
    PIRP irp = origin_irp(&s, NULL);

    KT_EQ_STATUS(IoCallDriver(s.filter, irp), STATUS_SUCCESS);
    KT_REQUIRE(KT_EQ_INT(ncalls, 2));
    KT_EQ_STR(calls[0].who, "filter");
    KT_EQ_PTR(calls[0].device, s.filter);
    KT_EQ_INT(calls[0].location, 2);
    KT_EQ_STR(calls[1].who, "origin");
    KT_EQ_PTR(calls[1].device, NULL);
    KT_EQ_INT(calls[1].location, 3);
    KT_EQ_INT(calls[1].pending, FALSE);
    KT_EQ_HEX(irp->IoStatus.Information, 3);
    IoFreeIrp(irp);
    stack_free(&s);
}

/* The SL_INVOKE_ON_* bits: a routine runs on success (NT_SUCCESS), on
 * error (any other status, warnings included) or, whatever the status,
 * when the IRP was cancelled, only if asked for (WDK,
 * IoSetCompletionRoutine). Here the owner keeps a stack location (device
 * `middle`) and sets the routine below it. */
static bool middle_ran, middle_takes_back;
static PDEVICE_OBJECT middle_seen;

static NTSTATUS NTAPI middle_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    (void)irp, (void)context;
    middle_ran = true;
    middle_seen = device;
    return middle_takes_back ? STATUS_MORE_PROCESSING_REQUIRED : STATUS_CONTINUE_COMPLETION;
}

static PIRP middle_irp(PDEVICE_OBJECT middle, BOOLEAN on_success, BOOLEAN on_error, BOOLEAN on_cancel)
{
    PIRP irp = IoAllocateIrp(2, FALSE);
    IoSetCompletionRoutine(irp, origin_done, NULL, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = middle;
    IoSetCompletionRoutine(irp, middle_done, NULL, on_success, on_error, on_cancel);
    return irp;
}

static bool invoked(BOOLEAN on_success, BOOLEAN on_error, BOOLEAN on_cancel, NTSTATUS status, BOOLEAN cancel)
{
    struct stack s = stack_create();
    PDEVICE_OBJECT middle = fake_device(s.filter_driver, 2, 0);
    PIRP irp = middle_irp(middle, on_success, on_error, on_cancel);
    irp->Cancel = cancel;
    lower_status = status;
    middle_ran = middle_takes_back = false;
    middle_seen = NULL;
    IoCallDriver(lower, irp);
    bool ran = middle_ran && middle_seen == middle;
    KT_EQ_INT(ncalls, 1); /* the owner's routine ran in every case */
    IoFreeIrp(irp);
    free(middle);
    stack_free(&s);
    return ran;
}

KT_TEST(IoCompleteRequest_invoke_bits)
{
    KT_TRUE(invoked(TRUE, FALSE, FALSE, STATUS_SUCCESS, FALSE));
    KT_FALSE(invoked(TRUE, FALSE, FALSE, STATUS_UNSUCCESSFUL, FALSE));
    KT_TRUE(invoked(FALSE, TRUE, FALSE, STATUS_UNSUCCESSFUL, FALSE));
    KT_TRUE(invoked(FALSE, TRUE, FALSE, STATUS_BUFFER_OVERFLOW, FALSE));
    KT_FALSE(invoked(FALSE, TRUE, FALSE, STATUS_SUCCESS, FALSE));
    KT_FALSE(invoked(FALSE, FALSE, TRUE, STATUS_CANCELLED, FALSE));
    KT_TRUE(invoked(FALSE, FALSE, TRUE, STATUS_CANCELLED, TRUE));
    KT_TRUE(invoked(FALSE, FALSE, TRUE, STATUS_SUCCESS, TRUE));
    KT_FALSE(invoked(FALSE, FALSE, FALSE, STATUS_SUCCESS, TRUE));
    KT_TRUE(invoked(TRUE, TRUE, TRUE, STATUS_SUCCESS, FALSE));
}

/* STATUS_MORE_PROCESSING_REQUIRED stops completion; the driver that
 * returned it owns the IRP again, at its own stack location, and a later
 * IoCompleteRequest goes on from there up to the owner (WDK,
 * IoCompleteRequest; "Completing IRPs"). */
KT_TEST(IoCompleteRequest_more_processing_then_complete_again)
{
    struct stack s = stack_create();
    PDEVICE_OBJECT middle = fake_device(s.filter_driver, 2, 0);
    PIRP irp = middle_irp(middle, TRUE, TRUE, TRUE);
    middle_ran = false;
    middle_takes_back = true;

    KT_EQ_STATUS(IoCallDriver(lower, irp), STATUS_SUCCESS);
    KT_TRUE(middle_ran);
    KT_EQ_INT(ncalls, 0);
    KT_EQ_INT(irp->CurrentLocation, 2);
    KT_EQ_PTR(IoGetCurrentIrpStackLocation(irp)->DeviceObject, middle);

    irp->IoStatus.Status = STATUS_NOT_FOUND;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    KT_REQUIRE(KT_EQ_INT(ncalls, 1));
    KT_EQ_STR(calls[0].who, "origin");
    KT_EQ_INT(calls[0].location, 3);
    KT_EQ_STATUS(irp->IoStatus.Status, STATUS_NOT_FOUND);
    IoFreeIrp(irp);
    free(middle);
    stack_free(&s);
}

/* A pending IRP completed later from another thread: IoCallDriver returns
 * STATUS_PENDING; at completion each routine sees PendingReturned from the
 * location below it, and the filter's IoMarkIrpPending carries it up to
 * the owner (WDK, IoMarkIrpPending; "Using Completion Routines"). */
static void *complete_later(void *arg)
{
    PIRP irp = arg;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 9;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return NULL;
}

KT_TEST(IoCompleteRequest_pending_from_another_thread)
{
    struct stack s = stack_create();
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = origin_irp(&s, &done);
    lower_pends = true;

    KT_EQ_STATUS(IoCallDriver(s.filter, irp), STATUS_PENDING);
    KT_EQ_PTR(pended, irp);
    KT_EQ_INT(ncalls, 0);
    pthread_t t;
    KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, complete_later, irp), 0));
    LARGE_INTEGER bound = { .QuadPart = -300000000LL }; /* 30 s: a failure, never a hang */
    KT_EQ_STATUS(KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, &bound), STATUS_SUCCESS);
    pthread_join(t, NULL);

    KT_REQUIRE(KT_EQ_INT(ncalls, 2));
    KT_EQ_STR(calls[0].who, "filter");
    KT_EQ_INT(calls[0].pending, TRUE);
    KT_EQ_STR(calls[1].who, "origin");
    KT_EQ_INT(calls[1].pending, TRUE);
    KT_EQ_HEX(irp->IoStatus.Information, 9);
    IoFreeIrp(irp);
    stack_free(&s);
}

/* A location without a completion routine passes SL_PENDING_RETURNED up
 * by itself. */
KT_TEST(IoCompleteRequest_pending_passes_locations_without_routine)
{
    struct stack s = stack_create();
    PIRP irp = origin_irp(&s, NULL);
    filter_plain = true;
    lower_pends = lower_completes_too = true;

    KT_EQ_STATUS(IoCallDriver(s.filter, irp), STATUS_PENDING);
    KT_REQUIRE(KT_EQ_INT(ncalls, 1));
    KT_EQ_STR(calls[0].who, "origin");
    KT_EQ_INT(calls[0].pending, TRUE);
    IoFreeIrp(irp);
    stack_free(&s);
}

/* IoSetCompletionRoutineEx: the routine runs with its own context and the
 * device object, and the I/O manager's context is freed after it. */
static PVOID ex_context_seen;
static PDEVICE_OBJECT ex_device_seen;

static NTSTATUS NTAPI ex_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    (void)irp;
    ex_context_seen = context;
    ex_device_seen = device;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KT_TEST(IoSetCompletionRoutineEx_runs_and_frees_context)
{
    struct stack s = stack_create();
    PDEVICE_OBJECT middle = fake_device(s.filter_driver, 2, 0);
    size_t before = ex_pool_outstanding(NULL);
    PIRP irp = IoAllocateIrp(2, FALSE);
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = middle;

    KT_EQ_STATUS(IoSetCompletionRoutineEx(middle, irp, ex_done, &s, TRUE, TRUE, TRUE), STATUS_SUCCESS);
    KT_EQ_INT(ex_pool_outstanding(NULL), before + 1);
    KT_TRUE(IoGetNextIrpStackLocation(irp)->CompletionRoutine != NULL);
    KT_EQ_HEX(IoGetNextIrpStackLocation(irp)->Control, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL);
    IoCallDriver(lower, irp);
    KT_EQ_PTR(ex_context_seen, &s);
    KT_EQ_PTR(ex_device_seen, middle);
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
    IoFreeIrp(irp);
    free(middle);
    stack_free(&s);
}

/* Driver Verifier's non-fatal I/O error 0x228: a completion routine that
 * sees PendingReturned and does not call IoMarkIrpPending. */
static void forget_pending(void *arg)
{
    struct stack s = stack_create();
    PIRP irp = origin_irp(&s, NULL);
    (void)arg;
    lower_pends = lower_completes_too = true;
    filter_forgets_pending = true;
    IoCallDriver(s.filter, irp);
}

KT_TEST(IoCompleteRequest_warns_pending_not_marked)
{
    int status;
    const char *out = kt_run_child(forget_pending, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "ntbox: warning: completion routine");
    KT_CONTAINS(out, "did not call IoMarkIrpPending(Irp)");
    KT_CONTAINS(out, "0x228");
}

/* An IRP with no requesting thread completed past its first location has
 * nobody to return to (on Windows, a crash): reported. */
static void complete_orphan(void *arg)
{
    (void)arg;
    stack_create();
    IoCallDriver(lower, IoAllocateIrp(1, FALSE));
}

KT_TEST(IoCompleteRequest_warns_no_thread)
{
    int status;
    const char *out = kt_run_child(complete_orphan, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "has no requesting thread to return to");
}

/* Misuse, each in a child. */
static NTSTATUS NTAPI complete_twice(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* "A driver has called IoCompleteRequest to ask that an IRP be completed,
 * but the packet has already been completed": 0x44, P1 the IRP. */
KT_TEST(IoCompleteRequest_twice_bugchecks)
{
    PDRIVER_OBJECT driver = fake_driver(complete_twice);
    struct call_args a = { fake_device(driver, 1, 0), IoAllocateIrp(1, FALSE) };
    const char *out = KT_EXPECT_BUGCHECK(MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)a.irp, call_driver, &a);
    if (out)
        KT_CONTAINS(out, "the IRP was completed already");
    IoFreeIrp(a.irp);
    free(a.device);
    free(driver);
}

/* The same when the first completion finished and freed the IRP (a
 * request the I/O manager returns to its thread). */
KT_TEST(IoCompleteRequest_twice_after_finish_bugchecks)
{
    PDRIVER_OBJECT driver = fake_driver(complete_twice);
    struct call_args a = { fake_device(driver, 1, 0), IoAllocateIrp(1, FALSE) };
    a.irp->Tail.Overlay.Thread = io_irp_thread();
    const char *out = KT_EXPECT_BUGCHECK(MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)a.irp, call_driver, &a);
    if (out)
        KT_CONTAINS(out, "completed and freed already");
    IoFreeIrp(a.irp);
    free(a.device);
    free(driver);
}

static void complete_at_high(void *arg)
{
    KfRaiseIrql(HIGH_LEVEL);
    IoCompleteRequest((PIRP)arg, IO_NO_INCREMENT);
}

/* 0xC9/0x0E: "The driver called IoCompleteRequest with IRQL >
 * DISPATCH_LEVEL", P2 the IRQL, P3 the IRP. */
KT_TEST(IoCompleteRequest_above_dispatch_bugchecks)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    char params[64];
    snprintf(params, sizeof params, "(0x000000000000000E,0x000000000000000F,0x%016llX,",
             (unsigned long long)(ULONG_PTR)irp);
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0E, complete_at_high, irp);
    if (out)
        KT_CONTAINS(out, params);
    IoFreeIrp(irp);
}

static void complete_now(void *arg)
{
    IoCompleteRequest((PIRP)arg, IO_NO_INCREMENT);
}

/* 0xC9/0x06: "IoCompleteRequest with a status marked as pending (or equal
 * to -1)", P2 the status, P3 the IRP. */
KT_TEST(IoCompleteRequest_pending_status_bugchecks)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    irp->IoStatus.Status = STATUS_PENDING;
    char params[64];
    snprintf(params, sizeof params, "(0x0000000000000006,0x0000000000000103,0x%016llX,",
             (unsigned long long)(ULONG_PTR)irp);
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x06, complete_now, irp);
    if (out)
        KT_CONTAINS(out, params);
    irp->IoStatus.Status = (NTSTATUS)0xFFFFFFFF;
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x06, complete_now, irp);
    IoFreeIrp(irp);
}

/* 0xC9/0x07: "IoCompleteRequest while its cancel routine was still set",
 * P2 the routine, P3 the IRP. */
static VOID NTAPI some_cancel(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device, (void)irp;
}

KT_TEST(IoCompleteRequest_cancel_routine_set_bugchecks)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetCancelRoutine(irp, some_cancel);
    char params[96];
    snprintf(params, sizeof params, "(0x0000000000000007,0x%016llX,0x%016llX,",
             (unsigned long long)(ULONG_PTR)some_cancel, (unsigned long long)(ULONG_PTR)irp);
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x07, complete_now, irp);
    if (out)
        KT_CONTAINS(out, params);
    IoSetCancelRoutine(irp, NULL);
    IoFreeIrp(irp);
}

/* Without the verifier's io group none of the 0xC9 checks is made: an
 * IRP with a pending status and a cancel routine set is completed. */
KT_TEST(IoCompleteRequest_unverified)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    irp->IoStatus.Status = STATUS_PENDING;
    IoSetCancelRoutine(irp, some_cancel);
    vf_set_groups(VF_LIBRARY_DEFAULT & ~(1u << VF_IO));
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    vf_set_groups(VF_LIBRARY_DEFAULT);
    KT_EQ_INT(irp->CurrentLocation, 3);
    IoSetCancelRoutine(irp, NULL);
    IoFreeIrp(irp);
}
