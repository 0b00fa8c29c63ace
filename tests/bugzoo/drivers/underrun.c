/* A write before the start of a block (index -1). Special pool fills the
 * page before the block with a pattern, so the free finds it broken:
 * 0xC1 (SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION), P1 the block, P2 the
 * corrupted byte, P4 0x23 (nearby bytes in the page). */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    LONG *counts = (LONG *)ExAllocatePool2(POOL_FLAG_NON_PAGED, 8 * sizeof(LONG), 'rdnU');
    if (!counts)
        return STATUS_INSUFFICIENT_RESOURCES;
    DbgPrint("underrun: block 0x%p\n", counts);
    LONG index = -1;
    counts[index] = 7;
    ExFreePoolWithTag(counts, 'rdnU'); /* BUG: found here, the bytes before the block are overwritten */
    return STATUS_SUCCESS;
}
