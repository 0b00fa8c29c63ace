/* prodcons.cpp: a producer/consumer queue. Each int a client writes is an
 * item (the client produces); a system thread of the driver consumes them
 * in order. The queue is a LIST_ENTRY under a spin lock, and a semaphore
 * counts the items in it: the consumer waits on the semaphore and on a
 * stop event at once. Unloading sets the stop event and waits on the
 * thread object for the consumer to end (the unload handshake), then
 * frees what it left.
 *
 *   ntbox run examples/prodcons/prodcons.cpp --client examples/prodcons/client.c */
#include <ntddk.h>
#include "prodcons_common.h"

#define DRIVER_PREFIX "ProdCons: "
#define ITEM_TAG 'mtIP'

struct Item {
    LIST_ENTRY Link;
    int Value;
};

static LIST_ENTRY g_Queue;
static KSPIN_LOCK g_QueueLock;
static KSEMAPHORE g_Items;     /* one count per queued item */
static KEVENT g_Stop;
static KEVENT g_Progress;      /* set whenever the consumer took an item */
static PKTHREAD g_Consumer;    /* referenced */
static PRODCONS_STATS g_Stats;
static int g_Last;             /* the value taken before */

static NTSTATUS CompleteIrp(PIRP Irp, NTSTATUS status, ULONG_PTR info)
{
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static Item *TakeItem()
{
    KIRQL irql;
    KeAcquireSpinLock(&g_QueueLock, &irql);
    PLIST_ENTRY entry = IsListEmpty(&g_Queue) ? NULL : RemoveHeadList(&g_Queue);
    KeReleaseSpinLock(&g_QueueLock, irql);
    return entry ? CONTAINING_RECORD(entry, Item, Link) : NULL;
}

static VOID NTAPI Consumer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PVOID objects[2] = { &g_Stop, &g_Items };

    g_Stats.InOrder = 1;
    g_Stats.System = PsIsSystemThread(PsGetCurrentThread());
    for (;;) {
        NTSTATUS status = KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
        if (status != STATUS_WAIT_1)
            break;
        Item *item = TakeItem();
        g_Stats.Irql = KeGetCurrentIrql();
        if (item->Value <= g_Last)
            g_Stats.InOrder = 0;
        g_Last = item->Value;
        g_Stats.Sum += item->Value;
        ExFreePoolWithTag(item, ITEM_TAG);
        InterlockedIncrement((LONG *)&g_Stats.Consumed);
        KeSetEvent(&g_Progress, IO_NO_INCREMENT, FALSE);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* The producer: every int written is queued, then counted in the semaphore. */
static NTSTATUS ProdConsWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    const int *values = (const int *)Irp->AssociatedIrp.SystemBuffer;
    ULONG count = length / sizeof(int);

    if (count == 0)
        return CompleteIrp(Irp, STATUS_INVALID_PARAMETER, 0);
    for (ULONG i = 0; i < count; i++) {
        Item *item = (Item *)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(Item), ITEM_TAG);
        if (!item)
            return CompleteIrp(Irp, STATUS_INSUFFICIENT_RESOURCES, i * sizeof(int));
        item->Value = values[i];
        ExInterlockedInsertTailList(&g_Queue, &item->Link, &g_QueueLock);
        KeReleaseSemaphore(&g_Items, IO_NO_INCREMENT, 1, FALSE);
    }
    return CompleteIrp(Irp, STATUS_SUCCESS, count * sizeof(int));
}

static NTSTATUS ProdConsDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_PRODCONS_WAIT_CONSUMED)
        return CompleteIrp(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(int) ||
        stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(PRODCONS_STATS))
        return CompleteIrp(Irp, STATUS_INVALID_PARAMETER, 0);
    int count = *(int *)Irp->AssociatedIrp.SystemBuffer;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10 * 1000 * 1000 * 10LL;
    while (InterlockedCompareExchange((LONG *)&g_Stats.Consumed, 0, 0) < count) {
        if (KeWaitForSingleObject(&g_Progress, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT)
            return CompleteIrp(Irp, STATUS_IO_TIMEOUT, 0);
    }
    *(PRODCONS_STATS *)Irp->AssociatedIrp.SystemBuffer = g_Stats;
    return CompleteIrp(Irp, STATUS_SUCCESS, sizeof(PRODCONS_STATS));
}

static NTSTATUS ProdConsCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return CompleteIrp(Irp, STATUS_SUCCESS, 0);
}

static void ProdConsUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\ProdCons");

    KeSetEvent(&g_Stop, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(g_Consumer, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(g_Consumer);
    int left = 0;
    for (Item *item; (item = TakeItem()) != NULL; left++)
        ExFreePoolWithTag(item, ITEM_TAG);
    IoDeleteSymbolicLink(&symLink);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint(DRIVER_PREFIX "consumer stopped after %d items, %d left in the queue; unloaded\n", g_Stats.Consumed,
             left);
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING devName = RTL_CONSTANT_STRING(L"\\Device\\ProdCons");
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\ProdCons");
    PDEVICE_OBJECT DeviceObject = NULL;

    DriverObject->DriverUnload = ProdConsUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = ProdConsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = ProdConsCreateClose;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = ProdConsWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ProdConsDeviceControl;

    InitializeListHead(&g_Queue);
    KeInitializeSpinLock(&g_QueueLock);
    KeInitializeSemaphore(&g_Items, 0, MAXLONG);
    KeInitializeEvent(&g_Stop, NotificationEvent, FALSE);
    KeInitializeEvent(&g_Progress, SynchronizationEvent, FALSE);

    NTSTATUS status = IoCreateDevice(DriverObject, 0, &devName, FILE_DEVICE_UNKNOWN, 0, FALSE, &DeviceObject);
    if (!NT_SUCCESS(status))
        return status;
    DeviceObject->Flags |= DO_BUFFERED_IO;
    status = IoCreateSymbolicLink(&symLink, &devName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(DeviceObject);
        return status;
    }

    HANDLE hThread;
    status = PsCreateSystemThread(&hThread, THREAD_ALL_ACCESS, NULL, NULL, NULL, Consumer, NULL);
    if (NT_SUCCESS(status)) {
        status = ObReferenceObjectByHandle(hThread, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID *)&g_Consumer,
                                           NULL);
        ZwClose(hThread);
    }
    if (!NT_SUCCESS(status)) {
        IoDeleteSymbolicLink(&symLink);
        IoDeleteDevice(DeviceObject);
        return status;
    }
    DbgPrint(DRIVER_PREFIX "consumer thread started\n");
    return STATUS_SUCCESS;
}
