/* Two system threads take two mutexes in opposite orders: each ends up
 * holding one and waiting for the other's. DriverEntry waits for both. */
#include <ntddk.h>

struct order {
    PKMUTEX take_first, take_second;
    PKEVENT mine_taken, other_taken;
};

static KMUTEX a, b;
static KEVENT a_taken, b_taken;

static VOID TakeInOrder(PVOID Context)
{
    struct order *order = Context;
    KeWaitForSingleObject(order->take_first, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(order->mine_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(order->other_taken, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(order->take_second, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(order->take_second, FALSE);
    KeReleaseMutex(order->take_first, FALSE);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    static struct order a_then_b = { &a, &b, &a_taken, &b_taken }, b_then_a = { &b, &a, &b_taken, &a_taken };
    HANDLE threads[2];
    UNREFERENCED_PARAMETER(RegistryPath);

    KeInitializeMutex(&a, 0);
    KeInitializeMutex(&b, 0);
    KeInitializeEvent(&a_taken, NotificationEvent, FALSE);
    KeInitializeEvent(&b_taken, NotificationEvent, FALSE);
    PsCreateSystemThread(&threads[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeInOrder, &a_then_b);
    PsCreateSystemThread(&threads[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeInOrder, &b_then_a);
    ZwWaitForMultipleObjects(2, threads, WaitAll, FALSE, NULL);
    ZwClose(threads[0]);
    ZwClose(threads[1]);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
