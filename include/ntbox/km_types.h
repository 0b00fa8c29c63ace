/* ntbox/km_types.h: kernel types several components share: dispatcher
 * objects (KEVENT, KMUTANT, KSEMAPHORE, KTIMER), KDPC, KAPC, device queues,
 * queued spin lock handles, FAST_MUTEX, ERESOURCE, processor modes, wait
 * reasons and access rights.
 *
 * Every layout is Windows x64's, asserted below; the numbers agree with
 * mingw-w64's ddk headers (tools/layout/check.sh) except where that header
 * still carries a pre-Windows 8 layout, marked "real Windows" below. Field
 * names are the WDK's; the kernel keeps its state in them, so a driver that
 * peeks (Header.SignalState, as some do) sees what Windows would show. */
#ifndef NTBOX_KM_TYPES_H
#define NTBOX_KM_TYPES_H

#include <ntdef.h>
#include <ntbox/access_rights.h>

NTBOX_BEGIN_DECLS

/* Fields the WDK aligns to a pointer boundary on 64-bit Windows. */
#ifndef POINTER_ALIGNMENT
#define POINTER_ALIGNMENT DECLSPEC_ALIGN(8)
#endif

/* Opaque kernel objects: drivers only hold pointers to them. */
typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;
typedef struct _ETHREAD *PETHREAD;
typedef struct _KPROCESS *PKPROCESS, *PRKPROCESS;
typedef struct _EPROCESS *PEPROCESS;
typedef struct _KINTERRUPT *PKINTERRUPT;
typedef struct _ACCESS_STATE *PACCESS_STATE; /* FIXME: ACCESS_STATE's fields not declared */
typedef PVOID PSECURITY_DESCRIPTOR;
typedef PVOID PSID;
/* A locally unique identifier: privileges are LUIDs {value, 0}. */
typedef struct _LUID {
    ULONG LowPart;
    LONG HighPart;
} LUID, *PLUID;
typedef ULONG SECURITY_INFORMATION, *PSECURITY_INFORMATION;
typedef ULONG LCID, *PLCID;

typedef enum _MODE { KernelMode, UserMode, MaximumMode } MODE;

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef struct _GENERIC_MAPPING {
    ACCESS_MASK GenericRead;
    ACCESS_MASK GenericWrite;
    ACCESS_MASK GenericExecute;
    ACCESS_MASK GenericAll;
} GENERIC_MAPPING, *PGENERIC_MAPPING;

#define EVENT_QUERY_STATE      0x0001
#define EVENT_MODIFY_STATE     0x0002
#define EVENT_ALL_ACCESS       (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3)
#define SEMAPHORE_QUERY_STATE  0x0001
#define SEMAPHORE_MODIFY_STATE 0x0002
#define SEMAPHORE_ALL_ACCESS   (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3)
#define MUTANT_QUERY_STATE     0x0001
#define MUTANT_ALL_ACCESS      (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | MUTANT_QUERY_STATE)
#define TIMER_QUERY_STATE      0x0001
#define TIMER_MODIFY_STATE     0x0002
#define TIMER_ALL_ACCESS       (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | TIMER_QUERY_STATE | TIMER_MODIFY_STATE)
#define PROCESS_ALL_ACCESS     (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF)
#define THREAD_ALL_ACCESS      (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF)
#define DIRECTORY_QUERY                 0x0001
#define DIRECTORY_TRAVERSE              0x0002
#define DIRECTORY_CREATE_OBJECT         0x0004
#define DIRECTORY_CREATE_SUBDIRECTORY   0x0008
#define DIRECTORY_ALL_ACCESS            (STANDARD_RIGHTS_REQUIRED | 0xF)
#define SYMBOLIC_LINK_QUERY             0x0001
#define SYMBOLIC_LINK_ALL_ACCESS        (STANDARD_RIGHTS_REQUIRED | 0x1)

/* Priority boosts a waiter gets when KeSetEvent & co. satisfy its wait. */
#define EVENT_INCREMENT     1
#define SEMAPHORE_INCREMENT 1

#define THREAD_WAIT_OBJECTS  3
#define MAXIMUM_WAIT_OBJECTS 64

typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef enum _TIMER_TYPE { NotificationTimer, SynchronizationTimer } TIMER_TYPE;
typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue, WaitDpc } WAIT_TYPE;
typedef enum _KDPC_IMPORTANCE {
    LowImportance, MediumImportance, HighImportance, MediumHighImportance
} KDPC_IMPORTANCE;

typedef enum _KWAIT_REASON {
    Executive, FreePage, PageIn, PoolAllocation, DelayExecution, Suspended, UserRequest,
    WrExecutive, WrFreePage, WrPageIn, WrPoolAllocation, WrDelayExecution, WrSuspended,
    WrUserRequest, WrSpare0, WrQueue, WrLpcReceive, WrLpcReply, WrVirtualMemory, WrPageOut,
    WrRendezvous, WrKeyedEvent, WrTerminated, WrProcessInSwap, WrCpuRateControl,
    WrCalloutStack, WrKernel, WrResource, WrPushLock, WrMutex, WrQuantumEnd, WrDispatchInt,
    WrPreempted, WrYieldExecution, WrFastMutex, WrGuardedMutex, WrRundown, WrAlertByThreadId,
    WrDeferredPreempt, WrPhysicalFault, MaximumWaitReason
} KWAIT_REASON;

/* The header every waitable kernel object starts with: Type is the kernel's
 * object type, Size the object's size in ULONGs. */
typedef struct _DISPATCHER_HEADER {
    union {
        struct {
            UCHAR Type;
            union {
                UCHAR TimerControlFlags;
                UCHAR Abandoned;
                BOOLEAN Signalling;
            };
            union {
                UCHAR ThreadControlFlags;
                UCHAR Size;
                UCHAR Hand;
            };
            union {
                UCHAR TimerMiscFlags;
                BOOLEAN DebugActive;
                BOOLEAN DpcActive;
            };
        };
        volatile LONG Lock;
        LONG LockNV;
    };
    LONG SignalState;
    LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KGATE {
    DISPATCHER_HEADER Header;
} KGATE, *PKGATE;

typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;
    LIST_ENTRY MutantListEntry;
    PKTHREAD OwnerThread;
    union {
        UCHAR MutantFlags;
        BOOLEAN Abandoned;
    };
    UCHAR ApcDisable;
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;

typedef struct _KSEMAPHORE {
    DISPATCHER_HEADER Header;
    LONG Limit;
} KSEMAPHORE, *PKSEMAPHORE, *PRKSEMAPHORE;

typedef struct _KDPC *PKDPC, *PRKDPC;
typedef VOID NTAPI KDEFERRED_ROUTINE(_In_ struct _KDPC *Dpc, _In_opt_ PVOID DeferredContext,
                                     _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

/* Real Windows (8 and later): the queue link is a SINGLE_LIST_ENTRY followed
 * by ProcessorHistory; mingw-w64 still has Windows 7's LIST_ENTRY there. The
 * size and the DeferredRoutine..DpcData offsets are the same in both. */
typedef struct _KDPC {
    union {
        ULONG TargetInfoAsUlong;
        struct {
            UCHAR Type;
            UCHAR Importance;
            volatile USHORT Number;
        };
    };
    SINGLE_LIST_ENTRY DpcListEntry;
    KAFFINITY ProcessorHistory;
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    volatile PVOID DpcData;
} KDPC;

typedef struct _KTIMER {
    DISPATCHER_HEADER Header;
    ULARGE_INTEGER DueTime;
    LIST_ENTRY TimerListEntry;
    PKDPC Dpc;
    ULONG Processor;
    ULONG Period;
} KTIMER, *PKTIMER, *PRKTIMER;

typedef struct _KAPC *PKAPC, *PRKAPC;
typedef VOID NTAPI KNORMAL_ROUTINE(_In_opt_ PVOID NormalContext, _In_opt_ PVOID SystemArgument1,
                                   _In_opt_ PVOID SystemArgument2);
typedef KNORMAL_ROUTINE *PKNORMAL_ROUTINE;
typedef VOID NTAPI KKERNEL_ROUTINE(_In_ struct _KAPC *Apc, _Inout_ PKNORMAL_ROUTINE *NormalRoutine,
                                   _Inout_ PVOID *NormalContext, _Inout_ PVOID *SystemArgument1,
                                   _Inout_ PVOID *SystemArgument2);
typedef KKERNEL_ROUTINE *PKKERNEL_ROUTINE;
typedef VOID NTAPI KRUNDOWN_ROUTINE(_In_ struct _KAPC *Apc);
typedef KRUNDOWN_ROUTINE *PKRUNDOWN_ROUTINE;

typedef struct _KAPC {
    UCHAR Type;
    UCHAR SpareByte0;
    UCHAR Size;
    UCHAR SpareByte1;
    ULONG SpareLong0;
    PKTHREAD Thread;
    LIST_ENTRY ApcListEntry;
    PKKERNEL_ROUTINE KernelRoutine;
    PKRUNDOWN_ROUTINE RundownRoutine;
    PKNORMAL_ROUTINE NormalRoutine;
    PVOID NormalContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    CCHAR ApcStateIndex;
    KPROCESSOR_MODE ApcMode;
    BOOLEAN Inserted;
} KAPC;

/* Real Windows (8 and later) layout; mingw-w64's older one has the same size. */
typedef struct _KWAIT_BLOCK {
    LIST_ENTRY WaitListEntry;
    UCHAR WaitType;
    volatile UCHAR BlockState;
    USHORT WaitKey;
    LONG SpareLong;
    union {
        PKTHREAD Thread;
        struct _KQUEUE *NotificationQueue;
    };
    PVOID Object;
    PVOID SparePtr;
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;

typedef struct _KDEVICE_QUEUE {
    CSHORT Type;
    CSHORT Size;
    LIST_ENTRY DeviceListHead;
    KSPIN_LOCK Lock;
    union {
        BOOLEAN Busy;
        struct {
            LONG64 Reserved : 8;
            LONG64 Hint : 56;
        };
    };
} KDEVICE_QUEUE, *PKDEVICE_QUEUE, *PRKDEVICE_QUEUE;

typedef struct _KDEVICE_QUEUE_ENTRY {
    LIST_ENTRY DeviceListEntry;
    ULONG SortKey;
    BOOLEAN Inserted;
} KDEVICE_QUEUE_ENTRY, *PKDEVICE_QUEUE_ENTRY, *PRKDEVICE_QUEUE_ENTRY;

typedef struct _KSPIN_LOCK_QUEUE {
    struct _KSPIN_LOCK_QUEUE *volatile Next;
    PKSPIN_LOCK volatile Lock;
} KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;

typedef struct _KLOCK_QUEUE_HANDLE {
    KSPIN_LOCK_QUEUE LockQueue;
    KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;

typedef struct _FAST_MUTEX {
    volatile LONG Count;
    PKTHREAD Owner;
    ULONG Contention;
    KEVENT Event;
    ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX, KGUARDED_MUTEX, *PKGUARDED_MUTEX;

#define FM_LOCK_BIT 0x1

/* ERESOURCE: executive reader/writer lock; drivers allocate it in
 * nonpaged memory and hand it to ExInitializeResourceLite. */
typedef ULONG_PTR ERESOURCE_THREAD, *PERESOURCE_THREAD;

typedef struct _OWNER_ENTRY {
    ERESOURCE_THREAD OwnerThread;
    union {
        struct {
            ULONG IoPriorityBoosted : 1;
            ULONG OwnerReferenced : 1;
            ULONG IoQoSPriorityBoosted : 1;
            ULONG OwnerCount : 29;
        };
        ULONG TableSize;
    };
} OWNER_ENTRY, *POWNER_ENTRY;

typedef struct _ERESOURCE {
    LIST_ENTRY SystemResourcesList;
    POWNER_ENTRY OwnerTable;
    SHORT ActiveCount;
    union {
        USHORT Flag;
        struct {
            UCHAR ReservedLowFlags;
            UCHAR WaiterPriority;
        };
    };
    PKSEMAPHORE SharedWaiters;
    PKEVENT ExclusiveWaiters;
    OWNER_ENTRY OwnerEntry;
    ULONG ActiveEntries;
    ULONG ContentionCount;
    ULONG NumberOfSharedWaiters;
    ULONG NumberOfExclusiveWaiters;
    PVOID Reserved2;
    union {
        PVOID Address;
        ULONG_PTR CreatorBackTraceIndex;
    };
    KSPIN_LOCK SpinLock;
} ERESOURCE, *PERESOURCE;

typedef VOID NTAPI KSTART_ROUTINE(_In_ PVOID StartContext);
typedef KSTART_ROUTINE *PKSTART_ROUTINE;

/* Windows x64 layouts (checked by tools/layout/check.sh). */
C_ASSERT(sizeof(CLIENT_ID) == 0x10);
C_ASSERT(FIELD_OFFSET(CLIENT_ID, UniqueThread) == 0x08);
C_ASSERT(sizeof(GENERIC_MAPPING) == 0x10);
C_ASSERT(sizeof(DISPATCHER_HEADER) == 0x18);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, Type) == 0x00);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, Signalling) == 0x01);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, Size) == 0x02);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, DebugActive) == 0x03);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, Lock) == 0x00);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, SignalState) == 0x04);
C_ASSERT(FIELD_OFFSET(DISPATCHER_HEADER, WaitListHead) == 0x08);
C_ASSERT(sizeof(KEVENT) == 0x18);
C_ASSERT(sizeof(KGATE) == 0x18);
C_ASSERT(sizeof(KMUTANT) == 0x38);
C_ASSERT(FIELD_OFFSET(KMUTANT, MutantListEntry) == 0x18);
C_ASSERT(FIELD_OFFSET(KMUTANT, OwnerThread) == 0x28);
C_ASSERT(FIELD_OFFSET(KMUTANT, Abandoned) == 0x30);
C_ASSERT(FIELD_OFFSET(KMUTANT, ApcDisable) == 0x31);
C_ASSERT(sizeof(KSEMAPHORE) == 0x20);
C_ASSERT(FIELD_OFFSET(KSEMAPHORE, Limit) == 0x18);
C_ASSERT(sizeof(KDPC) == 0x40);
C_ASSERT(FIELD_OFFSET(KDPC, Importance) == 0x01);
C_ASSERT(FIELD_OFFSET(KDPC, Number) == 0x02);
C_ASSERT(FIELD_OFFSET(KDPC, DpcListEntry) == 0x08);
C_ASSERT(FIELD_OFFSET(KDPC, ProcessorHistory) == 0x10);
C_ASSERT(FIELD_OFFSET(KDPC, DeferredRoutine) == 0x18);
C_ASSERT(FIELD_OFFSET(KDPC, DeferredContext) == 0x20);
C_ASSERT(FIELD_OFFSET(KDPC, SystemArgument1) == 0x28);
C_ASSERT(FIELD_OFFSET(KDPC, SystemArgument2) == 0x30);
C_ASSERT(FIELD_OFFSET(KDPC, DpcData) == 0x38);
C_ASSERT(sizeof(KTIMER) == 0x40);
C_ASSERT(FIELD_OFFSET(KTIMER, DueTime) == 0x18);
C_ASSERT(FIELD_OFFSET(KTIMER, TimerListEntry) == 0x20);
C_ASSERT(FIELD_OFFSET(KTIMER, Dpc) == 0x30);
C_ASSERT(FIELD_OFFSET(KTIMER, Processor) == 0x38);
C_ASSERT(FIELD_OFFSET(KTIMER, Period) == 0x3C);
C_ASSERT(sizeof(KAPC) == 0x58);
C_ASSERT(FIELD_OFFSET(KAPC, Size) == 0x02);
C_ASSERT(FIELD_OFFSET(KAPC, Thread) == 0x08);
C_ASSERT(FIELD_OFFSET(KAPC, ApcListEntry) == 0x10);
C_ASSERT(FIELD_OFFSET(KAPC, KernelRoutine) == 0x20);
C_ASSERT(FIELD_OFFSET(KAPC, RundownRoutine) == 0x28);
C_ASSERT(FIELD_OFFSET(KAPC, NormalRoutine) == 0x30);
C_ASSERT(FIELD_OFFSET(KAPC, NormalContext) == 0x38);
C_ASSERT(FIELD_OFFSET(KAPC, SystemArgument1) == 0x40);
C_ASSERT(FIELD_OFFSET(KAPC, SystemArgument2) == 0x48);
C_ASSERT(FIELD_OFFSET(KAPC, ApcStateIndex) == 0x50);
C_ASSERT(FIELD_OFFSET(KAPC, ApcMode) == 0x51);
C_ASSERT(FIELD_OFFSET(KAPC, Inserted) == 0x52);
C_ASSERT(sizeof(KWAIT_BLOCK) == 0x30);
C_ASSERT(sizeof(KDEVICE_QUEUE) == 0x28);
C_ASSERT(FIELD_OFFSET(KDEVICE_QUEUE, DeviceListHead) == 0x08);
C_ASSERT(FIELD_OFFSET(KDEVICE_QUEUE, Lock) == 0x18);
C_ASSERT(FIELD_OFFSET(KDEVICE_QUEUE, Busy) == 0x20);
C_ASSERT(sizeof(KDEVICE_QUEUE_ENTRY) == 0x18);
C_ASSERT(FIELD_OFFSET(KDEVICE_QUEUE_ENTRY, SortKey) == 0x10);
C_ASSERT(FIELD_OFFSET(KDEVICE_QUEUE_ENTRY, Inserted) == 0x14);
C_ASSERT(sizeof(KSPIN_LOCK_QUEUE) == 0x10);
C_ASSERT(FIELD_OFFSET(KSPIN_LOCK_QUEUE, Lock) == 0x08);
C_ASSERT(sizeof(KLOCK_QUEUE_HANDLE) == 0x18);
C_ASSERT(FIELD_OFFSET(KLOCK_QUEUE_HANDLE, OldIrql) == 0x10);
C_ASSERT(sizeof(FAST_MUTEX) == 0x38);
C_ASSERT(FIELD_OFFSET(FAST_MUTEX, Owner) == 0x08);
C_ASSERT(FIELD_OFFSET(FAST_MUTEX, Contention) == 0x10);
C_ASSERT(FIELD_OFFSET(FAST_MUTEX, Event) == 0x18);
C_ASSERT(FIELD_OFFSET(FAST_MUTEX, OldIrql) == 0x30);
C_ASSERT(sizeof(OWNER_ENTRY) == 0x10);
C_ASSERT(sizeof(ERESOURCE) == 0x68);
C_ASSERT(FIELD_OFFSET(ERESOURCE, OwnerTable) == 0x10);
C_ASSERT(FIELD_OFFSET(ERESOURCE, ActiveCount) == 0x18);
C_ASSERT(FIELD_OFFSET(ERESOURCE, Flag) == 0x1A);
C_ASSERT(FIELD_OFFSET(ERESOURCE, SharedWaiters) == 0x20);
C_ASSERT(FIELD_OFFSET(ERESOURCE, ExclusiveWaiters) == 0x28);
C_ASSERT(FIELD_OFFSET(ERESOURCE, OwnerEntry) == 0x30);
C_ASSERT(FIELD_OFFSET(ERESOURCE, ActiveEntries) == 0x40);
C_ASSERT(FIELD_OFFSET(ERESOURCE, ContentionCount) == 0x44);
C_ASSERT(FIELD_OFFSET(ERESOURCE, NumberOfSharedWaiters) == 0x48);
C_ASSERT(FIELD_OFFSET(ERESOURCE, NumberOfExclusiveWaiters) == 0x4C);
C_ASSERT(FIELD_OFFSET(ERESOURCE, Address) == 0x58);
C_ASSERT(FIELD_OFFSET(ERESOURCE, SpinLock) == 0x60);

NTBOX_END_DECLS

#endif
