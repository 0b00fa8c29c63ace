/* Freeing what the pool never allocated (here a global): BAD_POOL_CALLER
 * 0xC2/0x42, P2 the address. */
#include <ntddk.h>

static UCHAR g_Buffer[64];

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ExFreePool(g_Buffer); /* BUG: not a pool block */
    return STATUS_SUCCESS;
}
