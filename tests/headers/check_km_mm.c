/* tests/headers/check_km_mm.c: wdm.h's memory manager and I/O request
 * parts (km_mm.h, km_io.h's routines, km_ke.h's events and waits) in the
 * shapes drivers use them (as C here, as C++ through the .cpp twin).
 * Compiling this file is the test. */
#include <wdm.h>

NTSTATUS CheckDirectRead(PDEVICE_OBJECT Lower, PVOID Buffer, ULONG Length);

NTSTATUS CheckDirectRead(PDEVICE_OBJECT Lower, PVOID Buffer, ULONG Length)
{
    KEVENT event;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset;
    LARGE_INTEGER timeout;
    PIRP irp;
    PMDL mdl;
    NTSTATUS status;

    offset.QuadPart = 0;
    ProbeForWrite(Buffer, Length, sizeof(UCHAR));
    mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (!mdl)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    status = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute) &&
                     MmGetMdlByteCount(mdl) == Length && MmGetMdlVirtualAddress(mdl) == Buffer
                 ? STATUS_SUCCESS
                 : STATUS_INSUFFICIENT_RESOURCES;
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    if (!NT_SUCCESS(status))
        return status;

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, Lower, Buffer, Length, &offset, &event, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = IoCallDriver(Lower, irp);
    if (status == STATUS_PENDING) {
        timeout.QuadPart = -10 * 1000 * 1000;
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, &timeout);
        status = iosb.Status;
    }
    return status;
}
