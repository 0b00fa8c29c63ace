/* timers.cpp: a periodic timer whose DPC hands work to a work item, in the
 * style of Windows Kernel Programming's samples. Every TIMERS_PERIOD_MS
 * the timer's DPC runs (DISPATCH_LEVEL) and counts a tick; when no work
 * item is pending it queues one, whose routine (PASSIVE_LEVEL) counts a
 * run. An I/O control waits for a number of runs and returns the counts;
 * another times a one-shot high-resolution executive timer. Unloading
 * cancels the timer, flushes the DPCs (no DPC can queue work after that)
 * and waits for the last work item.
 *
 *   ntbox run examples/timers/timers.cpp --client examples/timers/client.c */
#include <ntddk.h>
#include "timers_common.h"

#define DRIVER_PREFIX "Timers: "

static KTIMER g_Timer;
static KDPC g_Dpc;
static PIO_WORKITEM g_WorkItem;
static LONG g_WorkQueued;    /* 1 from the DPC queuing the item until its routine is done */
static KEVENT g_WorkIdle;    /* signalled while no work item is queued or running */
static KEVENT g_RunsReached; /* signalled once g_WorkRuns >= g_Target */
static volatile LONG g_Target = MAXLONG;
static TIMERS_STATS g_Stats;

static NTSTATUS CompleteIrp(PIRP Irp, NTSTATUS status, ULONG_PTR info)
{
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static VOID NTAPI TimersWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    g_Stats.WorkIrql = KeGetCurrentIrql();
    if (InterlockedIncrement(&g_Stats.WorkRuns) >= InterlockedCompareExchange(&g_Target, 0, 0))
        KeSetEvent(&g_RunsReached, IO_NO_INCREMENT, FALSE);
    /* Idle first, then free for the next DPC: a DPC that queues again
     * clears the event after this set. */
    KeSetEvent(&g_WorkIdle, IO_NO_INCREMENT, FALSE);
    InterlockedExchange(&g_WorkQueued, 0);
}

static VOID NTAPI TimersDpc(PKDPC Dpc, PVOID Context, PVOID SystemArgument1, PVOID SystemArgument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    g_Stats.DpcIrql = KeGetCurrentIrql();
    InterlockedIncrement(&g_Stats.Ticks);
    if (InterlockedCompareExchange(&g_WorkQueued, 1, 0) == 0) {
        KeClearEvent(&g_WorkIdle);
        IoQueueWorkItem(g_WorkItem, TimersWork, DelayedWorkQueue, NULL);
    }
}

static NTSTATUS WaitForRuns(PIRP Irp, PIO_STACK_LOCATION stack)
{
    if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG))
        return CompleteIrp(Irp, STATUS_INVALID_PARAMETER, 0);
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(TIMERS_STATS))
        return CompleteIrp(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    LONG count = *(LONG *)Irp->AssociatedIrp.SystemBuffer;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10 * 1000 * 1000 * 10LL;
    KeClearEvent(&g_RunsReached);
    InterlockedExchange(&g_Target, count);
    if (InterlockedCompareExchange(&g_Stats.WorkRuns, 0, 0) < count &&
        KeWaitForSingleObject(&g_RunsReached, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT)
        return CompleteIrp(Irp, STATUS_IO_TIMEOUT, 0);
    TIMERS_STATS *out = (TIMERS_STATS *)Irp->AssociatedIrp.SystemBuffer;
    *out = g_Stats;
    return CompleteIrp(Irp, STATUS_SUCCESS, sizeof(TIMERS_STATS));
}

static NTSTATUS TimeOneShot(PIRP Irp, PIO_STACK_LOCATION stack)
{
    if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG) ||
        stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONGLONG))
        return CompleteIrp(Irp, STATUS_INVALID_PARAMETER, 0);
    ULONG ms = *(ULONG *)Irp->AssociatedIrp.SystemBuffer;
    PEX_TIMER timer = ExAllocateTimer(NULL, NULL, EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NOTIFICATION);
    if (!timer)
        return CompleteIrp(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    ULONGLONG start = KeQueryInterruptTime();
    ExSetTimer(timer, -(LONGLONG)ms * 10000, 0, NULL);
    KeWaitForSingleObject(timer, Executive, KernelMode, FALSE, NULL);
    *(ULONGLONG *)Irp->AssociatedIrp.SystemBuffer = KeQueryInterruptTime() - start;
    ExDeleteTimer(timer, TRUE, TRUE, NULL);
    return CompleteIrp(Irp, STATUS_SUCCESS, sizeof(ULONGLONG));
}

static NTSTATUS TimersDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_TIMERS_WAIT_RUNS:
        return WaitForRuns(Irp, stack);
    case IOCTL_TIMERS_ONE_SHOT:
        return TimeOneShot(Irp, stack);
    }
    return CompleteIrp(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static NTSTATUS TimersCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return CompleteIrp(Irp, STATUS_SUCCESS, 0);
}

static void TimersUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Timers");

    KeCancelTimer(&g_Timer);
    KeFlushQueuedDpcs();
    KeWaitForSingleObject(&g_WorkIdle, Executive, KernelMode, FALSE, NULL);
    IoFreeWorkItem(g_WorkItem);
    IoDeleteSymbolicLink(&symLink);
    IoDeleteDevice(DriverObject->DeviceObject);
    DbgPrint(DRIVER_PREFIX "timer cancelled, DPCs flushed, last work item done; unloaded\n");
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    UNICODE_STRING devName = RTL_CONSTANT_STRING(L"\\Device\\Timers");
    UNICODE_STRING symLink = RTL_CONSTANT_STRING(L"\\??\\Timers");
    PDEVICE_OBJECT DeviceObject = NULL;

    DriverObject->DriverUnload = TimersUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = TimersCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = TimersCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = TimersDeviceControl;

    NTSTATUS status = IoCreateDevice(DriverObject, 0, &devName, FILE_DEVICE_UNKNOWN, 0, FALSE, &DeviceObject);
    if (!NT_SUCCESS(status))
        return status;
    g_WorkItem = IoAllocateWorkItem(DeviceObject);
    if (!g_WorkItem) {
        IoDeleteDevice(DeviceObject);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = IoCreateSymbolicLink(&symLink, &devName);
    if (!NT_SUCCESS(status)) {
        IoFreeWorkItem(g_WorkItem);
        IoDeleteDevice(DeviceObject);
        return status;
    }

    KeInitializeEvent(&g_WorkIdle, NotificationEvent, TRUE);
    KeInitializeEvent(&g_RunsReached, NotificationEvent, FALSE);
    KeInitializeDpc(&g_Dpc, TimersDpc, NULL);
    KeInitializeTimerEx(&g_Timer, NotificationTimer);
    LARGE_INTEGER due;
    due.QuadPart = -TIMERS_PERIOD_MS * 10000LL;
    KeSetTimerEx(&g_Timer, due, TIMERS_PERIOD_MS, &g_Dpc);
    DbgPrint(DRIVER_PREFIX "timer set, every %d ms\n", TIMERS_PERIOD_MS);
    return STATUS_SUCCESS;
}
