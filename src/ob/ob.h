/* ob/ob.h: the object manager's internal API, for the other kernel
 * components (the I/O manager above all).
 *
 * An object is a body (DEVICE_OBJECT, FILE_OBJECT, KEVENT...) with a header
 * hidden before it: type, reference count, handle count, name. Everything
 * here takes and returns bodies. The rules are Windows':
 * - every handle holds one reference, and a name in the namespace holds one;
 *   the object is deleted (the type's delete procedure, then its memory) when
 *   the last reference goes, at whatever IRQL: the deletion itself runs at
 *   PASSIVE_LEVEL, as Windows' deferred-delete worker would run it;
 * - a named object leaves the namespace when its last handle is closed,
 *   unless it is permanent (OBJ_PERMANENT; ob_make_temporary undoes that);
 * - handles live in handle tables: one per client process, and the kernel
 *   table, which is also the System process's table (where DriverEntry and
 *   system threads run). Handle values are multiples of 4 from 4; a kernel
 *   handle (OBJ_KERNEL_HANDLE from KernelMode) has the high bits set,
 *   0xFFFFFFFF80000000 | value, and is refused to UserMode callers.
 *
 * One mutex guards the namespace, the handle tables and the counts; no type
 * procedure (open, close, delete, parse, query_name) is ever called with it
 * held, so procedures may call back into the object manager.
 *
 * Object memory is ntbox's own (not the driver's pool): objects a driver
 * leaves behind are reported through ob_for_each_object, not as pool leaks.
 * The object manager is built by a priority constructor, so it is ready
 * before any other component's (unprioritised) constructors run. */
#ifndef NTBOX_OB_OB_H
#define NTBOX_OB_OB_H

#include <ntifs.h>
/* Again, for a file that included ntddk.h before this header. */
#include <ntbox/km_ob.h>

struct ob_handle_table;

/* ---- Object types ------------------------------------------------------ */

/* What a type's open and close procedures are told about a handle. */
struct ob_handle_info {
    struct ob_handle_table *table; /* the table holding the handle */
    void *object;                  /* the body */
    ACCESS_MASK granted_access;
    ULONG handle_count;            /* the object's handles, after this open/close */
    ULONG table_handle_count;      /* its handles in `table`, after this open/close */
    BOOLEAN created;               /* open: first handle of a new object (ob_insert_object,
                                      or an object a parse procedure created) */
};

/* A name lookup that reached an object whose type has a parse procedure. */
struct ob_parse_request {
    POBJECT_TYPE type;             /* the type asked for or being inserted; NULL: any */
    KPROCESSOR_MODE previous_mode; /* the caller's mode */
    KPROCESSOR_MODE access_mode;   /* the mode to check access for: UserMode for user
                                      callers and for OBJ_FORCE_ACCESS_CHECK */
    ULONG attributes;              /* OBJ_*, OBJ_CASE_INSENSITIVE added when the type's
                                      default says so */
    ACCESS_MASK desired_access;    /* as asked, generic rights not mapped */
    void *context;                 /* ob_open_object_by_name's parse_context; NULL for
                                      inserts and for other lookups */
    PCUNICODE_STRING complete_name;/* the whole name being looked up */
    UNICODE_STRING remaining_name; /* the part after the object's own name: empty, or
                                      starting with '\'; points into complete_name. When
                                      the object is the RootDirectory of the lookup, the
                                      relative name as given (possibly empty) */
    BOOLEAN inserting;             /* the lookup inserts a new object under this name */
    UNICODE_STRING reparse_name;   /* out, with STATUS_REPARSE: the new absolute name
                                      to look up, malloc'd; the object manager frees it */
};

/* A type's procedures; any may be NULL. */
struct ob_type_procedures {
    /* A handle was created (counts already include it). A failure status
     * undoes the handle and is returned to the opener. */
    NTSTATUS (*open)(const struct ob_handle_info *info);
    /* A handle was closed (counts no longer include it); the I/O manager
     * sends IRP_MJ_CLEANUP when handle_count is 0. */
    void (*close)(const struct ob_handle_info *info);
    /* The last reference is gone; the memory is freed after this returns
     * (the I/O manager sends IRP_MJ_CLOSE here). */
    void (*delete_object)(void *object);
    /* The lookup reached `object` with request->remaining_name left over.
     * Returns STATUS_SUCCESS with *result a referenced body (the object to
     * open: e.g. a new File object), STATUS_REPARSE with
     * request->reparse_name set, or an error. A procedure that does not
     * recognise request->context returns STATUS_OBJECT_TYPE_MISMATCH, as
     * IopParseDevice does. Not called while inserting, except for a
     * RootDirectory object (as Windows). */
    NTSTATUS (*parse)(void *object, struct ob_parse_request *request, void **result);
    /* ObQueryNameString on an object of this type: fills info (Name.Buffer
     * pointing after the structure) as ObQueryNameString documents. */
    NTSTATUS (*query_name)(void *object, BOOLEAN has_name, POBJECT_NAME_INFORMATION info, ULONG length,
                           PULONG return_length);
};

struct ob_type_info {
    ULONG body_size;                  /* the body ob_create_object gives by default */
    GENERIC_MAPPING generic_mapping;  /* GENERIC_* -> specific rights */
    ACCESS_MASK valid_access_mask;    /* granted access is masked with this */
    ULONG invalid_attributes;         /* OBJ_* flags refused: STATUS_INVALID_PARAMETER */
    BOOLEAN case_insensitive;         /* lookups for this type ignore case without
                                         OBJ_CASE_INSENSITIVE (Windows' default,
                                         obcaseinsensitive = 1) */
    struct ob_type_procedures procedures;
};

/* The standard types, created when ntbox starts, with Windows' generic
 * mappings, access masks and attribute rules, named in \ObjectTypes:
 *   Type, Directory, SymbolicLink (owned here),
 *   Device (*IoDeviceObjectType), Driver (*IoDriverObjectType),
 *   File (*IoFileObjectType): FILE_* mapping, no procedures until the I/O
 *       manager installs them with ob_type_set_procedures;
 *   Event (*ExEventObjectType): body KEVENT, for ZwCreateEvent & co. */
extern POBJECT_TYPE ob_type_object_type;
extern POBJECT_TYPE ob_directory_object_type;
extern POBJECT_TYPE ob_symbolic_link_object_type;

/* A new type named \ObjectTypes\<name>; NULL when the name is taken or
 * memory runs out. Types live for the whole run. */
POBJECT_TYPE ob_type_create(const char *name, const struct ob_type_info *info);

/* Replaces a type's procedures (the I/O manager's for Device, Driver, File). */
void ob_type_set_procedures(POBJECT_TYPE type, const struct ob_type_procedures *procedures);

/* The type's name ("Device"). */
PCUNICODE_STRING ob_type_name(POBJECT_TYPE type);

/* ---- Objects ----------------------------------------------------------- */

/* Creates an object of `type` with a zero-filled body of body_size bytes
 * (0: the type's body_size), one reference (the creator's), no handle and
 * no place in the namespace yet. `attributes` (may be NULL: unnamed) is
 * captured and checked as ObCreateObject does: STATUS_INVALID_PARAMETER for
 * a wrong Length or attribute bits (including the type's invalid ones),
 * STATUS_OBJECT_NAME_INVALID for an odd or too long name or a NULL
 * ObjectName with a RootDirectory. The RootDirectory handle is resolved by
 * ob_insert_object, in access_mode. */
NTSTATUS ob_create_object(POBJECT_TYPE type, const OBJECT_ATTRIBUTES *attributes, KPROCESSOR_MODE access_mode,
                          ULONG body_size, void **body);

/* ObInsertObject: puts a new object (from ob_create_object) in the
 * namespace if it has a name, and opens a handle to it if `handle` is not
 * NULL, with desired_access mapped through the type. The creator's
 * reference is consumed in every case: on failure the new object is
 * dereferenced (and so deleted). *object (may be NULL) receives a new
 * reference to the object the handle is for.
 * With OBJ_OPENIF and an existing object of the same type under the name:
 * STATUS_OBJECT_NAME_EXISTS, the handle and *object are the existing one's.
 * An existing object of another type: STATUS_OBJECT_TYPE_MISMATCH; of the
 * same type without OBJ_OPENIF: STATUS_OBJECT_NAME_COLLISION. OBJ_PERMANENT
 * from UserMode: STATUS_PRIVILEGE_NOT_HELD.
 * A named permanent kernel object without a handle (IoCreateDevice's
 * device): create with OBJ_PERMANENT and a name, insert with handle NULL
 * and keep the reference *object; ob_make_temporary removes the name. */
NTSTATUS ob_insert_object(void *body, ACCESS_MASK desired_access, void **object, HANDLE *handle);

/* ObOpenObjectByName: looks attributes->ObjectName up (relative to
 * RootDirectory if given; symbolic links followed, parse procedures run
 * with parse_context) and opens a handle of `type` (NULL: any). */
NTSTATUS ob_open_object_by_name(const OBJECT_ATTRIBUTES *attributes, POBJECT_TYPE type, KPROCESSOR_MODE access_mode,
                                ACCESS_MASK desired_access, void *parse_context, HANDLE *handle);

/* The same lookup without a handle: *object is a referenced body of `type`
 * (NULL: any; another type is STATUS_OBJECT_TYPE_MISMATCH). `attributes`
 * are OBJ_* flags; name is absolute. */
NTSTATUS ob_reference_object_by_name(PCUNICODE_STRING name, ULONG attributes, POBJECT_TYPE type,
                                     KPROCESSOR_MODE access_mode, ACCESS_MASK desired_access, void *parse_context,
                                     void **object);

/* ObOpenObjectByPointer: a new handle to an object the caller references. */
NTSTATUS ob_open_object_by_pointer(void *object, ULONG attributes, ACCESS_MASK desired_access, POBJECT_TYPE type,
                                   KPROCESSOR_MODE access_mode, HANDLE *handle);

/* References without the driver-facing checks (ntbox's own callers). */
void ob_reference_object(void *object);
void ob_dereference_object(void *object);

/* ObMakeTemporaryObject: clears OBJ_PERMANENT; with no handle left the
 * name leaves the namespace (and its reference goes). */
void ob_make_temporary(void *object);

POBJECT_TYPE ob_object_type(void *object);
/* The object's own name ("Zero"); empty when it has none (any more). The
 * string lives as long as the name: read it only while nothing can take
 * the object's name away. */
PCUNICODE_STRING ob_object_name(void *object);
/* The body of the directory the object is named in, or NULL. */
void *ob_object_directory(void *object);
/* Its full name ("\Device\Zero") as malloc'd UTF-8; "" when unnamed. */
char *ob_object_path(void *object);
/* Its reference and handle counts, for tests and reports. */
void ob_object_counts(void *object, LONG_PTR *references, LONG_PTR *handles);
/* Calls fn for every live object in creation order, each referenced for
 * the call; fn may use the object manager. */
void ob_for_each_object(void (*fn)(void *object, void *context), void *context);

/* ---- Handles ----------------------------------------------------------- */

/* A client process's handle table. Destroying it closes every handle in
 * handle order, with the close procedures, as a process exit does. */
struct ob_handle_table *ob_handle_table_create(void);
void ob_handle_table_destroy(struct ob_handle_table *table);

/* The calling thread's process: NULL means the System process, whose
 * table is the kernel table. */
void ob_set_current_handle_table(struct ob_handle_table *table);
struct ob_handle_table *ob_current_handle_table(void);
struct ob_handle_table *ob_kernel_handle_table(void);

/* ObReferenceObjectByHandle without the Driver Verifier checks. */
NTSTATUS ob_reference_object_by_handle(HANDLE handle, ACCESS_MASK desired_access, POBJECT_TYPE type,
                                       KPROCESSOR_MODE access_mode, void **object,
                                       POBJECT_HANDLE_INFORMATION info);

/* NtClose/ZwClose: STATUS_INVALID_HANDLE for a handle that is not open in
 * the table access_mode can reach. */
NTSTATUS ob_close_handle(HANDLE handle, KPROCESSOR_MODE access_mode);

/* ---- The Nt system services, for both modes ---------------------------
 * Each is the Nt routine with an explicit previous mode: the Zw exports
 * call them with KernelMode, the user-mode side with UserMode. A NULL
 * pointer where one is required gives STATUS_ACCESS_VIOLATION (a user
 * caller's probe failing; the Zw exports turn it into the kernel-mode
 * fault Windows would take). */
NTSTATUS ob_create_directory_object(HANDLE *handle, ACCESS_MASK desired_access, const OBJECT_ATTRIBUTES *attributes,
                                    KPROCESSOR_MODE previous_mode);
NTSTATUS ob_open_directory_object(HANDLE *handle, ACCESS_MASK desired_access, const OBJECT_ATTRIBUTES *attributes,
                                  KPROCESSOR_MODE previous_mode);
NTSTATUS ob_query_directory_object(HANDLE handle, PVOID buffer, ULONG length, BOOLEAN single_entry,
                                   BOOLEAN restart, PULONG context, PULONG return_length,
                                   KPROCESSOR_MODE previous_mode);
NTSTATUS ob_create_symbolic_link_object(HANDLE *handle, ACCESS_MASK desired_access,
                                        const OBJECT_ATTRIBUTES *attributes, PCUNICODE_STRING target,
                                        KPROCESSOR_MODE previous_mode);
NTSTATUS ob_open_symbolic_link_object(HANDLE *handle, ACCESS_MASK desired_access,
                                      const OBJECT_ATTRIBUTES *attributes, KPROCESSOR_MODE previous_mode);
NTSTATUS ob_query_symbolic_link_object(HANDLE handle, PUNICODE_STRING target, PULONG returned_length,
                                       KPROCESSOR_MODE previous_mode);
NTSTATUS ob_make_temporary_object(HANDLE handle, KPROCESSOR_MODE previous_mode);
NTSTATUS ob_duplicate_object(HANDLE source_process, HANDLE source_handle, HANDLE target_process,
                             HANDLE *target_handle, ACCESS_MASK desired_access, ULONG handle_attributes,
                             ULONG options, KPROCESSOR_MODE previous_mode);

/* ---- Reports ----------------------------------------------------------- */

/* WinObj's view of the namespace, with diag_write: "\" then one line per
 * object, "Name (Type)" or "Name (SymbolicLink -> target)", two spaces of
 * indent per level, sorted by name, directories expanded. */
void ob_print_namespace(void);

#endif
