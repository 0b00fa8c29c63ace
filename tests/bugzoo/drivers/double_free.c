/* Double free: a block freed twice. BAD_POOL_CALLER 0xC2/0x07, charged to
 * the second free, the report naming the first. */
#include <ntddk.h>

#define ZOO_TAG 'lbuD'

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 48, ZOO_TAG);
    if (!p)
        return STATUS_INSUFFICIENT_RESOURCES;
    ExFreePoolWithTag(p, ZOO_TAG);
    ExFreePoolWithTag(p, ZOO_TAG); /* BUG: freed already */
    return STATUS_SUCCESS;
}
