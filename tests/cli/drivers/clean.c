/* A well-behaved driver: allocates in DriverEntry, frees in DriverUnload,
 * uses a list and a spin lock, prints with Windows' format codes. */
#include <ntddk.h>

#define CLEAN_TAG 'nlcT'

typedef struct _ITEM {
    LIST_ENTRY Link;
    ULONG Value;
} ITEM, *PITEM;

static LIST_ENTRY g_Items;
static KSPIN_LOCK g_Lock;

static VOID CleanUnload(PDRIVER_OBJECT DriverObject)
{
    ULONG sum = 0;
    UNREFERENCED_PARAMETER(DriverObject);
    while (!IsListEmpty(&g_Items)) {
        PITEM item = CONTAINING_RECORD(RemoveHeadList(&g_Items), ITEM, Link);
        sum += item->Value;
        ExFreePoolWithTag(item, CLEAN_TAG);
    }
    DbgPrint("clean: unloading, sum %lu\n", sum);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;
    DbgPrint("clean: %wZ\n", RegistryPath);
    DbgPrint("clean: driver %wZ\n", &DriverObject->DriverName);
    InitializeListHead(&g_Items);
    KeInitializeSpinLock(&g_Lock);
    for (ULONG i = 1; i <= 3; i++) {
        PITEM item = (PITEM)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(ITEM), CLEAN_TAG);
        if (!item)
            return STATUS_INSUFFICIENT_RESOURCES;
        item->Value = i * 10;
        KeAcquireSpinLock(&g_Lock, &old);
        InsertTailList(&g_Items, &item->Link);
        KeReleaseSpinLock(&g_Lock, old);
    }
    DbgPrint("clean: IRQL %u, %I64d items, %08lx\n", KeGetCurrentIrql(), (LONGLONG)3, 0xBEEFUL);
    DriverObject->DriverUnload = CleanUnload;
    return STATUS_SUCCESS;
}
