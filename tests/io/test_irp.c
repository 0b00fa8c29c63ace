/* tests/io/test_irp.c: IRP allocation, initialization, reuse and freeing,
 * stack location arithmetic through IoCallDriver, and the bugchecks of
 * IoCallDriver and IoFreeIrp (0x35, 0xC9 subcodes 0x01, 0x03, 0x04, 0x05,
 * 0x10). */
#include "ktest.h"

#include "ex/pool.h"
#include "fake_device.h"
#include "io/driver.h"

#include <stdio.h>

#define NO_MORE_IRP_STACK_LOCATIONS 0x35
#define DRIVER_VERIFIER_IOMANAGER_VIOLATION 0xC9

static PIO_STACK_LOCATION first_location(PIRP irp)
{
    return (PIO_STACK_LOCATION)(irp + 1);
}

/* "IoSizeOfIrp ... the size of an IRP with StackSize stack locations":
 * 0xD0 bytes of IRP and 0x48 per location on x64. */
KT_TEST(IoSizeOfIrp_x64_sizes)
{
    KT_EQ_HEX(IoSizeOfIrp(1), 0x118);
    KT_EQ_HEX(IoSizeOfIrp(3), 0x1A8);
    KT_EQ_HEX(IoSizeOfIrp(0), 0xD0);
}

/* IoAllocateIrp: Type IO_TYPE_IRP, Size, StackCount, CurrentLocation =
 * StackSize + 1, CurrentStackLocation one past the last location, the
 * rest zero and ThreadListEntry an empty list. */
KT_TEST(IoAllocateIrp_initial_fields)
{
    PIRP irp = IoAllocateIrp(3, FALSE);
    KT_REQUIRE(KT_TRUE(irp != NULL));
    KT_EQ_INT(irp->Type, IO_TYPE_IRP);
    KT_EQ_HEX(irp->Size, IoSizeOfIrp(3));
    KT_EQ_INT(irp->StackCount, 3);
    KT_EQ_INT(irp->CurrentLocation, 4);
    KT_EQ_PTR(irp->Tail.Overlay.CurrentStackLocation, first_location(irp) + 3);
    KT_EQ_PTR(IoGetNextIrpStackLocation(irp), first_location(irp) + 2);
    KT_EQ_PTR(irp->ThreadListEntry.Flink, &irp->ThreadListEntry);
    KT_EQ_PTR(irp->ThreadListEntry.Blink, &irp->ThreadListEntry);
    KT_EQ_PTR(irp->MdlAddress, NULL);
    KT_EQ_HEX(irp->Flags, 0);
    KT_EQ_STATUS(irp->IoStatus.Status, STATUS_SUCCESS);
    KT_EQ_HEX(irp->IoStatus.Information, 0);
    KT_EQ_INT(irp->Cancel, FALSE);
    KT_EQ_INT(irp->PendingReturned, FALSE);
    KT_EQ_INT(irp->RequestorMode, KernelMode);
    KT_EQ_PTR(irp->CancelRoutine, NULL);
    KT_EQ_PTR(irp->UserBuffer, NULL);
    KT_EQ_PTR(irp->Tail.Overlay.Thread, NULL);
    KT_EQ_HEX(irp->AllocationFlags & IRP_QUOTA_CHARGED, 0);
    static const IO_STACK_LOCATION zero;
    for (int i = 0; i < 3; i++)
        KT_EQ_MEM(&first_location(irp)[i], &zero, sizeof zero);
    IoFreeIrp(irp);
}

/* ChargeQuota is recorded as IRP_QUOTA_CHARGED. */
KT_TEST(IoAllocateIrp_charge_quota)
{
    PIRP irp = IoAllocateIrp(1, TRUE);
    KT_REQUIRE(KT_TRUE(irp != NULL));
    KT_EQ_HEX(irp->AllocationFlags & IRP_QUOTA_CHARGED, IRP_QUOTA_CHARGED);
    IoFreeIrp(irp);
}

/* An IRP in the driver's own pool memory: IoInitializeIrp zero-fills
 * PacketSize bytes and sets the same fields; IoFreeIrp returns it to the
 * pool. */
KT_TEST(IoInitializeIrp_driver_memory)
{
    USHORT size = IoSizeOfIrp(2);
    size_t before = ex_pool_outstanding(NULL);
    PIRP irp = ExAllocatePoolWithTag(NonPagedPoolNx, size, 'tsTI');
    KT_REQUIRE(KT_TRUE(irp != NULL));
    memset(irp, 0xCC, size);
    IoInitializeIrp(irp, size, 2);
    KT_EQ_INT(irp->Type, IO_TYPE_IRP);
    KT_EQ_HEX(irp->Size, size);
    KT_EQ_INT(irp->StackCount, 2);
    KT_EQ_INT(irp->CurrentLocation, 3);
    KT_EQ_PTR(irp->Tail.Overlay.CurrentStackLocation, first_location(irp) + 2);
    KT_EQ_HEX(irp->AllocationFlags, 0);
    KT_EQ_HEX(first_location(irp)[1].Control, 0);
    KT_EQ_HEX(first_location(irp)[1].Parameters.Others.Argument4, 0);
    IoFreeIrp(irp);
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
}

/* IoReuseIrp: initialized again with the same Size and StackCount, the
 * allocation flags kept and IoStatus.Status = Iostatus. */
KT_TEST(IoReuseIrp_reinitializes)
{
    PIRP irp = IoAllocateIrp(2, TRUE);
    KT_REQUIRE(KT_TRUE(irp != NULL));
    UCHAR flags = irp->AllocationFlags;
    IoSetNextIrpStackLocation(irp);
    irp->IoStatus.Information = 42;
    irp->Cancel = TRUE;
    irp->Flags = IRP_BUFFERED_IO;
    IoGetCurrentIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoReuseIrp(irp, STATUS_NOT_SUPPORTED);
    KT_EQ_STATUS(irp->IoStatus.Status, STATUS_NOT_SUPPORTED);
    KT_EQ_HEX(irp->IoStatus.Information, 0);
    KT_EQ_INT(irp->CurrentLocation, 3);
    KT_EQ_PTR(irp->Tail.Overlay.CurrentStackLocation, first_location(irp) + 2);
    KT_EQ_INT(irp->Cancel, FALSE);
    KT_EQ_HEX(irp->Flags, 0);
    KT_EQ_HEX(irp->AllocationFlags, flags);
    KT_EQ_HEX(first_location(irp)[1].MajorFunction, 0);
    KT_EQ_HEX(irp->Size, IoSizeOfIrp(2));
    IoFreeIrp(irp);
}

/* A negative stack size is no IRP. */
KT_TEST(IoAllocateIrp_negative_stack_size)
{
    KT_EQ_PTR(IoAllocateIrp(-1, FALSE), NULL);
}

/* The inline helpers move by one location: IoSetNextIrpStackLocation
 * down, IoSkipCurrentIrpStackLocation up; IoCopyCurrentIrpStackLocationToNext
 * copies all but the completion routine and context and clears Control. */
static NTSTATUS NTAPI unused_completion(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    (void)device, (void)irp, (void)context;
    return STATUS_SUCCESS;
}

KT_TEST(stack_location_inline_helpers)
{
    PIRP irp = IoAllocateIrp(3, FALSE);
    KT_REQUIRE(KT_TRUE(irp != NULL));
    IoSetNextIrpStackLocation(irp);
    KT_EQ_INT(irp->CurrentLocation, 3);
    KT_EQ_PTR(IoGetCurrentIrpStackLocation(irp), first_location(irp) + 2);
    PIO_STACK_LOCATION cur = IoGetCurrentIrpStackLocation(irp);
    cur->MajorFunction = IRP_MJ_WRITE;
    cur->Parameters.Write.Length = 512;
    cur->Control = SL_PENDING_RETURNED;
    cur->CompletionRoutine = unused_completion;
    cur->Context = irp;
    IoCopyCurrentIrpStackLocationToNext(irp);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    KT_EQ_PTR(next, first_location(irp) + 1);
    KT_EQ_HEX(next->MajorFunction, IRP_MJ_WRITE);
    KT_EQ_INT(next->Parameters.Write.Length, 512);
    KT_EQ_HEX(next->Control, 0);
    KT_EQ_PTR(next->CompletionRoutine, NULL);
    KT_EQ_PTR(next->Context, NULL);
    IoSkipCurrentIrpStackLocation(irp);
    KT_EQ_INT(irp->CurrentLocation, 4);
    KT_EQ_PTR(IoGetNextIrpStackLocation(irp), first_location(irp) + 2);
    IoFreeIrp(irp);
}

/* IoCallDriver moves to the next location, records the target device in
 * it, and calls the driver's routine for its MajorFunction, returning its
 * status. Here a filter forwards with IoCopyCurrentIrpStackLocationToNext
 * and the device below completes. */
static PDEVICE_OBJECT stack_lower;
static struct {
    CHAR location;
    PIO_STACK_LOCATION stack;
    PDEVICE_OBJECT device;
    UCHAR major;
} seen[2];
static int seen_count;

static NTSTATUS NTAPI record_and_forward(PDEVICE_OBJECT device, PIRP irp)
{
    int i = seen_count++;
    seen[i].location = irp->CurrentLocation;
    seen[i].stack = IoGetCurrentIrpStackLocation(irp);
    seen[i].device = IoGetCurrentIrpStackLocation(irp)->DeviceObject;
    seen[i].major = IoGetCurrentIrpStackLocation(irp)->MajorFunction;
    if (device != stack_lower) {
        IoCopyCurrentIrpStackLocationToNext(irp);
        return IoCallDriver(stack_lower, irp);
    }
    return STATUS_DEVICE_NOT_READY;
}

KT_TEST(IoCallDriver_moves_down_the_stack)
{
    PDRIVER_OBJECT driver = fake_driver(record_and_forward);
    stack_lower = fake_device(driver, 1, 0);
    PDEVICE_OBJECT filter = fake_filter(driver, stack_lower);
    PIRP irp = IoAllocateIrp(filter->StackSize, FALSE);
    KT_REQUIRE(KT_TRUE(irp != NULL));
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_FLUSH_BUFFERS;
    seen_count = 0;

    KT_EQ_STATUS(IoCallDriver(filter, irp), STATUS_DEVICE_NOT_READY);
    KT_EQ_INT(seen_count, 2);
    KT_EQ_INT(seen[0].location, 2);
    KT_EQ_PTR(seen[0].stack, first_location(irp) + 1);
    KT_EQ_PTR(seen[0].device, filter);
    KT_EQ_HEX(seen[0].major, IRP_MJ_FLUSH_BUFFERS);
    KT_EQ_INT(seen[1].location, 1);
    KT_EQ_PTR(seen[1].stack, first_location(irp));
    KT_EQ_PTR(seen[1].device, stack_lower);
    KT_EQ_HEX(seen[1].major, IRP_MJ_FLUSH_BUFFERS);
    KT_EQ_INT(irp->CurrentLocation, 1);
    IoFreeIrp(irp);
    free(filter);
    free(stack_lower);
    free(driver);
}

/* A MajorFunction slot the driver left alone fails the request with
 * STATUS_INVALID_DEVICE_REQUEST and completes it. */
KT_TEST(IoCallDriver_default_dispatch_completes)
{
    PDRIVER_OBJECT driver = io_driver_object_create("iotest", NULL, 0, NULL);
    KT_REQUIRE(KT_TRUE(driver != NULL));
    PDEVICE_OBJECT device = fake_device(driver, 1, 0);
    KEVENT event;
    IO_STATUS_BLOCK iosb = { .Status = STATUS_PENDING, .Information = 7 };
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, device, NULL, 0, NULL, &event, &iosb);
    KT_REQUIRE(KT_TRUE(irp != NULL));

    KT_EQ_STATUS(IoCallDriver(device, irp), STATUS_INVALID_DEVICE_REQUEST);
    KT_EQ_STATUS(iosb.Status, STATUS_INVALID_DEVICE_REQUEST);
    KT_EQ_HEX(iosb.Information, 0);
    KT_EQ_INT(KeReadStateEvent(&event), 1);
    free(device);
    io_driver_object_free(driver);
}

/* Misuse, each in a child. */
static NTSTATUS NTAPI complete_success(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI return_raised(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device, (void)irp;
    KfRaiseIrql(DISPATCH_LEVEL);
    return STATUS_SUCCESS;
}

static void call_driver_high(void *arg)
{
    KfRaiseIrql(HIGH_LEVEL);
    call_driver(arg);
}

/* "A higher-level driver has attempted to call a lower-level driver
 * through the IoCallDriver interface, but there are no more stack
 * locations in the packet": NO_MORE_IRP_STACK_LOCATIONS, P1 the IRP. */
KT_TEST(IoCallDriver_no_stack_location_left_bugchecks)
{
    PDRIVER_OBJECT driver = fake_driver(complete_success);
    PDEVICE_OBJECT device = fake_device(driver, 1, 0);
    struct call_args a = { device, IoAllocateIrp(0, FALSE) };
    const char *out = KT_EXPECT_BUGCHECK(NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)a.irp, call_driver, &a);
    if (out)
        KT_CONTAINS(out, "no stack location is left in the IRP (StackCount 0)");
    IoFreeIrp(a.irp);
    free(device);
    free(driver);
}

/* 0xC9/0x10: "IoCallDriver was called above DISPATCH_LEVEL". */
KT_TEST(IoCallDriver_above_dispatch_bugchecks)
{
    PDRIVER_OBJECT driver = fake_driver(complete_success);
    PDEVICE_OBJECT device = fake_device(driver, 1, 0);
    struct call_args a = { device, IoAllocateIrp(1, FALSE) };
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x10, call_driver_high, &a);
    if (out)
        KT_CONTAINS(out, "(0x0000000000000010,0x000000000000000F,");
    IoFreeIrp(a.irp);
    free(device);
    free(driver);
}

/* 0xC9/0x04: "The driver passed IoCallDriver an invalid device object",
 * P2 the device object. */
KT_TEST(IoCallDriver_null_device_bugchecks)
{
    struct call_args a = { NULL, IoAllocateIrp(1, FALSE) };
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, call_driver, &a);
    IoFreeIrp(a.irp);
}

/* 0xC9/0x03: "an IRP Type not equal to IRP_TYPE", here a freed IRP. */
static void call_freed(void *arg)
{
    struct call_args *a = arg;
    IoFreeIrp(a->irp);
    IoCallDriver(a->device, a->irp);
}

KT_TEST(IoCallDriver_freed_irp_bugchecks)
{
    PDRIVER_OBJECT driver = fake_driver(complete_success);
    PDEVICE_OBJECT device = fake_device(driver, 1, 0);
    struct call_args a = { device, IoAllocateIrp(1, FALSE) };
    char params[64];
    snprintf(params, sizeof params, "(0x0000000000000003,0x%016llX,", (unsigned long long)(ULONG_PTR)a.irp);
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x03, call_freed, &a);
    if (out)
        KT_CONTAINS(out, params);
    IoFreeIrp(a.irp);
    free(device);
    free(driver);
}

/* 0xC9/0x05: "The IRQL changed during a call to the driver dispatch
 * routine", P2 the device, P3 the IRQL before, P4 after. */
KT_TEST(IoCallDriver_irql_changed_bugchecks)
{
    PDRIVER_OBJECT driver = fake_driver(return_raised);
    PDEVICE_OBJECT device = fake_device(driver, 1, 0);
    struct call_args a = { device, IoAllocateIrp(1, FALSE) };
    char params[96];
    snprintf(params, sizeof params, "(0x0000000000000005,0x%016llX,0x0000000000000000,0x0000000000000002)",
             (unsigned long long)(ULONG_PTR)device);
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x05, call_driver, &a);
    if (out)
        KT_CONTAINS(out, params);
    IoFreeIrp(a.irp);
    free(device);
    free(driver);
}

/* 0xC9/0x01: "The driver attempted to free an object whose type is not
 * IO_TYPE_IRP", P2 the address; a freed IRP is one. */
static void free_twice(void *arg)
{
    IoFreeIrp(arg);
    IoFreeIrp(arg);
}

KT_TEST(IoFreeIrp_twice_bugchecks)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    char params[64];
    snprintf(params, sizeof params, "(0x0000000000000001,0x%016llX,", (unsigned long long)(ULONG_PTR)irp);
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x01, free_twice, irp);
    if (out) {
        KT_CONTAINS(out, params);
        KT_CONTAINS(out, "the IRP was already freed");
    }
    IoFreeIrp(irp);
}
