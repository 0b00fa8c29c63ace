/* IoCallDriver given the driver object where a device object belongs:
 * Driver Verifier's I/O verification, 0xC9/0x04, P2 the "device". */
#include <ntddk.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    PIRP irp = IoAllocateIrp(1, FALSE);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_FLUSH_BUFFERS;
    IoCallDriver((PDEVICE_OBJECT)DriverObject, irp); /* BUG: not a device object */
    IoFreeIrp(irp);
    return STATUS_SUCCESS;
}
