/* ntbox/km_file.h: the file system services: open a device or file, send it
 * reads, writes and I/O controls. Zw* are the kernel-mode entry points
 * (PreviousMode = KernelMode: no probing, kernel handles allowed); Nt* are the
 * system services user-mode clients reach (PreviousMode = UserMode). */
#ifndef NTBOX_KM_FILE_H
#define NTBOX_KM_FILE_H

#include <ntbox/km_io.h>

NTBOX_BEGIN_DECLS

/* Declares {Zw,Nt}CreateFile, OpenFile, DeviceIoControlFile, FsControlFile,
 * ReadFile and WriteFile: the two sets share their signatures. */
#define NTBOX_FILE_SERVICES(prefix) \
    NTSYSAPI NTSTATUS NTAPI prefix##CreateFile(_Out_ PHANDLE FileHandle, _In_ ACCESS_MASK DesiredAccess, \
        _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Out_ PIO_STATUS_BLOCK IoStatusBlock, \
        _In_opt_ PLARGE_INTEGER AllocationSize, _In_ ULONG FileAttributes, _In_ ULONG ShareAccess, \
        _In_ ULONG CreateDisposition, _In_ ULONG CreateOptions, _In_reads_bytes_opt_(EaLength) PVOID EaBuffer, \
        _In_ ULONG EaLength); \
    NTSYSAPI NTSTATUS NTAPI prefix##OpenFile(_Out_ PHANDLE FileHandle, _In_ ACCESS_MASK DesiredAccess, \
        _In_ POBJECT_ATTRIBUTES ObjectAttributes, _Out_ PIO_STATUS_BLOCK IoStatusBlock, _In_ ULONG ShareAccess, \
        _In_ ULONG OpenOptions); \
    NTSYSAPI NTSTATUS NTAPI prefix##DeviceIoControlFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, \
        _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock, \
        _In_ ULONG IoControlCode, _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer, \
        _In_ ULONG InputBufferLength, _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer, \
        _In_ ULONG OutputBufferLength); \
    NTSYSAPI NTSTATUS NTAPI prefix##FsControlFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, \
        _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock, \
        _In_ ULONG FsControlCode, _In_reads_bytes_opt_(InputBufferLength) PVOID InputBuffer, \
        _In_ ULONG InputBufferLength, _Out_writes_bytes_opt_(OutputBufferLength) PVOID OutputBuffer, \
        _In_ ULONG OutputBufferLength); \
    NTSYSAPI NTSTATUS NTAPI prefix##ReadFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, \
        _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock, \
        _Out_writes_bytes_(Length) PVOID Buffer, _In_ ULONG Length, _In_opt_ PLARGE_INTEGER ByteOffset, \
        _In_opt_ PULONG Key); \
    NTSYSAPI NTSTATUS NTAPI prefix##WriteFile(_In_ HANDLE FileHandle, _In_opt_ HANDLE Event, \
        _In_opt_ PIO_APC_ROUTINE ApcRoutine, _In_opt_ PVOID ApcContext, _Out_ PIO_STATUS_BLOCK IoStatusBlock, \
        _In_reads_bytes_(Length) PVOID Buffer, _In_ ULONG Length, _In_opt_ PLARGE_INTEGER ByteOffset, \
        _In_opt_ PULONG Key);

NTBOX_FILE_SERVICES(Zw)
NTBOX_FILE_SERVICES(Nt)
#undef NTBOX_FILE_SERVICES

/* Information about an open file: FileBasicInformation,
 * FileStandardInformation, FilePositionInformation (the position of a
 * synchronous file, without asking its driver). */
NTSYSAPI NTSTATUS NTAPI ZwQueryInformationFile(_In_ HANDLE FileHandle, _Out_ PIO_STATUS_BLOCK IoStatusBlock,
                                               _Out_writes_bytes_(Length) PVOID FileInformation, _In_ ULONG Length,
                                               _In_ FILE_INFORMATION_CLASS FileInformationClass);

NTBOX_END_DECLS

#endif
