/* A wild pointer into system space read in DriverEntry: no valid memory
 * is there, so Windows stops at the page fault itself, 0x50
 * (PAGE_FAULT_IN_NONPAGED_AREA), P1 the address. */
#include <ntddk.h>

#define WILD_ADDRESS 0xFFFFF80012345678ULL

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    volatile ULONG *wild = (volatile ULONG *)(ULONG_PTR)WILD_ADDRESS;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("wild_entry: %u\n", *wild); /* BUG: nothing is mapped there */
    return STATUS_SUCCESS;
}
