/* A driver with an INIT section, as #pragma alloc_text(INIT, ...) makes
 * one: DriverEntry and a helper only initialization needs. Windows frees
 * INIT when DriverEntry returns; this driver keeps a pointer to the helper
 * and calls it from DriverUnload, which faults on the freed page: bugcheck
 * 0x50 PAGE_FAULT_IN_NONPAGED_AREA naming the INIT section. */
#include <ntddk.h>

#define INIT_CODE __attribute__((section("INIT"), noinline))

INIT_CODE static ULONG InitOnly(ULONG value)
{
    return value * 2;
}

static ULONG (*volatile g_Helper)(ULONG);

static VOID InitSectionUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("init_section: calling the INIT helper after DriverEntry\n");
    DbgPrint("init_section: it returned %lu\n", g_Helper(21));
}

INIT_CODE NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    g_Helper = InitOnly;
    DbgPrint("init_section: in DriverEntry the INIT helper returns %lu\n", g_Helper(21));
    DriverObject->DriverUnload = InitSectionUnload;
    return STATUS_SUCCESS;
}
