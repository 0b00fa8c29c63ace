/* The instructions compiled x64 drivers inline, written as inline assembly
 * in a driver ntbox builds natively: no loader patches a native image, so
 * each one faults and the fault handler performs it (ke/emulate.c), as it
 * does for what the loader leaves in a .sys. */
#include <ntddk.h>

static VOID NativeInlineUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ULONG64 irql, thread, self;
    UNREFERENCED_PARAMETER(RegistryPath);
    __asm__ volatile("mov %0, %%cr8" : : "r"(2ULL));
    __asm__ volatile("mov %%cr8, %0" : "=r"(irql));
    DbgPrint("native_inline: CR8 %u, KeGetCurrentIrql %u\n", (ULONG)irql, KeGetCurrentIrql());
    __asm__ volatile("mov %0, %%cr8" : : "r"(0ULL));
    __asm__ volatile("movq %%gs:0x188, %0" : "=r"(thread));
    __asm__ volatile("movq %%gs:0x18, %0" : "=r"(self));
    ULONG major = *(volatile ULONG *)0xFFFFF7800000026CULL, minor = *(volatile ULONG *)0xFFFFF78000000270ULL;
    DbgPrint("native_inline: IRQL %u, thread %s, KPCR %s, Windows %lu.%lu\n", KeGetCurrentIrql(),
             thread ? "set" : "NULL", self ? "set" : "NULL", major, minor);
    DriverObject->DriverUnload = NativeInlineUnload;
    return STATUS_SUCCESS;
}
