/* Two system threads take two fast mutexes in opposite orders and end up
 * waiting for each other, while a third thread keeps running (it wakes
 * every millisecond): the cycle is found all the same. */
#include <ntddk.h>

struct order {
    PFAST_MUTEX take_first, take_second;
    PKEVENT mine_taken, other_taken;
};

static FAST_MUTEX a, b;
static KEVENT a_taken, b_taken;

static VOID TakeInOrder(PVOID Context)
{
    struct order *order = Context;
    ExAcquireFastMutex(order->take_first);
    KeSetEvent(order->mine_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(order->other_taken, Executive, KernelMode, FALSE, NULL);
    ExAcquireFastMutex(order->take_second);
    ExReleaseFastMutex(order->take_second);
    ExReleaseFastMutex(order->take_first);
}

static VOID Ticker(PVOID Context)
{
    LARGE_INTEGER interval = { .QuadPart = -10000 }; /* 1 ms */
    UNREFERENCED_PARAMETER(Context);
    for (;;)
        KeDelayExecutionThread(KernelMode, FALSE, &interval);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    static struct order a_then_b = { &a, &b, &a_taken, &b_taken }, b_then_a = { &b, &a, &b_taken, &a_taken };
    HANDLE threads[3];
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    ExInitializeFastMutex(&a);
    ExInitializeFastMutex(&b);
    KeInitializeEvent(&a_taken, NotificationEvent, FALSE);
    KeInitializeEvent(&b_taken, NotificationEvent, FALSE);
    PsCreateSystemThread(&threads[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, Ticker, NULL);
    PsCreateSystemThread(&threads[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeInOrder, &a_then_b);
    PsCreateSystemThread(&threads[2], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeInOrder, &b_then_a);
    return ZwWaitForMultipleObjects(3, threads, WaitAll, FALSE, NULL);
}
