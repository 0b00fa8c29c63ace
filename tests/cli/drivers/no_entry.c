/* A "driver" without DriverEntry. */
#include <ntddk.h>

NTSTATUS NotTheEntry(VOID)
{
    return STATUS_SUCCESS;
}
