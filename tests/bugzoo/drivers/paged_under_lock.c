/* Paged pool touched under a spin lock, at DISPATCH_LEVEL, where no page
 * fault can be served: on Windows it works while the page happens to be
 * resident and crashes when it is not. ntbox makes paged pool
 * inaccessible while a thread runs at DISPATCH_LEVEL or above, so it is
 * caught every time: DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1), P1 the address
 * read, P2 the IRQL, P3 0 (a read), P4 the reading instruction. */
#include <ntddk.h>

typedef struct {
    ULONG Generation;
    WCHAR Name[32];
} SETTINGS;

static KSPIN_LOCK g_Lock;
static SETTINGS *g_Settings;
static ULONG g_Seen;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeSpinLock(&g_Lock);
    g_Settings = ExAllocatePoolWithTag(PagedPool, sizeof(SETTINGS), 'tSgP');
    if (!g_Settings)
        return STATUS_INSUFFICIENT_RESOURCES;
    g_Settings->Generation = 1;
    DbgPrint("paged_under_lock: reading 0x%p\n", &g_Settings->Generation);
    KeAcquireSpinLock(&g_Lock, &old);
    g_Seen = g_Settings->Generation; /* BUG: paged pool at DISPATCH_LEVEL */
    KeReleaseSpinLock(&g_Lock, old);
    ExFreePoolWithTag(g_Settings, 'tSgP');
    return STATUS_SUCCESS;
}
