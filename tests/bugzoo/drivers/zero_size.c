/* A zero-byte pool allocation: Driver Verifier's 0xC4/0x00, P2 the IRQL,
 * P3 the pool type, P4 the size (0). ExAllocatePool2 wants "a non-zero
 * number of bytes". */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ULONG extra = RegistryPath->Length > 0xFFFF ? 1 : 0; /* always 0 */
    PVOID p = ExAllocatePoolWithTag(NonPagedPoolNx, extra, 'oreZ'); /* BUG: 0 bytes */
    if (p)
        ExFreePoolWithTag(p, 'oreZ');
    return STATUS_SUCCESS;
}
