/* A stack buffer overrun: a name copied into an 8-byte buffer on the stack
 * with no length check. The function's stack guard (gcc's stack protector,
 * as the WDK's /GS) is found overwritten when it returns: 0xF7
 * DRIVER_OVERRAN_STACK_BUFFER, charged to the function's end. From source
 * ntbox compiles the guard in; the .sys is built with
 * -fstack-protector-strong and the guard as the image's /GS cookie. */
#ifdef __MINGW32__
#include "../../cli/drivers_pe/stack_guard.h"
#else
#include <ntddk.h>
#endif

static VOID CopyName(const char *name)
{
    char buffer[8];
    char *p = buffer;
    while ((*p++ = *name++)) /* overruns buffer */
        ;
    DbgPrint("stack_overrun: copied %s\n", buffer);
} /* BUG: on return the function finds its stack guard overwritten */

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    CopyName("short");
    CopyName("a name much longer than eight bytes");
    return STATUS_SUCCESS;
}
