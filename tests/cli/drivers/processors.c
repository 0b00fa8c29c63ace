/* Says how many processors there are and runs a DPC on the last one. */
#include <ntddk.h>

static KDPC dpc;
static KEVENT ran;

static VOID OnLastProcessor(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    DbgPrint("processors: the DPC runs on processor %u at IRQL %u\n", KeGetCurrentProcessorNumber(),
             KeGetCurrentIrql());
    KeSetEvent(&ran, IO_NO_INCREMENT, FALSE);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    KeFlushQueuedDpcs(); /* the DPC may still be returning */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KAFFINITY active;
    ULONG count = KeQueryActiveProcessorCount(&active);
    UNREFERENCED_PARAMETER(RegistryPath);

    DriverObject->DriverUnload = Unload;
    DbgPrint("processors: %u active (mask 0x%llx), %u in all groups, KeNumberProcessors %d\n", count,
             (unsigned long long)active, KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), KeNumberProcessors);
    DbgPrint("processors: DriverEntry runs on one of them: %s\n",
             KeGetCurrentProcessorNumber() < count ? "yes" : "no");
    KAFFINITY previous = KeSetSystemAffinityThreadEx((KAFFINITY)1 << (count - 1));
    DbgPrint("processors: pinned to the last, it runs on processor %u\n", KeGetCurrentProcessorNumber());
    KeRevertToUserAffinityThreadEx(previous);

    KeInitializeEvent(&ran, NotificationEvent, FALSE);
    KeInitializeDpc(&dpc, OnLastProcessor, NULL);
    KeSetTargetProcessorDpc(&dpc, (CCHAR)(count - 1));
    KeInsertQueueDpc(&dpc, NULL, NULL);
    KeWaitForSingleObject(&ran, Executive, KernelMode, FALSE, NULL);
    return STATUS_SUCCESS;
}
