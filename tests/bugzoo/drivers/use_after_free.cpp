// Use after free (C++): an object read after its memory went back to the
// pool. Special pool makes a freed block's page inaccessible, so the read
// faults at once: 0xD5 (DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL), P1 the
// address read, P2 0 (a read).
#include <ntddk.h>

struct Session {
    ULONG Id;
    ULONG Flags;
};

static Session *NewSession(ULONG id)
{
    auto *s = static_cast<Session *>(ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(Session), 'sseS'));
    if (s)
        s->Id = id;
    return s;
}

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    Session *s = NewSession(42);
    if (!s)
        return STATUS_INSUFFICIENT_RESOURCES;
    ExFreePoolWithTag(s, 'sseS');
    DbgPrint("use_after_free: reading 0x%p\n", &s->Id);
    DbgPrint("use_after_free: session %u\n", s->Id); // BUG: s was freed
    return STATUS_SUCCESS;
}
