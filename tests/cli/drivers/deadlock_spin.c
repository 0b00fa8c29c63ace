/* Two system threads take two spin locks in opposite orders and spin on
 * each other's for ever; DriverEntry waits for them. */
#include <ntddk.h>

struct order {
    PKSPIN_LOCK take_first, take_second;
    volatile LONG *mine_taken, *other_taken;
};

static KSPIN_LOCK a, b;
static volatile LONG a_taken, b_taken;

static VOID TakeInOrder(PVOID Context)
{
    struct order *order = Context;
    KIRQL irql;
    KeAcquireSpinLock(order->take_first, &irql);
    InterlockedExchange(order->mine_taken, 1);
    while (!*order->other_taken)
        YieldProcessor();
    KeAcquireSpinLockAtDpcLevel(order->take_second);
    KeReleaseSpinLockFromDpcLevel(order->take_second);
    KeReleaseSpinLock(order->take_first, irql);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    static struct order a_then_b = { &a, &b, &a_taken, &b_taken }, b_then_a = { &b, &a, &b_taken, &a_taken };
    HANDLE threads[2];
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    KeInitializeSpinLock(&a);
    KeInitializeSpinLock(&b);
    PsCreateSystemThread(&threads[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeInOrder, &a_then_b);
    PsCreateSystemThread(&threads[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeInOrder, &b_then_a);
    return ZwWaitForMultipleObjects(2, threads, WaitAll, FALSE, NULL);
}
