/* A driver with pageable sections, as #pragma alloc_text(PAGE, ...) and
 * data_seg("PAGEDATA") make them: a routine in PAGE and a table in
 * PAGEDATA. At PASSIVE_LEVEL both work, also after a spin lock (whose
 * raise makes them inaccessible) was held. Built twice, each with one bug
 * Windows catches only when the page happens to be out, and ntbox every
 * time: DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1)
 *   PAGE_BUG_DATA: the PAGEDATA table read under a spin lock;
 *   PAGE_BUG_CALL: the PAGE routine called from a DPC. */
#include <ntddk.h>

#define PAGE_CODE_SECTION __attribute__((section("PAGE"), noinline))
#define PAGE_DATA_SECTION __attribute__((section("PAGEDATA")))

PAGE_DATA_SECTION static ULONG g_Table[4] = { 10, 20, 30, 40 };

static KSPIN_LOCK g_Lock;
static volatile ULONG g_Result;

PAGE_CODE_SECTION static ULONG PagedSum(ULONG count)
{
    ULONG sum = 0;
    for (ULONG i = 0; i < count && i < 4; i++)
        sum += g_Table[i];
    return sum;
}

#ifdef PAGE_BUG_CALL
static KDPC g_Dpc;
static KEVENT g_Done;

static VOID PageDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    g_Result = PagedSum(2); /* BUG-CALL: pageable code at DISPATCH_LEVEL */
    KeSetEvent(&g_Done, IO_NO_INCREMENT, FALSE);
}
#endif

static VOID PageUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
#ifdef PAGE_BUG_CALL
    /* The DPC may still be returning after it set g_Done. */
    KeFlushQueuedDpcs();
#endif
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&g_Lock);
    DbgPrint("page_section: at PASSIVE_LEVEL PagedSum(3) returns %lu\n", PagedSum(3));
    KeAcquireSpinLock(&g_Lock, &old);
    g_Result = 0;
    KeReleaseSpinLock(&g_Lock, old);
    DbgPrint("page_section: after a spin lock, at PASSIVE_LEVEL again PagedSum(4) returns %lu\n", PagedSum(4));
#ifdef PAGE_BUG_DATA
    DbgPrint("page_section: reading PAGEDATA under a spin lock\n");
    KeAcquireSpinLock(&g_Lock, &old);
    g_Result = g_Table[1]; /* BUG-DATA: pageable data at DISPATCH_LEVEL */
    KeReleaseSpinLock(&g_Lock, old);
#endif
#ifdef PAGE_BUG_CALL
    DbgPrint("page_section: calling PagedSum from a DPC\n");
    KeInitializeEvent(&g_Done, NotificationEvent, FALSE);
    KeInitializeDpc(&g_Dpc, PageDpc, NULL);
    KeInsertQueueDpc(&g_Dpc, NULL, NULL);
    KeWaitForSingleObject(&g_Done, Executive, KernelMode, FALSE, NULL);
#endif
    DbgPrint("page_section: the result is %lu\n", g_Result);
    DriverObject->DriverUnload = PageUnload;
    return STATUS_SUCCESS;
}
