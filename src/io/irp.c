/* io/irp.c: IRP allocation and reuse: IoAllocateIrp, IoInitializeIrp,
 * IoReuseIrp, IoFreeIrp.
 *
 * An IRP is followed in memory by its StackCount stack locations, used
 * from the last one down: CurrentLocation starts at StackCount + 1 and
 * Tail.Overlay.CurrentStackLocation one past the last location, and each
 * IoCallDriver moves both down one. IRPs from IoAllocateIrp are ntbox's
 * memory (host heap), marked IRP_ALLOCATED_FIXED_SIZE. Surprise: a freed
 * IRP is not returned to the heap at once. Like Windows' IRP lookaside
 * lists, ntbox keeps the memory for a while, Type cleared, so a late
 * IoCompleteRequest, IoCallDriver or IoFreeIrp on it is recognised and
 * reported as the bugcheck Windows gives rather than reading freed memory. */
#include "io/io.h"

#include "ex/pool.h"
#include "ke/bugcheck.h"
#include "ke/dispatcher.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define IO_IRP_QUARANTINE 64

static PIRP io_irp_quarantine[IO_IRP_QUARANTINE];
static unsigned io_irp_quarantine_next;
static pthread_mutex_t io_irp_quarantine_lock = PTHREAD_MUTEX_INITIALIZER;

/* Parks a freed IRP and returns the oldest parked one to the heap. */
static void io_irp_release(PIRP irp)
{
    irp->Type = 0;
    pthread_mutex_lock(&io_irp_quarantine_lock);
    PIRP oldest = io_irp_quarantine[io_irp_quarantine_next];
    io_irp_quarantine[io_irp_quarantine_next] = irp;
    io_irp_quarantine_next = (io_irp_quarantine_next + 1) % IO_IRP_QUARANTINE;
    pthread_mutex_unlock(&io_irp_quarantine_lock);
    free(oldest);
}

/* Zero-fills PacketSize bytes and sets Type, Size, StackCount,
 * CurrentLocation = StackSize + 1, an empty ThreadListEntry and
 * CurrentStackLocation one past the last stack location (WDK,
 * IoInitializeIrp). For IRPs in the driver's own memory, which must hold
 * IoSizeOfIrp(StackSize) bytes. */
VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    memset(Irp, 0, PacketSize);
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
}

/* An IRP with StackSize stack locations, initialized as IoInitializeIrp
 * does, Size IoSizeOfIrp(StackSize); NULL when memory runs out; IRQL <=
 * DISPATCH_LEVEL (WDK, IoAllocateIrp). A negative StackSize gets NULL. */
PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    if (StackSize < 0)
        return NULL;
    USHORT size = IoSizeOfIrp(StackSize);
    PIRP irp = malloc(size);
    if (!irp)
        return NULL;
    IoInitializeIrp(irp, size, StackSize);
    irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE | (ChargeQuota ? IRP_QUOTA_CHARGED : 0);
    return irp;
}

/* Reinitializes an IRP from IoAllocateIrp for another request: as
 * IoInitializeIrp with its Size and StackCount, AllocationFlags kept,
 * IoStatus.Status = Iostatus (WDK, IoReuseIrp). One the I/O manager built
 * for a thread leaves that thread's list. */
VOID NTAPI IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    io_irp_dequeue(Irp);
    UCHAR allocation_flags = Irp->AllocationFlags;
    IoInitializeIrp(Irp, Irp->Size, Irp->StackCount);
    Irp->AllocationFlags = allocation_flags;
    Irp->IoStatus.Status = Iostatus;
}

/* Frees an IRP from IoAllocateIrp (or IoBuildAsynchronousFsdRequest); MDLs
 * attached stay the caller's to free; IRQL <= DISPATCH_LEVEL (WDK,
 * IoFreeIrp). Anything whose Type is not IO_TYPE_IRP, a freed IRP
 * included, is Driver Verifier's 0xC9/0x01, P2 the address. An IRP the
 * driver set up with IoInitializeIrp in its own memory goes back to the
 * pool, as on Windows (where IoFreeIrp is ExFreePool for such IRPs); memory
 * not from the pool is then BAD_POOL_CALLER. */
VOID NTAPI IoFreeIrp(PIRP Irp)
{
    const void *at = __builtin_return_address(0);

    if (Irp->Type != IO_TYPE_IRP)
        ke_bugcheck(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x01, (ULONG_PTR)Irp, 0, 0, at,
                    "IoFreeIrp(0x%016llx): Type is %d, not IO_TYPE_IRP (6): %s.", (unsigned long long)(ULONG_PTR)Irp,
                    Irp->Type, Irp->Type ? "this is not an IRP" : "the IRP was already freed");
    io_irp_dequeue(Irp);
    if (io_irp_free_deferred(Irp))
        return;
    if (Irp->AllocationFlags & IRP_ALLOCATED_FIXED_SIZE)
        io_irp_release(Irp);
    else
        ex_pool_free(Irp, 0, at);
}
