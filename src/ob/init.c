/* ob/init.c: the object manager as ntbox starts: the Type, Directory and
 * SymbolicLink types (which must exist before anything can be named), the
 * root directory, then \ObjectTypes, the I/O and Event types, and the
 * namespace drivers expect:
 *   \Device, \Driver, \KernelObjects (directories),
 *   \GLOBAL?? with Global (-> \GLOBAL??) and GLOBALROOT (-> "", the root),
 *   \DosDevices (-> \??); \?? itself is not an object but the device map,
 *   which is \GLOBAL?? (see ob/lookup.c).
 * It runs as a constructor ahead of unprioritised ones, so every other
 * component's constructors may use the object manager. Running out of
 * memory this early ends the process. */
#include "ob/obp.h"

#include <stdio.h>
#include <stdlib.h>

struct ob_header *ob_root_directory;
struct ob_header *ob_dos_devices_directory;

static void ob_init_failed(const char *what)
{
    fprintf(stderr, "ntbox: cannot create %s: out of memory\n", what);
    abort();
}

/* A type object, before the namespace exists. */
static POBJECT_TYPE ob_bootstrap_type(const WCHAR *name, const struct ob_type_info *info)
{
    UNICODE_STRING s;
    struct ob_header *header;
    POBJECT_TYPE type;

    RtlInitUnicodeString(&s, name);
    if (!NT_SUCCESS(ob_allocate_object(ob_type_object_type, sizeof(struct _OBJECT_TYPE), KernelMode, &header)))
        ob_init_failed("the object types");
    type = ob_body_of(header);
    type->info = *info;
    if (!ob_copy_string(&type->name, s.Buffer, s.Length))
        ob_init_failed("the object types");
    return type;
}

/* Names a bootstrap object for good: permanent, and the creation
 * reference is never dropped. */
static void ob_bootstrap_name(struct ob_header *directory, struct ob_header *object, PCUNICODE_STRING name)
{
    ob_lock();
    if (!NT_SUCCESS(ob_directory_insert_locked(directory, object, name)))
        ob_init_failed("the namespace");
    object->flags = (object->flags | OB_FLAG_PERMANENT) & ~OB_FLAG_NEW;
    ob_unlock();
}

static struct ob_header *ob_bootstrap_directory(const WCHAR *path)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES attributes;
    void *body, *kept;

    RtlInitUnicodeString(&name, path);
    InitializeObjectAttributes(&attributes, &name, OBJ_PERMANENT | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(ob_create_object(ob_directory_object_type, &attributes, KernelMode, 0, &body)) ||
        !NT_SUCCESS(ob_insert_object(body, 0, &kept, NULL)))
        ob_init_failed("the namespace");
    return ob_header_of(kept);
}

static void ob_bootstrap_link(const WCHAR *path, const WCHAR *target)
{
    UNICODE_STRING name, to;
    OBJECT_ATTRIBUTES attributes;
    struct ob_symbolic_link *link;

    RtlInitUnicodeString(&name, path);
    RtlInitUnicodeString(&to, target);
    InitializeObjectAttributes(&attributes, &name, OBJ_PERMANENT | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(ob_create_object(ob_symbolic_link_object_type, &attributes, KernelMode, 0, (void **)&link)) ||
        !ob_copy_string(&link->target, to.Buffer, to.Length) ||
        !NT_SUCCESS(ob_insert_object(link, 0, NULL, NULL)))
        ob_init_failed("the namespace");
}

__attribute__((constructor(101))) static void ob_init(void)
{
    static const struct ob_type_info type_info = {
        sizeof(struct _OBJECT_TYPE),
        { STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE, OBJECT_TYPE_ALL_ACCESS },
        OBJECT_TYPE_ALL_ACCESS | SYNCHRONIZE, OBJ_OPENLINK, TRUE, { .delete_object = ob_type_delete },
    };
    static const struct ob_type_info directory_info = {
        sizeof(struct ob_directory),
        { STANDARD_RIGHTS_READ | DIRECTORY_TRAVERSE | DIRECTORY_QUERY,
          STANDARD_RIGHTS_WRITE | DIRECTORY_CREATE_SUBDIRECTORY | DIRECTORY_CREATE_OBJECT,
          STANDARD_RIGHTS_EXECUTE | DIRECTORY_TRAVERSE | DIRECTORY_QUERY, DIRECTORY_ALL_ACCESS },
        DIRECTORY_ALL_ACCESS, OBJ_OPENLINK, TRUE, { .delete_object = ob_directory_delete },
    };
    static const struct ob_type_info link_info = {
        sizeof(struct ob_symbolic_link),
        { STANDARD_RIGHTS_READ | SYMBOLIC_LINK_QUERY, STANDARD_RIGHTS_WRITE,
          STANDARD_RIGHTS_EXECUTE | SYMBOLIC_LINK_QUERY, SYMBOLIC_LINK_ALL_ACCESS },
        SYMBOLIC_LINK_ALL_ACCESS, OBJ_OPENLINK, TRUE, { .delete_object = ob_symbolic_link_delete },
    };
    POBJECT_TYPE bootstrap[3];
    struct ob_header *object_types;

    /* The Type type is its own type. */
    bootstrap[0] = ob_type_object_type = ob_bootstrap_type(L"Type", &type_info);
    ob_header_of(ob_type_object_type)->type = ob_type_object_type;
    bootstrap[1] = ob_directory_object_type = ob_bootstrap_type(L"Directory", &directory_info);
    bootstrap[2] = ob_symbolic_link_object_type = ob_bootstrap_type(L"SymbolicLink", &link_info);

    if (!NT_SUCCESS(ob_allocate_object(ob_directory_object_type, 0, KernelMode, &ob_root_directory)))
        ob_init_failed("the root directory");
    ob_root_directory->flags = OB_FLAG_PERMANENT;
    object_types = ob_bootstrap_directory(L"\\ObjectTypes");
    for (int i = 0; i < 3; i++)
        ob_bootstrap_name(object_types, ob_header_of(bootstrap[i]), &bootstrap[i]->name);
    ob_init_types();

    ob_bootstrap_directory(L"\\Device");
    ob_bootstrap_directory(L"\\Driver");
    ob_bootstrap_directory(L"\\KernelObjects");
    ob_dos_devices_directory = ob_bootstrap_directory(L"\\GLOBAL??");
    ob_bootstrap_link(L"\\GLOBAL??\\Global", L"\\GLOBAL??");
    ob_bootstrap_link(L"\\GLOBAL??\\GLOBALROOT", L"");
    ob_bootstrap_link(L"\\DosDevices", L"\\??");
}
