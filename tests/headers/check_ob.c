/* tests/headers/check_ob.c: the object manager's declarations as a
 * file-system filter uses them: ntifs.h (then ntddk.h, harmless) gives wdm.h's
 * part and ntifs.h's (ObQueryNameString, ZwDuplicateObject, ...), and a
 * driver's own declarations of routines the WDK does not declare agree with
 * ntbox's (as C here, as C++ through the .cpp twin). Compiling this file is
 * the test. */
#include <ntifs.h>
#include <ntddk.h>

/* What drivers that do not use ntifs.h write themselves. */
NTSYSAPI NTSTATUS NTAPI ZwQueryDirectoryObject(HANDLE DirectoryHandle, PVOID Buffer, ULONG Length,
                                               BOOLEAN ReturnSingleEntry, BOOLEAN RestartScan, PULONG Context,
                                               PULONG ReturnLength);
extern POBJECT_TYPE *IoDriverObjectType;

NTBOX_EXTERN_C NTSTATUS check_ob_usage(HANDLE handle);
NTSTATUS check_ob_usage(HANDLE handle)
{
    PVOID object;
    HANDLE copy;
    ULONG length;
    UCHAR name_buffer[64];
    NTSTATUS status = ObReferenceObjectByHandle(handle, FILE_READ_DATA, *IoFileObjectType, KernelMode, &object, NULL);

    if (!NT_SUCCESS(status))
        return status;
    ObReferenceObject(object);
    ObDereferenceObject(object);
    status = ObQueryNameString(object, (POBJECT_NAME_INFORMATION)name_buffer, sizeof name_buffer, &length);
    ObfDereferenceObject(object);
    if (NT_SUCCESS(status))
        status = ZwDuplicateObject(ZwCurrentProcess(), handle, NtCurrentProcess(), &copy, 0, OBJ_KERNEL_HANDLE,
                                   DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES);
    if (NT_SUCCESS(status))
        status = ZwClose(copy);
    return *IoDriverObjectType && *ExEventObjectType && *IoDeviceObjectType ? status : STATUS_UNSUCCESSFUL;
}
