/* A NULL pointer written in DriverEntry, which runs in a system thread:
 * the access violation is an unhandled exception, 0x7E
 * (SYSTEM_THREAD_EXCEPTION_NOT_HANDLED), P1 STATUS_ACCESS_VIOLATION. */
#include <ntddk.h>

typedef struct {
    ULONG Count;
} CONTEXT_BLOCK;

static CONTEXT_BLOCK *g_Context; /* never set */

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    g_Context->Count = 1; /* BUG: g_Context is NULL */
    return STATUS_SUCCESS;
}
