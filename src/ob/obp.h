/* ob/obp.h: the object manager's private structures and helpers, shared by
 * the files of src/ob only (other components use ob/ob.h).
 *
 * Locking: ob_lock() guards the namespace (directory entries, names), the
 * handle tables and the handle counts. Reference counts are atomic and
 * change without it. Helpers named *_locked expect it held; the others take
 * it themselves and never call a type procedure while holding it. */
#ifndef NTBOX_OB_OBP_H
#define NTBOX_OB_OBP_H

#include "ob/ob.h"

#include <stdbool.h>
#include <stddef.h>

/* "ntboxOBJ": marks a live header, to catch pointers that are no object. */
#define OB_HEADER_MAGIC 0x4A424F78786F746EULL

enum ob_header_flags {
    OB_FLAG_PERMANENT = 0x1, /* OBJ_PERMANENT: the name stays without handles */
    OB_FLAG_EXCLUSIVE = 0x2, /* created with OBJ_EXCLUSIVE */
    OB_FLAG_NEW = 0x4,       /* created, no handle or insertion yet */
};

/* How many handles one table holds to one object (Windows' handle count
 * database), for the close procedure and OBJ_EXCLUSIVE. */
struct ob_table_count {
    struct ob_handle_table *table;
    ULONG count;
    struct ob_table_count *next;
};

/* What ob_create_object captured from the OBJECT_ATTRIBUTES, for
 * ob_insert_object. */
struct ob_capture {
    ULONG attributes;
    HANDLE root;         /* RootDirectory, unresolved */
    UNICODE_STRING name; /* malloc'd, NUL-terminated; Buffer NULL: no name */
};

struct ob_header {
    ULONG64 magic;
    LONG_PTR references; /* atomic */
    LONG_PTR handles;    /* changed under the lock, read atomically */
    POBJECT_TYPE type;
    ULONG flags;
    KPROCESSOR_MODE create_mode;
    struct ob_header *directory; /* the directory the name is in, NULL when unnamed */
    UNICODE_STRING name;         /* malloc'd; Buffer NULL when unnamed */
    struct ob_table_count *table_counts;
    struct ob_handle_table *exclusive_owner;
    struct ob_capture create; /* until ob_insert_object */
    LIST_ENTRY all_link;      /* every live object, creation order */
    __attribute__((aligned(16))) unsigned char body[];
};

static inline struct ob_header *ob_header_of(const void *body)
{
    return (struct ob_header *)((char *)body - offsetof(struct ob_header, body));
}

static inline void *ob_body_of(struct ob_header *header)
{
    return header->body;
}

/* An object type's body. */
struct _OBJECT_TYPE {
    UNICODE_STRING name;
    struct ob_type_info info;
};

/* A directory's body: its entries sorted by name (case-insensitively, ties
 * in exact order), which is also the order ZwQueryDirectoryObject and
 * ob_print_namespace give. */
struct ob_directory {
    struct ob_header **entries;
    ULONG count, capacity;
};

/* A symbolic link's body: Length bytes of target, NUL-terminated,
 * MaximumLength = Length + sizeof(WCHAR). */
struct ob_symbolic_link {
    UNICODE_STRING target;
};

void ob_lock(void);
void ob_unlock(void);

/* The root directory and \GLOBAL??, where \?? leads (the one device map). */
extern struct ob_header *ob_root_directory;
extern struct ob_header *ob_dos_devices_directory;

/* type.c: creates the Device, Driver, File and Event types (at startup,
 * from ob/init.c). */
void ob_init_types(void);

/* object.c */
NTSTATUS ob_allocate_object(POBJECT_TYPE type, ULONG body_size, KPROCESSOR_MODE mode, struct ob_header **header);
void ob_reference_header(struct ob_header *header);
/* Drops a reference, deleting the object at 0; returns the count left. */
LONG_PTR ob_dereference_header(struct ob_header *header, const void *at);
/* The bugcheck for a pointer that is not a live object's body. */
void ob_check_body(const void *body, const char *routine, const void *at);

/* capture.c: OBJECT_ATTRIBUTES validation and capture (ObpCaptureObjectCreateInformation). */
NTSTATUS ob_capture_attributes(const OBJECT_ATTRIBUTES *attributes, KPROCESSOR_MODE mode, struct ob_capture *out);
void ob_capture_release(struct ob_capture *capture);
/* Maps GENERIC_* and MAXIMUM_ALLOWED through the type's mapping. */
ACCESS_MASK ob_map_access(POBJECT_TYPE type, ACCESS_MASK desired);
/* A counted copy of s, NUL-terminated, malloc'd; false when out of memory. */
bool ob_copy_string(UNICODE_STRING *dst, const WCHAR *buffer, USHORT length);

/* directory.c */
struct ob_header *ob_directory_find_locked(struct ob_header *directory, PCUNICODE_STRING name, bool case_insensitive);
NTSTATUS ob_directory_insert_locked(struct ob_header *directory, struct ob_header *object, PCUNICODE_STRING name);
/* Takes the object out of its directory; the caller drops the two
 * references the name held (on the object and on the directory). */
void ob_directory_remove_locked(struct ob_header *object);
/* The Directory type's delete procedure (a directory with names in it
 * cannot be deleted: each name references it). */
void ob_directory_delete(void *body);
/* The object at position index, or NULL. */
struct ob_header *ob_directory_entry_locked(struct ob_header *directory, ULONG index);

/* lookup.c: ObpLookupObjectName. */
struct ob_lookup {
    /* in */
    HANDLE root;                   /* RootDirectory, or NULL */
    UNICODE_STRING name;           /* the name as given */
    ULONG attributes;
    POBJECT_TYPE type;
    KPROCESSOR_MODE mode;
    ACCESS_MASK desired_access;
    void *parse_context;
    struct ob_header *insert;      /* the object to insert, or NULL */
    /* out: referenced, == insert when it was inserted under the name */
    struct ob_header *found;
};
NTSTATUS ob_lookup(struct ob_lookup *lookup);
/* Windows' ObpDeleteNameCheck: a temporary named object with no handle
 * leaves the namespace. */
void ob_name_check(struct ob_header *header);

/* handle.c */
/* Makes a handle for an object the caller holds a reference on; on success
 * the handle takes that reference. */
NTSTATUS ob_create_handle(struct ob_header *header, POBJECT_TYPE type, ACCESS_MASK desired_access, ULONG attributes,
                          KPROCESSOR_MODE mode, HANDLE *handle);
/* Same with the granted access already decided (ZwDuplicateObject) and the
 * table chosen by the caller (the kernel table makes kernel handles). */
NTSTATUS ob_create_handle_in(struct ob_handle_table *table, struct ob_header *header, ACCESS_MASK granted,
                             ULONG attributes, HANDLE *handle);

/* The Zw exports' common tail: STATUS_ACCESS_VIOLATION from a NULL
 * pointer becomes the unhandled kernel-mode fault Windows would take. */
NTSTATUS ob_zw_result(NTSTATUS status, const char *routine, const void *at);

/* symlink.c: the SymbolicLink type's delete procedure. */
void ob_symbolic_link_delete(void *body);

/* type.c: the Type type's delete procedure (only a type that failed to be
 * inserted is ever deleted). */
void ob_type_delete(void *body);

/* name.c: UTF-16 -> UTF-8, malloc'd (ntbox's reports). */
char *ob_utf8(const WCHAR *text, USHORT bytes);

#endif
