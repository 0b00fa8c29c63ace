/* tools/layout/layout.c: prints the size and field offsets of every structure
 * ntbox's headers assert (and the alignment of some), and the value of
 * enumerators, so check.sh can compare ntbox's headers with mingw-w64's ddk
 * headers.
 *
 * Nothing is run: the values are compiled into `.ascii "->NAME VALUE"`
 * assembler lines (the Linux kernel's asm-offsets trick), so the mingw build
 * needs no Windows or Wine. The #defined constants are compared the same way
 * from consts.inc, which check.sh generates from ntbox's headers.
 *
 * W(type, field, value) and WS(type, value): mingw-w64 carries an older layout
 * or lacks the field; `value` is the real Windows x64 offset or size (public
 * symbols, WDK wdm.h). */
#ifdef __MINGW32__
#include <ntddk.h>
#include <ntstatus.h>
#else
#include <ntddk.h>
#endif
#include <stddef.h>

#undef OUT /* ntdef.h's empty SAL-style OUT */

/* The value in four 16-bit pieces: an "i" operand must fit an x86 immediate. */
#define LAYOUT_PIECE(v, n) "i"((unsigned)(((unsigned long long)(long long)(v) >> (n)) & 0xFFFF))
#define OUT(name, val) \
    __asm__ volatile("\n.ascii \"->" name " %c0 %c1 %c2 %c3\"" \
                     : : LAYOUT_PIECE(val, 48), LAYOUT_PIECE(val, 32), LAYOUT_PIECE(val, 16), LAYOUT_PIECE(val, 0))
#define S(t) OUT(#t " size", sizeof(t))
#define F(t, f) OUT(#t "." #f, offsetof(t, f))
#define E(e) OUT(#e, e)
#define A(t) OUT(#t " align", __alignof__(t))
#ifdef __MINGW32__
#define W(t, f, win) OUT(#t "." #f, win)
#define WS(t, win) OUT(#t " size", win)
#else
#define W(t, f, win) F(t, f)
#define WS(t, win) S(t)
#endif

static void structures(void)
{
    S(LARGE_INTEGER); S(UNICODE_STRING); F(UNICODE_STRING, MaximumLength); F(UNICODE_STRING, Buffer);
    S(STRING); F(STRING, Buffer); S(LIST_ENTRY); F(LIST_ENTRY, Blink); S(SINGLE_LIST_ENTRY);
    S(OBJECT_ATTRIBUTES); F(OBJECT_ATTRIBUTES, RootDirectory); F(OBJECT_ATTRIBUTES, ObjectName);
    F(OBJECT_ATTRIBUTES, Attributes); F(OBJECT_ATTRIBUTES, SecurityDescriptor);
    F(OBJECT_ATTRIBUTES, SecurityQualityOfService); S(GUID);

    S(CLIENT_ID); F(CLIENT_ID, UniqueThread); S(GENERIC_MAPPING);
    S(DISPATCHER_HEADER); F(DISPATCHER_HEADER, Type); F(DISPATCHER_HEADER, Signalling);
    F(DISPATCHER_HEADER, Size); F(DISPATCHER_HEADER, DebugActive); F(DISPATCHER_HEADER, Lock);
    F(DISPATCHER_HEADER, SignalState); F(DISPATCHER_HEADER, WaitListHead);
    S(KEVENT); S(KGATE);
    S(KMUTANT); F(KMUTANT, MutantListEntry); F(KMUTANT, OwnerThread); F(KMUTANT, Abandoned);
    F(KMUTANT, ApcDisable); S(KMUTEX);
    S(KSEMAPHORE); F(KSEMAPHORE, Limit);
    S(KDPC); F(KDPC, Importance); F(KDPC, Number); F(KDPC, DpcListEntry);
    W(KDPC, ProcessorHistory, 0x10); F(KDPC, DeferredRoutine); F(KDPC, DeferredContext);
    F(KDPC, SystemArgument1); F(KDPC, SystemArgument2); F(KDPC, DpcData);
    S(KTIMER); F(KTIMER, DueTime); F(KTIMER, TimerListEntry); F(KTIMER, Dpc); F(KTIMER, Processor);
    F(KTIMER, Period);
    S(KAPC); F(KAPC, Size); F(KAPC, Thread); F(KAPC, ApcListEntry); F(KAPC, KernelRoutine);
    F(KAPC, RundownRoutine); F(KAPC, NormalRoutine); F(KAPC, NormalContext); F(KAPC, SystemArgument1);
    F(KAPC, SystemArgument2); F(KAPC, ApcStateIndex); F(KAPC, ApcMode); F(KAPC, Inserted);
    S(KWAIT_BLOCK);
    S(KDEVICE_QUEUE); F(KDEVICE_QUEUE, DeviceListHead); F(KDEVICE_QUEUE, Lock); F(KDEVICE_QUEUE, Busy);
    S(KDEVICE_QUEUE_ENTRY); F(KDEVICE_QUEUE_ENTRY, SortKey); F(KDEVICE_QUEUE_ENTRY, Inserted);
    S(KSPIN_LOCK_QUEUE); F(KSPIN_LOCK_QUEUE, Lock);
    S(KLOCK_QUEUE_HANDLE); F(KLOCK_QUEUE_HANDLE, OldIrql);
    S(FAST_MUTEX); F(FAST_MUTEX, Owner); F(FAST_MUTEX, Contention); F(FAST_MUTEX, Event);
    F(FAST_MUTEX, OldIrql);
    S(OWNER_ENTRY); S(ERESOURCE); F(ERESOURCE, OwnerTable); F(ERESOURCE, ActiveCount); F(ERESOURCE, Flag);
    F(ERESOURCE, SharedWaiters); F(ERESOURCE, ExclusiveWaiters); F(ERESOURCE, OwnerEntry);
    F(ERESOURCE, ActiveEntries); F(ERESOURCE, ContentionCount); F(ERESOURCE, NumberOfSharedWaiters);
    F(ERESOURCE, NumberOfExclusiveWaiters); F(ERESOURCE, Address); F(ERESOURCE, SpinLock);
}

static void ex_rtl_structures(void)
{
    S(SLIST_ENTRY); A(SLIST_ENTRY); S(SLIST_HEADER); A(SLIST_HEADER); F(SLIST_HEADER, Alignment);
    F(SLIST_HEADER, Region);
    S(GENERAL_LOOKASIDE); A(GENERAL_LOOKASIDE); F(GENERAL_LOOKASIDE, ListHead); F(GENERAL_LOOKASIDE, SingleListHead);
    F(GENERAL_LOOKASIDE, Depth); F(GENERAL_LOOKASIDE, MaximumDepth); F(GENERAL_LOOKASIDE, TotalAllocates);
    F(GENERAL_LOOKASIDE, AllocateMisses); F(GENERAL_LOOKASIDE, AllocateHits); F(GENERAL_LOOKASIDE, TotalFrees);
    F(GENERAL_LOOKASIDE, FreeMisses); F(GENERAL_LOOKASIDE, FreeHits); F(GENERAL_LOOKASIDE, Type);
    F(GENERAL_LOOKASIDE, Tag); F(GENERAL_LOOKASIDE, Size); F(GENERAL_LOOKASIDE, AllocateEx);
    F(GENERAL_LOOKASIDE, Allocate); F(GENERAL_LOOKASIDE, FreeEx); F(GENERAL_LOOKASIDE, Free);
    F(GENERAL_LOOKASIDE, ListEntry); F(GENERAL_LOOKASIDE, LastTotalAllocates);
    F(GENERAL_LOOKASIDE, LastAllocateMisses); F(GENERAL_LOOKASIDE, LastAllocateHits); F(GENERAL_LOOKASIDE, Future);
    S(GENERAL_LOOKASIDE_POOL); A(GENERAL_LOOKASIDE_POOL); F(GENERAL_LOOKASIDE_POOL, Depth);
    F(GENERAL_LOOKASIDE_POOL, Type); F(GENERAL_LOOKASIDE_POOL, AllocateEx); F(GENERAL_LOOKASIDE_POOL, ListEntry);
    F(GENERAL_LOOKASIDE_POOL, Future);
    S(NPAGED_LOOKASIDE_LIST); A(NPAGED_LOOKASIDE_LIST); S(PAGED_LOOKASIDE_LIST); A(PAGED_LOOKASIDE_LIST);
    S(LOOKASIDE_LIST_EX); A(LOOKASIDE_LIST_EX); F(LOOKASIDE_LIST_EX, L);
    E(LOOKASIDE_MINIMUM_BLOCK_SIZE); E(EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL);
    E(EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE); E(EX_MAXIMUM_LOOKASIDE_DEPTH_BASE);
    E(EX_MAXIMUM_LOOKASIDE_DEPTH_LIMIT);
    S(TIME_FIELDS); F(TIME_FIELDS, Year); F(TIME_FIELDS, Month); F(TIME_FIELDS, Day); F(TIME_FIELDS, Hour);
    F(TIME_FIELDS, Minute); F(TIME_FIELDS, Second); F(TIME_FIELDS, Milliseconds); F(TIME_FIELDS, Weekday);
}

static void io_structures(void)
{
    S(IO_STATUS_BLOCK); F(IO_STATUS_BLOCK, Information);
    S(MDL); F(MDL, Size); F(MDL, MdlFlags); F(MDL, Process); F(MDL, MappedSystemVa); F(MDL, StartVa);
    F(MDL, ByteCount); F(MDL, ByteOffset);
    S(VPB); F(VPB, Flags); F(VPB, VolumeLabelLength); F(VPB, DeviceObject); F(VPB, RealDevice);
    F(VPB, SerialNumber); F(VPB, ReferenceCount); F(VPB, VolumeLabel);
    S(SECTION_OBJECT_POINTERS); F(SECTION_OBJECT_POINTERS, SharedCacheMap);
    F(SECTION_OBJECT_POINTERS, ImageSectionObject); S(IO_COMPLETION_CONTEXT);
    S(WAIT_CONTEXT_BLOCK); F(WAIT_CONTEXT_BLOCK, DeviceRoutine); F(WAIT_CONTEXT_BLOCK, DeviceContext);
    F(WAIT_CONTEXT_BLOCK, NumberOfMapRegisters); F(WAIT_CONTEXT_BLOCK, DeviceObject);
    F(WAIT_CONTEXT_BLOCK, CurrentIrp); F(WAIT_CONTEXT_BLOCK, BufferChainingDpc);
    S(DRIVER_EXTENSION); F(DRIVER_EXTENSION, ServiceKeyName);
    S(DRIVER_OBJECT); F(DRIVER_OBJECT, DeviceObject); F(DRIVER_OBJECT, Flags); F(DRIVER_OBJECT, DriverStart);
    F(DRIVER_OBJECT, DriverSize); F(DRIVER_OBJECT, DriverSection); F(DRIVER_OBJECT, DriverExtension);
    F(DRIVER_OBJECT, DriverName); F(DRIVER_OBJECT, HardwareDatabase); F(DRIVER_OBJECT, FastIoDispatch);
    F(DRIVER_OBJECT, DriverInit); F(DRIVER_OBJECT, DriverStartIo); F(DRIVER_OBJECT, DriverUnload);
    F(DRIVER_OBJECT, MajorFunction);
    WS(DEVICE_OBJECT, 0x150); F(DEVICE_OBJECT, Size); F(DEVICE_OBJECT, ReferenceCount); F(DEVICE_OBJECT, DriverObject);
    F(DEVICE_OBJECT, NextDevice); F(DEVICE_OBJECT, AttachedDevice); F(DEVICE_OBJECT, CurrentIrp);
    F(DEVICE_OBJECT, Timer); F(DEVICE_OBJECT, Flags); F(DEVICE_OBJECT, Characteristics); F(DEVICE_OBJECT, Vpb);
    F(DEVICE_OBJECT, DeviceExtension); F(DEVICE_OBJECT, DeviceType); F(DEVICE_OBJECT, StackSize);
    F(DEVICE_OBJECT, Queue); F(DEVICE_OBJECT, AlignmentRequirement); F(DEVICE_OBJECT, DeviceQueue);
    F(DEVICE_OBJECT, Dpc); F(DEVICE_OBJECT, ActiveThreadCount); F(DEVICE_OBJECT, SecurityDescriptor);
    F(DEVICE_OBJECT, DeviceLock); F(DEVICE_OBJECT, SectorSize); F(DEVICE_OBJECT, DeviceObjectExtension);
    F(DEVICE_OBJECT, Reserved);
    S(DEVOBJ_EXTENSION); F(DEVOBJ_EXTENSION, DeviceObject);
    S(FILE_OBJECT); F(FILE_OBJECT, DeviceObject); F(FILE_OBJECT, Vpb); F(FILE_OBJECT, FsContext);
    F(FILE_OBJECT, FsContext2); F(FILE_OBJECT, SectionObjectPointer); F(FILE_OBJECT, PrivateCacheMap);
    F(FILE_OBJECT, FinalStatus); F(FILE_OBJECT, RelatedFileObject); F(FILE_OBJECT, LockOperation);
    F(FILE_OBJECT, DeletePending); F(FILE_OBJECT, ReadAccess); F(FILE_OBJECT, WriteAccess);
    F(FILE_OBJECT, DeleteAccess); F(FILE_OBJECT, SharedRead); F(FILE_OBJECT, SharedWrite);
    F(FILE_OBJECT, SharedDelete); F(FILE_OBJECT, Flags); F(FILE_OBJECT, FileName);
    F(FILE_OBJECT, CurrentByteOffset); F(FILE_OBJECT, Waiters); F(FILE_OBJECT, Busy); F(FILE_OBJECT, LastLock);
    F(FILE_OBJECT, Lock); F(FILE_OBJECT, Event); F(FILE_OBJECT, CompletionContext);
    F(FILE_OBJECT, IrpListLock); F(FILE_OBJECT, IrpList); F(FILE_OBJECT, FileObjectExtension);
    S(FILE_BASIC_INFORMATION); F(FILE_BASIC_INFORMATION, FileAttributes);
    S(FILE_STANDARD_INFORMATION); F(FILE_STANDARD_INFORMATION, NumberOfLinks);
    F(FILE_STANDARD_INFORMATION, DeletePending); F(FILE_STANDARD_INFORMATION, Directory);
    S(FILE_POSITION_INFORMATION); S(FILE_NETWORK_OPEN_INFORMATION);
    F(FILE_NETWORK_OPEN_INFORMATION, FileAttributes);
    S(FAST_IO_DISPATCH); F(FAST_IO_DISPATCH, FastIoCheckIfPossible); F(FAST_IO_DISPATCH, FastIoDeviceControl);
    F(FAST_IO_DISPATCH, FastIoDetachDevice); F(FAST_IO_DISPATCH, FastIoQueryOpen);
    F(FAST_IO_DISPATCH, ReleaseForCcFlush);
    S(IO_SECURITY_CONTEXT); F(IO_SECURITY_CONTEXT, AccessState); F(IO_SECURITY_CONTEXT, DesiredAccess);
    F(IO_SECURITY_CONTEXT, FullCreateOptions); S(INTERFACE);
}

static void irp(void)
{
    S(IRP); F(IRP, Size); W(IRP, AllocationProcessorNumber, 0x04); F(IRP, MdlAddress); F(IRP, Flags);
    F(IRP, AssociatedIrp.SystemBuffer); F(IRP, ThreadListEntry); F(IRP, IoStatus); F(IRP, IoStatus.Information);
    F(IRP, RequestorMode); F(IRP, PendingReturned); F(IRP, StackCount); F(IRP, CurrentLocation);
    F(IRP, Cancel); F(IRP, CancelIrql); F(IRP, ApcEnvironment); F(IRP, AllocationFlags); F(IRP, UserIosb);
    F(IRP, UserEvent); F(IRP, Overlay.AsynchronousParameters.UserApcRoutine);
    F(IRP, Overlay.AsynchronousParameters.UserApcContext); F(IRP, CancelRoutine); F(IRP, UserBuffer);
    F(IRP, Tail.Overlay.DeviceQueueEntry); F(IRP, Tail.Overlay.DriverContext); F(IRP, Tail.Overlay.Thread);
    F(IRP, Tail.Overlay.AuxiliaryBuffer); F(IRP, Tail.Overlay.ListEntry);
    F(IRP, Tail.Overlay.CurrentStackLocation); F(IRP, Tail.Overlay.PacketType);
    F(IRP, Tail.Overlay.OriginalFileObject); W(IRP, Tail.Overlay.IrpExtension, 0xC8); F(IRP, Tail.Apc);
    F(IRP, Tail.CompletionKey);
    S(IO_STACK_LOCATION); F(IO_STACK_LOCATION, MinorFunction); F(IO_STACK_LOCATION, Flags);
    F(IO_STACK_LOCATION, Control); F(IO_STACK_LOCATION, Parameters);
    F(IO_STACK_LOCATION, Parameters.Create.SecurityContext); F(IO_STACK_LOCATION, Parameters.Create.Options);
    F(IO_STACK_LOCATION, Parameters.Create.FileAttributes); F(IO_STACK_LOCATION, Parameters.Create.ShareAccess);
    F(IO_STACK_LOCATION, Parameters.Create.EaLength);
    F(IO_STACK_LOCATION, Parameters.Read.Length); F(IO_STACK_LOCATION, Parameters.Read.Key);
    F(IO_STACK_LOCATION, Parameters.Read.Flags); F(IO_STACK_LOCATION, Parameters.Read.ByteOffset);
    F(IO_STACK_LOCATION, Parameters.Write.Length); F(IO_STACK_LOCATION, Parameters.Write.Key);
    F(IO_STACK_LOCATION, Parameters.Write.ByteOffset);
    F(IO_STACK_LOCATION, Parameters.QueryDirectory.FileName);
    F(IO_STACK_LOCATION, Parameters.QueryDirectory.FileInformationClass);
    F(IO_STACK_LOCATION, Parameters.QueryDirectory.FileIndex);
    F(IO_STACK_LOCATION, Parameters.QueryFile.Length); F(IO_STACK_LOCATION, Parameters.QueryFile.FileInformationClass);
    F(IO_STACK_LOCATION, Parameters.SetFile.FileInformationClass); F(IO_STACK_LOCATION, Parameters.SetFile.FileObject);
    F(IO_STACK_LOCATION, Parameters.SetFile.ReplaceIfExists); F(IO_STACK_LOCATION, Parameters.SetFile.AdvanceOnly);
    F(IO_STACK_LOCATION, Parameters.SetFile.DeleteHandle);
    F(IO_STACK_LOCATION, Parameters.QueryVolume.FsInformationClass);
    F(IO_STACK_LOCATION, Parameters.FileSystemControl.OutputBufferLength);
    F(IO_STACK_LOCATION, Parameters.FileSystemControl.InputBufferLength);
    F(IO_STACK_LOCATION, Parameters.FileSystemControl.FsControlCode);
    F(IO_STACK_LOCATION, Parameters.FileSystemControl.Type3InputBuffer);
    F(IO_STACK_LOCATION, Parameters.LockControl.Key); F(IO_STACK_LOCATION, Parameters.LockControl.ByteOffset);
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength);
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength);
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode);
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.Type3InputBuffer);
    F(IO_STACK_LOCATION, Parameters.QuerySecurity.Length);
    F(IO_STACK_LOCATION, Parameters.SetSecurity.SecurityDescriptor);
    F(IO_STACK_LOCATION, Parameters.MountVolume.DeviceObject);
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Size); F(IO_STACK_LOCATION, Parameters.QueryInterface.Version);
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Interface);
    F(IO_STACK_LOCATION, Parameters.QueryInterface.InterfaceSpecificData);
    F(IO_STACK_LOCATION, Parameters.ReadWriteConfig.Buffer); F(IO_STACK_LOCATION, Parameters.ReadWriteConfig.Offset);
    F(IO_STACK_LOCATION, Parameters.ReadWriteConfig.Length);
    F(IO_STACK_LOCATION, Parameters.QueryDeviceText.LocaleId);
    F(IO_STACK_LOCATION, Parameters.UsageNotification.Type);
    F(IO_STACK_LOCATION, Parameters.Power.SystemContext); F(IO_STACK_LOCATION, Parameters.Power.Type);
    F(IO_STACK_LOCATION, Parameters.Power.State); F(IO_STACK_LOCATION, Parameters.Power.ShutdownType);
    F(IO_STACK_LOCATION, Parameters.StartDevice.AllocatedResourcesTranslated);
    F(IO_STACK_LOCATION, Parameters.WMI.DataPath); F(IO_STACK_LOCATION, Parameters.WMI.BufferSize);
    F(IO_STACK_LOCATION, Parameters.WMI.Buffer); F(IO_STACK_LOCATION, Parameters.Others.Argument4);
    F(IO_STACK_LOCATION, DeviceObject); F(IO_STACK_LOCATION, FileObject);
    F(IO_STACK_LOCATION, CompletionRoutine); F(IO_STACK_LOCATION, Context);
}

static void enumerators(void)
{
    E(KernelMode); E(UserMode); E(MaximumMode); E(NotificationEvent); E(SynchronizationEvent);
    E(NotificationTimer); E(SynchronizationTimer); E(WaitAll); E(WaitAny);
    E(LowImportance); E(MediumImportance); E(HighImportance); E(MediumHighImportance);
    E(Executive); E(UserRequest); E(WrQueue); E(WrMutex); E(WrFastMutex); E(WrGuardedMutex);
    E(WrPhysicalFault); E(MaximumWaitReason);
    E(FileBasicInformation); E(FileStandardInformation); E(FilePositionInformation);
    E(FileEndOfFileInformation); E(FileNetworkOpenInformation); E(FileIdInformation);
    E(FileCaseSensitiveInformationForceAccessCheck); E(FileMaximumInformation);
    E(FileFsVolumeInformation); E(FileFsSectorSizeInformation); E(FileFsMaximumInformation);
    E(BusRelations); E(TransportRelations); E(BusQueryDeviceID); E(BusQueryContainerID);
    E(DeviceTextLocationInformation); E(DeviceUsageTypePaging); E(DeviceUsageTypePostDisplay);
    E(PowerSystemWorking); E(PowerSystemShutdown); E(PowerSystemMaximum);
    E(PowerDeviceD0); E(PowerDeviceD3); E(PowerDeviceMaximum); E(SystemPowerState); E(DevicePowerState);
    E(PowerActionShutdownOff); E(PowerActionDisplayOff); E(IoReadAccess); E(IoModifyAccess);
    E(KeepObject); E(DeallocateObjectKeepRegisters);
}

static void constants(void)
{
#include "consts.inc"
}

void layout(void);
void layout(void)
{
    structures();
    ex_rtl_structures();
    io_structures();
    irp();
    enumerators();
    constants();
}
