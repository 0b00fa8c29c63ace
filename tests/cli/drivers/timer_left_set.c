/* A driver that sets a timer and unloads without cancelling it. */
#include <ntddk.h>

static KTIMER timer;

static void Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    /* Missing: KeCancelTimer(&timer); */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    LARGE_INTEGER due = { .QuadPart = -10LL * 1000 * 1000 * 60 }; /* in a minute */
    KeInitializeTimer(&timer);
    KeSetTimer(&timer, due, NULL);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}
