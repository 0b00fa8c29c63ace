/* A fault inside a __try whose filter does not take it: the run ends with
 * the report every unhandled fault gets, charged to the faulting line. */
#include <ntddk.h>

DECLSPEC_NOINLINE static void Poke(volatile ULONG *p)
{
    *p = 42; /* the faulting line */
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    __try {
        Poke(NULL);
    } __except (DbgPrint("seh_unhandled: the filter declines %08X\n", (ULONG)GetExceptionCode()),
                EXCEPTION_CONTINUE_SEARCH) {
        DbgPrint("seh_unhandled: not reached\n");
    }
    return STATUS_SUCCESS;
}
