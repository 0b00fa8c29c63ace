/* A driver that frees only part of what it allocates: DriverUnload frees
 * the first of three blocks, so the other two are leaks Driver Verifier
 * reports at unload (0xC4/0x62), each with the line that allocated it. */
#include <ntddk.h>

#define LEAK_TAG 'kaeL'

static PVOID g_Blocks[3];

static VOID LeakUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(g_Blocks[0], LEAK_TAG);
    DbgPrint("leak: freed 1 of 3 blocks\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    for (ULONG i = 0; i < 3; i++) {
        g_Blocks[i] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16 * (i + 1), LEAK_TAG);
        if (!g_Blocks[i])
            return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(g_Blocks[1], 32);
    DbgPrint("leak: allocated 3 blocks\n");
    DriverObject->DriverUnload = LeakUnload;
    return STATUS_SUCCESS;
}
