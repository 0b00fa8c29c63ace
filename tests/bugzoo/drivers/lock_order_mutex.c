/* Two kernel mutexes taken in opposite orders by two system threads, the
 * second started after the first has ended: the configuration thread
 * takes the configuration mutex, then the device mutex; the device thread
 * the device mutex, then the configuration mutex. This run nothing hangs;
 * run together they could deadlock. Driver Verifier's deadlock detection
 * reports the second order: 0xC4/0x1001, P2 the mutex being acquired. */
#include <ntddk.h>

static KMUTEX g_ConfigMutex, g_DeviceMutex;

static VOID ConfigThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&g_ConfigMutex, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&g_DeviceMutex, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&g_DeviceMutex, FALSE);
    KeReleaseMutex(&g_ConfigMutex, FALSE);
}

static VOID DeviceThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&g_DeviceMutex, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&g_ConfigMutex, Executive, KernelMode, FALSE, NULL); /* BUG: the opposite order */
    KeReleaseMutex(&g_ConfigMutex, FALSE);
    KeReleaseMutex(&g_DeviceMutex, FALSE);
}

/* Starts a system thread and waits until it has ended. */
static NTSTATUS RunThread(PKSTART_ROUTINE Routine)
{
    HANDLE handle;
    PVOID thread;
    NTSTATUS status = PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine, NULL);
    if (!NT_SUCCESS(status))
        return status;
    status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, NULL, KernelMode, &thread, NULL);
    ZwClose(handle);
    if (!NT_SUCCESS(status))
        return status;
    KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(thread);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeMutex(&g_ConfigMutex, 0);
    KeInitializeMutex(&g_DeviceMutex, 0);
    NTSTATUS status = RunThread(ConfigThread);
    if (NT_SUCCESS(status))
        status = RunThread(DeviceThread);
    return status;
}
