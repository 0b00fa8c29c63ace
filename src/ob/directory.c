/* ob/directory.c: directory objects: their entries, and ZwCreateDirectoryObject,
 * ZwOpenDirectoryObject, ZwQueryDirectoryObject.
 *
 * Windows keeps a directory in 37 hash buckets and enumerates it in bucket
 * order; ntbox keeps the entries sorted by name (case-insensitively, then
 * exactly), so listings are deterministic. Enumeration contexts are entry
 * indexes, as Windows': a directory changed between two calls shifts them. */
#include "ob/obp.h"

#include <stdlib.h>
#include <string.h>

/* Sorting order: case-insensitive, then exact, so that names differing
 * only by case (possible with case-sensitive creates) keep a fixed order. */
static LONG ob_directory_compare(PCUNICODE_STRING a, PCUNICODE_STRING b)
{
    LONG c = RtlCompareUnicodeString(a, b, TRUE);
    return c ? c : RtlCompareUnicodeString(a, b, FALSE);
}

/* The first entry not sorting before name case-insensitively. */
static ULONG ob_directory_lower_bound(const struct ob_directory *d, PCUNICODE_STRING name)
{
    ULONG lo = 0, hi = d->count;
    while (lo < hi) {
        ULONG mid = lo + (hi - lo) / 2;
        if (RtlCompareUnicodeString(&d->entries[mid]->name, name, TRUE) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct ob_header *ob_directory_find_locked(struct ob_header *directory, PCUNICODE_STRING name, bool case_insensitive)
{
    const struct ob_directory *d = ob_body_of(directory);

    for (ULONG i = ob_directory_lower_bound(d, name); i < d->count; i++) {
        struct ob_header *e = d->entries[i];
        if (!RtlEqualUnicodeString(&e->name, name, TRUE))
            break;
        if (case_insensitive || RtlEqualUnicodeString(&e->name, name, FALSE))
            return e;
    }
    return NULL;
}

NTSTATUS ob_directory_insert_locked(struct ob_header *directory, struct ob_header *object, PCUNICODE_STRING name)
{
    struct ob_directory *d = ob_body_of(directory);
    ULONG at = ob_directory_lower_bound(d, name);

    if (d->count == d->capacity) {
        ULONG grown = d->capacity ? d->capacity * 2 : 8;
        struct ob_header **bigger = realloc(d->entries, grown * sizeof *bigger);
        if (!bigger)
            return STATUS_INSUFFICIENT_RESOURCES;
        d->entries = bigger;
        d->capacity = grown;
    }
    if (!ob_copy_string(&object->name, name->Buffer, name->Length))
        return STATUS_INSUFFICIENT_RESOURCES;
    while (at < d->count && ob_directory_compare(&d->entries[at]->name, name) < 0)
        at++;
    memmove(&d->entries[at + 1], &d->entries[at], (d->count - at) * sizeof *d->entries);
    d->entries[at] = object;
    d->count++;
    object->directory = directory;
    /* The name holds a reference on the object and one on its directory. */
    ob_reference_header(object);
    ob_reference_header(directory);
    return STATUS_SUCCESS;
}

void ob_directory_remove_locked(struct ob_header *object)
{
    struct ob_directory *d = ob_body_of(object->directory);

    for (ULONG i = ob_directory_lower_bound(d, &object->name); i < d->count; i++) {
        if (d->entries[i] != object)
            continue;
        memmove(&d->entries[i], &d->entries[i + 1], (d->count - i - 1) * sizeof *d->entries);
        d->count--;
        break;
    }
    free(object->name.Buffer);
    memset(&object->name, 0, sizeof object->name);
    object->directory = NULL;
}

void ob_directory_delete(void *body)
{
    free(((struct ob_directory *)body)->entries);
}

struct ob_header *ob_directory_entry_locked(struct ob_header *directory, ULONG index)
{
    const struct ob_directory *d = ob_body_of(directory);
    return index < d->count ? d->entries[index] : NULL;
}

/* NtCreateDirectoryObject: "creates or opens an object-directory object"
 * (with OBJ_OPENIF); NULL ObjectAttributes make an unnamed one. */
NTSTATUS ob_create_directory_object(HANDLE *handle, ACCESS_MASK desired_access, const OBJECT_ATTRIBUTES *attributes,
                                    KPROCESSOR_MODE previous_mode)
{
    void *body;
    NTSTATUS status;

    if (!handle)
        return STATUS_ACCESS_VIOLATION;
    status = ob_create_object(ob_directory_object_type, attributes, previous_mode, 0, &body);
    if (!NT_SUCCESS(status))
        return status;
    return ob_insert_object(body, desired_access, NULL, handle);
}

NTSTATUS ob_open_directory_object(HANDLE *handle, ACCESS_MASK desired_access, const OBJECT_ATTRIBUTES *attributes,
                                  KPROCESSOR_MODE previous_mode)
{
    if (!handle)
        return STATUS_ACCESS_VIOLATION;
    return ob_open_object_by_name(attributes, ob_directory_object_type, previous_mode, desired_access, NULL, handle);
}

/* The size of OBJECT_DIRECTORY_INFORMATION: two UNICODE_STRINGs. */
#define OB_DIRECTORY_INFO_SIZE (2 * sizeof(UNICODE_STRING))

/* One entry chosen for the caller's buffer: copies of its strings. */
struct ob_directory_pick {
    UNICODE_STRING name, type_name;
};

/* Lays the picked entries out as Windows does: the array, a zeroed entry,
 * then each name and type name, NUL-terminated, in entry order. */
static void ob_directory_write(PVOID buffer, const struct ob_directory_pick *picks, ULONG count)
{
    UNICODE_STRING *info = buffer;
    WCHAR *text = (WCHAR *)((char *)buffer + (count + 1) * OB_DIRECTORY_INFO_SIZE);

    memset(&info[2 * count], 0, OB_DIRECTORY_INFO_SIZE);
    for (ULONG i = 0; i < count; i++) {
        const UNICODE_STRING *from[2] = { &picks[i].name, &picks[i].type_name };
        for (int k = 0; k < 2; k++) {
            UNICODE_STRING *to = &info[2 * i + k];
            memcpy(text, from[k]->Buffer, from[k]->Length);
            text[from[k]->Length / sizeof(WCHAR)] = UNICODE_NULL;
            to->Buffer = text;
            to->Length = from[k]->Length;
            to->MaximumLength = (USHORT)(from[k]->Length + sizeof(WCHAR));
            text += to->MaximumLength / sizeof(WCHAR);
        }
    }
}

/* NtQueryDirectoryObject, as Windows implements it: entries from *Context
 * (0 with RestartScan) while they fit, each costing its structure and both
 * strings with their NULs, plus one zeroed structure at the end. The first
 * entry that does not fit stops the scan: STATUS_MORE_ENTRIES, or with
 * ReturnSingleEntry STATUS_BUFFER_TOO_SMALL and ReturnLength the size that
 * entry needs. No entry left: STATUS_NO_MORE_ENTRIES. *Context moves past
 * what was returned on success and STATUS_MORE_ENTRIES only. */
NTSTATUS ob_query_directory_object(HANDLE handle, PVOID buffer, ULONG length, BOOLEAN single_entry,
                                   BOOLEAN restart, PULONG context, PULONG return_length,
                                   KPROCESSOR_MODE previous_mode)
{
    struct ob_directory_pick *picks = NULL;
    ULONG index, count = 0, total = OB_DIRECTORY_INFO_SIZE;
    NTSTATUS status = STATUS_NO_MORE_ENTRIES;
    void *directory;

    if (!context || (!buffer && length))
        return STATUS_ACCESS_VIOLATION;
    if (length > MAXULONG - OB_DIRECTORY_INFO_SIZE)
        return STATUS_INVALID_PARAMETER;
    index = restart ? 0 : *context;
    status = ob_reference_object_by_handle(handle, DIRECTORY_QUERY, ob_directory_object_type, previous_mode,
                                           &directory, NULL);
    if (!NT_SUCCESS(status))
        return status;
    status = STATUS_NO_MORE_ENTRIES;
    ob_lock();
    for (struct ob_header *e; (e = ob_directory_entry_locked(ob_header_of(directory), index)) != NULL;) {
        PCUNICODE_STRING type_name = &e->type->name;
        ULONG size = (ULONG)(OB_DIRECTORY_INFO_SIZE + e->name.Length + type_name->Length + 2 * sizeof(WCHAR));
        struct ob_directory_pick *grown;

        if (total + size > length) {
            if (single_entry)
                total += size;
            status = single_entry ? STATUS_BUFFER_TOO_SMALL : STATUS_MORE_ENTRIES;
            break;
        }
        grown = realloc(picks, (count + 1) * sizeof *picks);
        if (!grown || !ob_copy_string(&grown[count].name, e->name.Buffer, e->name.Length)) {
            picks = grown ? grown : picks;
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        picks = grown;
        picks[count].type_name = *type_name; /* types live for the whole run */
        count++;
        total += size;
        index++;
        status = STATUS_SUCCESS;
        if (single_entry)
            break;
    }
    ob_unlock();
    if (NT_SUCCESS(status) && total <= length)
        ob_directory_write(buffer, picks, count);
    else if (status != STATUS_INSUFFICIENT_RESOURCES && length)
        /* Windows builds the answer in a zeroed scratch buffer and copies
         * out what fits: zeros when no entry did. */
        memset(buffer, 0, total < length ? total : length);
    if (status != STATUS_INSUFFICIENT_RESOURCES) {
        if (return_length)
            *return_length = total;
        if (NT_SUCCESS(status))
            *context = index;
    }
    for (ULONG i = 0; i < count; i++)
        free(picks[i].name.Buffer);
    free(picks);
    ob_dereference_object(directory);
    return status;
}

/* "The ZwCreateDirectoryObject routine creates or opens an object-directory
 * object" (WDK); PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwCreateDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                                                POBJECT_ATTRIBUTES ObjectAttributes)
{
    return ob_zw_result(ob_create_directory_object(DirectoryHandle, DesiredAccess, ObjectAttributes, KernelMode),
                        "ZwCreateDirectoryObject", __builtin_return_address(0));
}

/* "Opens an existing directory object" (WDK, ntifs.h); PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwOpenDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                                              POBJECT_ATTRIBUTES ObjectAttributes)
{
    return ob_zw_result(ob_open_directory_object(DirectoryHandle, DesiredAccess, ObjectAttributes, KernelMode),
                        "ZwOpenDirectoryObject", __builtin_return_address(0));
}

/* NtQueryDirectoryObject from kernel mode (Windows SDK devnotes); the handle
 * needs DIRECTORY_QUERY when the caller is UserMode. */
NTSYSAPI NTSTATUS NTAPI ZwQueryDirectoryObject(HANDLE DirectoryHandle, PVOID Buffer, ULONG Length,
                                               BOOLEAN ReturnSingleEntry, BOOLEAN RestartScan, PULONG Context,
                                               PULONG ReturnLength)
{
    return ob_zw_result(ob_query_directory_object(DirectoryHandle, Buffer, Length, ReturnSingleEntry, RestartScan,
                                                  Context, ReturnLength, KernelMode),
                        "ZwQueryDirectoryObject", __builtin_return_address(0));
}
