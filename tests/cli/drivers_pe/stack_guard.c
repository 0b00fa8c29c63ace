/* gcc's -fstack-protector in a .sys driver (built with -fstack-protector-all):
 * the guard gcc compares is the image's /GS cookie, which the loader
 * initializes through the load configuration, as Windows does for
 * __security_cookie. Overrun then overflows a stack buffer, so the
 * function's check calls __stack_chk_fail: bugcheck 0xF7. */
#include "stack_guard.h"

static void Overrun(const char *text)
{
    char buffer[8];
    char *p = buffer;
    while ((*p++ = *text++))
        ;
    DbgPrint("stack_guard: copied %s\n", buffer);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("stack_guard: the guard %s the linker's default; its top 16 bits are %s\n",
             __stack_chk_guard == LINKER_DEFAULT_COOKIE ? "is still" : "is no longer",
             __stack_chk_guard >> 48 ? "set" : "clear");
    DbgPrint("stack_guard: guard 0x%016I64X\n", (ULONGLONG)__stack_chk_guard);
    Overrun("short");
    Overrun("a text much longer than eight bytes");
    return STATUS_SUCCESS;
}
