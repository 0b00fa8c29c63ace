/* The variables ntoskrnl exports and the current thread, read the same way
 * by the native build and the .sys (tests/cli/kernel_data.sh requires the
 * same output from both): the debugger flags, the processor count, safe
 * mode, the build number, the system range, SeExports, the object types
 * (through ObReferenceObjectByPointer, which checks the type for UserMode),
 * MmGetSystemRoutineAddress (a .sys's own address of a routine is its
 * import thunk, so only a variable's is compared); KeStallExecutionProcessor
 * imported from ntoskrnl.exe by the .sys; and on DriverEntry's thread, a
 * system thread (as the system worker threads are), a DPC and
 * DriverUnload's thread, that an inline gs:[0x188] load (compiled
 * KeGetCurrentThread) is the ETHREAD PsGetCurrentThread returns. */
#include <ntifs.h>

static PVOID InlineCurrentThread(void)
{
    PVOID thread;
    __asm__ volatile("mov %%gs:0x188, %0" : "=r"(thread));
    return thread;
}

static const char *SameThread(void)
{
    return InlineCurrentThread() == (PVOID)PsGetCurrentThread() ? "its ETHREAD" : "WRONG";
}

static KEVENT g_Done;
static KDPC g_Dpc;
static const char *g_Seen;

static VOID SystemThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    g_Seen = SameThread();
    KeSetEvent(&g_Done, IO_NO_INCREMENT, FALSE);
}

static VOID DpcRoutine(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    g_Seen = SameThread();
    KeSetEvent(&g_Done, IO_NO_INCREMENT, FALSE);
}

static const char *WaitSeen(void)
{
    KeWaitForSingleObject(&g_Done, Executive, KernelMode, FALSE, NULL);
    KeClearEvent(&g_Done);
    return g_Seen;
}

static VOID CheckThreads(void)
{
    HANDLE handle;
    OBJECT_ATTRIBUTES attributes;

    KeInitializeEvent(&g_Done, NotificationEvent, FALSE);
    DbgPrint("kernel_data: gs:[0x188] in DriverEntry is %s\n", SameThread());
    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    if (NT_SUCCESS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, &attributes, NULL, NULL, SystemThread, NULL))) {
        PVOID thread;
        DbgPrint("kernel_data: in a system thread, %s\n", WaitSeen());
        /* Ended before unload: the thread object is signalled when it has. */
        if (NT_SUCCESS(ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, NULL))) {
            KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, NULL);
            ObDereferenceObject(thread);
        }
        ZwClose(handle);
    }
    KeInitializeDpc(&g_Dpc, DpcRoutine, NULL);
    KeInsertQueueDpc(&g_Dpc, NULL, NULL);
    DbgPrint("kernel_data: in a DPC, %s\n", WaitSeen());
    KeFlushQueuedDpcs();
}

static VOID CheckVariables(void)
{
    UNICODE_STRING name;
    const SID *system = SeExports->SeLocalSystemSid;

    DbgPrint("kernel_data: debugger enabled %u, not present %u, safe boot mode %lu, processors %s\n",
             *KdDebuggerEnabled, KD_DEBUGGER_NOT_PRESENT, *InitSafeBootMode,
             KeNumberProcessors == (CCHAR)KeQueryActiveProcessorCount(NULL) ? "as KeQueryActiveProcessorCount"
                                                                             : "WRONG");
    DbgPrint("kernel_data: NtBuildNumber 0x%08lx, MmSystemRangeStart %p, highest user address %p\n", *NtBuildNumber,
             MmSystemRangeStart, MmHighestUserAddress);
    DbgPrint("kernel_data: SeDebugPrivilege %lu, LocalSystem S-%u-%u-%lu\n", SeExports->SeDebugPrivilege.LowPart,
             system->Revision, system->IdentifierAuthority.Value[5], system->SubAuthority[0]);
    DbgPrint("kernel_data: the System process is a %s, not a %s; an event type %s, a semaphore type %s\n",
             NT_SUCCESS(ObReferenceObjectByPointer(PsInitialSystemProcess, 0, *PsProcessType, UserMode)) ? "process"
                                                                                                          : "WRONG",
             ObReferenceObjectByPointer(PsInitialSystemProcess, 0, *PsThreadType, UserMode) ==
                     STATUS_OBJECT_TYPE_MISMATCH ? "thread" : "WRONG",
             *ExEventObjectType ? "exists" : "WRONG", *ExSemaphoreObjectType ? "exists" : "WRONG");
    ObDereferenceObject(PsInitialSystemProcess);
    RtlInitUnicodeString(&name, L"PsProcessType");
    PVOID process_type = MmGetSystemRoutineAddress(&name);
    RtlInitUnicodeString(&name, L"KeStallExecutionProcessor");
    PVOID stall = MmGetSystemRoutineAddress(&name);
    RtlInitUnicodeString(&name, L"ZwCreateKey");
    DbgPrint("kernel_data: MmGetSystemRoutineAddress: PsProcessType %s, KeStallExecutionProcessor %s, ZwCreateKey "
             "%p\n", process_type == (PVOID)PsProcessType ? "the import" : "WRONG", stall ? "found" : "WRONG",
             MmGetSystemRoutineAddress(&name));
}

static VOID KernelDataUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    DbgPrint("kernel_data: unloading, gs:[0x188] is %s\n", SameThread());
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    CheckVariables();
    CheckThreads();
    KeStallExecutionProcessor(1);
    DriverObject->DriverUnload = KernelDataUnload;
    return STATUS_SUCCESS;
}
