/* Releasing a spin lock that is not held (here: the wrong one of two):
 * Driver Verifier's deadlock detection, 0xC4/0x1007, P2 the lock. */
#include <ntddk.h>

static KSPIN_LOCK g_ListLock, g_StatsLock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&g_ListLock);
    KeInitializeSpinLock(&g_StatsLock);
    KeAcquireSpinLock(&g_ListLock, &old);
    KeReleaseSpinLock(&g_StatsLock, old); /* BUG: g_ListLock is the one held */
    return STATUS_SUCCESS;
}
