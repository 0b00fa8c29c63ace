/* A write one element past the end of a pool block. With special pool the
 * block ends where its page ends and the next page is a guard page: the
 * write faults at once, 0xD6 (DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION),
 * P1 the address written, P2 1 (a write). */
#include <ntddk.h>

#define COUNT 16

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ULONG *table = (ULONG *)ExAllocatePool2(POOL_FLAG_NON_PAGED, COUNT * sizeof(ULONG), 'nurO');
    if (!table)
        return STATUS_INSUFFICIENT_RESOURCES;
    DbgPrint("overrun: writing 0x%p\n", &table[COUNT]);
    for (ULONG i = 0; i <= COUNT; i++)
        table[i] = i; /* BUG: i == COUNT is past the end */
    ExFreePoolWithTag(table, 'nurO');
    return STATUS_SUCCESS;
}
