/* Two system threads take two mutexes in opposite orders: each ends up
 * holding one and waiting for the other's. DriverEntry waits for both. */
#include <ntddk.h>

static KMUTEX first, second;
static KEVENT first_taken, second_taken;

static VOID TakeFirstThenSecond(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&first, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&first_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&second_taken, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&second, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&second, FALSE);
    KeReleaseMutex(&first, FALSE);
}

static VOID TakeSecondThenFirst(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&second, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&second_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&first_taken, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&first, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&first, FALSE);
    KeReleaseMutex(&second, FALSE);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HANDLE threads[2];
    UNREFERENCED_PARAMETER(RegistryPath);

    KeInitializeMutex(&first, 0);
    KeInitializeMutex(&second, 0);
    KeInitializeEvent(&first_taken, NotificationEvent, FALSE);
    KeInitializeEvent(&second_taken, NotificationEvent, FALSE);
    PsCreateSystemThread(&threads[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeFirstThenSecond, NULL);
    PsCreateSystemThread(&threads[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, TakeSecondThenFirst, NULL);
    ZwWaitForMultipleObjects(2, threads, WaitAll, FALSE, NULL);
    ZwClose(threads[0]);
    ZwClose(threads[1]);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
