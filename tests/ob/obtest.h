/* tests/ob/obtest.h: small helpers the object manager's tests share:
 * attributes for a literal name, the directory and link system services in
 * one call, and a look at an object's counts through a handle. */
#ifndef NTBOX_TESTS_OB_OBTEST_H
#define NTBOX_TESTS_OB_OBTEST_H

#include "ktest.h"

#include "ob/ob.h"

/* What NtQueryDirectoryObject returns: drivers declare it themselves. */
typedef struct _OBJECT_DIRECTORY_INFORMATION {
    UNICODE_STRING Name;
    UNICODE_STRING TypeName;
} OBJECT_DIRECTORY_INFORMATION, *POBJECT_DIRECTORY_INFORMATION;

/* Attributes naming `text` (kept in *name), as InitializeObjectAttributes. */
static inline POBJECT_ATTRIBUTES ot_attributes(OBJECT_ATTRIBUTES *oa, UNICODE_STRING *name, const WCHAR *text,
                                               ULONG flags, HANDLE root)
{
    RtlInitUnicodeString(name, text);
    InitializeObjectAttributes(oa, name, flags, root, NULL);
    return oa;
}

static inline NTSTATUS ot_create_directory(const WCHAR *path, ULONG flags, HANDLE root, HANDLE *handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    return ZwCreateDirectoryObject(handle, DIRECTORY_ALL_ACCESS, ot_attributes(&oa, &name, path, flags, root));
}

static inline NTSTATUS ot_open_directory(const WCHAR *path, ULONG flags, HANDLE root, HANDLE *handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    return ZwOpenDirectoryObject(handle, DIRECTORY_QUERY, ot_attributes(&oa, &name, path, flags, root));
}

static inline NTSTATUS ot_create_link(const WCHAR *path, const WCHAR *target, ULONG flags, HANDLE root,
                                      HANDLE *handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name, to;
    RtlInitUnicodeString(&to, target);
    return ZwCreateSymbolicLinkObject(handle, SYMBOLIC_LINK_ALL_ACCESS, ot_attributes(&oa, &name, path, flags, root),
                                      &to);
}

/* The body a kernel-mode handle refers to (no reference kept), or NULL. */
static inline void *ot_body(HANDLE handle)
{
    void *body;
    if (!NT_SUCCESS(ob_reference_object_by_handle(handle, 0, NULL, KernelMode, &body, NULL)))
        return NULL;
    ob_dereference_object(body);
    return body;
}

static inline LONG_PTR ot_references(void *body)
{
    LONG_PTR references;
    ob_object_counts(body, &references, NULL);
    return references;
}

static inline LONG_PTR ot_handles(void *body)
{
    LONG_PTR handles;
    ob_object_counts(body, NULL, &handles);
    return handles;
}

#endif
