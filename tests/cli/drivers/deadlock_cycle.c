/* Two system threads take two fast mutexes in opposite orders and end up
 * waiting for each other, while a third thread keeps running (it wakes
 * every millisecond): the cycle is found all the same. */
#include <ntddk.h>

static FAST_MUTEX first, second;
static KEVENT first_taken, second_taken;

static VOID TakeFirstThenSecond(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&first);
    KeSetEvent(&first_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&second_taken, Executive, KernelMode, FALSE, NULL);
    ExAcquireFastMutex(&second);
    ExReleaseFastMutex(&second);
    ExReleaseFastMutex(&first);
}

static VOID TakeSecondThenFirst(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&second);
    KeSetEvent(&second_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&first_taken, Executive, KernelMode, FALSE, NULL);
    ExAcquireFastMutex(&first);
    ExReleaseFastMutex(&first);
    ExReleaseFastMutex(&second);
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
    HANDLE threads[3];
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    ExInitializeFastMutex(&first);
    ExInitializeFastMutex(&second);
    KeInitializeEvent(&first_taken, NotificationEvent, FALSE);
    KeInitializeEvent(&second_taken, NotificationEvent, FALSE);
    PsCreateSystemThread(&threads[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, Ticker, NULL);
    PsCreateSystemThread(&threads[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeFirstThenSecond, NULL);
    PsCreateSystemThread(&threads[2], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeSecondThenFirst, NULL);
    return ZwWaitForMultipleObjects(3, threads, WaitAll, FALSE, NULL);
}
