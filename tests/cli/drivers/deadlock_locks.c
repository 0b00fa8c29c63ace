/* One system thread holds an ERESOURCE and waits for a push lock, the
 * other holds the push lock and waits for the resource; DriverEntry waits
 * for both. */
#include <ntddk.h>

static ERESOURCE resource;
static EX_PUSH_LOCK push_lock;
static KEVENT resource_taken, push_lock_taken;

static VOID ResourceThenPushLock(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&resource, TRUE);
    KeSetEvent(&resource_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&push_lock_taken, Executive, KernelMode, FALSE, NULL);
    ExAcquirePushLockExclusive(&push_lock);
}

static VOID PushLockThenResource(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&push_lock);
    KeSetEvent(&push_lock_taken, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&resource_taken, Executive, KernelMode, FALSE, NULL);
    ExAcquireResourceSharedLite(&resource, TRUE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HANDLE threads[2];
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);

    ExInitializeResourceLite(&resource);
    ExInitializePushLock(&push_lock);
    KeInitializeEvent(&resource_taken, NotificationEvent, FALSE);
    KeInitializeEvent(&push_lock_taken, NotificationEvent, FALSE);
    PsCreateSystemThread(&threads[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, ResourceThenPushLock, NULL);
    PsCreateSystemThread(&threads[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, PushLockThenResource, NULL);
    return ZwWaitForMultipleObjects(2, threads, WaitAll, FALSE, NULL);
}
