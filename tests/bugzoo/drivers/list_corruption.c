/* A corrupted LIST_ENTRY: an entry's neighbour no longer points back at
 * it, and RemoveEntryList's check fails fast: 0x139/3
 * (KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_CORRUPT_LIST_ENTRY). */
#include <ntddk.h>

typedef struct {
    LIST_ENTRY Link;
    ULONG Value;
} ITEM;

static LIST_ENTRY g_Head;
static ITEM g_Items[3];

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    InitializeListHead(&g_Head);
    for (ULONG i = 0; i < 3; i++)
        InsertTailList(&g_Head, &g_Items[i].Link);
    g_Items[2].Link.Blink = &g_Items[0].Link; /* a stray write */
    RemoveEntryList(&g_Items[1].Link); /* BUG: item 2 no longer links back to item 1 */
    return STATUS_SUCCESS;
}
