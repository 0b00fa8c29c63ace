/* ExRaiseStatus with no handler around it, in DriverEntry: 0x7E
 * (SYSTEM_THREAD_EXCEPTION_NOT_HANDLED), P1 the status raised. */
#include <ntddk.h>

static NTSTATUS ParseConfig(PCUNICODE_STRING Path)
{
    if (Path->Length > 2)
        ExRaiseStatus(STATUS_INVALID_PARAMETER); /* BUG: nobody handles it */
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    return ParseConfig(RegistryPath);
}
