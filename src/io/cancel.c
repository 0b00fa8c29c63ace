/* io/cancel.c: IRP cancellation: IoAcquireCancelSpinLock,
 * IoReleaseCancelSpinLock, IoCancelIrp (IoSetCancelRoutine is the WDK's
 * inline exchange on Irp->CancelRoutine).
 *
 * The cancel spin lock is one real system-wide spin lock, with the spin
 * lock rules of ke/spinlock.c: acquiring raises to DISPATCH_LEVEL, and a
 * recursive acquire or a release of a lock not held is Driver Verifier's
 * bugcheck. A cancel routine runs holding it, at DISPATCH_LEVEL, and must
 * release it with IoReleaseCancelSpinLock(Irp->CancelIrql). */
#include "io/io.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"

#define CANCEL_STATE_IN_COMPLETED_IRP 0x48

static KSPIN_LOCK io_cancel_lock;

static KIRQL io_cancel_lock_acquire(const char *routine, const void *at)
{
    KIRQL old = ke_irql_raise_checked(DISPATCH_LEVEL, routine, at);
    ke_spin_lock_acquire(&io_cancel_lock, routine, at);
    return old;
}

static void io_cancel_lock_release(KIRQL irql, const char *routine, const void *at)
{
    ke_spin_lock_release(&io_cancel_lock, routine, at);
    ke_irql_lower_checked(irql, routine, at);
}

/* Raises to DISPATCH_LEVEL, acquires the cancel spin lock and stores the
 * previous IRQL in *Irql; IRQL <= DISPATCH_LEVEL (WDK,
 * IoAcquireCancelSpinLock). */
VOID NTAPI IoAcquireCancelSpinLock(PKIRQL Irql)
{
    *Irql = io_cancel_lock_acquire("IoAcquireCancelSpinLock", __builtin_return_address(0));
}

/* Releases the cancel spin lock and returns to Irql, the IRQL
 * IoAcquireCancelSpinLock stored (WDK, IoReleaseCancelSpinLock). */
VOID NTAPI IoReleaseCancelSpinLock(KIRQL Irql)
{
    io_cancel_lock_release(Irql, "IoReleaseCancelSpinLock", __builtin_return_address(0));
}

/* Sets Irp->Cancel and, if the IRP has a cancel routine, takes it out of
 * the IRP and calls it with the cancel spin lock held, Irp->CancelIrql the
 * caller's IRQL and the device object of the current stack location;
 * returns TRUE when a routine was called, FALSE (lock released) when there
 * was none; IRQL <= DISPATCH_LEVEL (WDK, IoCancelIrp). A cancel routine on
 * an IRP already completed is CANCEL_STATE_IN_COMPLETED_IRP (0x48: P1 the
 * IRP, P2 the routine). */
BOOLEAN NTAPI IoCancelIrp(PIRP Irp)
{
    const void *at = __builtin_return_address(0);
    KIRQL irql = io_cancel_lock_acquire("IoCancelIrp", at);

    Irp->Cancel = TRUE;
    PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, NULL);
    if (!routine) {
        io_cancel_lock_release(irql, "IoCancelIrp", at);
        return FALSE;
    }
    if (Irp->CurrentLocation > Irp->StackCount + 1)
        ke_bugcheck(CANCEL_STATE_IN_COMPLETED_IRP, (ULONG_PTR)Irp, (ULONG_PTR)routine, 0, 0, at,
                    "IoCancelIrp(0x%016llx): the IRP was completed, yet still has a cancel routine.",
                    (unsigned long long)(ULONG_PTR)Irp);
    Irp->CancelIrql = irql;
    routine(Irp->CurrentLocation <= Irp->StackCount ? IoGetCurrentIrpStackLocation(Irp)->DeviceObject : NULL, Irp);
    return TRUE;
}
