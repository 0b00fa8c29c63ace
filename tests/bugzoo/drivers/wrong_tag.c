/* ExFreePoolWithTag with another tag than the allocation's:
 * BAD_POOL_CALLER 0xC2/0x0A, P3 the block's tag, P4 the one passed. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    PVOID p = ExAllocatePool2(POOL_FLAG_PAGED, 32, 'ApoZ');
    if (!p)
        return STATUS_INSUFFICIENT_RESOURCES;
    ExFreePoolWithTag(p, 'BpoZ'); /* BUG: the tag is 'ApoZ' */
    return STATUS_SUCCESS;
}
