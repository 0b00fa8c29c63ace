/* ob/type.c: object types: ob_type_create, the procedures the I/O manager
 * installs, and the exported type variables (IoFileObjectType,
 * IoDeviceObjectType, IoDriverObjectType, ExEventObjectType,
 * ExSemaphoreObjectType).
 *
 * A type is itself an object of type Type, named \ObjectTypes\<name>, and
 * lives for the whole run. The exported variables are POBJECT_TYPE * as
 * the WDK declares them: a native driver binds to them directly and reads
 * *IoFileObjectType; a .sys's import slot holds the same value, the address
 * of the POBJECT_TYPE (the export table's row names ob_file_type...), since
 * the WDK's ntoskrnl.lib makes the slot itself the driver's variable. The
 * Semaphore type's objects are KSEMAPHOREs; nothing creates them by name
 * yet, but drivers pass the type to ObReferenceObjectByHandle. */
#include "ob/obp.h"

#include <stdlib.h>
#include <string.h>

POBJECT_TYPE ob_type_object_type;
POBJECT_TYPE ob_directory_object_type;
POBJECT_TYPE ob_symbolic_link_object_type;

POBJECT_TYPE ob_file_type, ob_device_type, ob_driver_type, ob_event_type, ob_semaphore_type;

NTKERNELAPI POBJECT_TYPE *IoFileObjectType = &ob_file_type;
NTKERNELAPI POBJECT_TYPE *IoDeviceObjectType = &ob_device_type;
NTKERNELAPI POBJECT_TYPE *IoDriverObjectType = &ob_driver_type;
NTKERNELAPI POBJECT_TYPE *ExEventObjectType = &ob_event_type;
NTKERNELAPI POBJECT_TYPE *ExSemaphoreObjectType = &ob_semaphore_type;

void ob_type_delete(void *body)
{
    free(((struct _OBJECT_TYPE *)body)->name.Buffer);
}

POBJECT_TYPE ob_type_create(const char *name, const struct ob_type_info *info)
{
    static const WCHAR prefix[] = L"\\ObjectTypes\\";
    const size_t prefix_chars = sizeof prefix / sizeof *prefix - 1;
    WCHAR path[96]; /* prefix and up to 64 characters */
    size_t n = strlen(name);
    UNICODE_STRING string;
    OBJECT_ATTRIBUTES attributes;
    POBJECT_TYPE type;
    void *kept;

    if (n == 0 || n > 64)
        return NULL;
    memcpy(path, prefix, prefix_chars * sizeof(WCHAR));
    for (size_t i = 0; i < n; i++)
        path[prefix_chars + i] = (unsigned char)name[i];
    string.Buffer = path;
    string.Length = string.MaximumLength = (USHORT)((prefix_chars + n) * sizeof(WCHAR));
    InitializeObjectAttributes(&attributes, &string, OBJ_PERMANENT | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(ob_create_object(ob_type_object_type, &attributes, KernelMode, 0, (void **)&type)))
        return NULL;
    type->info = *info;
    if (!ob_copy_string(&type->name, path + prefix_chars, (USHORT)(n * sizeof(WCHAR)))) {
        ob_dereference_object(type);
        return NULL;
    }
    /* The reference kept is the type's own, for the rest of the run. */
    return NT_SUCCESS(ob_insert_object(type, 0, &kept, NULL)) ? type : NULL;
}

void ob_type_set_procedures(POBJECT_TYPE type, const struct ob_type_procedures *procedures)
{
    ob_lock();
    type->info.procedures = *procedures;
    ob_unlock();
}

PCUNICODE_STRING ob_type_name(POBJECT_TYPE type)
{
    return &type->name;
}

/* The I/O types share the file mapping and all-access mask (as Windows'
 * IopCreateObjectTypes); files also refuse OBJ_PERMANENT and OBJ_EXCLUSIVE. */
static const GENERIC_MAPPING ob_file_mapping = {
    FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS
};

static POBJECT_TYPE ob_must_create(const char *name, const struct ob_type_info *info)
{
    POBJECT_TYPE type = ob_type_create(name, info);
    if (!type)
        abort();
    return type;
}

void ob_init_types(void)
{
    struct ob_type_info device = { sizeof(DEVICE_OBJECT), ob_file_mapping, FILE_ALL_ACCESS, OBJ_OPENLINK, TRUE, { 0 } };
    struct ob_type_info driver = { sizeof(DRIVER_OBJECT), ob_file_mapping, FILE_ALL_ACCESS, OBJ_OPENLINK, TRUE, { 0 } };
    struct ob_type_info file = { sizeof(FILE_OBJECT), ob_file_mapping, FILE_ALL_ACCESS,
                                 OBJ_OPENLINK | OBJ_PERMANENT | OBJ_EXCLUSIVE, TRUE, { 0 } };
    /* Event names are case-sensitive: CreateEvent's "name comparison is
     * case sensitive". */
    struct ob_type_info event = { sizeof(KEVENT),
                                  { STANDARD_RIGHTS_READ | EVENT_QUERY_STATE, STANDARD_RIGHTS_WRITE | EVENT_MODIFY_STATE,
                                    STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, EVENT_ALL_ACCESS },
                                  EVENT_ALL_ACCESS, OBJ_OPENLINK, FALSE, { 0 } };
    struct ob_type_info semaphore = { sizeof(KSEMAPHORE),
                                      { STANDARD_RIGHTS_READ | SEMAPHORE_QUERY_STATE,
                                        STANDARD_RIGHTS_WRITE | SEMAPHORE_MODIFY_STATE,
                                        STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, SEMAPHORE_ALL_ACCESS },
                                      SEMAPHORE_ALL_ACCESS, OBJ_OPENLINK, FALSE, { 0 } };

    ob_device_type = ob_must_create("Device", &device);
    ob_driver_type = ob_must_create("Driver", &driver);
    ob_file_type = ob_must_create("File", &file);
    ob_event_type = ob_must_create("Event", &event);
    ob_semaphore_type = ob_must_create("Semaphore", &semaphore);
}
