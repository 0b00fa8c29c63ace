/* tests/headers/test_layout.c: the WDK's inline IRP helpers from km_io.h on
 * an IRP laid out as the I/O manager lays it out, and the I/O control code
 * macros. Layout facts a C_ASSERT can state are in the headers themselves.
 *
 * An IRP with StackCount 2, as IoInitializeIrp leaves it:
 *     [IRP][stack 0][stack 1]|
 *                            ^ CurrentStackLocation, CurrentLocation 3
 * IoCallDriver moves one down (to stack 1, CurrentLocation 2) before calling
 * the first driver; the next-lower driver gets stack 0. */
#include "ktest.h"

#define STACKS 2

static union {
    IRP irp;
    UCHAR bytes[sizeof(IRP) + STACKS * sizeof(IO_STACK_LOCATION)];
} kt_buf;

/* Builds a fresh IRP, before its first IoCallDriver. */
static PIRP new_irp(PIO_STACK_LOCATION *stack)
{
    PIRP irp = &kt_buf.irp;
    memset(&kt_buf, 0, sizeof(kt_buf));
    irp->Type = IO_TYPE_IRP;
    irp->Size = IoSizeOfIrp(STACKS);
    irp->StackCount = STACKS;
    irp->CurrentLocation = STACKS + 1;
    *stack = (PIO_STACK_LOCATION)(irp + 1);
    irp->Tail.Overlay.CurrentStackLocation = *stack + STACKS;
    return irp;
}

static NTSTATUS NTAPI kt_completion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject, (void)Irp, (void)Context;
    return STATUS_CONTINUE_COMPLETION;
}

static VOID NTAPI kt_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject, (void)Irp;
}

/* "The size of an IRP is sizeof(IRP) plus StackSize IO_STACK_LOCATIONs" (WDK, IoSizeOfIrp). */
KT_TEST(IoSizeOfIrp_irp_plus_stack_locations)
{
    KT_EQ_HEX(IoSizeOfIrp(STACKS), 0xD0 + STACKS * 0x48);
    KT_EQ_HEX(IoSizeOfIrp(1), 0x118);
}

/* Before the first IoCallDriver the next location is the highest one: the
 * one the caller fills for the top driver (WDK, IoGetNextIrpStackLocation). */
KT_TEST(IoGetNextIrpStackLocation_fresh_irp_is_last_location)
{
    PIO_STACK_LOCATION stack;
    PIRP irp = new_irp(&stack);
    KT_EQ_PTR(IoGetNextIrpStackLocation(irp), &stack[STACKS - 1]);
    KT_EQ_INT((PUCHAR)stack - (PUCHAR)irp, sizeof(IRP));
}

/* IoCallDriver's step: CurrentLocation and CurrentStackLocation move one
 * down together (WDK, IoSetNextIrpStackLocation; IoGetCurrentIrpStackLocation). */
KT_TEST(IoSetNextIrpStackLocation_moves_down_one)
{
    PIO_STACK_LOCATION stack;
    PIRP irp = new_irp(&stack);
    IoSetNextIrpStackLocation(irp);
    KT_EQ_INT(irp->CurrentLocation, STACKS);
    KT_EQ_PTR(IoGetCurrentIrpStackLocation(irp), &stack[1]);
    KT_EQ_PTR(IoGetNextIrpStackLocation(irp), &stack[0]);
    IoSetNextIrpStackLocation(irp);
    KT_EQ_INT(irp->CurrentLocation, 1);
    KT_EQ_PTR(IoGetCurrentIrpStackLocation(irp), &stack[0]);
}

/* "IoSkipCurrentIrpStackLocation ... the next-lower driver receives the same
 * IO_STACK_LOCATION the current driver received" (WDK). */
KT_TEST(IoSkipCurrentIrpStackLocation_lower_driver_gets_same_location)
{
    PIO_STACK_LOCATION stack;
    PIRP irp = new_irp(&stack);
    IoSetNextIrpStackLocation(irp); /* the top driver is called */
    IoSkipCurrentIrpStackLocation(irp);
    KT_EQ_INT(irp->CurrentLocation, STACKS + 1);
    KT_EQ_PTR(IoGetNextIrpStackLocation(irp), &stack[1]);
    IoSetNextIrpStackLocation(irp); /* IoCallDriver to the lower driver */
    KT_EQ_PTR(IoGetCurrentIrpStackLocation(irp), &stack[1]);
    KT_EQ_INT(irp->CurrentLocation, STACKS);
}

/* Copies the current location to the next one up to CompletionRoutine and
 * clears the copy's Control; the next location's CompletionRoutine and
 * Context are left alone (WDK, IoCopyCurrentIrpStackLocationToNext). */
KT_TEST(IoCopyCurrentIrpStackLocationToNext_copies_parameters_not_completion)
{
    PIO_STACK_LOCATION stack;
    PIRP irp = new_irp(&stack);
    IoSetNextIrpStackLocation(irp);
    stack[1].MajorFunction = IRP_MJ_DEVICE_CONTROL;
    stack[1].MinorFunction = 0x5A;
    stack[1].Flags = SL_READ_ACCESS_GRANTED;
    stack[1].Control = SL_PENDING_RETURNED | SL_INVOKE_ON_SUCCESS;
    stack[1].Parameters.DeviceIoControl.OutputBufferLength = 0x11;
    stack[1].Parameters.DeviceIoControl.InputBufferLength = 0x22;
    stack[1].Parameters.DeviceIoControl.IoControlCode = 0x222004;
    stack[1].Parameters.DeviceIoControl.Type3InputBuffer = &kt_buf;
    stack[1].DeviceObject = (PDEVICE_OBJECT)0x1000;
    stack[1].FileObject = (PFILE_OBJECT)0x2000;
    stack[1].CompletionRoutine = kt_completion;
    stack[1].Context = (PVOID)0x3000;
    stack[0].Context = (PVOID)0x4000;

    IoCopyCurrentIrpStackLocationToNext(irp);
    KT_EQ_INT(stack[0].MajorFunction, IRP_MJ_DEVICE_CONTROL);
    KT_EQ_INT(stack[0].MinorFunction, 0x5A);
    KT_EQ_INT(stack[0].Flags, SL_READ_ACCESS_GRANTED);
    KT_EQ_INT(stack[0].Control, 0);
    KT_EQ_MEM(&stack[0].Parameters, &stack[1].Parameters, sizeof(stack[0].Parameters));
    KT_EQ_PTR(stack[0].DeviceObject, 0x1000);
    KT_EQ_PTR(stack[0].FileObject, 0x2000);
    KT_EQ_PTR(stack[0].CompletionRoutine, NULL);
    KT_EQ_PTR(stack[0].Context, 0x4000);
    KT_EQ_INT(stack[1].Control, SL_PENDING_RETURNED | SL_INVOKE_ON_SUCCESS);
}

/* "IoMarkIrpPending marks the specified IRP, indicating that a driver's
 * dispatch routine subsequently returned STATUS_PENDING": it sets
 * SL_PENDING_RETURNED in the current location's Control (WDK). */
KT_TEST(IoMarkIrpPending_sets_pending_returned_in_current)
{
    PIO_STACK_LOCATION stack;
    PIRP irp = new_irp(&stack);
    IoSetNextIrpStackLocation(irp);
    stack[1].Control = SL_INVOKE_ON_ERROR;
    IoMarkIrpPending(irp);
    KT_EQ_HEX(stack[1].Control, SL_INVOKE_ON_ERROR | SL_PENDING_RETURNED);
    KT_EQ_HEX(stack[0].Control, 0);
    KT_EQ_INT(irp->PendingReturned, FALSE);
}

/* IoSetCompletionRoutine stores routine and context in the NEXT location and
 * sets exactly the SL_INVOKE_ON_SUCCESS/ERROR/CANCEL bits asked for, clearing
 * whatever Control held (WDK, IoSetCompletionRoutine). */
KT_TEST(IoSetCompletionRoutine_sets_invoke_bits_in_next)
{
    static const struct { BOOLEAN s, e, c; UCHAR control; } cases[] = {
        { TRUE, TRUE, TRUE, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL },
        { TRUE, FALSE, FALSE, SL_INVOKE_ON_SUCCESS },
        { FALSE, TRUE, FALSE, SL_INVOKE_ON_ERROR },
        { FALSE, FALSE, TRUE, SL_INVOKE_ON_CANCEL },
        { FALSE, FALSE, FALSE, 0 },
    };
    for (unsigned i = 0; i < RTL_NUMBER_OF(cases); i++) {
        PIO_STACK_LOCATION stack;
        PIRP irp = new_irp(&stack);
        IoSetNextIrpStackLocation(irp);
        stack[0].Control = SL_PENDING_RETURNED | SL_ERROR_RETURNED;
        IoSetCompletionRoutine(irp, kt_completion, (PVOID)0x5000, cases[i].s, cases[i].e, cases[i].c);
        KT_EQ_HEX(stack[0].Control, cases[i].control);
        KT_EQ_PTR(stack[0].CompletionRoutine, kt_completion);
        KT_EQ_PTR(stack[0].Context, 0x5000);
        KT_EQ_PTR(stack[1].CompletionRoutine, NULL);
        KT_EQ_HEX(stack[1].Control, 0);
    }
}

/* IoSetCancelRoutine exchanges Irp->CancelRoutine and returns the previous
 * value (WDK, IoSetCancelRoutine). */
KT_TEST(IoSetCancelRoutine_returns_previous)
{
    PIO_STACK_LOCATION stack;
    PIRP irp = new_irp(&stack);
    KT_EQ_PTR(IoSetCancelRoutine(irp, kt_cancel), NULL);
    KT_EQ_PTR(irp->CancelRoutine, kt_cancel);
    KT_EQ_PTR(IoSetCancelRoutine(irp, NULL), kt_cancel);
    KT_EQ_PTR(irp->CancelRoutine, NULL);
}

/* CTL_CODE packs DeviceType << 16 | Access << 14 | Function << 2 | Method;
 * the _FROM_CTL_CODE macros take it apart (WDK, "Defining I/O Control Codes"). */
KT_TEST(CTL_CODE_layout)
{
    ULONG code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    ULONG rw = CTL_CODE(0x8000, 0xFFF, METHOD_NEITHER, FILE_READ_ACCESS | FILE_WRITE_ACCESS);
    KT_EQ_HEX(code, 0x00222000);
    KT_EQ_HEX(rw, 0x8000FFFF);
    KT_EQ_HEX(DEVICE_TYPE_FROM_CTL_CODE(rw), 0x8000);
    KT_EQ_HEX(METHOD_FROM_CTL_CODE(rw), METHOD_NEITHER);
    KT_EQ_HEX(IoGetFunctionCodeFromCtlCode(rw), 0xFFF);
}

/* The device object is memory-allocation aligned (16 bytes on x64), so
 * its extension, allocated right after it, is too (WDK, DEVICE_OBJECT). */
KT_TEST(DEVICE_OBJECT_alignment)
{
    KT_EQ_INT(_Alignof(DEVICE_OBJECT), 16);
    KT_EQ_INT(_Alignof(IRP), 16);
    KT_EQ_HEX(sizeof(DEVICE_OBJECT) % 16, 0);
}
