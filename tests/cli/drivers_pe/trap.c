/* A driver that stops the machine the ways a debugger-minded driver does,
 * one way per build. Each is written as the instruction its WDK (and
 * mingw-w64 DDK) intrinsic compiles to, so reports name this file's lines:
 *   -DTRAP_DEBUGBREAK    __debugbreak(): int 3 in the driver's own code
 *   -DTRAP_DBGBREAKPOINT DbgBreakPoint(), ntoskrnl's routine: int 3 there
 *   -DTRAP_ASSERT        NT_ASSERT's failure, DbgRaiseAssertionFailure():
 *                        int 0x2c
 *   -DTRAP_CR8           __writecr8(16), KeLowerIrql(16): not an IRQL
 * With no kernel debugger attached each ends the run with a bugcheck. */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    DbgPrint("trap: before\n");
#if defined(TRAP_DEBUGBREAK)
    __asm__ volatile("int3");
#elif defined(TRAP_DBGBREAKPOINT)
    DbgBreakPoint();
#elif defined(TRAP_ASSERT)
    __asm__ volatile("int $0x2c");
#elif defined(TRAP_CR8)
    __asm__ volatile("mov %0, %%cr8" : : "r"(16ULL));
#endif
    DbgPrint("trap: after\n");
    return STATUS_SUCCESS;
}
