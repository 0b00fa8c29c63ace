/* A driver that stops the machine the ways a debugger-minded driver does,
 * one way per build. Each is written as the instruction its WDK (and
 * mingw-w64 DDK) intrinsic compiles to, so reports name this file's lines:
 *   -DTRAP_DEBUGBREAK    __debugbreak(): int 3 in the driver's own code
 *   -DTRAP_DBGBREAKPOINT DbgBreakPoint(), ntoskrnl's routine: int 3 there
 *   -DTRAP_ASSERT        NT_ASSERT's failure, DbgRaiseAssertionFailure():
 *                        int 0x2c
 *   -DTRAP_CR8           __writecr8(16), KeLowerIrql(16): not an IRQL
 *   -DTRAP_KUSER_WRITE   a store to SharedUserData, read-only: through the
 *                        fixed address, which the loader redirects
 *   -DTRAP_KUSER_WRITE_UNPATCHED  the same store, its address computed at
 *                        run time, so the loader cannot redirect it
 *   -DTRAP_RDATA_WRITE   a store to the driver's own constant (.rdata)
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
#elif defined(TRAP_KUSER_WRITE)
    *(volatile ULONG *)&SharedUserData->NtMajorVersion = 5;
#elif defined(TRAP_KUSER_WRITE_UNPATCHED)
    volatile ULONG high = (ULONG)(KI_USER_SHARED_DATA >> 32);
    *(volatile ULONG *)(((ULONG_PTR)high << 32) + FIELD_OFFSET(KUSER_SHARED_DATA, NtMajorVersion)) = 5;
#elif defined(TRAP_RDATA_WRITE)
    static const ULONG Constant = 1;
    *(volatile ULONG *)&Constant = 2;
#endif
    DbgPrint("trap: after\n");
    return STATUS_SUCCESS;
}
