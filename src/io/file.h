/* io/file.h: file objects and the services that open them. At startup
 * file.c installs the Device type's parse procedure and the File type's
 * open, close and delete procedures. */
#ifndef NTBOX_IO_FILE_H
#define NTBOX_IO_FILE_H

#include <ntddk.h>

/* NtCreateFile for either previous mode. */
NTSTATUS io_create_file(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                        PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                        ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                        ULONG EaLength, KPROCESSOR_MODE mode);

#endif
