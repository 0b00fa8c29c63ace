/* Paged pool allocated at DISPATCH_LEVEL, where no page fault can be
 * taken: BAD_POOL_CALLER 0xC2/0x08, P2 the IRQL, P3 the pool type, P4 the
 * size. */
#include <ntddk.h>

static KSPIN_LOCK g_Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&g_Lock);
    KeAcquireSpinLock(&g_Lock, &old);
    PVOID p = ExAllocatePoolWithTag(PagedPool, 40, 'gaPZ'); /* BUG: paged pool at DISPATCH_LEVEL */
    KeReleaseSpinLock(&g_Lock, old);
    if (p)
        ExFreePoolWithTag(p, 'gaPZ');
    return STATUS_SUCCESS;
}
