/* A routine called above its documented maximum IRQL: ZwClose, a
 * PASSIVE_LEVEL routine, while a spin lock holds the thread at
 * DISPATCH_LEVEL. Driver Verifier's DDI compliance rule IrqlZwPassive:
 * 0xC4/0x2001F, P2 the text of the violated condition. */
#include <ntifs.h>

static KSPIN_LOCK g_Lock;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    OBJECT_ATTRIBUTES attributes;
    HANDLE event;
    NTSTATUS status;
    KIRQL old;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    status = ZwCreateEvent(&event, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE);
    if (!NT_SUCCESS(status))
        return status;
    KeInitializeSpinLock(&g_Lock);
    KeAcquireSpinLock(&g_Lock, &old);
    status = ZwClose(event); /* BUG: ZwClose needs PASSIVE_LEVEL; the spin lock holds DISPATCH_LEVEL */
    KeReleaseSpinLock(&g_Lock, old);
    DbgPrint("zw_at_dispatch: ZwClose returned 0x%08X\n", (unsigned)status);
    return STATUS_SUCCESS;
}
