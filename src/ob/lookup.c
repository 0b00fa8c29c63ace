/* ob/lookup.c: name lookup in the object namespace (Windows'
 * ObpLookupObjectName and ObpParseSymbolicLink), and the removal of a
 * temporary object's name at its last handle (ObpDeleteNameCheck).
 *
 * A name is absolute ("\Device\Zero") or relative to a RootDirectory
 * handle. "\??" and "\??\..." lead to the device map, which in ntbox is
 * always \GLOBAL?? (there are no per-user device maps, so
 * OBJ_IGNORE_IMPERSONATED_DEVICEMAP changes nothing). A symbolic link met
 * on the way is followed by starting again with its target in front of the
 * rest of the name, at most 31 times; at the end of the name it is itself
 * the answer when the caller asks for SymbolicLink, or, as Windows, for any
 * type in kernel mode. OBJ_DONT_REPARSE turns any reparse into
 * STATUS_REPARSE_POINT_ENCOUNTERED. Types with a parse procedure (Device)
 * take over the rest of the name. OBJ_OPENLINK, which Windows honours only
 * for registry links, is refused by the standard types as an invalid
 * attribute (see ob_open_object_by_name), not here. */
#include "ob/obp.h"

#include <stdlib.h>
#include <string.h>

/* Windows' OBJ_MAX_REPARSE_ATTEMPTS: the 32nd reparse fails the lookup. */
#define OB_MAX_REPARSE 32

/* The name so far: `complete` is the whole (possibly reparsed) name. */
struct ob_pass {
    struct ob_lookup *lookup;
    struct ob_header *root;      /* referenced RootDirectory object, or NULL */
    UNICODE_STRING complete;
    ULONG attributes;            /* with OBJ_CASE_INSENSITIVE added per the type */
    KPROCESSOR_MODE check_mode;  /* UserMode for user callers and OBJ_FORCE_ACCESS_CHECK */
    UNICODE_STRING reparse;      /* out with STATUS_REPARSE: the new name, malloc'd */
};

static bool ob_is_separator_at(PCUNICODE_STRING s, USHORT bytes)
{
    return s->Length > bytes && s->Buffer[bytes / sizeof(WCHAR)] == L'\\';
}

/* target + remaining, malloc'd. */
static NTSTATUS ob_join(UNICODE_STRING *out, PCUNICODE_STRING target, PCUNICODE_STRING remaining)
{
    size_t n = (size_t)target->Length + remaining->Length;
    WCHAR *buffer;

    if (n > 0xFFFF - sizeof(WCHAR))
        return STATUS_NAME_TOO_LONG;
    buffer = malloc(n + sizeof(WCHAR));
    if (!buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (target->Length)
        memcpy(buffer, target->Buffer, target->Length);
    if (remaining->Length)
        memcpy((char *)buffer + target->Length, remaining->Buffer, remaining->Length);
    buffer[n / sizeof(WCHAR)] = UNICODE_NULL;
    out->Buffer = buffer;
    out->Length = (USHORT)n;
    out->MaximumLength = (USHORT)(n + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* ObpParseSymbolicLink. */
static NTSTATUS ob_parse_symbolic_link(struct ob_pass *pass, struct ob_header *link, PCUNICODE_STRING remaining)
{
    POBJECT_TYPE type = pass->lookup->type;
    const struct ob_symbolic_link *body = ob_body_of(link);

    if (remaining->Length == 0) {
        /* ObReferenceObjectByPointer(link, type, mode) succeeding: the link
         * is what the caller opens. */
        if (type && (type == ob_symbolic_link_object_type || pass->check_mode == KernelMode)) {
            ob_reference_header(link);
            pass->lookup->found = link;
            return STATUS_SUCCESS;
        }
    } else if (remaining->Buffer[0] != L'\\') {
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (pass->attributes & OBJ_DONT_REPARSE)
        return STATUS_REPARSE_POINT_ENCOUNTERED;
    NTSTATUS status = ob_join(&pass->reparse, &body->target, remaining);
    return NT_SUCCESS(status) ? STATUS_REPARSE : status;
}

/* Hands the rest of the name to the object's parse procedure (or follows a
 * symbolic link). `object` is referenced by the caller; the lock is not held. */
static NTSTATUS ob_parse(struct ob_pass *pass, struct ob_header *object, PCUNICODE_STRING remaining)
{
    struct ob_lookup *l = pass->lookup;
    NTSTATUS (*parse)(void *, struct ob_parse_request *, void **) = object->type->info.procedures.parse;
    struct ob_parse_request request = {
        .type = l->type,
        .previous_mode = l->mode,
        .access_mode = pass->check_mode,
        .attributes = pass->attributes,
        .desired_access = l->desired_access,
        .context = l->insert ? NULL : l->parse_context,
        .complete_name = &pass->complete,
        .remaining_name = *remaining,
        .inserting = l->insert != NULL,
    };
    void *result = NULL;
    NTSTATUS status;

    if (object->type == ob_symbolic_link_object_type)
        return ob_parse_symbolic_link(pass, object, remaining);
    if (!parse)
        return STATUS_OBJECT_TYPE_MISMATCH;
    status = parse(ob_body_of(object), &request, &result);
    if (status == STATUS_REPARSE) {
        if (!request.reparse_name.Buffer)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        if (pass->attributes & OBJ_DONT_REPARSE) {
            free(request.reparse_name.Buffer);
            return STATUS_REPARSE_POINT_ENCOUNTERED;
        }
        pass->reparse = request.reparse_name;
        return STATUS_REPARSE;
    }
    if (!NT_SUCCESS(status))
        return status;
    if (!result)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    l->found = ob_header_of(result);
    return status;
}

static bool ob_has_parse(struct ob_header *object)
{
    return object->type == ob_symbolic_link_object_type || object->type->info.procedures.parse;
}

/* Leaves the lock, runs the parse step on a referenced object. */
static NTSTATUS ob_parse_unlocked(struct ob_pass *pass, struct ob_header *object, PCUNICODE_STRING remaining)
{
    NTSTATUS status;

    ob_reference_header(object);
    ob_unlock();
    status = ob_parse(pass, object, remaining);
    ob_dereference_header(object, NULL);
    return status;
}

static NTSTATUS ob_found_locked(struct ob_pass *pass, struct ob_header *object)
{
    ob_reference_header(object);
    pass->lookup->found = object;
    ob_unlock();
    return STATUS_SUCCESS;
}

/* Where the walk starts: *directory and the name left to walk (the lock
 * still held), or, *directory left NULL, the answer itself (lock released). */
static NTSTATUS ob_start_locked(struct ob_pass *pass, struct ob_header **directory, UNICODE_STRING *rest)
{
    static const WCHAR dos_devices[] = L"\\??";
    const USHORT dos_length = sizeof dos_devices - sizeof(WCHAR);
    PCUNICODE_STRING name = &pass->complete;
    struct ob_header *root = pass->root;

    *rest = *name;
    if (root) {
        /* Only a file may take an absolute name relative to it. */
        if (name->Length && name->Buffer[0] == L'\\' && root->type != *IoFileObjectType) {
            ob_unlock();
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        }
        if (root->type != ob_directory_object_type) {
            if (!ob_has_parse(root)) {
                ob_unlock();
                return STATUS_OBJECT_TYPE_MISMATCH;
            }
            return ob_parse_unlocked(pass, root, name);
        }
        if (name->Length == 0)
            return ob_found_locked(pass, root);
        *directory = root;
        return STATUS_SUCCESS;
    }
    if (name->Length == 0 || name->Buffer[0] != L'\\') {
        ob_unlock();
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    if (name->Length == sizeof(WCHAR))
        return ob_found_locked(pass, ob_root_directory);
    if (name->Length >= dos_length && !memcmp(name->Buffer, dos_devices, dos_length) &&
        (name->Length == dos_length || ob_is_separator_at(name, dos_length))) {
        if (name->Length == dos_length)
            return ob_found_locked(pass, ob_dos_devices_directory);
        rest->Buffer += dos_length / sizeof(WCHAR);
        rest->Length -= dos_length;
        *directory = ob_dos_devices_directory;
        return STATUS_SUCCESS;
    }
    *directory = ob_root_directory;
    return STATUS_SUCCESS;
}

/* One pass over the current name; STATUS_REPARSE asks for another with
 * pass->reparse. */
static NTSTATUS ob_lookup_pass(struct ob_pass *pass)
{
    struct ob_lookup *l = pass->lookup;
    bool case_insensitive = pass->attributes & OBJ_CASE_INSENSITIVE;
    struct ob_header *directory = NULL;
    UNICODE_STRING rest;
    NTSTATUS status;

    ob_lock();
    status = ob_start_locked(pass, &directory, &rest);
    if (!directory)
        return status;
    for (;;) {
        UNICODE_STRING component;
        struct ob_header *object;

        if (rest.Length && rest.Buffer[0] == L'\\') {
            rest.Buffer++;
            rest.Length -= sizeof(WCHAR);
        }
        component = rest;
        while (rest.Length && rest.Buffer[0] != L'\\') {
            rest.Buffer++;
            rest.Length -= sizeof(WCHAR);
        }
        component.Length -= rest.Length;
        component.MaximumLength = component.Length;
        if (component.Length == 0) {
            ob_unlock();
            return STATUS_OBJECT_NAME_INVALID;
        }
        object = ob_directory_find_locked(directory, &component, case_insensitive);
        if (!object) {
            if (rest.Length)
                status = STATUS_OBJECT_PATH_NOT_FOUND;
            else if (!l->insert)
                status = STATUS_OBJECT_NAME_NOT_FOUND;
            else if (NT_SUCCESS(status = ob_directory_insert_locked(directory, l->insert, &component)))
                l->found = l->insert;
            ob_unlock();
            return status;
        }
        /* Parse procedures are not run while inserting, except a link's. */
        if (object->type == ob_symbolic_link_object_type || (ob_has_parse(object) && !l->insert))
            return ob_parse_unlocked(pass, object, &rest);
        if (rest.Length == 0)
            return ob_found_locked(pass, object);
        if (object->type != ob_directory_object_type) {
            ob_unlock();
            return STATUS_OBJECT_TYPE_MISMATCH;
        }
        directory = object;
    }
}

NTSTATUS ob_lookup(struct ob_lookup *l)
{
    struct ob_pass pass = { .lookup = l, .complete = l->name, .attributes = l->attributes };
    int attempts = OB_MAX_REPARSE;
    WCHAR *owned = NULL;
    NTSTATUS status;

    l->found = NULL;
    if (l->mode != KernelMode || (l->attributes & OBJ_FORCE_ACCESS_CHECK))
        pass.check_mode = UserMode;
    else
        pass.check_mode = KernelMode;
    /* Windows' default (obcaseinsensitive = 1): case-insensitive unless the
     * type asked for is a case-sensitive one. */
    if (!l->type || l->type->info.case_insensitive)
        pass.attributes |= OBJ_CASE_INSENSITIVE;
    if (l->root) {
        void *body;
        status = ob_reference_object_by_handle(l->root, 0, NULL, l->mode, &body, NULL);
        if (!NT_SUCCESS(status))
            return status;
        pass.root = ob_header_of(body);
    }
    while ((status = ob_lookup_pass(&pass)) == STATUS_REPARSE) {
        free(owned);
        owned = pass.reparse.Buffer;
        pass.complete = pass.reparse;
        memset(&pass.reparse, 0, sizeof pass.reparse);
        if (pass.root) {
            ob_dereference_header(pass.root, NULL);
            pass.root = NULL;
        }
        if (--attempts == 0) {
            status = STATUS_OBJECT_NAME_NOT_FOUND;
            break;
        }
    }
    free(owned);
    if (pass.root)
        ob_dereference_header(pass.root, NULL);
    return status;
}

void ob_name_check(struct ob_header *header)
{
    struct ob_header *directory = NULL;

    ob_lock();
    if (header->directory && header->handles == 0 && !(header->flags & OB_FLAG_PERMANENT)) {
        directory = header->directory;
        ob_directory_remove_locked(header);
    }
    ob_unlock();
    if (directory) {
        ob_dereference_header(directory, NULL);
        ob_dereference_header(header, NULL);
    }
}
