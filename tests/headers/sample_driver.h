/* tests/headers/sample_driver.h: a typical WDM driver's declarations and
 * DriverEntry, as the WDK samples write them. The check_*.c/.cpp files
 * include it after their own include order; compiling it is the test. Its
 * routines are static so each check file is self-contained. */
#ifndef NTBOX_TESTS_SAMPLE_DRIVER_H
#define NTBOX_TESTS_SAMPLE_DRIVER_H

#define IOCTL_SAMPLE_GET CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS)

typedef struct _SAMPLE_EXTENSION {
    KSPIN_LOCK Lock;
    KEVENT Event;
    FAST_MUTEX Mutex;
    KDPC Dpc;
    KTIMER Timer;
    LONG Opens;
} SAMPLE_EXTENSION, *PSAMPLE_EXTENSION;

static DRIVER_UNLOAD SampleUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) static DRIVER_DISPATCH SampleCreateClose;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) static DRIVER_DISPATCH SampleDeviceControl;
static IO_COMPLETION_ROUTINE SampleCompletion;
static DRIVER_CANCEL SampleCancel;
static KDEFERRED_ROUTINE SampleDpc;
static KSTART_ROUTINE SampleThread;

_Use_decl_annotations_
static VOID NTAPI SampleUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

_Use_decl_annotations_
static NTSTATUS NTAPI SampleCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static NTSTATUS NTAPI SampleDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PSAMPLE_EXTENSION ext = (PSAMPLE_EXTENSION)DeviceObject->DeviceExtension;
    ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;

    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_SAMPLE_GET) {
        status = out < sizeof(LONG) ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS;
        if (NT_SUCCESS(status))
            *(PLONG)Irp->AssociatedIrp.SystemBuffer = ext->Opens;
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = NT_SUCCESS(status) ? sizeof(LONG) : 0;
    return status;
}

_Use_decl_annotations_
static NTSTATUS NTAPI SampleCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

_Use_decl_annotations_
static VOID NTAPI SampleCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_CANCELLED;
}

_Use_decl_annotations_
static VOID NTAPI SampleDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(DeferredContext);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
}

_Use_decl_annotations_
static VOID NTAPI SampleThread(PVOID StartContext)
{
    UNREFERENCED_PARAMETER(StartContext);
}

/* Passes an IRP down with a completion routine, as a filter does. */
static void SampleForward(PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, SampleCompletion, NULL, TRUE, TRUE, TRUE);
    (void)IoSetCancelRoutine(Irp, SampleCancel);
    IoSkipCurrentIrpStackLocation(Irp);
}

static DRIVER_INITIALIZE SampleDriverEntry;

_Use_decl_annotations_
static NTSTATUS NTAPI SampleDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PKDEFERRED_ROUTINE dpc = SampleDpc;
    PKSTART_ROUTINE thread = SampleThread;
    PDRIVER_DISPATCH create = SampleCreateClose;
    void (*forward)(PIRP) = SampleForward;

    UNREFERENCED_PARAMETER(RegistryPath);
    (void)dpc;
    (void)thread;
    (void)forward;
    DriverObject->DriverUnload = SampleUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = create;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SampleCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = SampleDeviceControl;
    return STATUS_SUCCESS;
}

/* Non-static so the compiler must keep the whole sample. */
NTBOX_EXTERN_C PDRIVER_INITIALIZE NTBOX_SAMPLE_ENTRY;
PDRIVER_INITIALIZE NTBOX_SAMPLE_ENTRY = SampleDriverEntry;

#endif
