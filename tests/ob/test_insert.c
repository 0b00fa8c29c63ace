/* tests/ob/test_insert.c: creating and inserting objects (ob_create_object,
 * ob_insert_object, the Zw creates), their reference and handle counts at
 * each step, names leaving the namespace at the last handle, OBJ_PERMANENT
 * and ZwMakeTemporaryObject, OBJ_OPENIF and collisions, OBJ_EXCLUSIVE across
 * two processes' handle tables, and the type's open, close and delete
 * procedures. */
#include "obtest.h"

/* What the test type's procedures saw. */
static struct {
    int opens, closes, deletes;
    struct ob_handle_info last_open, last_close;
    NTSTATUS open_status;
} seen;

static NTSTATUS thing_open(const struct ob_handle_info *info)
{
    seen.opens++;
    seen.last_open = *info;
    return seen.open_status;
}

static void thing_close(const struct ob_handle_info *info)
{
    seen.closes++;
    seen.last_close = *info;
}

static void thing_delete(void *body)
{
    (void)body;
    seen.deletes++;
}

#define THING_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | 0x3)

static POBJECT_TYPE thing_type(void)
{
    static POBJECT_TYPE type;
    static const struct ob_type_info info = {
        32, { STANDARD_RIGHTS_READ | 0x1, STANDARD_RIGHTS_WRITE | 0x2, STANDARD_RIGHTS_EXECUTE, THING_ALL_ACCESS },
        THING_ALL_ACCESS, OBJ_OPENLINK, TRUE, { thing_open, thing_close, thing_delete, NULL, NULL },
    };
    if (!type)
        type = ob_type_create("InThing", &info);
    return type;
}

static NTSTATUS create_thing(const WCHAR *path, ULONG flags, KPROCESSOR_MODE mode, void **body, HANDLE *handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    void *made;
    NTSTATUS status = ob_create_object(thing_type(), ot_attributes(&oa, &name, path, flags, NULL), mode, 0, &made);
    if (!NT_SUCCESS(status))
        return status;
    return ob_insert_object(made, THING_ALL_ACCESS, body, handle);
}

static NTSTATUS open_thing(const WCHAR *path, ULONG flags, KPROCESSOR_MODE mode, HANDLE *handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    return ob_open_object_by_name(ot_attributes(&oa, &name, path, flags, NULL), thing_type(), mode, THING_ALL_ACCESS,
                                  NULL, handle);
}

/* An unnamed object: one reference, from its one handle. */
KT_TEST(counts_unnamed)
{
    HANDLE h;
    void *body;
    int deletes = seen.deletes;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"", 0, KernelMode, NULL, &h), STATUS_SUCCESS));
    body = ot_body(h);
    KT_EQ_INT(ot_references(body), 1);
    KT_EQ_INT(ot_handles(body), 1);
    KT_EQ_STATUS(ZwClose(h), STATUS_SUCCESS);
    KT_EQ_INT(seen.deletes, deletes + 1);
}

/* A named temporary object: the name holds a reference too; each handle
 * and each ObReferenceObjectByHandle adds one; the last handle takes the
 * name away and the last reference the object. */
KT_TEST(counts_named_temporary)
{
    HANDLE first, second;
    void *body, *referenced;
    int deletes = seen.deletes;

    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InCounts", 0, KernelMode, NULL, &first), STATUS_SUCCESS));
    body = ot_body(first);
    KT_EQ_INT(ot_references(body), 2);
    KT_EQ_INT(ot_handles(body), 1);
    KT_REQUIRE(KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InCounts", 0, KernelMode, &second), STATUS_SUCCESS));
    KT_EQ_INT(ot_references(body), 3);
    KT_EQ_INT(ot_handles(body), 2);
    KT_EQ_STATUS(ObReferenceObjectByHandle(second, 0, thing_type(), KernelMode, &referenced, NULL), STATUS_SUCCESS);
    KT_EQ_PTR(referenced, body);
    KT_EQ_INT(ot_references(body), 4);
    KT_EQ_STATUS(ZwClose(first), STATUS_SUCCESS);
    KT_EQ_INT(ot_references(body), 3);
    KT_EQ_INT(ot_handles(body), 1);
    /* The last handle: the name goes (and its reference) with it. */
    KT_EQ_STATUS(ZwClose(second), STATUS_SUCCESS);
    KT_EQ_INT(ot_references(body), 1);
    KT_EQ_INT(ot_handles(body), 0);
    KT_EQ_INT(ob_object_name(body)->Length, 0);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InCounts", 0, KernelMode, &second), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ_INT(seen.deletes, deletes);
    ObDereferenceObject(referenced);
    KT_EQ_INT(seen.deletes, deletes + 1);
}

/* "If this flag is specified, the object is not deleted when all open
 * handles are closed. Drivers can use ZwMakeTemporaryObject to delete
 * permanent objects." */
KT_TEST(permanent_survives_last_handle)
{
    HANDLE h;
    void *body;
    int deletes = seen.deletes;

    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InPermanent", OBJ_PERMANENT, KernelMode, NULL, &h),
                            STATUS_SUCCESS));
    body = ot_body(h);
    KT_EQ_STATUS(ZwClose(h), STATUS_SUCCESS);
    KT_EQ_INT(ot_references(body), 1);
    KT_EQ_INT(ot_handles(body), 0);
    KT_REQUIRE(KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InPermanent", 0, KernelMode, &h), STATUS_SUCCESS));
    KT_EQ_PTR(ot_body(h), body);
    /* Temporary again: the name goes with the last handle. */
    KT_EQ_STATUS(ZwMakeTemporaryObject(h), STATUS_SUCCESS);
    KT_EQ_INT(seen.deletes, deletes);
    KT_EQ_STATUS(ZwClose(h), STATUS_SUCCESS);
    KT_EQ_INT(seen.deletes, deletes + 1);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InPermanent", 0, KernelMode, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* ZwMakeTemporaryObject on an already temporary object does nothing; an
 * invalid handle is STATUS_INVALID_HANDLE; a user caller needs DELETE. */
KT_TEST(ZwMakeTemporaryObject_errors)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE h, user;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InTemporary", 0, KernelMode, NULL, &h), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwMakeTemporaryObject(h), STATUS_SUCCESS);
    KT_EQ_INT(ot_handles(ot_body(h)), 1);
    KT_EQ_STATUS(ZwMakeTemporaryObject((HANDLE)(ULONG_PTR)0xFFFFFFFF80FFFFF0ULL), STATUS_INVALID_HANDLE);
    ob_set_current_handle_table(client);
    KT_REQUIRE(KT_EQ_STATUS(ob_open_object_by_name(NULL, NULL, UserMode, 0, NULL, &user), STATUS_INVALID_PARAMETER));
    {
        OBJECT_ATTRIBUTES oa;
        UNICODE_STRING name;
        KT_REQUIRE(KT_EQ_STATUS(ob_open_object_by_name(ot_attributes(&oa, &name, L"\\KernelObjects\\InTemporary", 0,
                                                                     NULL),
                                                       thing_type(), UserMode, STANDARD_RIGHTS_READ, NULL, &user),
                                STATUS_SUCCESS));
    }
    KT_EQ_STATUS(ob_make_temporary_object(user, UserMode), STATUS_ACCESS_DENIED);
    ob_close_handle(user, UserMode);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
    ZwClose(h);
}

/* A user caller lacks SeCreatePermanentPrivilege: STATUS_PRIVILEGE_NOT_HELD,
 * and the new object is gone. */
KT_TEST(permanent_from_user_mode)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE h;
    int deletes = seen.deletes;
    ob_set_current_handle_table(client);
    KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InUserPermanent", OBJ_PERMANENT, UserMode, NULL, &h),
                 STATUS_PRIVILEGE_NOT_HELD);
    KT_EQ_PTR(h, NULL);
    KT_EQ_INT(seen.deletes, deletes + 1);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* IoCreateDevice's way: a named permanent object with no handle, the
 * caller keeping a reference; ob_make_temporary takes the name away. */
KT_TEST(insert_without_handle)
{
    void *body;
    HANDLE h;
    int deletes = seen.deletes;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InNoHandle", OBJ_PERMANENT, KernelMode, &body, NULL),
                            STATUS_SUCCESS));
    KT_EQ_INT(ot_references(body), 2);
    KT_EQ_INT(ot_handles(body), 0);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InNoHandle", 0, KernelMode, &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_INT(ot_references(body), 2);
    ob_make_temporary(body);
    KT_EQ_INT(ot_references(body), 1);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InNoHandle", 0, KernelMode, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    ObDereferenceObject(body);
    KT_EQ_INT(seen.deletes, deletes + 1);
}

/* OBJ_OPENIF: the existing object of the same type is opened,
 * STATUS_OBJECT_NAME_EXISTS, and the new one is dropped. */
KT_TEST(OBJ_OPENIF_opens_existing)
{
    HANDLE first, second;
    void *object;
    int deletes = seen.deletes;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InOpenIf", 0, KernelMode, NULL, &first), STATUS_SUCCESS));
    KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InOpenIf", OBJ_OPENIF, KernelMode, &object, &second),
                 STATUS_OBJECT_NAME_EXISTS);
    KT_EQ_INT(seen.deletes, deletes + 1);
    KT_EQ_PTR(ot_body(second), ot_body(first));
    KT_EQ_PTR(object, ot_body(first));
    KT_FALSE(seen.last_open.created);
    ObDereferenceObject(object);
    ZwClose(second);
    ZwClose(first);
}

/* Without OBJ_OPENIF: STATUS_OBJECT_NAME_COLLISION; an object of another
 * type under the name: STATUS_OBJECT_TYPE_MISMATCH, OBJ_OPENIF or not. */
KT_TEST(name_collisions)
{
    HANDLE first, h = (HANDLE)1;
    int deletes = seen.deletes;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InCollide", 0, KernelMode, NULL, &first), STATUS_SUCCESS));
    KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InCollide", 0, KernelMode, NULL, &h), STATUS_OBJECT_NAME_COLLISION);
    KT_EQ_PTR(h, NULL);
    KT_EQ_INT(seen.deletes, deletes + 1);
    KT_EQ_STATUS(create_thing(L"\\KernelObjects\\incollide", OBJ_CASE_INSENSITIVE, KernelMode, NULL, &h),
                 STATUS_OBJECT_NAME_COLLISION);
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\InCollide", 0, NULL, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\InCollide", OBJ_OPENIF, NULL, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(create_thing(L"\\Device", OBJ_OPENIF, KernelMode, NULL, &h), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(first);
}

/* "\" is the root directory: creating a directory there collides, with
 * OBJ_OPENIF it opens the root (Wine's om.c records both). */
KT_TEST(create_root)
{
    HANDLE h, root;
    KT_EQ_STATUS(ot_create_directory(L"\\", 0, NULL, &h), STATUS_OBJECT_NAME_COLLISION);
    KT_EQ_STATUS(ot_create_directory(L"\\", OBJ_OPENIF, NULL, &h), STATUS_OBJECT_NAME_EXISTS);
    KT_EQ_STATUS(ot_open_directory(L"\\", 0, NULL, &root), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), ot_body(root));
    ZwClose(h);
    ZwClose(root);
}

/* The open procedure sees each new handle with the counts including it,
 * `created` for the first handle of a new object; the close procedure sees
 * the counts without the handle; delete comes last. */
KT_TEST(open_close_procedures)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE kernel, user1, user2;
    void *body;
    int opens = seen.opens, closes = seen.closes;

    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InProcs", 0, KernelMode, NULL, &kernel), STATUS_SUCCESS));
    body = ot_body(kernel);
    KT_EQ_INT(seen.opens, opens + 1);
    KT_TRUE(seen.last_open.created);
    KT_EQ_PTR(seen.last_open.object, body);
    KT_EQ_PTR(seen.last_open.table, ob_kernel_handle_table());
    KT_EQ_HEX(seen.last_open.granted_access, THING_ALL_ACCESS);
    KT_EQ_INT(seen.last_open.handle_count, 1);
    KT_EQ_INT(seen.last_open.table_handle_count, 1);

    ob_set_current_handle_table(client);
    KT_REQUIRE(KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InProcs", 0, UserMode, &user1), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InProcs", 0, UserMode, &user2), STATUS_SUCCESS));
    KT_FALSE(seen.last_open.created);
    KT_EQ_PTR(seen.last_open.table, client);
    KT_EQ_INT(seen.last_open.handle_count, 3);
    KT_EQ_INT(seen.last_open.table_handle_count, 2);

    KT_EQ_STATUS(ob_close_handle(user1, UserMode), STATUS_SUCCESS);
    KT_EQ_INT(seen.closes, closes + 1);
    KT_EQ_PTR(seen.last_close.table, client);
    KT_EQ_INT(seen.last_close.handle_count, 2);
    KT_EQ_INT(seen.last_close.table_handle_count, 1);
    KT_EQ_STATUS(ob_close_handle(user2, UserMode), STATUS_SUCCESS);
    KT_EQ_INT(seen.last_close.table_handle_count, 0);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);

    KT_EQ_STATUS(ZwClose(kernel), STATUS_SUCCESS);
    KT_EQ_INT(seen.last_close.handle_count, 0);
    KT_EQ_PTR(seen.last_close.table, ob_kernel_handle_table());
}

/* A failing open procedure fails the open with its status, and the counts
 * are as before. */
KT_TEST(open_procedure_failure)
{
    HANDLE first, second = (HANDLE)1;
    void *body;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InOpenFails", 0, KernelMode, NULL, &first),
                            STATUS_SUCCESS));
    body = ot_body(first);
    seen.open_status = STATUS_SHARING_VIOLATION;
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InOpenFails", 0, KernelMode, &second), STATUS_SHARING_VIOLATION);
    seen.open_status = STATUS_SUCCESS;
    KT_EQ_PTR(second, NULL);
    KT_EQ_INT(ot_handles(body), 1);
    KT_EQ_INT(ot_references(body), 2);
    ZwClose(first);
}

/* OBJ_EXCLUSIVE: "once a process opens such a handle to the object, no
 * other processes can open handles to this object"; the creating process
 * asks again with OBJ_EXCLUSIVE (Windows refuses it a plain open too). */
KT_TEST(OBJ_EXCLUSIVE_two_processes)
{
    struct ob_handle_table *a = ob_handle_table_create(), *b = ob_handle_table_create();
    HANDLE first, again, other = (HANDLE)1;

    ob_set_current_handle_table(a);
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InExclusive", OBJ_EXCLUSIVE | OBJ_PERMANENT, KernelMode,
                                         NULL, &first),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InExclusive", OBJ_EXCLUSIVE, UserMode, &again), STATUS_SUCCESS);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InExclusive", 0, UserMode, &other), STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InExclusive", OBJ_EXCLUSIVE | OBJ_INHERIT, UserMode, &other),
                 STATUS_INVALID_PARAMETER);
    ob_set_current_handle_table(b);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InExclusive", 0, UserMode, &other), STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InExclusive", OBJ_EXCLUSIVE, UserMode, &other), STATUS_ACCESS_DENIED);
    KT_EQ_PTR(other, NULL);

    /* Once a's handles are gone, b may open it; an exclusive open needs no
     * other handle. */
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(a);
    ob_set_current_handle_table(b);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InExclusive", 0, UserMode, &other), STATUS_SUCCESS);
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InExclusive", OBJ_EXCLUSIVE, UserMode, &again), STATUS_ACCESS_DENIED);
    ZwMakeTemporaryObject(other);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(b);
}

/* OBJ_EXCLUSIVE asked of an object not created exclusive:
 * STATUS_INVALID_PARAMETER. */
KT_TEST(OBJ_EXCLUSIVE_needs_exclusive_object)
{
    HANDLE first, other;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"\\KernelObjects\\InShared", 0, KernelMode, NULL, &first), STATUS_SUCCESS));
    KT_EQ_STATUS(open_thing(L"\\KernelObjects\\InShared", OBJ_EXCLUSIVE, KernelMode, &other), STATUS_INVALID_PARAMETER);
    ZwClose(first);
}

/* ObOpenObjectByPointer: a new handle to an object the caller references,
 * the handle taking its own reference. The type must match for UserMode
 * (and always for the handle); attributes the type refuses are
 * STATUS_INVALID_PARAMETER. */
KT_TEST(ObOpenObjectByPointer_handles)
{
    void *body;
    HANDLE h = (HANDLE)1;
    KT_REQUIRE(KT_EQ_STATUS(create_thing(L"", 0, KernelMode, &body, NULL), STATUS_SUCCESS));
    KT_EQ_INT(ot_references(body), 1);
    KT_EQ_STATUS(ObOpenObjectByPointer(body, 0, NULL, THING_ALL_ACCESS, thing_type(), KernelMode, &h),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), body);
    KT_EQ_INT(ot_references(body), 2);
    KT_EQ_INT(ot_handles(body), 1);
    ZwClose(h);
    KT_EQ_STATUS(ObOpenObjectByPointer(body, 0, NULL, 0, NULL, KernelMode, &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_STATUS(ObOpenObjectByPointer(body, 0, NULL, 0, NULL, UserMode, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_PTR(h, NULL);
    KT_EQ_STATUS(ObOpenObjectByPointer(body, 0, NULL, 0, *IoFileObjectType, KernelMode, &h),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ObOpenObjectByPointer(body, OBJ_OPENLINK, NULL, 0, thing_type(), KernelMode, &h),
                 STATUS_INVALID_PARAMETER);
    KT_EQ_INT(ot_references(body), 1);
    KT_EQ_INT(ot_handles(body), 0);
    ObDereferenceObject(body);
}

static int installed_closes;

static void installed_close(const struct ob_handle_info *info)
{
    (void)info;
    installed_closes++;
}

/* Procedures installed after the type was made (the I/O manager's way for
 * Device, Driver and File) are the ones called. */
KT_TEST(type_set_procedures)
{
    static const struct ob_type_info bare = {
        8, { STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE, STANDARD_RIGHTS_REQUIRED },
        STANDARD_RIGHTS_REQUIRED, 0, TRUE, { 0 },
    };
    const struct ob_type_procedures procedures = { .close = installed_close };
    POBJECT_TYPE type = ob_type_create("InLate", &bare);
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    void *body;
    HANDLE h;

    KT_REQUIRE(KT_TRUE(type != NULL));
    KT_EQ_PTR(ob_type_create("InLate", &bare), NULL);
    ob_type_set_procedures(type, &procedures);
    KT_REQUIRE(KT_EQ_STATUS(ob_create_object(type, NULL, KernelMode, 0, &body), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ob_insert_object(body, 0, NULL, &h), STATUS_SUCCESS));
    ZwClose(h);
    KT_EQ_INT(installed_closes, 1);
    KT_EQ_STATUS(ob_open_object_by_name(ot_attributes(&oa, &name, L"\\ObjectTypes\\InLate", 0, NULL),
                                        ob_type_object_type, KernelMode, 0, NULL, &h),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), type);
    KT_EQ_USTR(ob_type_name(type), "InLate");
    ZwClose(h);
}
