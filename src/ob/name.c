/* ob/name.c: an object's full name: ObQueryNameString, and the same as
 * UTF-8 for ntbox's reports.
 *
 * The name is the path of directories from \ down to the object
 * ("\Device\Zero"); an object in a directory that is itself unnamed gets
 * "..." for the part that cannot be named ("...\Thing"). A type with a
 * query_name procedure (File) answers for its objects instead. */
#include "ob/obp.h"

#include <stdlib.h>
#include <string.h>

/* The full name ("\Device\Zero"), malloc'd, NUL-terminated; Length 0
 * when unnamed; false when out of memory or too long. */
static bool ob_full_name(struct ob_header *header, UNICODE_STRING *name)
{
    static const WCHAR unknown[] = L"...";
    size_t length = 0;
    WCHAR *buffer, *at;
    struct ob_header *h;

    memset(name, 0, sizeof *name);
    ob_lock();
    if (header == ob_root_directory) {
        length = sizeof(WCHAR);
    } else if (header->directory) {
        for (h = header; h->directory; h = h->directory)
            length += sizeof(WCHAR) + h->name.Length;
        if (h != ob_root_directory)
            length += sizeof unknown - sizeof(WCHAR);
    }
    if (length == 0 || length > 0xFFFF - sizeof(WCHAR)) {
        ob_unlock();
        return length == 0;
    }
    buffer = malloc(length + sizeof(WCHAR));
    if (!buffer) {
        ob_unlock();
        return false;
    }
    at = buffer + length / sizeof(WCHAR);
    *at = UNICODE_NULL;
    for (h = header; h->directory; h = h->directory) {
        at -= h->name.Length / sizeof(WCHAR);
        memcpy(at, h->name.Buffer, h->name.Length);
        *--at = L'\\';
    }
    if (header == ob_root_directory)
        buffer[0] = L'\\';
    else if (at != buffer)
        memcpy(buffer, unknown, sizeof unknown - sizeof(WCHAR));
    ob_unlock();
    name->Buffer = buffer;
    name->Length = (USHORT)length;
    name->MaximumLength = (USHORT)(length + sizeof(WCHAR));
    return true;
}

char *ob_utf8(const WCHAR *text, USHORT bytes)
{
    size_t n = bytes / sizeof(WCHAR), used = 0;
    char *out = malloc(n * 3 + 1);

    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned c = text[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && text[i + 1] >= 0xDC00 && text[i + 1] < 0xE000)
            c = 0x10000 + ((c - 0xD800) << 10) + (text[++i] - 0xDC00u);
        if (c < 0x80) {
            out[used++] = (char)c;
        } else if (c < 0x800) {
            out[used++] = (char)(0xC0 | (c >> 6));
            out[used++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[used++] = (char)(0xE0 | (c >> 12));
            out[used++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[used++] = (char)(0x80 | (c & 0x3F));
        } else {
            /* A surrogate pair: 4 bytes for 2 units, within the 6 reserved. */
            out[used++] = (char)(0xF0 | (c >> 18));
            out[used++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[used++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[used++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[used] = 0;
    return out;
}

char *ob_object_path(void *object)
{
    UNICODE_STRING name;
    char *path;

    if (!ob_full_name(ob_header_of(object), &name))
        return NULL;
    path = ob_utf8(name.Buffer, name.Length);
    free(name.Buffer);
    return path;
}

/* "Supplies the name, if there is one, of a given object to which the
 * caller has a pointer" (WDK, ntifs.h): OBJECT_NAME_INFORMATION followed by
 * the NUL-terminated name; Name.Buffer NULL and lengths 0 when unnamed.
 * *ReturnLength is the size needed; a smaller Length (0 included) is
 * STATUS_INFO_LENGTH_MISMATCH with nothing written. IRQL < DISPATCH_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI ObQueryNameString(PVOID Object, POBJECT_NAME_INFORMATION ObjectNameInfo, ULONG Length,
                                             PULONG ReturnLength)
{
    const void *at = __builtin_return_address(0);
    struct ob_header *header = ob_header_of(Object);
    NTSTATUS (*query_name)(void *, BOOLEAN, POBJECT_NAME_INFORMATION, ULONG, PULONG);
    UNICODE_STRING name;
    ULONG needed;

    ob_check_body(Object, "ObQueryNameString", at);
    if (!ReturnLength)
        return ob_zw_result(STATUS_ACCESS_VIOLATION, "ObQueryNameString", at);
    query_name = header->type->info.procedures.query_name;
    if (query_name)
        return query_name(Object, header->name.Length != 0, ObjectNameInfo, Length, ReturnLength);
    if (!ob_full_name(header, &name))
        return STATUS_INSUFFICIENT_RESOURCES;
    needed = sizeof(OBJECT_NAME_INFORMATION) + (name.Length ? name.MaximumLength : 0);
    *ReturnLength = needed;
    if (Length < needed) {
        free(name.Buffer);
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (!ObjectNameInfo) {
        free(name.Buffer);
        return ob_zw_result(STATUS_ACCESS_VIOLATION, "ObQueryNameString", at);
    }
    memset(&ObjectNameInfo->Name, 0, sizeof ObjectNameInfo->Name);
    if (name.Length) {
        ObjectNameInfo->Name.Buffer = (PWCH)(ObjectNameInfo + 1);
        memcpy(ObjectNameInfo->Name.Buffer, name.Buffer, name.MaximumLength);
        ObjectNameInfo->Name.Length = name.Length;
        ObjectNameInfo->Name.MaximumLength = name.MaximumLength;
    }
    free(name.Buffer);
    return STATUS_SUCCESS;
}
