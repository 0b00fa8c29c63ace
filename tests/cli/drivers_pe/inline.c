/* A driver built against mingw-w64's own DDK headers, whose amd64 inline
 * routines compile to what a user process may not execute: KeGetCurrentIrql,
 * KeRaiseIrql and KeLowerIrql are mov to and from CR8; KeQuerySystemTime,
 * KeQueryTickCount, KeQueryInterruptTime and SharedUserData are loads from
 * KUSER_SHARED_DATA at 0xFFFFF78000000000; KeGetCurrentThread, KeGetPcr and
 * KeGetCurrentProcessorNumber are loads through gs. It checks each against
 * what ntbox's exported routines say, and prints only values that are the
 * same on every run, so the -O0 build (gs loads through a register) and the
 * -O2 build (absolute gs offsets, moffs loads) print the same. */
#include <ntddk.h>

/* Exported by ntoskrnl: the clock the inline ones are checked against. */
__declspec(dllimport) VOID NTAPI KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);

#define TICK 156250 /* 100-ns units per clock tick: 15.625 ms */
#define SECOND 10000000LL

static ULONG Kuser32(ULONG offset)
{
    return *(volatile ULONG *)(KI_USER_SHARED_DATA + offset);
}

static LONGLONG Now(void)
{
    LARGE_INTEGER t;
    KeQuerySystemTimePrecise(&t);
    return t.QuadPart;
}

static VOID CheckIrql(void)
{
    KSPIN_LOCK lock;
    KIRQL entry = KeGetCurrentIrql(), old, held;
    ULONG mismatches = 0;

    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KIRQL raised = KeGetCurrentIrql();
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &held); /* exported: returns ntbox's IRQL before it */
    KeReleaseSpinLock(&lock, held);
    KIRQL after = KeGetCurrentIrql();
    KeLowerIrql(old);
    DbgPrint("inline: IRQL %u at DriverEntry, %u raised, the spin lock saw %u, %u after it, %u lowered\n", entry, raised,
             held, after, KeGetCurrentIrql());
    for (ULONG i = 0; i < 1000; i++) {
        KIRQL level = (KIRQL)(i % HIGH_LEVEL + 1), was;
        KeRaiseIrql(level, &was);
        mismatches += KeGetCurrentIrql() != level || was != PASSIVE_LEVEL;
        KeLowerIrql(was);
        mismatches += KeGetCurrentIrql() != PASSIVE_LEVEL;
    }
    DbgPrint("inline: 1000 raise and lower pairs, %lu mismatches\n", mismatches);
}

static VOID CheckSharedData(void)
{
    LARGE_INTEGER system, ticks;
    LONGLONG precise = Now();
    WCHAR root[16];
    ULONG i;

    /* Copied, not handed to DbgPrint: the fault path emulates the driver's
     * own loads, not those of the routines it passes a pointer to. */
    for (i = 0; i + 1 < 16 && ((volatile WCHAR *)SharedUserData->NtSystemRoot)[i]; i++)
        root[i] = ((volatile WCHAR *)SharedUserData->NtSystemRoot)[i];
    root[i] = 0;

    KeQuerySystemTime(&system);
    KeQueryTickCount(&ticks);
    ULONGLONG interrupt = KeQueryInterruptTime();
    LONGLONG drift = interrupt - (ULONGLONG)ticks.QuadPart * TICK;
    DbgPrint("inline: Windows %lu.%lu build %lu, product type %u, architecture %u, root %ws\n",
             SharedUserData->NtMajorVersion, SharedUserData->NtMinorVersion, Kuser32(0x260),
             SharedUserData->NtProductType, (ULONG)*(volatile USHORT *)(KI_USER_SHARED_DATA + 0x26A), root);
    DbgPrint("inline: TickCountMultiplier 0x%08lx, system time %s, tick count %s\n", SharedUserData->TickCountMultiplier,
             system.QuadPart - precise > -SECOND && system.QuadPart - precise < SECOND ? "live" : "WRONG",
             drift > -3 * TICK && drift < 3 * TICK ? "matches the interrupt time" : "WRONG");
    /* The clock ticks every 15.625 ms; two seconds is a generous bound. */
    LONGLONG first = ticks.QuadPart, deadline = precise + 2 * SECOND;
    do
        KeQueryTickCount(&ticks);
    while (ticks.QuadPart == first && Now() < deadline);
    DbgPrint("inline: the tick count %s\n", ticks.QuadPart > first ? "advances" : "is STUCK");
}

static VOID CheckPcr(void)
{
    PKPCR pcr = KeGetPcr();
    PKTHREAD thread = KeGetCurrentThread();
    PUCHAR prcb = (PUCHAR)__readgsqword(0x20);

    DbgPrint("inline: KPCR Self %s, Prcb %s, CurrentThread %s, PsGetCurrentThread %s, processor %lu\n",
             *(PVOID *)((PUCHAR)pcr + 0x18) == pcr ? "ok" : "WRONG", prcb == (PUCHAR)pcr + 0x180 ? "ok" : "WRONG",
             thread && *(PKTHREAD *)(prcb + 8) == thread ? "ok" : "WRONG",
             (PKTHREAD)PsGetCurrentThread() == thread ? "ok" : "WRONG", KeGetCurrentProcessorNumber());
}

static VOID InlineUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("inline: unloading at IRQL %u, Windows %lu\n", KeGetCurrentIrql(), SharedUserData->NtMajorVersion);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    CheckIrql();
    CheckSharedData();
    CheckPcr();
    DriverObject->DriverUnload = InlineUnload;
    return STATUS_SUCCESS;
}
