/* ob/symlink.c: symbolic link objects: ZwCreateSymbolicLinkObject,
 * ZwOpenSymbolicLinkObject, ZwQuerySymbolicLinkObject. Following links
 * during a lookup is ob/lookup.c's. A target is any string, checked only
 * when followed: a dangling link is legal. */
#include "ob/obp.h"

#include <stdlib.h>
#include <string.h>

void ob_symbolic_link_delete(void *body)
{
    free(((struct ob_symbolic_link *)body)->target.Buffer);
}

/* NtCreateSymbolicLinkObject: the target is checked before the attributes:
 * odd lengths, Length > MaximumLength or MaximumLength 0 are
 * STATUS_INVALID_PARAMETER. */
NTSTATUS ob_create_symbolic_link_object(HANDLE *handle, ACCESS_MASK desired_access,
                                        const OBJECT_ATTRIBUTES *attributes, PCUNICODE_STRING target,
                                        KPROCESSOR_MODE previous_mode)
{
    struct ob_symbolic_link *link;
    NTSTATUS status;

    if (!handle || !target)
        return STATUS_ACCESS_VIOLATION;
    if ((target->MaximumLength & 1) || (target->Length & 1) || target->Length > target->MaximumLength ||
        target->MaximumLength == 0)
        return STATUS_INVALID_PARAMETER;
    if (!target->Buffer && target->Length)
        return STATUS_ACCESS_VIOLATION;
    status = ob_create_object(ob_symbolic_link_object_type, attributes, previous_mode, 0, (void **)&link);
    if (!NT_SUCCESS(status))
        return status;
    if (!ob_copy_string(&link->target, target->Buffer, target->Length)) {
        ob_dereference_object(link);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return ob_insert_object(link, desired_access, NULL, handle);
}

NTSTATUS ob_open_symbolic_link_object(HANDLE *handle, ACCESS_MASK desired_access,
                                      const OBJECT_ATTRIBUTES *attributes, KPROCESSOR_MODE previous_mode)
{
    if (!handle)
        return STATUS_ACCESS_VIOLATION;
    return ob_open_object_by_name(attributes, ob_symbolic_link_object_type, previous_mode, desired_access, NULL,
                                  handle);
}

/* NtQuerySymbolicLinkObject, as Windows: with ReturnedLength the target is
 * copied with its NUL and needs Length + sizeof(WCHAR) bytes, without it
 * Length bytes; *ReturnedLength is Length + sizeof(WCHAR) either way, and
 * too small a buffer is STATUS_BUFFER_TOO_SMALL with nothing copied. */
NTSTATUS ob_query_symbolic_link_object(HANDLE handle, PUNICODE_STRING target, PULONG returned_length,
                                       KPROCESSOR_MODE previous_mode)
{
    struct ob_symbolic_link *link;
    ULONG needed, copied;
    NTSTATUS status;

    if (!target)
        return STATUS_ACCESS_VIOLATION;
    status = ob_reference_object_by_handle(handle, SYMBOLIC_LINK_QUERY, ob_symbolic_link_object_type,
                                           previous_mode, (void **)&link, NULL);
    if (!NT_SUCCESS(status))
        return status;
    needed = link->target.MaximumLength;
    copied = returned_length ? needed : link->target.Length;
    if (copied > target->MaximumLength) {
        status = STATUS_BUFFER_TOO_SMALL;
    } else if (!target->Buffer && copied) {
        status = STATUS_ACCESS_VIOLATION;
    } else {
        if (copied)
            memcpy(target->Buffer, link->target.Buffer, copied);
        target->Length = link->target.Length;
    }
    if (returned_length && status != STATUS_ACCESS_VIOLATION)
        *returned_length = needed;
    ob_dereference_object(link);
    return status;
}

/* Exported by ntoskrnl, declared by no WDK header: creates a symbolic link
 * object (IoCreateSymbolicLink's core). */
NTSYSAPI NTSTATUS NTAPI ZwCreateSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess,
                                                   POBJECT_ATTRIBUTES ObjectAttributes, PUNICODE_STRING LinkTarget)
{
    return ob_zw_result(
        ob_create_symbolic_link_object(LinkHandle, DesiredAccess, ObjectAttributes, LinkTarget, KernelMode),
        "ZwCreateSymbolicLinkObject", __builtin_return_address(0));
}

/* "Opens an existing symbolic link" (WDK): the link itself, not followed.
 * PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwOpenSymbolicLinkObject(PHANDLE LinkHandle, ACCESS_MASK DesiredAccess,
                                                 POBJECT_ATTRIBUTES ObjectAttributes)
{
    return ob_zw_result(ob_open_symbolic_link_object(LinkHandle, DesiredAccess, ObjectAttributes, KernelMode),
                        "ZwOpenSymbolicLinkObject", __builtin_return_address(0));
}

/* "Returns a Unicode string that contains the target of a symbolic link":
 * STATUS_SUCCESS or STATUS_BUFFER_TOO_SMALL (WDK). PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwQuerySymbolicLinkObject(HANDLE LinkHandle, PUNICODE_STRING LinkTarget,
                                                  PULONG ReturnedLength)
{
    return ob_zw_result(ob_query_symbolic_link_object(LinkHandle, LinkTarget, ReturnedLength, KernelMode),
                        "ZwQuerySymbolicLinkObject", __builtin_return_address(0));
}
