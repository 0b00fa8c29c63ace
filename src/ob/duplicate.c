/* ob/duplicate.c: ZwDuplicateObject (Windows' NtDuplicateObject and
 * ObDuplicateObject).
 *
 * ntbox has no process objects yet, so the only process handle is
 * NtCurrentProcess(): a handle is duplicated within the caller's process,
 * or between it and the kernel table (a kernel handle as source, or
 * OBJ_KERNEL_HANDLE in HandleAttributes from KernelMode for the target).
 * Any other process handle is what Windows would say of a handle to a
 * non-process: STATUS_OBJECT_TYPE_MISMATCH, or STATUS_INVALID_HANDLE.
 * With no security descriptors, a duplicate may ask for more than the
 * source handle had, and gets it (an open would grant it too). */
#include "ob/obp.h"

static NTSTATUS ob_process_table(HANDLE process, KPROCESSOR_MODE mode, struct ob_handle_table **table)
{
    void *object;
    NTSTATUS status;

    if (process == NtCurrentProcess()) {
        *table = ob_current_handle_table();
        return STATUS_SUCCESS;
    }
    status = ob_reference_object_by_handle(process, 0, NULL, mode, &object, NULL);
    if (!NT_SUCCESS(status))
        return status;
    ob_dereference_object(object);
    return STATUS_OBJECT_TYPE_MISMATCH;
}

/* "Creates a handle that is a duplicate of the specified source handle"
 * (WDK): DesiredAccess (mapped through the type) or the source's access
 * with DUPLICATE_SAME_ACCESS, HandleAttributes or the source's with
 * DUPLICATE_SAME_ATTRIBUTES; DUPLICATE_CLOSE_SOURCE closes the source even
 * when the duplicate fails. Without a target process (or TargetHandle),
 * only closing the source is possible: anything else is
 * STATUS_INVALID_PARAMETER. */
NTSTATUS ob_duplicate_object(HANDLE source_process, HANDLE source_handle, HANDLE target_process,
                             HANDLE *target_handle, ACCESS_MASK desired_access, ULONG handle_attributes,
                             ULONG options, KPROCESSOR_MODE previous_mode)
{
    struct ob_handle_table *source_table, *target_table = NULL;
    OBJECT_HANDLE_INFORMATION info;
    struct ob_header *header;
    ACCESS_MASK granted;
    ULONG attributes;
    void *object;
    NTSTATUS status;

    if (target_handle)
        *target_handle = NULL;
    status = ob_process_table(source_process, previous_mode, &source_table);
    if (NT_SUCCESS(status) && target_process)
        status = ob_process_table(target_process, previous_mode, &target_table);
    if (NT_SUCCESS(status))
        status = ob_reference_object_by_handle(source_handle, 0, NULL, previous_mode, &object, &info);
    if (!NT_SUCCESS(status))
        return status;
    header = ob_header_of(object);
    if (!target_table || !target_handle) {
        status = (options & DUPLICATE_CLOSE_SOURCE) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
        ob_dereference_header(header, NULL);
    } else {
        if (options & DUPLICATE_SAME_ACCESS) {
            granted = info.GrantedAccess;
        } else {
            granted = ob_map_access(header->type, desired_access);
            if ((granted & ACCESS_SYSTEM_SECURITY) && previous_mode != KernelMode)
                status = STATUS_PRIVILEGE_NOT_HELD;
            granted &= header->type->info.valid_access_mask | ACCESS_SYSTEM_SECURITY;
        }
        attributes = (options & DUPLICATE_SAME_ATTRIBUTES) ? info.HandleAttributes : handle_attributes;
        if ((handle_attributes & OBJ_KERNEL_HANDLE) && previous_mode == KernelMode)
            target_table = ob_kernel_handle_table();
        if (NT_SUCCESS(status))
            status = ob_create_handle_in(target_table, header, granted, attributes & ~OBJ_KERNEL_HANDLE,
                                         target_handle);
        if (!NT_SUCCESS(status))
            ob_dereference_header(header, NULL);
    }
    if (options & DUPLICATE_CLOSE_SOURCE)
        ob_close_handle(source_handle, previous_mode);
    return status;
}

/* WDK, ntifs.h; PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwDuplicateObject(HANDLE SourceProcessHandle, HANDLE SourceHandle,
                                          HANDLE TargetProcessHandle, PHANDLE TargetHandle,
                                          ACCESS_MASK DesiredAccess, ULONG HandleAttributes, ULONG Options)
{
    return ob_duplicate_object(SourceProcessHandle, SourceHandle, TargetProcessHandle, TargetHandle, DesiredAccess,
                               HandleAttributes, Options, KernelMode);
}
