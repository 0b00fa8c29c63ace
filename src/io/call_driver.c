/* io/call_driver.c: IofCallDriver (the WDK's IoCallDriver): handing an IRP
 * to the next-lower driver.
 *
 * The IRP moves down one stack location, the location records the target
 * device, and the device's driver's MajorFunction routine runs on the
 * caller's thread. Misuse is reported as Driver Verifier's I/O
 * verification does (bug check 0xC9) while the verifier's io group is on,
 * running out of stack locations as Windows always does (bug check 0x35). */
#include "io/io.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "loader/symbols.h"
#include "verifier/verifier.h"

#include <stddef.h>

#define NO_MORE_IRP_STACK_LOCATIONS 0x35

/* The dispatch routine, read as Windows reads it: through whatever the
 * device object holds, so a bad one (unchecked without the io group) faults
 * here as it does there. The reads go through integer addresses: the fault
 * is the processor's, not something the compiler may assume away. */
static PDRIVER_DISPATCH io_dispatch_of(PDEVICE_OBJECT device, UCHAR major)
{
    ULONG_PTR driver = *(const volatile ULONG_PTR *)((ULONG_PTR)device + offsetof(DEVICE_OBJECT, DriverObject));
    return *(PDRIVER_DISPATCH const volatile *)(driver + offsetof(DRIVER_OBJECT, MajorFunction) +
                                                 major * sizeof(PDRIVER_DISPATCH));
}

/* Calls DeviceObject's driver's dispatch routine for the IRP's next stack
 * location and returns its status; IRQL <= DISPATCH_LEVEL (WDK,
 * IoCallDriver). Checks, as Driver Verifier's I/O verification: IRQL above
 * DISPATCH_LEVEL is 0xC9/0x10 (P2 the IRQL), an IRP whose Type is not
 * IO_TYPE_IRP 0xC9/0x03 (P2 the IRP), a device object whose Type is not
 * IO_TYPE_DEVICE 0xC9/0x04 (P2 the device), a dispatch routine returning at
 * another IRQL 0xC9/0x05 (P2 the device, P3 the IRQL before, P4 after);
 * and no stack location left is NO_MORE_IRP_STACK_LOCATIONS (0x35, P1 the
 * IRP). */
NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    const void *at = __builtin_return_address(0);
    KIRQL irql = ke_irql_get();
    bool verify = vf_enabled(VF_IO);

    if (verify && irql > DISPATCH_LEVEL)
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x10, irql, 0, 0, at,
                    "IoCallDriver(0x%016llx, 0x%016llx) at %s: callers must be at <= DISPATCH_LEVEL.",
                    (unsigned long long)(ULONG_PTR)DeviceObject, (unsigned long long)(ULONG_PTR)Irp,
                    ke_irql_name(irql));
    if (verify && Irp->Type != IO_TYPE_IRP)
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x03, (ULONG_PTR)Irp, 0, 0, at,
                    "IoCallDriver(0x%016llx, 0x%016llx): the IRP's Type is %d, not IO_TYPE_IRP (6)%s.",
                    (unsigned long long)(ULONG_PTR)DeviceObject, (unsigned long long)(ULONG_PTR)Irp, Irp->Type,
                    Irp->Type ? "" : ": it was freed");
    if (verify && (!DeviceObject || DeviceObject->Type != IO_TYPE_DEVICE))
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)DeviceObject, 0, 0, at,
                    "IoCallDriver(0x%016llx, 0x%016llx): %s.", (unsigned long long)(ULONG_PTR)DeviceObject,
                    (unsigned long long)(ULONG_PTR)Irp,
                    DeviceObject ? "the device object's Type is not IO_TYPE_DEVICE (3)" : "the device object is NULL");

    Irp->CurrentLocation--;
    if (Irp->CurrentLocation <= 0)
        ke_bugcheck(NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)Irp, 0, 0, 0, at,
                    "IoCallDriver(0x%016llx, 0x%016llx): no stack location is left in the IRP (StackCount %d); "
                    "allocate it with the target device's StackSize, plus one for a location of the caller's own.",
                    (unsigned long long)(ULONG_PTR)DeviceObject, (unsigned long long)(ULONG_PTR)Irp,
                    Irp->StackCount);
    PIO_STACK_LOCATION stack = --Irp->Tail.Overlay.CurrentStackLocation;
    stack->DeviceObject = DeviceObject;

    PDRIVER_DISPATCH dispatch = io_dispatch_of(DeviceObject, stack->MajorFunction);
    const void *raised_before = ke_irql_raised_at;
    ke_irql_raised_at = NULL;
    NTSTATUS status = dispatch(DeviceObject, Irp);

    /* Charged to the dispatch routine's statement that raised the IRQL,
     * when it did, else to the caller. */
    KIRQL after = ke_irql_get();
    if (verify && after != irql) {
        char where[512];
        const void *raised = after > irql ? ke_irql_raised_at : NULL;
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x05, (ULONG_PTR)DeviceObject, irql, after,
                    raised ? raised : at,
                    "IoCallDriver(0x%016llx, ...): the dispatch routine %s was called at %s and returned at %s%s.",
                    (unsigned long long)(ULONG_PTR)DeviceObject,
                    ldr_describe_address((const void *)dispatch, false, where, sizeof where), ke_irql_name(irql),
                    ke_irql_name(after), raised ? ", raised at the line below" : "");
    }
    ke_irql_raised_at = raised_before;
    return status;
}
