/* ob/open.c: creating and opening objects (Windows' ObCreateObject,
 * ObInsertObject, ObOpenObjectByName, ObReferenceObjectByName,
 * ObOpenObjectByPointer), and the ObOpenObjectByPointer export.
 *
 * Surprises, Windows' since Vista: a name already taken by an object of
 * another type is STATUS_OBJECT_TYPE_MISMATCH, even without OBJ_OPENIF; an
 * unnamed create ignores RootDirectory altogether. */
#include "ob/obp.h"

#include <string.h>

NTSTATUS ob_create_object(POBJECT_TYPE type, const OBJECT_ATTRIBUTES *attributes, KPROCESSOR_MODE access_mode,
                          ULONG body_size, void **body)
{
    struct ob_capture capture;
    struct ob_header *header;
    NTSTATUS status;

    *body = NULL;
    status = ob_capture_attributes(attributes, access_mode, &capture);
    if (NT_SUCCESS(status) && (capture.attributes & type->info.invalid_attributes))
        status = STATUS_INVALID_PARAMETER;
    if (NT_SUCCESS(status))
        status = ob_allocate_object(type, body_size, access_mode, &header);
    if (!NT_SUCCESS(status)) {
        ob_capture_release(&capture);
        return status;
    }
    if (!capture.name.Length)
        capture.root = NULL;
    if (capture.attributes & OBJ_PERMANENT)
        header->flags |= OB_FLAG_PERMANENT;
    if (capture.attributes & OBJ_EXCLUSIVE)
        header->flags |= OB_FLAG_EXCLUSIVE;
    header->create = capture;
    *body = ob_body_of(header);
    return STATUS_SUCCESS;
}

/* Puts the new object under its name. Returns the object to hand out,
 * referenced: the new one (with the creator's reference), or with
 * STATUS_OBJECT_NAME_EXISTS the existing one (the new one then gone). */
static NTSTATUS ob_insert_name(struct ob_header *header, const struct ob_capture *capture,
                               ACCESS_MASK desired_access, struct ob_header **found)
{
    struct ob_lookup lookup = {
        .root = capture->root,
        .name = capture->name,
        .attributes = capture->attributes,
        .type = header->type,
        .mode = header->create_mode,
        .desired_access = desired_access,
        .insert = header,
    };
    NTSTATUS status;

    *found = header;
    if ((capture->attributes & OBJ_PERMANENT) && header->create_mode != KernelMode)
        /* SeCreatePermanentPrivilege, which user callers do not hold. */
        status = STATUS_PRIVILEGE_NOT_HELD;
    else if (!capture->name.Length)
        return STATUS_SUCCESS;
    else
        status = ob_lookup(&lookup);
    if (NT_SUCCESS(status) && lookup.found != header) {
        if (lookup.found->type != header->type)
            status = STATUS_OBJECT_TYPE_MISMATCH;
        else if (capture->attributes & OBJ_OPENIF)
            status = STATUS_OBJECT_NAME_EXISTS;
        else
            status = STATUS_OBJECT_NAME_COLLISION;
        if (status == STATUS_OBJECT_NAME_EXISTS)
            *found = lookup.found;
        else
            ob_dereference_header(lookup.found, NULL);
    }
    if (!NT_SUCCESS(status) || *found != header)
        ob_dereference_header(header, NULL);
    return status;
}

NTSTATUS ob_insert_object(void *body, ACCESS_MASK desired_access, void **object, HANDLE *handle)
{
    struct ob_header *header = ob_header_of(body), *found;
    struct ob_capture capture = header->create;
    KPROCESSOR_MODE mode = header->create_mode;
    NTSTATUS status, handle_status;

    memset(&header->create, 0, sizeof header->create);
    if (object)
        *object = NULL;
    if (handle)
        *handle = NULL;
    status = ob_insert_name(header, &capture, desired_access, &found);
    if (!NT_SUCCESS(status)) {
        ob_capture_release(&capture);
        return status;
    }
    if (handle) {
        handle_status = ob_create_handle(found, NULL, desired_access, capture.attributes, mode, handle);
        if (!NT_SUCCESS(handle_status)) {
            if (found == header)
                ob_name_check(header);
            ob_dereference_header(found, NULL);
            ob_capture_release(&capture);
            return handle_status;
        }
    } else if (found == header) {
        ob_lock();
        header->flags &= ~OB_FLAG_NEW;
        ob_unlock();
    }
    if (object) {
        ob_reference_header(found);
        *object = ob_body_of(found);
    }
    if (!handle)
        ob_dereference_header(found, NULL);
    ob_capture_release(&capture);
    return status;
}

/* Captures the attributes and looks their name up: *found is referenced
 * on success, *attributes_out the captured OBJ_* flags. */
static NTSTATUS ob_find(const OBJECT_ATTRIBUTES *attributes, bool name_required, POBJECT_TYPE type,
                        KPROCESSOR_MODE access_mode, ACCESS_MASK desired_access, void *parse_context,
                        ULONG *attributes_out, struct ob_header **found)
{
    struct ob_capture capture;
    struct ob_lookup lookup;
    NTSTATUS status = ob_capture_attributes(attributes, access_mode, &capture);

    if (NT_SUCCESS(status) && name_required && !capture.name.Length)
        status = STATUS_OBJECT_NAME_INVALID;
    if (NT_SUCCESS(status)) {
        lookup = (struct ob_lookup){
            .root = capture.root,
            .name = capture.name,
            .attributes = capture.attributes,
            .type = type,
            .mode = access_mode,
            .desired_access = desired_access,
            .parse_context = parse_context,
        };
        status = ob_lookup(&lookup);
        *found = lookup.found;
        *attributes_out = capture.attributes;
    }
    ob_capture_release(&capture);
    return status;
}

NTSTATUS ob_open_object_by_name(const OBJECT_ATTRIBUTES *attributes, POBJECT_TYPE type, KPROCESSOR_MODE access_mode,
                                ACCESS_MASK desired_access, void *parse_context, HANDLE *handle)
{
    struct ob_header *found;
    ULONG flags;
    NTSTATUS status, handle_status;

    *handle = NULL;
    if (!attributes)
        return STATUS_INVALID_PARAMETER;
    status = ob_find(attributes, false, type, access_mode, desired_access, parse_context, &flags, &found);
    if (!NT_SUCCESS(status))
        return status;
    /* OBJ_OPENLINK and the like, refused by the object's type. */
    if (found->type->info.invalid_attributes & flags)
        handle_status = STATUS_INVALID_PARAMETER;
    else
        handle_status = ob_create_handle(found, type, desired_access, flags, access_mode, handle);
    if (!NT_SUCCESS(handle_status)) {
        ob_dereference_header(found, NULL);
        status = handle_status;
    }
    return status;
}

NTSTATUS ob_reference_object_by_name(PCUNICODE_STRING name, ULONG attributes, POBJECT_TYPE type,
                                     KPROCESSOR_MODE access_mode, ACCESS_MASK desired_access, void *parse_context,
                                     void **object)
{
    OBJECT_ATTRIBUTES oa;
    struct ob_header *found;
    ULONG flags;
    NTSTATUS status;

    *object = NULL;
    InitializeObjectAttributes(&oa, (PUNICODE_STRING)name, attributes, NULL, NULL);
    status = ob_find(name ? &oa : NULL, true, type, access_mode, desired_access, parse_context, &flags, &found);
    if (NT_SUCCESS(status) && type && found->type != type) {
        ob_dereference_header(found, NULL);
        status = STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (NT_SUCCESS(status))
        *object = ob_body_of(found);
    return status;
}

NTSTATUS ob_open_object_by_pointer(void *object, ULONG attributes, ACCESS_MASK desired_access, POBJECT_TYPE type,
                                   KPROCESSOR_MODE access_mode, HANDLE *handle)
{
    struct ob_header *header = ob_header_of(object);
    NTSTATUS status;

    *handle = NULL;
    /* ObReferenceObjectByPointer's rule first, then the handle's. */
    if (header->type != type && (access_mode != KernelMode || type == ob_symbolic_link_object_type))
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (header->type->info.invalid_attributes & attributes)
        return STATUS_INVALID_PARAMETER;
    if (access_mode != KernelMode)
        attributes &= ~OBJ_KERNEL_HANDLE;
    ob_reference_header(header);
    status = ob_create_handle(header, type, desired_access, attributes, access_mode, handle);
    if (!NT_SUCCESS(status))
        ob_dereference_header(header, NULL);
    return status;
}

/* "Opens an object referenced by a pointer and returns a handle to the
 * object" (WDK, ntifs.h): STATUS_OBJECT_TYPE_MISMATCH for another type,
 * STATUS_INVALID_PARAMETER for attributes the type refuses. FIXME: a
 * PassedAccessState is not read (ACCESS_STATE is not declared yet); the
 * handle gets DesiredAccess. PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI ObOpenObjectByPointer(PVOID Object, ULONG HandleAttributes,
                                                 PACCESS_STATE PassedAccessState, ACCESS_MASK DesiredAccess,
                                                 POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode, PHANDLE Handle)
{
    const void *at = __builtin_return_address(0);

    (void)PassedAccessState;
    ob_check_body(Object, "ObOpenObjectByPointer", at);
    if (!Handle)
        return ob_zw_result(STATUS_ACCESS_VIOLATION, "ObOpenObjectByPointer", at);
    return ob_open_object_by_pointer(Object, HandleAttributes, DesiredAccess, ObjectType, AccessMode, Handle);
}
