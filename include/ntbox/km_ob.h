/* ntbox/km_ob.h: the object manager (Ob) and the Zw routines on its own
 * objects: reference counting, handles, object types, OBJECT_NAME_INFORMATION,
 * directory and symbolic link objects, ZwClose, ZwMakeTemporaryObject.
 *
 * Surprises, all Windows': ObReferenceObject and ObDereferenceObject are
 * macros over the FASTCALL ObfReferenceObject/ObfDereferenceObject (an
 * exported ObDereferenceObject function exists too, for old binaries); the
 * exported type variables are POBJECT_TYPE *, so a driver writes
 * *IoFileObjectType. Routines the WDK keeps in ntifs.h are declared only
 * when ntifs.h is the driver's header, as there; ZwCreateSymbolicLinkObject
 * and ZwQueryDirectoryObject, exported by ntoskrnl but declared by no WDK
 * header, are declared there too (drivers that declare them themselves use
 * the same signatures). */
#ifndef NTBOX_KM_OB_H
#define NTBOX_KM_OB_H

#include <ntbox/km_types.h>

NTBOX_BEGIN_DECLS

/* An object type: opaque to drivers. */
typedef struct _OBJECT_TYPE *POBJECT_TYPE;

#define OBJECT_TYPE_CREATE     0x0001
#define OBJECT_TYPE_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | 0x1)

/* The handles that mean "this process" and "this thread". */
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define ZwCurrentProcess() NtCurrentProcess()
#define NtCurrentThread()  ((HANDLE)(LONG_PTR)-2)
#define ZwCurrentThread()  NtCurrentThread()

typedef struct _OBJECT_NAME_INFORMATION {
    UNICODE_STRING Name;
} OBJECT_NAME_INFORMATION, *POBJECT_NAME_INFORMATION;

typedef struct _OBJECT_HANDLE_INFORMATION {
    ULONG HandleAttributes;
    ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

C_ASSERT(sizeof(OBJECT_NAME_INFORMATION) == 0x10);
C_ASSERT(sizeof(OBJECT_HANDLE_INFORMATION) == 0x8);

/* The standard object types, exported as data. */
extern NTKERNELAPI POBJECT_TYPE *IoFileObjectType NTBOX_IMPORT_SLOT(IoFileObjectType);
extern NTKERNELAPI POBJECT_TYPE *IoDeviceObjectType NTBOX_IMPORT_SLOT(IoDeviceObjectType);
extern NTKERNELAPI POBJECT_TYPE *IoDriverObjectType NTBOX_IMPORT_SLOT(IoDriverObjectType);
extern NTKERNELAPI POBJECT_TYPE *ExEventObjectType NTBOX_IMPORT_SLOT(ExEventObjectType);
extern NTKERNELAPI POBJECT_TYPE *ExSemaphoreObjectType NTBOX_IMPORT_SLOT(ExSemaphoreObjectType);

/* References. */
NTKERNELAPI LONG_PTR FASTCALL ObfReferenceObject(_In_ PVOID Object);
NTKERNELAPI LONG_PTR FASTCALL ObfDereferenceObject(_In_ PVOID Object);
NTKERNELAPI LONG_PTR FASTCALL ObfReferenceObjectWithTag(_In_ PVOID Object, _In_ ULONG Tag);
NTKERNELAPI LONG_PTR FASTCALL ObfDereferenceObjectWithTag(_In_ PVOID Object, _In_ ULONG Tag);
NTKERNELAPI VOID NTAPI ObDereferenceObject(_In_ PVOID Object);
#define ObReferenceObject(Object) ObfReferenceObject(Object)
#define ObDereferenceObject(Object) ObfDereferenceObject(Object)
#define ObReferenceObjectWithTag(Object, Tag) ObfReferenceObjectWithTag(Object, Tag)
#define ObDereferenceObjectWithTag(Object, Tag) ObfDereferenceObjectWithTag(Object, Tag)

NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByHandle(_In_ HANDLE Handle, _In_ ACCESS_MASK DesiredAccess,
                                                     _In_opt_ POBJECT_TYPE ObjectType,
                                                     _In_ KPROCESSOR_MODE AccessMode, _Out_ PVOID *Object,
                                                     _Out_opt_ POBJECT_HANDLE_INFORMATION HandleInformation);
NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByHandleWithTag(_In_ HANDLE Handle, _In_ ACCESS_MASK DesiredAccess,
                                                            _In_opt_ POBJECT_TYPE ObjectType,
                                                            _In_ KPROCESSOR_MODE AccessMode, _In_ ULONG Tag,
                                                            _Out_ PVOID *Object,
                                                            _Out_opt_ POBJECT_HANDLE_INFORMATION HandleInformation);
NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByPointer(_In_ PVOID Object, _In_ ACCESS_MASK DesiredAccess,
                                                      _In_opt_ POBJECT_TYPE ObjectType,
                                                      _In_ KPROCESSOR_MODE AccessMode);

/* Handles and the object namespace. */
NTSYSAPI NTSTATUS NTAPI ZwClose(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI NtClose(_In_ HANDLE Handle);
NTSYSAPI NTSTATUS NTAPI ZwMakeTemporaryObject(_In_ HANDLE Handle);
NTKERNELAPI VOID NTAPI ObMakeTemporaryObject(_In_ PVOID Object);
NTSYSAPI NTSTATUS NTAPI ZwCreateDirectoryObject(_Out_ PHANDLE DirectoryHandle, _In_ ACCESS_MASK DesiredAccess,
                                                _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwOpenSymbolicLinkObject(_Out_ PHANDLE LinkHandle, _In_ ACCESS_MASK DesiredAccess,
                                                 _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwQuerySymbolicLinkObject(_In_ HANDLE LinkHandle, _Inout_ PUNICODE_STRING LinkTarget,
                                                  _Out_opt_ PULONG ReturnedLength);

NTBOX_END_DECLS

#endif /* NTBOX_KM_OB_H */

/* ntifs.h's part, outside the main guard so that a file including ntddk.h
 * before ntifs.h still gets it by including this header again. */
#if defined(_NTIFS_) && !defined(NTBOX_KM_OB_NTIFS_H)
#define NTBOX_KM_OB_NTIFS_H

NTBOX_BEGIN_DECLS

#define DUPLICATE_CLOSE_SOURCE    0x00000001
#define DUPLICATE_SAME_ACCESS     0x00000002
#define DUPLICATE_SAME_ATTRIBUTES 0x00000004

NTKERNELAPI NTSTATUS NTAPI ObQueryNameString(_In_ PVOID Object,
                                             _Out_writes_bytes_opt_(Length) POBJECT_NAME_INFORMATION ObjectNameInfo,
                                             _In_ ULONG Length, _Out_ PULONG ReturnLength);
NTKERNELAPI NTSTATUS NTAPI ObOpenObjectByPointer(_In_ PVOID Object, _In_ ULONG HandleAttributes,
                                                 _In_opt_ PACCESS_STATE PassedAccessState,
                                                 _In_ ACCESS_MASK DesiredAccess, _In_opt_ POBJECT_TYPE ObjectType,
                                                 _In_ KPROCESSOR_MODE AccessMode, _Out_ PHANDLE Handle);
NTSYSAPI NTSTATUS NTAPI ZwOpenDirectoryObject(_Out_ PHANDLE DirectoryHandle, _In_ ACCESS_MASK DesiredAccess,
                                              _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwDuplicateObject(_In_ HANDLE SourceProcessHandle, _In_ HANDLE SourceHandle,
                                          _In_opt_ HANDLE TargetProcessHandle, _Out_opt_ PHANDLE TargetHandle,
                                          _In_ ACCESS_MASK DesiredAccess, _In_ ULONG HandleAttributes,
                                          _In_ ULONG Options);
NTSYSAPI NTSTATUS NTAPI ZwCreateSymbolicLinkObject(_Out_ PHANDLE LinkHandle, _In_ ACCESS_MASK DesiredAccess,
                                                   _In_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                   _In_ PUNICODE_STRING LinkTarget);
/* Event objects by handle (the body is a KEVENT). */
NTSYSAPI NTSTATUS NTAPI ZwCreateEvent(_Out_ PHANDLE EventHandle, _In_ ACCESS_MASK DesiredAccess,
                                      _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes, _In_ EVENT_TYPE EventType,
                                      _In_ BOOLEAN InitialState);
NTSYSAPI NTSTATUS NTAPI ZwOpenEvent(_Out_ PHANDLE EventHandle, _In_ ACCESS_MASK DesiredAccess,
                                    _In_ POBJECT_ATTRIBUTES ObjectAttributes);
NTSYSAPI NTSTATUS NTAPI ZwSetEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwResetEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwPulseEvent(_In_ HANDLE EventHandle, _Out_opt_ PLONG PreviousState);
NTSYSAPI NTSTATUS NTAPI ZwClearEvent(_In_ HANDLE EventHandle);
/* Buffer receives OBJECT_DIRECTORY_INFORMATION entries { Name, TypeName },
 * a zeroed one last, then the strings; drivers declare that structure
 * themselves. */
NTSYSAPI NTSTATUS NTAPI ZwQueryDirectoryObject(_In_ HANDLE DirectoryHandle,
                                               _Out_writes_bytes_opt_(Length) PVOID Buffer, _In_ ULONG Length,
                                               _In_ BOOLEAN ReturnSingleEntry, _In_ BOOLEAN RestartScan,
                                               _Inout_ PULONG Context, _Out_opt_ PULONG ReturnLength);

NTBOX_END_DECLS

#endif /* _NTIFS_ */
