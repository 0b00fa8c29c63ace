/* A write just past the end of a block whose size is no multiple of 16:
 * special pool keeps blocks 16-byte aligned, so the byte lands in the
 * slack before the guard page, which is filled with a pattern. The free
 * finds the pattern broken: 0xC1 (SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION),
 * P1 the block, P2 the corrupted byte, P4 0x24 (past the end). */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    char *name = (char *)ExAllocatePool2(POOL_FLAG_PAGED, 10, 'klsZ');
    if (!name)
        return STATUS_INSUFFICIENT_RESOURCES;
    DbgPrint("slack_after: block 0x%p\n", name);
    RtlCopyMemory(name, "0123456789", 11); /* one byte too many: the NUL */
    ExFreePoolWithTag(name, 'klsZ'); /* BUG: found here, the slack is overwritten */
    return STATUS_SUCCESS;
}
