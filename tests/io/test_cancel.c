/* tests/io/test_cancel.c: the cancel spin lock and IoCancelIrp, with and
 * without a cancel routine, and their bugchecks (0xC4 spin lock misuse,
 * 0x48 CANCEL_STATE_IN_COMPLETED_IRP). */
#include "ktest.h"

#include "fake_device.h"

#include <stdio.h>

#define CANCEL_STATE_IN_COMPLETED_IRP 0x48

/* IoAcquireCancelSpinLock raises to DISPATCH_LEVEL and stores the previous
 * IRQL; IoReleaseCancelSpinLock goes back to it. */
KT_TEST(IoAcquireCancelSpinLock_raises_and_restores)
{
    KIRQL old = 0xFF, apc;
    IoAcquireCancelSpinLock(&old);
    KT_EQ_INT(old, PASSIVE_LEVEL);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    IoReleaseCancelSpinLock(old);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KeRaiseIrql(APC_LEVEL, &apc);
    IoAcquireCancelSpinLock(&old);
    KT_EQ_INT(old, APC_LEVEL);
    IoReleaseCancelSpinLock(old);
    KT_EQ_INT(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(apc);
}

/* "If the IRP has no cancel routine, IoCancelIrp ... returns FALSE" after
 * setting Irp->Cancel; the cancel spin lock is released again. */
KT_TEST(IoCancelIrp_without_routine)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    KIRQL old;
    KT_EQ_INT(IoCancelIrp(irp), FALSE);
    KT_EQ_INT(irp->Cancel, TRUE);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    IoAcquireCancelSpinLock(&old);
    IoReleaseCancelSpinLock(old);
    IoFreeIrp(irp);
}

/* With a routine: IoCancelIrp clears Irp->CancelRoutine, sets Cancel and
 * CancelIrql (the caller's IRQL), and calls the routine holding the cancel
 * spin lock at DISPATCH_LEVEL with the current location's device object;
 * the routine releases the lock and completes the IRP; TRUE. */
static struct {
    KIRQL irql, cancel_irql;
    BOOLEAN cancel;
    PDRIVER_CANCEL routine_left;
    PDEVICE_OBJECT device;
} in_cancel;
static PIRP queued;

static VOID NTAPI cancel_routine(PDEVICE_OBJECT device, PIRP irp)
{
    KIRQL irql = irp->CancelIrql;
    in_cancel.irql = KeGetCurrentIrql();
    in_cancel.cancel_irql = irql;
    in_cancel.cancel = irp->Cancel;
    in_cancel.routine_left = irp->CancelRoutine;
    in_cancel.device = device;
    queued = NULL;
    IoReleaseCancelSpinLock(irql);
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static NTSTATUS NTAPI queue_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    IoMarkIrpPending(irp);
    IoSetCancelRoutine(irp, cancel_routine);
    queued = irp;
    return STATUS_PENDING;
}

static void cancel_queued(KIRQL at)
{
    PDRIVER_OBJECT driver = fake_driver(queue_dispatch);
    PDEVICE_OBJECT device = fake_device(driver, 1, 0);
    KEVENT event;
    IO_STATUS_BLOCK iosb = { .Status = STATUS_PENDING };
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_NEITHER, FILE_ANY_ACCESS),
                                             device, NULL, 0, NULL, 0, FALSE, &event, &iosb);
    KT_REQUIRE(KT_TRUE(irp != NULL));
    memset(&in_cancel, 0, sizeof in_cancel);

    KT_EQ_STATUS(IoCallDriver(device, irp), STATUS_PENDING);
    KT_EQ_PTR(queued, irp);
    KIRQL old;
    KeRaiseIrql(at, &old);
    KT_EQ_INT(IoCancelIrp(irp), TRUE);
    KeLowerIrql(old);

    KT_EQ_INT(in_cancel.irql, DISPATCH_LEVEL);
    KT_EQ_INT(in_cancel.cancel_irql, at);
    KT_EQ_INT(in_cancel.cancel, TRUE);
    KT_EQ_PTR(in_cancel.routine_left, NULL);
    KT_EQ_PTR(in_cancel.device, device);
    KT_EQ_PTR(queued, NULL);
    KT_EQ_STATUS(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(iosb.Status, STATUS_CANCELLED);
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    free(device);
    free(driver);
}

KT_TEST(IoCancelIrp_calls_routine)
{
    cancel_queued(PASSIVE_LEVEL);
}

/* Called at DISPATCH_LEVEL, the routine gets CancelIrql DISPATCH_LEVEL. */
KT_TEST(IoCancelIrp_cancel_irql_is_callers)
{
    cancel_queued(DISPATCH_LEVEL);
}

/* Misuse, each in a child. */
static void acquire_twice(void *arg)
{
    KIRQL a, b;
    (void)arg;
    IoAcquireCancelSpinLock(&a);
    IoAcquireCancelSpinLock(&b);
}

static void release_unheld(void *arg)
{
    (void)arg;
    KeRaiseIrqlToDpcLevel();
    IoReleaseCancelSpinLock(PASSIVE_LEVEL);
}

/* The cancel spin lock is a spin lock: acquiring it twice on one thread is
 * Driver Verifier's deadlock 0xC4/0x1000, releasing it unheld 0x1007. */
KT_TEST(IoAcquireCancelSpinLock_recursive_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1000, acquire_twice, NULL);
    if (out)
        KT_CONTAINS(out, "IoAcquireCancelSpinLock");
}

KT_TEST(IoReleaseCancelSpinLock_unheld_bugchecks)
{
    KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_unheld, NULL);
}

static void cancel_now(void *arg)
{
    IoCancelIrp(arg);
}

/* "An IRP that had a Cancel routine set was completed normally ... after
 * it was complete, a driver called the IRP's Cancel routine": 0x48, P1 the
 * IRP, P2 the routine. */
KT_TEST(IoCancelIrp_completed_irp_bugchecks)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    irp->CurrentLocation = irp->StackCount + 2;
    IoSetCancelRoutine(irp, cancel_routine);
    char params[96];
    snprintf(params, sizeof params, "(0x%016llX,0x%016llX,", (unsigned long long)(ULONG_PTR)irp,
             (unsigned long long)(ULONG_PTR)cancel_routine);
    const char *out = KT_EXPECT_BUGCHECK(CANCEL_STATE_IN_COMPLETED_IRP, (ULONG_PTR)irp, cancel_now, irp);
    if (out)
        KT_CONTAINS(out, params);
    IoFreeIrp(irp);
}
