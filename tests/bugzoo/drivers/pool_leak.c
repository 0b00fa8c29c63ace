/* Pool leak: DriverUnload frees one of the two blocks DriverEntry
 * allocated. A leak outlives the driver until the next boot; Driver
 * Verifier stops the machine at unload: 0xC4/0x62, each leaked block
 * listed with its tag and the line that allocated it. */
#include <ntddk.h>

#define ZOO_TAG 'kaeL'

static PVOID g_Kept, g_Lost;

static VOID ZooUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(g_Kept, ZOO_TAG);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    g_Kept = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, ZOO_TAG);
    g_Lost = ExAllocatePool2(POOL_FLAG_PAGED, 100, ZOO_TAG); /* BUG: never freed */
    if (!g_Kept || !g_Lost)
        return STATUS_INSUFFICIENT_RESOURCES;
    DriverObject->DriverUnload = ZooUnload;
    return STATUS_SUCCESS;
}
