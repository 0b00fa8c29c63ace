/* ntbox/km_io.h: the I/O manager's structures (Io): DRIVER_OBJECT,
 * DEVICE_OBJECT, FILE_OBJECT, IRP, IO_STACK_LOCATION, MDL, VPB,
 * FAST_IO_DISPATCH, their flags and codes, and the WDK's inline IRP helpers
 * (IoGetCurrentIrpStackLocation, IoGetNextIrpStackLocation,
 * IoSkipCurrentIrpStackLocation, IoCopyCurrentIrpStackLocationToNext,
 * IoSetNextIrpStackLocation, IoMarkIrpPending, IoSetCompletionRoutine,
 * IoSetCancelRoutine), and the I/O manager's routines for IRPs, completion,
 * cancellation, requests built for drivers and MDLs.
 *
 * Layouts are Windows x64's, asserted at the end of each group; the numbers
 * agree with mingw-w64's ddk/wdm.h (tools/layout/check.sh) except where
 * marked "real Windows". Surprise: an IRP's stack locations follow it in
 * memory and are used from the last one down; CurrentLocation starts at
 * StackCount + 1 and the first IoCallDriver moves it to StackCount. */
#ifndef NTBOX_KM_IO_H
#define NTBOX_KM_IO_H

#include <ntbox/km_types.h>
#include <ntbox/ioctl_codes.h>

NTBOX_BEGIN_DECLS

#define IRP_MJ_CREATE                   0x00
#define IRP_MJ_CREATE_NAMED_PIPE        0x01
#define IRP_MJ_CLOSE                    0x02
#define IRP_MJ_READ                     0x03
#define IRP_MJ_WRITE                    0x04
#define IRP_MJ_QUERY_INFORMATION        0x05
#define IRP_MJ_SET_INFORMATION          0x06
#define IRP_MJ_QUERY_EA                 0x07
#define IRP_MJ_SET_EA                   0x08
#define IRP_MJ_FLUSH_BUFFERS            0x09
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0a
#define IRP_MJ_SET_VOLUME_INFORMATION   0x0b
#define IRP_MJ_DIRECTORY_CONTROL        0x0c
#define IRP_MJ_FILE_SYSTEM_CONTROL      0x0d
#define IRP_MJ_DEVICE_CONTROL           0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL  0x0f
#define IRP_MJ_SHUTDOWN                 0x10
#define IRP_MJ_LOCK_CONTROL             0x11
#define IRP_MJ_CLEANUP                  0x12
#define IRP_MJ_CREATE_MAILSLOT          0x13
#define IRP_MJ_QUERY_SECURITY           0x14
#define IRP_MJ_SET_SECURITY             0x15
#define IRP_MJ_POWER                    0x16
#define IRP_MJ_SYSTEM_CONTROL           0x17
#define IRP_MJ_DEVICE_CHANGE            0x18
#define IRP_MJ_QUERY_QUOTA              0x19
#define IRP_MJ_SET_QUOTA                0x1a
#define IRP_MJ_PNP                      0x1b
#define IRP_MJ_PNP_POWER                IRP_MJ_PNP
#define IRP_MJ_MAXIMUM_FUNCTION         0x1b

#define IO_TYPE_ADAPTER 1
#define IO_TYPE_CONTROLLER 2
#define IO_TYPE_DEVICE 3
#define IO_TYPE_DRIVER 4
#define IO_TYPE_FILE 5
#define IO_TYPE_IRP 6

#define IO_TYPE_MASTER_ADAPTER 7
#define IO_TYPE_OPEN_PACKET 8
#define IO_TYPE_TIMER 9
#define IO_TYPE_VPB 10
#define IO_TYPE_ERROR_LOG 11
#define IO_TYPE_ERROR_MESSAGE 12
#define IO_TYPE_DEVICE_OBJECT_EXTENSION 13

/* Minor functions: IRP_MJ_PNP. */
#define IRP_MN_START_DEVICE                 0x00
#define IRP_MN_QUERY_REMOVE_DEVICE          0x01
#define IRP_MN_REMOVE_DEVICE                0x02
#define IRP_MN_CANCEL_REMOVE_DEVICE         0x03
#define IRP_MN_STOP_DEVICE                  0x04
#define IRP_MN_QUERY_STOP_DEVICE            0x05
#define IRP_MN_CANCEL_STOP_DEVICE           0x06
#define IRP_MN_QUERY_DEVICE_RELATIONS       0x07
#define IRP_MN_QUERY_INTERFACE              0x08
#define IRP_MN_QUERY_CAPABILITIES           0x09
#define IRP_MN_QUERY_RESOURCES              0x0A
#define IRP_MN_QUERY_RESOURCE_REQUIREMENTS  0x0B
#define IRP_MN_QUERY_DEVICE_TEXT            0x0C
#define IRP_MN_FILTER_RESOURCE_REQUIREMENTS 0x0D
#define IRP_MN_READ_CONFIG                  0x0F
#define IRP_MN_WRITE_CONFIG                 0x10
#define IRP_MN_EJECT                        0x11
#define IRP_MN_SET_LOCK                     0x12
#define IRP_MN_QUERY_ID                     0x13
#define IRP_MN_QUERY_PNP_DEVICE_STATE       0x14
#define IRP_MN_QUERY_BUS_INFORMATION        0x15
#define IRP_MN_DEVICE_USAGE_NOTIFICATION    0x16
#define IRP_MN_SURPRISE_REMOVAL             0x17
#define IRP_MN_DEVICE_ENUMERATED            0x19
/* IRP_MJ_POWER. */
#define IRP_MN_WAIT_WAKE      0x00
#define IRP_MN_POWER_SEQUENCE 0x01
#define IRP_MN_SET_POWER      0x02
#define IRP_MN_QUERY_POWER    0x03
/* IRP_MJ_SYSTEM_CONTROL (WMI). */
#define IRP_MN_QUERY_ALL_DATA        0x00
#define IRP_MN_QUERY_SINGLE_INSTANCE 0x01
#define IRP_MN_CHANGE_SINGLE_INSTANCE 0x02
#define IRP_MN_CHANGE_SINGLE_ITEM    0x03
#define IRP_MN_ENABLE_EVENTS         0x04
#define IRP_MN_DISABLE_EVENTS        0x05
#define IRP_MN_ENABLE_COLLECTION     0x06
#define IRP_MN_DISABLE_COLLECTION    0x07
#define IRP_MN_REGINFO               0x08
#define IRP_MN_EXECUTE_METHOD        0x09
#define IRP_MN_REGINFO_EX            0x0B
/* IRP_MJ_DIRECTORY_CONTROL, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_LOCK_CONTROL. */
#define IRP_MN_QUERY_DIRECTORY          0x01
#define IRP_MN_NOTIFY_CHANGE_DIRECTORY  0x02
#define IRP_MN_USER_FS_REQUEST          0x00
#define IRP_MN_MOUNT_VOLUME             0x01
#define IRP_MN_VERIFY_VOLUME            0x02
#define IRP_MN_LOAD_FILE_SYSTEM         0x03
#define IRP_MN_KERNEL_CALL              0x04
#define IRP_MN_LOCK                     0x01
#define IRP_MN_UNLOCK_SINGLE            0x02
#define IRP_MN_UNLOCK_ALL               0x03
#define IRP_MN_UNLOCK_ALL_BY_KEY        0x04
/* IRP_MJ_READ/WRITE: how the request is carried. */
#define IRP_MN_NORMAL       0x00
#define IRP_MN_DPC          0x01
#define IRP_MN_MDL          0x02
#define IRP_MN_COMPLETE     0x04
#define IRP_MN_COMPRESSED   0x08
#define IRP_MN_MDL_DPC      (IRP_MN_MDL | IRP_MN_DPC)
#define IRP_MN_COMPLETE_MDL (IRP_MN_COMPLETE | IRP_MN_MDL)
#define IRP_MN_COMPLETE_MDL_DPC (IRP_MN_COMPLETE_MDL | IRP_MN_DPC)
/* IRP_MJ_INTERNAL_DEVICE_CONTROL. */
#define IRP_MN_SCSI_CLASS 0x01

/* IRP.Flags. */
#define IRP_NOCACHE               0x00000001
#define IRP_PAGING_IO             0x00000002
#define IRP_MOUNT_COMPLETION      0x00000002
#define IRP_SYNCHRONOUS_API       0x00000004
#define IRP_ASSOCIATED_IRP        0x00000008
#define IRP_BUFFERED_IO           0x00000010
#define IRP_DEALLOCATE_BUFFER     0x00000020
#define IRP_INPUT_OPERATION       0x00000040
#define IRP_SYNCHRONOUS_PAGING_IO 0x00000040
#define IRP_CREATE_OPERATION      0x00000080
#define IRP_READ_OPERATION        0x00000100
#define IRP_WRITE_OPERATION       0x00000200
#define IRP_CLOSE_OPERATION       0x00000400
#define IRP_DEFER_IO_COMPLETION   0x00000800
#define IRP_OB_QUERY_NAME         0x00001000
#define IRP_HOLD_DEVICE_QUEUE     0x00002000
#define IRP_UM_DRIVER_INITIATED_IO 0x00400000
/* IRP.AllocationFlags. */
#define IRP_QUOTA_CHARGED         0x01
#define IRP_ALLOCATED_MUST_SUCCEED 0x02
#define IRP_ALLOCATED_FIXED_SIZE  0x04
#define IRP_LOOKASIDE_ALLOCATION  0x08

/* IO_STACK_LOCATION.Control: what the I/O manager did and which
 * completion routine calls the driver asked for. */
#define SL_PENDING_RETURNED  0x01
#define SL_ERROR_RETURNED    0x02
#define SL_INVOKE_ON_CANCEL  0x20
#define SL_INVOKE_ON_SUCCESS 0x40
#define SL_INVOKE_ON_ERROR   0x80
/* IO_STACK_LOCATION.Flags, per major function. */
#define SL_FORCE_ACCESS_CHECK        0x01 /* create */
#define SL_OPEN_PAGING_FILE          0x02
#define SL_OPEN_TARGET_DIRECTORY     0x04
#define SL_STOP_ON_SYMLINK           0x08
#define SL_CASE_SENSITIVE            0x80
#define SL_KEY_SPECIFIED             0x01 /* read, write */
#define SL_OVERRIDE_VERIFY_VOLUME    0x02
#define SL_WRITE_THROUGH             0x04
#define SL_FT_SEQUENTIAL_WRITE       0x08
#define SL_FORCE_DIRECT_WRITE        0x10
#define SL_REALTIME_STREAM           0x20
#define SL_READ_ACCESS_GRANTED       0x01 /* device control */
#define SL_WRITE_ACCESS_GRANTED      0x04
#define SL_FAIL_IMMEDIATELY          0x01 /* lock control */
#define SL_EXCLUSIVE_LOCK            0x02
#define SL_RESTART_SCAN              0x01 /* directory control */
#define SL_RETURN_SINGLE_ENTRY       0x02
#define SL_INDEX_SPECIFIED           0x04
#define SL_WATCH_TREE                0x01
#define SL_ALLOW_RAW_MOUNT           0x01 /* file system control */

/* DEVICE_OBJECT.Flags. */
#define DO_VERIFY_VOLUME              0x00000002
#define DO_BUFFERED_IO                0x00000004
#define DO_EXCLUSIVE                  0x00000008
#define DO_DIRECT_IO                  0x00000010
#define DO_MAP_IO_BUFFER              0x00000020
#define DO_DEVICE_HAS_NAME            0x00000040
#define DO_DEVICE_INITIALIZING        0x00000080
#define DO_SYSTEM_BOOT_PARTITION      0x00000100
#define DO_LONG_TERM_REQUESTS         0x00000200
#define DO_NEVER_LAST_DEVICE          0x00000400
#define DO_SHUTDOWN_REGISTERED        0x00000800
#define DO_BUS_ENUMERATED_DEVICE      0x00001000
#define DO_POWER_PAGABLE              0x00002000
#define DO_POWER_INRUSH               0x00004000
#define DO_LOW_PRIORITY_FILESYSTEM    0x00010000
#define DO_SUPPORTS_TRANSACTIONS      0x00040000
#define DO_FORCE_NEITHER_IO           0x00080000
#define DO_VOLUME_DEVICE_OBJECT       0x00100000
#define DO_SYSTEM_SYSTEM_PARTITION    0x00200000
#define DO_SYSTEM_CRITICAL_PARTITION  0x00400000
#define DO_DISALLOW_EXECUTE           0x00800000
#define DO_DEVICE_TO_BE_RESET         0x04000000
#define DO_DEVICE_IRP_REQUIRES_EXTENSION 0x08000000
#define DO_DAX_VOLUME                 0x10000000
#define DO_BOOT_CRITICAL              0x20000000

/* DEVICE_OBJECT.Characteristics. */
#define FILE_REMOVABLE_MEDIA             0x00000001
#define FILE_READ_ONLY_DEVICE            0x00000002
#define FILE_FLOPPY_DISKETTE             0x00000004
#define FILE_WRITE_ONCE_MEDIA            0x00000008
#define FILE_REMOTE_DEVICE               0x00000010
#define FILE_DEVICE_IS_MOUNTED           0x00000020
#define FILE_VIRTUAL_VOLUME              0x00000040
#define FILE_AUTOGENERATED_DEVICE_NAME   0x00000080
#define FILE_DEVICE_SECURE_OPEN          0x00000100
#define FILE_CHARACTERISTIC_PNP_DEVICE   0x00000800
#define FILE_CHARACTERISTIC_TS_DEVICE    0x00001000
#define FILE_CHARACTERISTIC_WEBDAV_DEVICE 0x00002000
#define FILE_CHARACTERISTIC_CSV          0x00010000
#define FILE_DEVICE_ALLOW_APPCONTAINER_TRAVERSAL 0x00020000
#define FILE_PORTABLE_DEVICE             0x00040000
#define FILE_REMOTE_DEVICE_VSMB          0x00080000
#define FILE_DEVICE_REQUIRE_SECURITY_CHECK 0x00100000

/* Priority boosts for IoCompleteRequest. */
#define IO_NO_INCREMENT          0
#define IO_CD_ROM_INCREMENT      1
#define IO_DISK_INCREMENT        1
#define IO_KEYBOARD_INCREMENT    6
#define IO_MAILSLOT_INCREMENT    2
#define IO_MOUSE_INCREMENT       6
#define IO_NAMED_PIPE_INCREMENT  2
#define IO_NETWORK_INCREMENT     2
#define IO_PARALLEL_INCREMENT    1
#define IO_SERIAL_INCREMENT      2
#define IO_SOUND_INCREMENT       8
#define IO_VIDEO_INCREMENT       1

/* Create dispositions (NtCreateFile's CreateDisposition). */
#define FILE_SUPERSEDE           0x00000000
#define FILE_OPEN                0x00000001
#define FILE_CREATE              0x00000002
#define FILE_OPEN_IF             0x00000003
#define FILE_OVERWRITE           0x00000004
#define FILE_OVERWRITE_IF        0x00000005
#define FILE_MAXIMUM_DISPOSITION 0x00000005

/* Create options. */
#define FILE_DIRECTORY_FILE            0x00000001
#define FILE_WRITE_THROUGH             0x00000002
#define FILE_SEQUENTIAL_ONLY           0x00000004
#define FILE_NO_INTERMEDIATE_BUFFERING 0x00000008
#define FILE_SYNCHRONOUS_IO_ALERT      0x00000010
#define FILE_SYNCHRONOUS_IO_NONALERT   0x00000020
#define FILE_NON_DIRECTORY_FILE        0x00000040
#define FILE_CREATE_TREE_CONNECTION    0x00000080
#define FILE_COMPLETE_IF_OPLOCKED      0x00000100
#define FILE_NO_EA_KNOWLEDGE           0x00000200
#define FILE_OPEN_REMOTE_INSTANCE      0x00000400
#define FILE_RANDOM_ACCESS             0x00000800
#define FILE_DELETE_ON_CLOSE           0x00001000
#define FILE_OPEN_BY_FILE_ID           0x00002000
#define FILE_OPEN_FOR_BACKUP_INTENT    0x00004000
#define FILE_NO_COMPRESSION            0x00008000
#define FILE_OPEN_REQUIRING_OPLOCK     0x00010000
#define FILE_DISALLOW_EXCLUSIVE        0x00020000
#define FILE_SESSION_AWARE             0x00040000
#define FILE_RESERVE_OPFILTER          0x00100000
#define FILE_OPEN_REPARSE_POINT        0x00200000
#define FILE_OPEN_NO_RECALL            0x00400000
#define FILE_OPEN_FOR_FREE_SPACE_QUERY 0x00800000
#define FILE_VALID_OPTION_FLAGS        0x00ffffff
#define FILE_VALID_PIPE_OPTION_FLAGS   0x00000032
#define FILE_VALID_MAILSLOT_OPTION_FLAGS 0x00000032
#define FILE_VALID_SET_FLAGS           0x00000036

/* IO_STATUS_BLOCK.Information after a create. */
#define FILE_SUPERSEDED     0x00000000
#define FILE_OPENED         0x00000001
#define FILE_CREATED        0x00000002
#define FILE_OVERWRITTEN    0x00000003
#define FILE_EXISTS         0x00000004

/* Special ByteOffset values for NtReadFile and NtWriteFile (HighPart -1). */
#define FILE_WRITE_TO_END_OF_FILE      0xffffffff
#define FILE_USE_FILE_POINTER_POSITION 0xfffffffe
#define FILE_DOES_NOT_EXIST 0x00000005

/* FILE_OBJECT.Flags. */
#define FO_FILE_OPEN                 0x00000001
#define FO_SYNCHRONOUS_IO            0x00000002
#define FO_ALERTABLE_IO              0x00000004
#define FO_NO_INTERMEDIATE_BUFFERING 0x00000008
#define FO_WRITE_THROUGH             0x00000010
#define FO_SEQUENTIAL_ONLY           0x00000020
#define FO_CACHE_SUPPORTED           0x00000040
#define FO_NAMED_PIPE                0x00000080
#define FO_STREAM_FILE               0x00000100
#define FO_MAILSLOT                  0x00000200
#define FO_GENERATE_AUDIT_ON_CLOSE   0x00000400
#define FO_QUEUE_IRP_TO_THREAD       FO_GENERATE_AUDIT_ON_CLOSE
#define FO_DIRECT_DEVICE_OPEN        0x00000800
#define FO_FILE_MODIFIED             0x00001000
#define FO_FILE_SIZE_CHANGED         0x00002000
#define FO_CLEANUP_COMPLETE          0x00004000
#define FO_TEMPORARY_FILE            0x00008000
#define FO_DELETE_ON_CLOSE           0x00010000
#define FO_OPENED_CASE_SENSITIVE     0x00020000
#define FO_HANDLE_CREATED            0x00040000
#define FO_FILE_FAST_IO_READ         0x00080000
#define FO_RANDOM_ACCESS             0x00100000
#define FO_FILE_OPEN_CANCELLED       0x00200000
#define FO_VOLUME_OPEN               0x00400000
#define FO_REMOTE_ORIGIN             0x01000000
#define FO_SKIP_COMPLETION_PORT      0x02000000
#define FO_SKIP_SET_EVENT            0x04000000
#define FO_SKIP_SET_FAST_IO          0x08000000

/* MDL.MdlFlags. */
#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ            0x0040
#define MDL_WRITE_OPERATION         0x0080
#define MDL_PARENT_MAPPED_SYSTEM_VA 0x0100
#define MDL_FREE_EXTRA_PTES         0x0200
#define MDL_DESCRIBES_AWE           0x0400
#define MDL_IO_SPACE                0x0800
#define MDL_NETWORK_HEADER          0x1000
#define MDL_MAPPING_CAN_FAIL        0x2000
#define MDL_PAGE_CONTENTS_INVARIANT 0x4000
#define MDL_ALLOCATED_MUST_SUCCEED  MDL_PAGE_CONTENTS_INVARIANT
#define MDL_INTERNAL                0x8000

#define MAXIMUM_VOLUME_LABEL_LENGTH (32 * sizeof(WCHAR))
#define VPB_MOUNTED                0x00000001
#define VPB_LOCKED                 0x00000002
#define VPB_PERSISTENT             0x00000004
#define VPB_REMOVE_PENDING         0x00000008
#define VPB_RAW_MOUNT              0x00000010
#define VPB_DIRECT_WRITES_ALLOWED  0x00000020

typedef enum _FILE_INFORMATION_CLASS {
    FileDirectoryInformation = 1, FileFullDirectoryInformation, FileBothDirectoryInformation,
    FileBasicInformation, FileStandardInformation, FileInternalInformation, FileEaInformation,
    FileAccessInformation, FileNameInformation, FileRenameInformation, FileLinkInformation,
    FileNamesInformation, FileDispositionInformation, FilePositionInformation,
    FileFullEaInformation, FileModeInformation, FileAlignmentInformation, FileAllInformation,
    FileAllocationInformation, FileEndOfFileInformation, FileAlternateNameInformation,
    FileStreamInformation, FilePipeInformation, FilePipeLocalInformation,
    FilePipeRemoteInformation, FileMailslotQueryInformation, FileMailslotSetInformation,
    FileCompressionInformation, FileObjectIdInformation, FileCompletionInformation,
    FileMoveClusterInformation, FileQuotaInformation, FileReparsePointInformation,
    FileNetworkOpenInformation, FileAttributeTagInformation, FileTrackingInformation,
    FileIdBothDirectoryInformation, FileIdFullDirectoryInformation,
    FileValidDataLengthInformation, FileShortNameInformation,
    FileIoCompletionNotificationInformation, FileIoStatusBlockRangeInformation,
    FileIoPriorityHintInformation, FileSfioReserveInformation, FileSfioVolumeInformation,
    FileHardLinkInformation, FileProcessIdsUsingFileInformation, FileNormalizedNameInformation,
    FileNetworkPhysicalNameInformation, FileIdGlobalTxDirectoryInformation,
    FileIsRemoteDeviceInformation, FileUnusedInformation, FileNumaNodeInformation,
    FileStandardLinkInformation, FileRemoteProtocolInformation,
    FileRenameInformationBypassAccessCheck, FileLinkInformationBypassAccessCheck,
    FileVolumeNameInformation, FileIdInformation, FileIdExtdDirectoryInformation,
    FileReplaceCompletionInformation, FileHardLinkFullIdInformation,
    FileIdExtdBothDirectoryInformation, FileDispositionInformationEx, FileRenameInformationEx,
    FileRenameInformationExBypassAccessCheck, FileDesiredStorageClassInformation,
    FileStatInformation, FileMemoryPartitionInformation, FileStatLxInformation,
    FileCaseSensitiveInformation, FileLinkInformationEx, FileLinkInformationExBypassAccessCheck,
    FileStorageReserveIdInformation, FileCaseSensitiveInformationForceAccessCheck,
    FileMaximumInformation
} FILE_INFORMATION_CLASS, *PFILE_INFORMATION_CLASS;

typedef enum _FSINFOCLASS {
    FileFsVolumeInformation = 1, FileFsLabelInformation, FileFsSizeInformation,
    FileFsDeviceInformation, FileFsAttributeInformation, FileFsControlInformation,
    FileFsFullSizeInformation, FileFsObjectIdInformation, FileFsDriverPathInformation,
    FileFsVolumeFlagsInformation, FileFsSectorSizeInformation, FileFsDataCopyInformation,
    FileFsMetadataSizeInformation, FileFsFullSizeInformationEx, FileFsMaximumInformation
} FS_INFORMATION_CLASS, *PFS_INFORMATION_CLASS;

typedef enum _DEVICE_RELATION_TYPE {
    BusRelations, EjectionRelations, PowerRelations, RemovalRelations, TargetDeviceRelation,
    SingleBusRelations, TransportRelations
} DEVICE_RELATION_TYPE, *PDEVICE_RELATION_TYPE;

typedef enum _BUS_QUERY_ID_TYPE {
    BusQueryDeviceID, BusQueryHardwareIDs, BusQueryCompatibleIDs, BusQueryInstanceID,
    BusQueryDeviceSerialNumber, BusQueryContainerID
} BUS_QUERY_ID_TYPE, *PBUS_QUERY_ID_TYPE;

typedef enum _DEVICE_TEXT_TYPE { DeviceTextDescription, DeviceTextLocationInformation } DEVICE_TEXT_TYPE;

typedef enum _DEVICE_USAGE_NOTIFICATION_TYPE {
    DeviceUsageTypeUndefined, DeviceUsageTypePaging, DeviceUsageTypeHibernation,
    DeviceUsageTypeDumpFile, DeviceUsageTypeBoot, DeviceUsageTypePostDisplay,
    DeviceUsageTypeGuestAssigned
} DEVICE_USAGE_NOTIFICATION_TYPE;

typedef enum _SYSTEM_POWER_STATE {
    PowerSystemUnspecified, PowerSystemWorking, PowerSystemSleeping1, PowerSystemSleeping2,
    PowerSystemSleeping3, PowerSystemHibernate, PowerSystemShutdown, PowerSystemMaximum
} SYSTEM_POWER_STATE, *PSYSTEM_POWER_STATE;

typedef enum _DEVICE_POWER_STATE {
    PowerDeviceUnspecified, PowerDeviceD0, PowerDeviceD1, PowerDeviceD2, PowerDeviceD3,
    PowerDeviceMaximum
} DEVICE_POWER_STATE, *PDEVICE_POWER_STATE;

typedef union _POWER_STATE {
    SYSTEM_POWER_STATE SystemState;
    DEVICE_POWER_STATE DeviceState;
} POWER_STATE, *PPOWER_STATE;

typedef enum _POWER_STATE_TYPE { SystemPowerState, DevicePowerState } POWER_STATE_TYPE;

typedef enum _POWER_ACTION {
    PowerActionNone, PowerActionReserved, PowerActionSleep, PowerActionHibernate,
    PowerActionShutdown, PowerActionShutdownReset, PowerActionShutdownOff,
    PowerActionWarmEject, PowerActionDisplayOff
} POWER_ACTION, *PPOWER_ACTION;

typedef struct _SYSTEM_POWER_STATE_CONTEXT {
    union {
        struct {
            ULONG Reserved1 : 8;
            ULONG TargetSystemState : 4;
            ULONG EffectiveSystemState : 4;
            ULONG CurrentSystemState : 4;
            ULONG IgnoreHibernationPath : 1;
            ULONG PseudoTransition : 1;
            ULONG KernelSoftReboot : 1;
            ULONG DirectedDripsTransition : 1;
            ULONG Reserved2 : 8;
        };
        ULONG ContextAsUlong;
    };
} SYSTEM_POWER_STATE_CONTEXT, *PSYSTEM_POWER_STATE_CONTEXT;

typedef enum _LOCK_OPERATION { IoReadAccess, IoWriteAccess, IoModifyAccess } LOCK_OPERATION;

typedef enum _IO_ALLOCATION_ACTION {
    KeepObject = 1, DeallocateObject, DeallocateObjectKeepRegisters
} IO_ALLOCATION_ACTION, *PIO_ALLOCATION_ACTION;

struct _DRIVER_OBJECT;
struct _DEVICE_OBJECT;
struct _FILE_OBJECT;
struct _IRP;
struct _IO_STACK_LOCATION;
struct _FAST_IO_DISPATCH;
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _FILE_OBJECT *PFILE_OBJECT;
typedef struct _IRP *PIRP;
typedef struct _IO_STACK_LOCATION *PIO_STACK_LOCATION;
typedef struct _IO_TIMER *PIO_TIMER;
typedef struct _CM_RESOURCE_LIST *PCM_RESOURCE_LIST;
typedef struct _IO_RESOURCE_REQUIREMENTS_LIST *PIO_RESOURCE_REQUIREMENTS_LIST;
typedef struct _DEVICE_CAPABILITIES *PDEVICE_CAPABILITIES;
typedef struct _POWER_SEQUENCE *PPOWER_SEQUENCE;
typedef struct _NAMED_PIPE_CREATE_PARAMETERS *PNAMED_PIPE_CREATE_PARAMETERS;
typedef struct _MAILSLOT_CREATE_PARAMETERS *PMAILSLOT_CREATE_PARAMETERS;
typedef struct _SECURITY_QUALITY_OF_SERVICE *PSECURITY_QUALITY_OF_SERVICE;

typedef struct _IO_STATUS_BLOCK {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef VOID NTAPI IO_APC_ROUTINE(_In_ PVOID ApcContext, _In_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG Reserved);
typedef IO_APC_ROUTINE *PIO_APC_ROUTINE;
typedef NTSTATUS NTAPI IO_COMPLETION_ROUTINE(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp, _In_opt_ PVOID Context);
typedef IO_COMPLETION_ROUTINE *PIO_COMPLETION_ROUTINE;
typedef VOID NTAPI DRIVER_CANCEL(_Inout_ struct _DEVICE_OBJECT *DeviceObject, _Inout_ struct _IRP *Irp);
typedef DRIVER_CANCEL *PDRIVER_CANCEL;
typedef IO_ALLOCATION_ACTION NTAPI DRIVER_CONTROL(_In_ struct _DEVICE_OBJECT *DeviceObject, _Inout_ struct _IRP *Irp,
                                                  _In_ PVOID MapRegisterBase, _In_ PVOID Context);
typedef DRIVER_CONTROL *PDRIVER_CONTROL;
typedef VOID NTAPI IO_DPC_ROUTINE(_In_ PKDPC Dpc, _In_ struct _DEVICE_OBJECT *DeviceObject, _Inout_ struct _IRP *Irp,
                                  _In_opt_ PVOID Context);
typedef IO_DPC_ROUTINE *PIO_DPC_ROUTINE;
typedef VOID NTAPI IO_TIMER_ROUTINE(_In_ struct _DEVICE_OBJECT *DeviceObject, _In_opt_ PVOID Context);
typedef IO_TIMER_ROUTINE *PIO_TIMER_ROUTINE;

/* A memory descriptor list; the page frame numbers follow it in memory. */
typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    PEPROCESS Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL, *PMDL, *PMDLX;

typedef struct _VPB {
    CSHORT Type;
    CSHORT Size;
    USHORT Flags;
    USHORT VolumeLabelLength;
    struct _DEVICE_OBJECT *DeviceObject;
    struct _DEVICE_OBJECT *RealDevice;
    ULONG SerialNumber;
    ULONG ReferenceCount;
    WCHAR VolumeLabel[MAXIMUM_VOLUME_LABEL_LENGTH / sizeof(WCHAR)];
} VPB, *PVPB;

typedef struct _SECTION_OBJECT_POINTERS {
    PVOID DataSectionObject;
    PVOID SharedCacheMap;
    PVOID ImageSectionObject;
} SECTION_OBJECT_POINTERS, *PSECTION_OBJECT_POINTERS;

typedef struct _IO_COMPLETION_CONTEXT {
    PVOID Port;
    PVOID Key;
} IO_COMPLETION_CONTEXT, *PIO_COMPLETION_CONTEXT;

typedef struct _WAIT_CONTEXT_BLOCK {
    union {
        KDEVICE_QUEUE_ENTRY WaitQueueEntry;
        struct {
            LIST_ENTRY DmaWaitEntry;
            ULONG NumberOfChannels;
            ULONG SyncCallback : 1;
            ULONG DmaContext : 1;
            ULONG ZeroMapRegisters : 1;
            ULONG Reserved : 9;
            ULONG NumberOfRemapPages : 20;
        };
    };
    PDRIVER_CONTROL DeviceRoutine;
    PVOID DeviceContext;
    ULONG NumberOfMapRegisters;
    PVOID DeviceObject;
    PVOID CurrentIrp;
    PKDPC BufferChainingDpc;
} WAIT_CONTEXT_BLOCK, *PWAIT_CONTEXT_BLOCK;

/* The device object: IoCreateDevice allocates it with DeviceExtension right
 * after it. Real Windows declares it MEMORY_ALLOCATION_ALIGNMENT-aligned, so
 * it is 0x150 bytes; mingw-w64 omits the alignment (0x148). */
typedef struct DECLSPEC_ALIGN(16) _DEVICE_OBJECT {
    CSHORT Type;
    USHORT Size;
    LONG ReferenceCount;
    struct _DRIVER_OBJECT *DriverObject;
    struct _DEVICE_OBJECT *NextDevice;
    struct _DEVICE_OBJECT *AttachedDevice;
    struct _IRP *CurrentIrp;
    PIO_TIMER Timer;
    ULONG Flags;
    ULONG Characteristics;
    volatile PVPB Vpb;
    PVOID DeviceExtension;
    DEVICE_TYPE DeviceType;
    CCHAR StackSize;
    union {
        LIST_ENTRY ListEntry;
        WAIT_CONTEXT_BLOCK Wcb;
    } Queue;
    ULONG AlignmentRequirement;
    KDEVICE_QUEUE DeviceQueue;
    KDPC Dpc;
    ULONG ActiveThreadCount;
    PSECURITY_DESCRIPTOR SecurityDescriptor;
    KEVENT DeviceLock;
    USHORT SectorSize;
    USHORT Spare1;
    struct _DEVOBJ_EXTENSION *DeviceObjectExtension;
    PVOID Reserved;
} DEVICE_OBJECT;

/* Only the head is public; the rest is the I/O manager's. */
typedef struct _DEVOBJ_EXTENSION {
    CSHORT Type;
    USHORT Size;
    PDEVICE_OBJECT DeviceObject;
} DEVOBJ_EXTENSION, *PDEVOBJ_EXTENSION;

typedef NTSTATUS NTAPI DRIVER_INITIALIZE(_In_ struct _DRIVER_OBJECT *DriverObject, _In_ PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;
typedef VOID NTAPI DRIVER_UNLOAD(_In_ struct _DRIVER_OBJECT *DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;
typedef NTSTATUS NTAPI DRIVER_DISPATCH(_In_ struct _DEVICE_OBJECT *DeviceObject, _Inout_ struct _IRP *Irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;
typedef DRIVER_DISPATCH DRIVER_DISPATCH_RAISED, DRIVER_DISPATCH_PAGED;
typedef VOID NTAPI DRIVER_STARTIO(_Inout_ struct _DEVICE_OBJECT *DeviceObject, _Inout_ struct _IRP *Irp);
typedef DRIVER_STARTIO *PDRIVER_STARTIO;
typedef NTSTATUS NTAPI DRIVER_ADD_DEVICE(_In_ struct _DRIVER_OBJECT *DriverObject, _In_ struct _DEVICE_OBJECT *PhysicalDeviceObject);
typedef DRIVER_ADD_DEVICE *PDRIVER_ADD_DEVICE;

typedef struct _DRIVER_EXTENSION {
    struct _DRIVER_OBJECT *DriverObject;
    PDRIVER_ADD_DEVICE AddDevice;
    ULONG Count;
    UNICODE_STRING ServiceKeyName;
} DRIVER_EXTENSION, *PDRIVER_EXTENSION;

typedef struct _DRIVER_OBJECT {
    CSHORT Type;
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;
    ULONG Flags;
    PVOID DriverStart;
    ULONG DriverSize;
    PVOID DriverSection;
    PDRIVER_EXTENSION DriverExtension;
    UNICODE_STRING DriverName;
    PUNICODE_STRING HardwareDatabase;
    struct _FAST_IO_DISPATCH *FastIoDispatch;
    PDRIVER_INITIALIZE DriverInit;
    PDRIVER_STARTIO DriverStartIo;
    PDRIVER_UNLOAD DriverUnload;
    PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;

C_ASSERT(sizeof(DRIVER_EXTENSION) == 0x28);
C_ASSERT(FIELD_OFFSET(DRIVER_EXTENSION, ServiceKeyName) == 0x18);
C_ASSERT(sizeof(DRIVER_OBJECT) == 0x150);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DeviceObject) == 0x08);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, Flags) == 0x10);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverStart) == 0x18);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverSize) == 0x20);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverSection) == 0x28);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverExtension) == 0x30);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverName) == 0x38);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, HardwareDatabase) == 0x48);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, FastIoDispatch) == 0x50);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverInit) == 0x58);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverStartIo) == 0x60);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DriverUnload) == 0x68);
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, MajorFunction) == 0x70);

typedef struct _FILE_OBJECT {
    CSHORT Type;
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;
    PVPB Vpb;
    PVOID FsContext;
    PVOID FsContext2;
    PSECTION_OBJECT_POINTERS SectionObjectPointer;
    PVOID PrivateCacheMap;
    NTSTATUS FinalStatus;
    struct _FILE_OBJECT *RelatedFileObject;
    BOOLEAN LockOperation;
    BOOLEAN DeletePending;
    BOOLEAN ReadAccess;
    BOOLEAN WriteAccess;
    BOOLEAN DeleteAccess;
    BOOLEAN SharedRead;
    BOOLEAN SharedWrite;
    BOOLEAN SharedDelete;
    ULONG Flags;
    UNICODE_STRING FileName;
    LARGE_INTEGER CurrentByteOffset;
    volatile ULONG Waiters;
    volatile ULONG Busy;
    PVOID LastLock;
    KEVENT Lock;
    KEVENT Event;
    volatile PIO_COMPLETION_CONTEXT CompletionContext;
    KSPIN_LOCK IrpListLock;
    LIST_ENTRY IrpList;
    volatile PVOID FileObjectExtension;
} FILE_OBJECT;

typedef struct _FILE_BASIC_INFORMATION {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    ULONG FileAttributes;
} FILE_BASIC_INFORMATION, *PFILE_BASIC_INFORMATION;

typedef struct _FILE_STANDARD_INFORMATION {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending;
    BOOLEAN Directory;
} FILE_STANDARD_INFORMATION, *PFILE_STANDARD_INFORMATION;

typedef struct _FILE_POSITION_INFORMATION {
    LARGE_INTEGER CurrentByteOffset;
} FILE_POSITION_INFORMATION, *PFILE_POSITION_INFORMATION;

typedef struct _FILE_NETWORK_OPEN_INFORMATION {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG FileAttributes;
} FILE_NETWORK_OPEN_INFORMATION, *PFILE_NETWORK_OPEN_INFORMATION;

/* Fast I/O: a file system's calls that bypass IRPs. The I/O manager checks
 * SizeOfFastIoDispatch before using any entry beyond the first ones. */
struct _COMPRESSED_DATA_INFO;
#define NTBOX_FAST_IO(ret, name, ...) \
    typedef ret NTAPI name(__VA_ARGS__); \
    typedef name *P##name;
NTBOX_FAST_IO(BOOLEAN, FAST_IO_CHECK_IF_POSSIBLE, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ ULONG Length, _In_ BOOLEAN Wait, _In_ ULONG LockKey, _In_ BOOLEAN CheckForReadOperation,
              _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_READ, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
              _In_ BOOLEAN Wait, _In_ ULONG LockKey, _Out_ PVOID Buffer, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_WRITE, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset, _In_ ULONG Length,
              _In_ BOOLEAN Wait, _In_ ULONG LockKey, _In_ PVOID Buffer, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_QUERY_BASIC_INFO, _In_ PFILE_OBJECT FileObject, _In_ BOOLEAN Wait,
              _Out_ PFILE_BASIC_INFORMATION Buffer, _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_QUERY_STANDARD_INFO, _In_ PFILE_OBJECT FileObject, _In_ BOOLEAN Wait,
              _Out_ PFILE_STANDARD_INFORMATION Buffer, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_LOCK, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ PLARGE_INTEGER Length, _In_ PEPROCESS ProcessId, _In_ ULONG Key, _In_ BOOLEAN FailImmediately,
              _In_ BOOLEAN ExclusiveLock, _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_UNLOCK_SINGLE, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ PLARGE_INTEGER Length, _In_ PEPROCESS ProcessId, _In_ ULONG Key, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_UNLOCK_ALL, _In_ PFILE_OBJECT FileObject, _In_ PEPROCESS ProcessId,
              _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_UNLOCK_ALL_BY_KEY, _In_ PFILE_OBJECT FileObject, _In_ PVOID ProcessId, _In_ ULONG Key,
              _Out_ PIO_STATUS_BLOCK IoStatus, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_DEVICE_CONTROL, _In_ PFILE_OBJECT FileObject, _In_ BOOLEAN Wait,
              _In_opt_ PVOID InputBuffer, _In_ ULONG InputBufferLength, _Out_opt_ PVOID OutputBuffer,
              _In_ ULONG OutputBufferLength, _In_ ULONG IoControlCode, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(VOID, FAST_IO_ACQUIRE_FILE, _In_ PFILE_OBJECT FileObject)
NTBOX_FAST_IO(VOID, FAST_IO_RELEASE_FILE, _In_ PFILE_OBJECT FileObject)
NTBOX_FAST_IO(VOID, FAST_IO_DETACH_DEVICE, _In_ PDEVICE_OBJECT SourceDevice, _In_ PDEVICE_OBJECT TargetDevice)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_QUERY_NETWORK_OPEN_INFO, _In_ PFILE_OBJECT FileObject, _In_ BOOLEAN Wait,
              _Out_ PFILE_NETWORK_OPEN_INFORMATION Buffer, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(NTSTATUS, FAST_IO_ACQUIRE_FOR_MOD_WRITE, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER EndingOffset,
              _Out_ PERESOURCE *ResourceToRelease, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_MDL_READ, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ ULONG Length, _In_ ULONG LockKey, _Out_ PMDL *MdlChain, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_MDL_READ_COMPLETE, _In_ PFILE_OBJECT FileObject, _In_ PMDL MdlChain,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_PREPARE_MDL_WRITE, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ ULONG Length, _In_ ULONG LockKey, _Out_ PMDL *MdlChain, _Out_ PIO_STATUS_BLOCK IoStatus,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_MDL_WRITE_COMPLETE, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ PMDL MdlChain, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_READ_COMPRESSED, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ ULONG Length, _In_ ULONG LockKey, _Out_ PVOID Buffer, _Out_ PMDL *MdlChain,
              _Out_ PIO_STATUS_BLOCK IoStatus, _Out_ struct _COMPRESSED_DATA_INFO *CompressedDataInfo,
              _In_ ULONG CompressedDataInfoLength, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_WRITE_COMPRESSED, _In_ PFILE_OBJECT FileObject, _In_ PLARGE_INTEGER FileOffset,
              _In_ ULONG Length, _In_ ULONG LockKey, _In_ PVOID Buffer, _Out_ PMDL *MdlChain,
              _Out_ PIO_STATUS_BLOCK IoStatus, _In_ struct _COMPRESSED_DATA_INFO *CompressedDataInfo,
              _In_ ULONG CompressedDataInfoLength, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_MDL_READ_COMPLETE_COMPRESSED, _In_ PFILE_OBJECT FileObject, _In_ PMDL MdlChain,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_MDL_WRITE_COMPLETE_COMPRESSED, _In_ PFILE_OBJECT FileObject,
              _In_ PLARGE_INTEGER FileOffset, _In_ PMDL MdlChain, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(BOOLEAN, FAST_IO_QUERY_OPEN, _Inout_ PIRP Irp, _Out_ PFILE_NETWORK_OPEN_INFORMATION NetworkInformation,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(NTSTATUS, FAST_IO_RELEASE_FOR_MOD_WRITE, _In_ PFILE_OBJECT FileObject, _In_ PERESOURCE ResourceToRelease,
              _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(NTSTATUS, FAST_IO_ACQUIRE_FOR_CCFLUSH, _In_ PFILE_OBJECT FileObject, _In_ PDEVICE_OBJECT DeviceObject)
NTBOX_FAST_IO(NTSTATUS, FAST_IO_RELEASE_FOR_CCFLUSH, _In_ PFILE_OBJECT FileObject, _In_ PDEVICE_OBJECT DeviceObject)
#undef NTBOX_FAST_IO

typedef struct _FAST_IO_DISPATCH {
    ULONG SizeOfFastIoDispatch;
    PFAST_IO_CHECK_IF_POSSIBLE FastIoCheckIfPossible;
    PFAST_IO_READ FastIoRead;
    PFAST_IO_WRITE FastIoWrite;
    PFAST_IO_QUERY_BASIC_INFO FastIoQueryBasicInfo;
    PFAST_IO_QUERY_STANDARD_INFO FastIoQueryStandardInfo;
    PFAST_IO_LOCK FastIoLock;
    PFAST_IO_UNLOCK_SINGLE FastIoUnlockSingle;
    PFAST_IO_UNLOCK_ALL FastIoUnlockAll;
    PFAST_IO_UNLOCK_ALL_BY_KEY FastIoUnlockAllByKey;
    PFAST_IO_DEVICE_CONTROL FastIoDeviceControl;
    PFAST_IO_ACQUIRE_FILE AcquireFileForNtCreateSection;
    PFAST_IO_RELEASE_FILE ReleaseFileForNtCreateSection;
    PFAST_IO_DETACH_DEVICE FastIoDetachDevice;
    PFAST_IO_QUERY_NETWORK_OPEN_INFO FastIoQueryNetworkOpenInfo;
    PFAST_IO_ACQUIRE_FOR_MOD_WRITE AcquireForModWrite;
    PFAST_IO_MDL_READ MdlRead;
    PFAST_IO_MDL_READ_COMPLETE MdlReadComplete;
    PFAST_IO_PREPARE_MDL_WRITE PrepareMdlWrite;
    PFAST_IO_MDL_WRITE_COMPLETE MdlWriteComplete;
    PFAST_IO_READ_COMPRESSED FastIoReadCompressed;
    PFAST_IO_WRITE_COMPRESSED FastIoWriteCompressed;
    PFAST_IO_MDL_READ_COMPLETE_COMPRESSED MdlReadCompleteCompressed;
    PFAST_IO_MDL_WRITE_COMPLETE_COMPRESSED MdlWriteCompleteCompressed;
    PFAST_IO_QUERY_OPEN FastIoQueryOpen;
    PFAST_IO_RELEASE_FOR_MOD_WRITE ReleaseForModWrite;
    PFAST_IO_ACQUIRE_FOR_CCFLUSH AcquireForCcFlush;
    PFAST_IO_RELEASE_FOR_CCFLUSH ReleaseForCcFlush;
} FAST_IO_DISPATCH, *PFAST_IO_DISPATCH;

typedef struct _IO_SECURITY_CONTEXT {
    PSECURITY_QUALITY_OF_SERVICE SecurityQos;
    PACCESS_STATE AccessState;
    ACCESS_MASK DesiredAccess;
    ULONG FullCreateOptions;
} IO_SECURITY_CONTEXT, *PIO_SECURITY_CONTEXT;

typedef VOID NTAPI INTERFACE_REFERENCE(_In_ PVOID Context);
typedef INTERFACE_REFERENCE *PINTERFACE_REFERENCE;
typedef VOID NTAPI INTERFACE_DEREFERENCE(_In_ PVOID Context);
typedef INTERFACE_DEREFERENCE *PINTERFACE_DEREFERENCE;
typedef struct _INTERFACE {
    USHORT Size;
    USHORT Version;
    PVOID Context;
    PINTERFACE_REFERENCE InterfaceReference;
    PINTERFACE_DEREFERENCE InterfaceDereference;
} INTERFACE, *PINTERFACE;

/* Real Windows (10): AllocationProcessorNumber/Reserved fill the hole after
 * Size and Tail.Overlay ends with IrpExtension; mingw-w64 leaves both out.
 * Neither moves any other field. */
typedef struct DECLSPEC_ALIGN(16) _IRP {
    CSHORT Type;
    USHORT Size;
    USHORT AllocationProcessorNumber;
    USHORT Reserved;
    PMDL MdlAddress;
    ULONG Flags;
    union {
        struct _IRP *MasterIrp;
        volatile LONG IrpCount;
        PVOID SystemBuffer;
    } AssociatedIrp;
    LIST_ENTRY ThreadListEntry;
    IO_STATUS_BLOCK IoStatus;
    KPROCESSOR_MODE RequestorMode;
    BOOLEAN PendingReturned;
    CHAR StackCount;
    CHAR CurrentLocation;
    BOOLEAN Cancel;
    KIRQL CancelIrql;
    CCHAR ApcEnvironment;
    UCHAR AllocationFlags;
    PIO_STATUS_BLOCK UserIosb;
    PKEVENT UserEvent;
    union {
        struct {
            union {
                PIO_APC_ROUTINE UserApcRoutine;
                PVOID IssuingProcess;
            };
            PVOID UserApcContext;
        } AsynchronousParameters;
        LARGE_INTEGER AllocationSize;
    } Overlay;
    volatile PDRIVER_CANCEL CancelRoutine;
    PVOID UserBuffer;
    union {
        struct {
            union {
                KDEVICE_QUEUE_ENTRY DeviceQueueEntry;
                struct {
                    PVOID DriverContext[4];
                };
            };
            PETHREAD Thread;
            PCHAR AuxiliaryBuffer;
            struct {
                LIST_ENTRY ListEntry;
                union {
                    struct _IO_STACK_LOCATION *CurrentStackLocation;
                    ULONG PacketType;
                };
            };
            struct _FILE_OBJECT *OriginalFileObject;
            PVOID IrpExtension;
        } Overlay;
        KAPC Apc;
        PVOID CompletionKey;
    } Tail;
} IRP;

/* One per driver in the stack; its Parameters member depends on
 * MajorFunction (and MinorFunction for PnP and power). */
typedef struct _IO_STACK_LOCATION {
    UCHAR MajorFunction;
    UCHAR MinorFunction;
    UCHAR Flags;
    UCHAR Control;
    union {
        struct {
            PIO_SECURITY_CONTEXT SecurityContext;
            ULONG Options;
            USHORT POINTER_ALIGNMENT FileAttributes;
            USHORT ShareAccess;
            ULONG POINTER_ALIGNMENT EaLength;
        } Create;
        struct {
            PIO_SECURITY_CONTEXT SecurityContext;
            ULONG Options;
            USHORT POINTER_ALIGNMENT Reserved;
            USHORT ShareAccess;
            PNAMED_PIPE_CREATE_PARAMETERS Parameters;
        } CreatePipe;
        struct {
            PIO_SECURITY_CONTEXT SecurityContext;
            ULONG Options;
            USHORT POINTER_ALIGNMENT Reserved;
            USHORT ShareAccess;
            PMAILSLOT_CREATE_PARAMETERS Parameters;
        } CreateMailslot;
        struct {
            ULONG Length;
            ULONG POINTER_ALIGNMENT Key;
            ULONG Flags;
            LARGE_INTEGER ByteOffset;
        } Read;
        struct {
            ULONG Length;
            ULONG POINTER_ALIGNMENT Key;
            ULONG Flags;
            LARGE_INTEGER ByteOffset;
        } Write;
        struct {
            ULONG Length;
            PUNICODE_STRING FileName;
            FILE_INFORMATION_CLASS FileInformationClass;
            ULONG POINTER_ALIGNMENT FileIndex;
        } QueryDirectory;
        struct {
            ULONG Length;
            ULONG POINTER_ALIGNMENT CompletionFilter;
        } NotifyDirectory;
        struct {
            ULONG Length;
            FILE_INFORMATION_CLASS POINTER_ALIGNMENT FileInformationClass;
        } QueryFile;
        struct {
            ULONG Length;
            FILE_INFORMATION_CLASS POINTER_ALIGNMENT FileInformationClass;
            PFILE_OBJECT FileObject;
            union {
                struct {
                    BOOLEAN ReplaceIfExists;
                    BOOLEAN AdvanceOnly;
                };
                ULONG ClusterCount;
                HANDLE DeleteHandle;
            };
        } SetFile;
        struct {
            ULONG Length;
            PVOID EaList;
            ULONG EaListLength;
            ULONG POINTER_ALIGNMENT EaIndex;
        } QueryEa;
        struct {
            ULONG Length;
        } SetEa;
        struct {
            ULONG Length;
            FS_INFORMATION_CLASS POINTER_ALIGNMENT FsInformationClass;
        } QueryVolume;
        struct {
            ULONG Length;
            FS_INFORMATION_CLASS POINTER_ALIGNMENT FsInformationClass;
        } SetVolume;
        struct {
            ULONG OutputBufferLength;
            ULONG POINTER_ALIGNMENT InputBufferLength;
            ULONG POINTER_ALIGNMENT FsControlCode;
            PVOID Type3InputBuffer;
        } FileSystemControl;
        struct {
            PLARGE_INTEGER Length;
            ULONG POINTER_ALIGNMENT Key;
            LARGE_INTEGER ByteOffset;
        } LockControl;
        struct {
            ULONG OutputBufferLength;
            ULONG POINTER_ALIGNMENT InputBufferLength;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Type3InputBuffer;
        } DeviceIoControl;
        struct {
            SECURITY_INFORMATION SecurityInformation;
            ULONG POINTER_ALIGNMENT Length;
        } QuerySecurity;
        struct {
            SECURITY_INFORMATION SecurityInformation;
            PSECURITY_DESCRIPTOR SecurityDescriptor;
        } SetSecurity;
        struct {
            PVPB Vpb;
            PDEVICE_OBJECT DeviceObject;
        } MountVolume;
        struct {
            PVPB Vpb;
            PDEVICE_OBJECT DeviceObject;
        } VerifyVolume;
        struct {
            struct _SCSI_REQUEST_BLOCK *Srb;
        } Scsi;
        struct {
            ULONG Length;
            PSID StartSid;
            struct _FILE_GET_QUOTA_INFORMATION *SidList;
            ULONG SidListLength;
        } QueryQuota;
        struct {
            ULONG Length;
        } SetQuota;
        struct {
            DEVICE_RELATION_TYPE Type;
        } QueryDeviceRelations;
        struct {
            CONST GUID *InterfaceType;
            USHORT Size;
            USHORT Version;
            PINTERFACE Interface;
            PVOID InterfaceSpecificData;
        } QueryInterface;
        struct {
            PDEVICE_CAPABILITIES Capabilities;
        } DeviceCapabilities;
        struct {
            PIO_RESOURCE_REQUIREMENTS_LIST IoResourceRequirementList;
        } FilterResourceRequirements;
        struct {
            ULONG WhichSpace;
            PVOID Buffer;
            ULONG Offset;
            ULONG POINTER_ALIGNMENT Length;
        } ReadWriteConfig;
        struct {
            BOOLEAN Lock;
        } SetLock;
        struct {
            BUS_QUERY_ID_TYPE IdType;
        } QueryId;
        struct {
            DEVICE_TEXT_TYPE DeviceTextType;
            LCID POINTER_ALIGNMENT LocaleId;
        } QueryDeviceText;
        struct {
            BOOLEAN InPath;
            BOOLEAN Reserved[3];
            DEVICE_USAGE_NOTIFICATION_TYPE POINTER_ALIGNMENT Type;
        } UsageNotification;
        struct {
            SYSTEM_POWER_STATE PowerState;
        } WaitWake;
        struct {
            PPOWER_SEQUENCE PowerSequence;
        } PowerSequence;
        struct {
            union {
                ULONG SystemContext;
                SYSTEM_POWER_STATE_CONTEXT SystemPowerStateContext;
            };
            POWER_STATE_TYPE POINTER_ALIGNMENT Type;
            POWER_STATE POINTER_ALIGNMENT State;
            POWER_ACTION POINTER_ALIGNMENT ShutdownType;
        } Power;
        struct {
            PCM_RESOURCE_LIST AllocatedResources;
            PCM_RESOURCE_LIST AllocatedResourcesTranslated;
        } StartDevice;
        struct {
            ULONG_PTR ProviderId;
            PVOID DataPath;
            ULONG BufferSize;
            PVOID Buffer;
        } WMI;
        struct {
            PVOID Argument1;
            PVOID Argument2;
            PVOID Argument3;
            PVOID Argument4;
        } Others;
    } Parameters;
    PDEVICE_OBJECT DeviceObject;
    PFILE_OBJECT FileObject;
    PIO_COMPLETION_ROUTINE CompletionRoutine;
    PVOID Context;
} IO_STACK_LOCATION;

/* What a completion routine returns to let completion go on to the next
 * driver up, or to stop it (the driver then owns the IRP again). */
#define STATUS_CONTINUE_COMPLETION STATUS_SUCCESS

/* The size IoAllocateIrp gives an IRP with StackSize stack locations (WDK). */
#define IoSizeOfIrp(StackSize) ((USHORT)(sizeof(IRP) + ((StackSize) * (sizeof(IO_STACK_LOCATION)))))

/* The caller's stack location: Tail.Overlay.CurrentStackLocation (WDK,
 * IoGetCurrentIrpStackLocation). */
FORCEINLINE PIO_STACK_LOCATION IoGetCurrentIrpStackLocation(_In_ PIRP Irp)
{
    return Irp->Tail.Overlay.CurrentStackLocation;
}

/* The next-lower driver's stack location, the one below the current
 * (WDK, IoGetNextIrpStackLocation). */
FORCEINLINE PIO_STACK_LOCATION IoGetNextIrpStackLocation(_In_ PIRP Irp)
{
    return Irp->Tail.Overlay.CurrentStackLocation - 1;
}

/* Moves one location down, as IoCallDriver does (WDK, IoSetNextIrpStackLocation). */
FORCEINLINE VOID IoSetNextIrpStackLocation(_Inout_ PIRP Irp)
{
    Irp->CurrentLocation--;
    Irp->Tail.Overlay.CurrentStackLocation--;
}

/* Moves one location up so the next driver reuses the caller's location
 * (WDK, IoSkipCurrentIrpStackLocation). */
FORCEINLINE VOID IoSkipCurrentIrpStackLocation(_Inout_ PIRP Irp)
{
    Irp->CurrentLocation++;
    Irp->Tail.Overlay.CurrentStackLocation++;
}

/* Copies the current location up to (not including) CompletionRoutine to
 * the next one and clears its Control: no completion routine is inherited
 * (WDK, IoCopyCurrentIrpStackLocationToNext). */
FORCEINLINE VOID IoCopyCurrentIrpStackLocationToNext(_Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION cur = IoGetCurrentIrpStackLocation(Irp);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(Irp);
    __builtin_memcpy(next, cur, FIELD_OFFSET(IO_STACK_LOCATION, CompletionRoutine));
    next->Control = 0;
}

/* Sets SL_PENDING_RETURNED in the current location (WDK, IoMarkIrpPending). */
FORCEINLINE VOID IoMarkIrpPending(_Inout_ PIRP Irp)
{
    IoGetCurrentIrpStackLocation(Irp)->Control |= SL_PENDING_RETURNED;
}

/* Stores the routine and context in the NEXT location and replaces its
 * Control with the SL_INVOKE_ON_* bits asked for (WDK, IoSetCompletionRoutine). */
FORCEINLINE VOID IoSetCompletionRoutine(_In_ PIRP Irp, _In_opt_ PIO_COMPLETION_ROUTINE CompletionRoutine,
                                        _In_opt_ PVOID Context, _In_ BOOLEAN InvokeOnSuccess,
                                        _In_ BOOLEAN InvokeOnError, _In_ BOOLEAN InvokeOnCancel)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(Irp);
    next->CompletionRoutine = CompletionRoutine;
    next->Context = Context;
    next->Control = 0;
    if (InvokeOnSuccess)
        next->Control = SL_INVOKE_ON_SUCCESS;
    if (InvokeOnError)
        next->Control |= SL_INVOKE_ON_ERROR;
    if (InvokeOnCancel)
        next->Control |= SL_INVOKE_ON_CANCEL;
}

/* Atomically swaps Irp->CancelRoutine, returning the old one (WDK,
 * IoSetCancelRoutine: InterlockedExchangePointer on the field). */
FORCEINLINE PDRIVER_CANCEL IoSetCancelRoutine(_Inout_ PIRP Irp, _In_opt_ PDRIVER_CANCEL CancelRoutine)
{
    return __atomic_exchange_n(&Irp->CancelRoutine, CancelRoutine, __ATOMIC_SEQ_CST);
}

/* IRPs: allocation and reuse. IoAllocateIrp zero-fills the IRP and its
 * StackSize stack locations and points CurrentLocation (StackSize + 1) and
 * Tail.Overlay.CurrentStackLocation one past the last location. */
NTKERNELAPI PIRP NTAPI IoAllocateIrp(_In_ CCHAR StackSize, _In_ BOOLEAN ChargeQuota);
NTKERNELAPI VOID NTAPI IoFreeIrp(_In_ PIRP Irp);
NTKERNELAPI VOID NTAPI IoInitializeIrp(_Inout_ PIRP Irp, _In_ USHORT PacketSize, _In_ CCHAR StackSize);
NTKERNELAPI VOID NTAPI IoReuseIrp(_Inout_ PIRP Irp, _In_ NTSTATUS Iostatus);

/* Passing an IRP down and completing it. The WDK's IoCallDriver and
 * IoCompleteRequest are macros over the FASTCALL exports. */
NTKERNELAPI NTSTATUS FASTCALL IofCallDriver(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
#define IoCallDriver(a, b) IofCallDriver(a, b)
NTKERNELAPI VOID FASTCALL IofCompleteRequest(_In_ PIRP Irp, _In_ CCHAR PriorityBoost);
#define IoCompleteRequest(a, b) IofCompleteRequest(a, b)
NTKERNELAPI NTSTATUS NTAPI IoSetCompletionRoutineEx(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp,
                                                    _In_ PIO_COMPLETION_ROUTINE CompletionRoutine,
                                                    _In_opt_ PVOID Context, _In_ BOOLEAN InvokeOnSuccess,
                                                    _In_ BOOLEAN InvokeOnError, _In_ BOOLEAN InvokeOnCancel);

/* Cancellation: one system-wide cancel spin lock. */
NTKERNELAPI VOID NTAPI IoAcquireCancelSpinLock(_Out_ PKIRQL Irql);
NTKERNELAPI VOID NTAPI IoReleaseCancelSpinLock(_In_ KIRQL Irql);
NTKERNELAPI BOOLEAN NTAPI IoCancelIrp(_In_ PIRP Irp);

/* IRPs the I/O manager builds for a driver: buffered as the target device
 * (or the control code's METHOD_*) asks, finished (status block, event,
 * buffers, the IRP itself) by the I/O manager once completed, except the
 * asynchronous kind, which the caller frees from its completion routine. */
NTKERNELAPI PIRP NTAPI IoBuildDeviceIoControlRequest(_In_ ULONG IoControlCode, _In_ PDEVICE_OBJECT DeviceObject,
                                                     _In_opt_ PVOID InputBuffer, _In_ ULONG InputBufferLength,
                                                     _Out_opt_ PVOID OutputBuffer, _In_ ULONG OutputBufferLength,
                                                     _In_ BOOLEAN InternalDeviceIoControl, _In_opt_ PKEVENT Event,
                                                     _Out_ PIO_STATUS_BLOCK IoStatusBlock);
NTKERNELAPI PIRP NTAPI IoBuildSynchronousFsdRequest(_In_ ULONG MajorFunction, _In_ PDEVICE_OBJECT DeviceObject,
                                                    _Inout_opt_ PVOID Buffer, _In_opt_ ULONG Length,
                                                    _In_opt_ PLARGE_INTEGER StartingOffset, _In_ PKEVENT Event,
                                                    _Out_ PIO_STATUS_BLOCK IoStatusBlock);
NTKERNELAPI PIRP NTAPI IoBuildAsynchronousFsdRequest(_In_ ULONG MajorFunction, _In_ PDEVICE_OBJECT DeviceObject,
                                                     _Inout_opt_ PVOID Buffer, _In_opt_ ULONG Length,
                                                     _In_opt_ PLARGE_INTEGER StartingOffset,
                                                     _In_opt_ PIO_STATUS_BLOCK IoStatusBlock);

/* Device objects, their names and stacks (src/io/device.c, file.c). */
#define FILE_BYTE_ALIGNMENT     0x00000000
#define FILE_WORD_ALIGNMENT     0x00000001
#define FILE_LONG_ALIGNMENT     0x00000003
#define FILE_QUAD_ALIGNMENT     0x00000007
#define FILE_OCTA_ALIGNMENT     0x0000000f
#define FILE_32_BYTE_ALIGNMENT  0x0000001f
#define FILE_64_BYTE_ALIGNMENT  0x0000003f
#define FILE_128_BYTE_ALIGNMENT 0x0000007f
#define FILE_256_BYTE_ALIGNMENT 0x000000ff
#define FILE_512_BYTE_ALIGNMENT 0x000001ff

NTKERNELAPI NTSTATUS NTAPI IoCreateDevice(_In_ PDRIVER_OBJECT DriverObject, _In_ ULONG DeviceExtensionSize,
                                          _In_opt_ PUNICODE_STRING DeviceName, _In_ DEVICE_TYPE DeviceType,
                                          _In_ ULONG DeviceCharacteristics, _In_ BOOLEAN Exclusive,
                                          _Out_ PDEVICE_OBJECT *DeviceObject);
NTKERNELAPI VOID NTAPI IoDeleteDevice(_In_ PDEVICE_OBJECT DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoCreateSymbolicLink(_In_ PUNICODE_STRING SymbolicLinkName, _In_ PUNICODE_STRING DeviceName);
NTKERNELAPI NTSTATUS NTAPI IoDeleteSymbolicLink(_In_ PUNICODE_STRING SymbolicLinkName);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoAttachDeviceToDeviceStack(_In_ PDEVICE_OBJECT SourceDevice,
                                                             _In_ PDEVICE_OBJECT TargetDevice);
NTKERNELAPI NTSTATUS NTAPI IoAttachDeviceToDeviceStackSafe(_In_ PDEVICE_OBJECT SourceDevice,
                                                           _In_ PDEVICE_OBJECT TargetDevice,
                                                           _Outptr_ PDEVICE_OBJECT *AttachedToDeviceObject);
NTKERNELAPI VOID NTAPI IoDetachDevice(_Inout_ PDEVICE_OBJECT TargetDevice);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetAttachedDevice(_In_ PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetAttachedDeviceReference(_In_ PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetLowerDeviceObject(_In_ PDEVICE_OBJECT DeviceObject);
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetRelatedDeviceObject(_In_ PFILE_OBJECT FileObject);
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceObjectPointer(_In_ PUNICODE_STRING ObjectName, _In_ ACCESS_MASK DesiredAccess,
                                                    _Out_ PFILE_OBJECT *FileObject, _Out_ PDEVICE_OBJECT *DeviceObject);
NTKERNELAPI NTSTATUS NTAPI IoRegisterShutdownNotification(_In_ PDEVICE_OBJECT DeviceObject);
NTKERNELAPI VOID NTAPI IoUnregisterShutdownNotification(_In_ PDEVICE_OBJECT DeviceObject);

/* MDLs (the Mm routines that fill and map them are in km_mm.h). */
NTKERNELAPI PMDL NTAPI IoAllocateMdl(_In_opt_ __drv_aliasesMem PVOID VirtualAddress, _In_ ULONG Length,
                                     _In_ BOOLEAN SecondaryBuffer, _In_ BOOLEAN ChargeQuota, _Inout_opt_ PIRP Irp);
NTKERNELAPI VOID NTAPI IoFreeMdl(_In_ PMDL Mdl);

/* Windows x64 layouts (checked by tools/layout/check.sh). */
C_ASSERT(sizeof(IO_STATUS_BLOCK) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STATUS_BLOCK, Information) == 0x08);
C_ASSERT(sizeof(MDL) == 0x30);
C_ASSERT(FIELD_OFFSET(MDL, Size) == 0x08);
C_ASSERT(FIELD_OFFSET(MDL, MdlFlags) == 0x0A);
C_ASSERT(FIELD_OFFSET(MDL, Process) == 0x10);
C_ASSERT(FIELD_OFFSET(MDL, MappedSystemVa) == 0x18);
C_ASSERT(FIELD_OFFSET(MDL, StartVa) == 0x20);
C_ASSERT(FIELD_OFFSET(MDL, ByteCount) == 0x28);
C_ASSERT(FIELD_OFFSET(MDL, ByteOffset) == 0x2C);
C_ASSERT(sizeof(VPB) == 0x60);
C_ASSERT(FIELD_OFFSET(VPB, Flags) == 0x04);
C_ASSERT(FIELD_OFFSET(VPB, VolumeLabelLength) == 0x06);
C_ASSERT(FIELD_OFFSET(VPB, DeviceObject) == 0x08);
C_ASSERT(FIELD_OFFSET(VPB, RealDevice) == 0x10);
C_ASSERT(FIELD_OFFSET(VPB, SerialNumber) == 0x18);
C_ASSERT(FIELD_OFFSET(VPB, ReferenceCount) == 0x1C);
C_ASSERT(FIELD_OFFSET(VPB, VolumeLabel) == 0x20);
C_ASSERT(sizeof(SECTION_OBJECT_POINTERS) == 0x18);
C_ASSERT(FIELD_OFFSET(SECTION_OBJECT_POINTERS, SharedCacheMap) == 0x08);
C_ASSERT(FIELD_OFFSET(SECTION_OBJECT_POINTERS, ImageSectionObject) == 0x10);
C_ASSERT(sizeof(IO_COMPLETION_CONTEXT) == 0x10);
C_ASSERT(sizeof(WAIT_CONTEXT_BLOCK) == 0x48);
C_ASSERT(FIELD_OFFSET(WAIT_CONTEXT_BLOCK, DeviceRoutine) == 0x18);
C_ASSERT(FIELD_OFFSET(WAIT_CONTEXT_BLOCK, DeviceContext) == 0x20);
C_ASSERT(FIELD_OFFSET(WAIT_CONTEXT_BLOCK, NumberOfMapRegisters) == 0x28);
C_ASSERT(FIELD_OFFSET(WAIT_CONTEXT_BLOCK, DeviceObject) == 0x30);
C_ASSERT(FIELD_OFFSET(WAIT_CONTEXT_BLOCK, CurrentIrp) == 0x38);
C_ASSERT(FIELD_OFFSET(WAIT_CONTEXT_BLOCK, BufferChainingDpc) == 0x40);
C_ASSERT(sizeof(DEVICE_OBJECT) == 0x150);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Size) == 0x02);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, ReferenceCount) == 0x04);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, DriverObject) == 0x08);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, NextDevice) == 0x10);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, AttachedDevice) == 0x18);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, CurrentIrp) == 0x20);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Timer) == 0x28);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Flags) == 0x30);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Characteristics) == 0x34);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Vpb) == 0x38);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, DeviceExtension) == 0x40);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, DeviceType) == 0x48);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, StackSize) == 0x4C);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Queue) == 0x50);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, AlignmentRequirement) == 0x98);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, DeviceQueue) == 0xA0);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Dpc) == 0xC8);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, ActiveThreadCount) == 0x108);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, SecurityDescriptor) == 0x110);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, DeviceLock) == 0x118);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, SectorSize) == 0x130);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, DeviceObjectExtension) == 0x138);
C_ASSERT(FIELD_OFFSET(DEVICE_OBJECT, Reserved) == 0x140);
C_ASSERT(sizeof(DEVOBJ_EXTENSION) == 0x10);
C_ASSERT(FIELD_OFFSET(DEVOBJ_EXTENSION, DeviceObject) == 0x08);
C_ASSERT(sizeof(FILE_OBJECT) == 0xD8);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, DeviceObject) == 0x08);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, Vpb) == 0x10);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, FsContext) == 0x18);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, FsContext2) == 0x20);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, SectionObjectPointer) == 0x28);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, PrivateCacheMap) == 0x30);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, FinalStatus) == 0x38);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, RelatedFileObject) == 0x40);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, LockOperation) == 0x48);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, DeletePending) == 0x49);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, ReadAccess) == 0x4A);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, WriteAccess) == 0x4B);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, DeleteAccess) == 0x4C);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, SharedRead) == 0x4D);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, SharedWrite) == 0x4E);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, SharedDelete) == 0x4F);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, Flags) == 0x50);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, FileName) == 0x58);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, CurrentByteOffset) == 0x68);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, Waiters) == 0x70);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, Busy) == 0x74);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, LastLock) == 0x78);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, Lock) == 0x80);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, Event) == 0x98);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, CompletionContext) == 0xB0);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, IrpListLock) == 0xB8);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, IrpList) == 0xC0);
C_ASSERT(FIELD_OFFSET(FILE_OBJECT, FileObjectExtension) == 0xD0);
C_ASSERT(sizeof(FILE_BASIC_INFORMATION) == 0x28);
C_ASSERT(FIELD_OFFSET(FILE_BASIC_INFORMATION, FileAttributes) == 0x20);
C_ASSERT(sizeof(FILE_STANDARD_INFORMATION) == 0x18);
C_ASSERT(FIELD_OFFSET(FILE_STANDARD_INFORMATION, NumberOfLinks) == 0x10);
C_ASSERT(FIELD_OFFSET(FILE_STANDARD_INFORMATION, DeletePending) == 0x14);
C_ASSERT(FIELD_OFFSET(FILE_STANDARD_INFORMATION, Directory) == 0x15);
C_ASSERT(sizeof(FILE_POSITION_INFORMATION) == 0x08);
C_ASSERT(sizeof(FILE_NETWORK_OPEN_INFORMATION) == 0x38);
C_ASSERT(FIELD_OFFSET(FILE_NETWORK_OPEN_INFORMATION, FileAttributes) == 0x30);
C_ASSERT(sizeof(FAST_IO_DISPATCH) == 0xE0);
C_ASSERT(FIELD_OFFSET(FAST_IO_DISPATCH, FastIoCheckIfPossible) == 0x08);
C_ASSERT(FIELD_OFFSET(FAST_IO_DISPATCH, FastIoDeviceControl) == 0x50);
C_ASSERT(FIELD_OFFSET(FAST_IO_DISPATCH, FastIoDetachDevice) == 0x68);
C_ASSERT(FIELD_OFFSET(FAST_IO_DISPATCH, FastIoQueryOpen) == 0xC0);
C_ASSERT(FIELD_OFFSET(FAST_IO_DISPATCH, ReleaseForCcFlush) == 0xD8);
C_ASSERT(sizeof(IO_SECURITY_CONTEXT) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_SECURITY_CONTEXT, AccessState) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_SECURITY_CONTEXT, DesiredAccess) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_SECURITY_CONTEXT, FullCreateOptions) == 0x14);
C_ASSERT(sizeof(INTERFACE) == 0x20);
C_ASSERT(sizeof(IRP) == 0xD0);
C_ASSERT(FIELD_OFFSET(IRP, Size) == 0x02);
C_ASSERT(FIELD_OFFSET(IRP, MdlAddress) == 0x08);
C_ASSERT(FIELD_OFFSET(IRP, Flags) == 0x10);
C_ASSERT(FIELD_OFFSET(IRP, AssociatedIrp.SystemBuffer) == 0x18);
C_ASSERT(FIELD_OFFSET(IRP, ThreadListEntry) == 0x20);
C_ASSERT(FIELD_OFFSET(IRP, IoStatus) == 0x30);
C_ASSERT(FIELD_OFFSET(IRP, IoStatus.Information) == 0x38);
C_ASSERT(FIELD_OFFSET(IRP, RequestorMode) == 0x40);
C_ASSERT(FIELD_OFFSET(IRP, PendingReturned) == 0x41);
C_ASSERT(FIELD_OFFSET(IRP, StackCount) == 0x42);
C_ASSERT(FIELD_OFFSET(IRP, CurrentLocation) == 0x43);
C_ASSERT(FIELD_OFFSET(IRP, Cancel) == 0x44);
C_ASSERT(FIELD_OFFSET(IRP, CancelIrql) == 0x45);
C_ASSERT(FIELD_OFFSET(IRP, ApcEnvironment) == 0x46);
C_ASSERT(FIELD_OFFSET(IRP, AllocationFlags) == 0x47);
C_ASSERT(FIELD_OFFSET(IRP, UserIosb) == 0x48);
C_ASSERT(FIELD_OFFSET(IRP, UserEvent) == 0x50);
C_ASSERT(FIELD_OFFSET(IRP, Overlay.AsynchronousParameters.UserApcRoutine) == 0x58);
C_ASSERT(FIELD_OFFSET(IRP, Overlay.AsynchronousParameters.UserApcContext) == 0x60);
C_ASSERT(FIELD_OFFSET(IRP, CancelRoutine) == 0x68);
C_ASSERT(FIELD_OFFSET(IRP, UserBuffer) == 0x70);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.DeviceQueueEntry) == 0x78);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.DriverContext) == 0x78);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.Thread) == 0x98);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.AuxiliaryBuffer) == 0xA0);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.ListEntry) == 0xA8);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.CurrentStackLocation) == 0xB8);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.PacketType) == 0xB8);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.OriginalFileObject) == 0xC0);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.IrpExtension) == 0xC8);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Apc) == 0x78);
C_ASSERT(FIELD_OFFSET(IRP, Tail.CompletionKey) == 0x78);
C_ASSERT(sizeof(IO_STACK_LOCATION) == 0x48);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, MinorFunction) == 0x01);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Flags) == 0x02);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Control) == 0x03);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters) == 0x08);
C_ASSERT(sizeof(((IO_STACK_LOCATION *)0)->Parameters) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Create.SecurityContext) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Create.Options) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Create.FileAttributes) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Create.ShareAccess) == 0x1A);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Create.EaLength) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Read.Length) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Read.Key) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Read.Flags) == 0x14);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Read.ByteOffset) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Write.Length) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Write.Key) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Write.ByteOffset) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryDirectory.FileName) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryDirectory.FileInformationClass) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryDirectory.FileIndex) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryFile.Length) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryFile.FileInformationClass) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.SetFile.FileInformationClass) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.SetFile.FileObject) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.SetFile.ReplaceIfExists) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.SetFile.AdvanceOnly) == 0x21);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.SetFile.DeleteHandle) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryVolume.FsInformationClass) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.FileSystemControl.OutputBufferLength) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.FileSystemControl.InputBufferLength) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.FileSystemControl.FsControlCode) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.FileSystemControl.Type3InputBuffer) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.LockControl.Key) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.LockControl.ByteOffset) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.DeviceIoControl.Type3InputBuffer) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QuerySecurity.Length) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.SetSecurity.SecurityDescriptor) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.MountVolume.DeviceObject) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryInterface.Size) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryInterface.Version) == 0x12);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryInterface.Interface) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryInterface.InterfaceSpecificData) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.ReadWriteConfig.Buffer) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.ReadWriteConfig.Offset) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.ReadWriteConfig.Length) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.QueryDeviceText.LocaleId) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.UsageNotification.Type) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Power.SystemContext) == 0x08);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Power.Type) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Power.State) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Power.ShutdownType) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.StartDevice.AllocatedResourcesTranslated) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.WMI.DataPath) == 0x10);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.WMI.BufferSize) == 0x18);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.WMI.Buffer) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Parameters.Others.Argument4) == 0x20);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, DeviceObject) == 0x28);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, FileObject) == 0x30);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, CompletionRoutine) == 0x38);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, Context) == 0x40);

/* Work items: routines run by system worker threads at PASSIVE_LEVEL in
 * the System process. An IO_WORKITEM keeps its device (or driver) object
 * referenced while it is queued or running; WORK_QUEUE_ITEM (the
 * executive's, for ExQueueWorkItem) is the caller's and carries no
 * reference. The queue type chooses nothing in ntbox: every item goes to
 * the same workers. */
typedef enum _WORK_QUEUE_TYPE {
    CriticalWorkQueue, DelayedWorkQueue, HyperCriticalWorkQueue, NormalWorkQueue, BackgroundWorkQueue,
    RealTimeWorkQueue, SuperCriticalWorkQueue, MaximumWorkQueue, CustomPriorityWorkQueue = 32
} WORK_QUEUE_TYPE;

typedef VOID NTAPI WORKER_THREAD_ROUTINE(_In_ PVOID Parameter);
typedef WORKER_THREAD_ROUTINE *PWORKER_THREAD_ROUTINE;

typedef struct _WORK_QUEUE_ITEM {
    LIST_ENTRY List;
    PWORKER_THREAD_ROUTINE WorkerRoutine;
    volatile PVOID Parameter;
} WORK_QUEUE_ITEM, *PWORK_QUEUE_ITEM;

C_ASSERT(sizeof(WORK_QUEUE_ITEM) == 0x20);

#define ExInitializeWorkItem(Item, Routine, Context) \
    ((Item)->WorkerRoutine = (Routine), (Item)->Parameter = (Context), (Item)->List.Flink = NULL)

NTKERNELAPI VOID NTAPI ExQueueWorkItem(_Inout_ PWORK_QUEUE_ITEM WorkItem, _In_ WORK_QUEUE_TYPE QueueType);

typedef struct _IO_WORKITEM IO_WORKITEM, *PIO_WORKITEM;
typedef VOID NTAPI IO_WORKITEM_ROUTINE(_In_ PDEVICE_OBJECT DeviceObject, _In_opt_ PVOID Context);
typedef IO_WORKITEM_ROUTINE *PIO_WORKITEM_ROUTINE;
typedef VOID NTAPI IO_WORKITEM_ROUTINE_EX(_In_ PVOID IoObject, _In_opt_ PVOID Context, _In_ PIO_WORKITEM IoWorkItem);
typedef IO_WORKITEM_ROUTINE_EX *PIO_WORKITEM_ROUTINE_EX;

NTKERNELAPI PIO_WORKITEM NTAPI IoAllocateWorkItem(_In_ PDEVICE_OBJECT DeviceObject);
NTKERNELAPI VOID NTAPI IoFreeWorkItem(_In_ PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID NTAPI IoQueueWorkItem(_Inout_ PIO_WORKITEM IoWorkItem, _In_ PIO_WORKITEM_ROUTINE WorkerRoutine,
                                       _In_ WORK_QUEUE_TYPE QueueType, _In_opt_ PVOID Context);
NTKERNELAPI VOID NTAPI IoQueueWorkItemEx(_Inout_ PIO_WORKITEM IoWorkItem, _In_ PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                                         _In_ WORK_QUEUE_TYPE QueueType, _In_opt_ PVOID Context);
NTKERNELAPI ULONG NTAPI IoSizeofWorkItem(VOID);
NTKERNELAPI VOID NTAPI IoInitializeWorkItem(_In_ PVOID IoObject, _Out_ PIO_WORKITEM IoWorkItem);
NTKERNELAPI VOID NTAPI IoUninitializeWorkItem(_Inout_ PIO_WORKITEM IoWorkItem);

NTBOX_END_DECLS

#endif
