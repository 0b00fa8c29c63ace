/* tests/ob/test_duplicate.c: ZwDuplicateObject: DUPLICATE_SAME_ACCESS,
 * DUPLICATE_SAME_ATTRIBUTES, DUPLICATE_CLOSE_SOURCE (also with no target,
 * and also when the duplicate fails), and duplicates between the kernel
 * table and a process's table through NtCurrentProcess(). */
#include "obtest.h"

#define KERNEL_BITS 0xFFFFFFFF80000000ULL

static HANDLE open_device_directory(ACCESS_MASK access, ULONG flags)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h = NULL;
    ZwOpenDirectoryObject(&h, access, ot_attributes(&oa, &name, L"\\Device", flags, NULL));
    return h;
}

static OBJECT_HANDLE_INFORMATION handle_info(HANDLE h, KPROCESSOR_MODE mode)
{
    OBJECT_HANDLE_INFORMATION info = { 0xFFFFFFFF, 0xFFFFFFFF };
    void *body;
    if (NT_SUCCESS(ob_reference_object_by_handle(h, 0, NULL, mode, &body, &info)))
        ObDereferenceObject(body);
    return info;
}

/* DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES: a second handle to the
 * same object with the source's access and attributes. */
KT_TEST(duplicate_same_access_and_attributes)
{
    HANDLE source = open_device_directory(DIRECTORY_QUERY | DIRECTORY_TRAVERSE, OBJ_INHERIT), copy = NULL;
    void *body = ot_body(source);
    LONG_PTR handles = ot_handles(body);

    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), source, NtCurrentProcess(), &copy, 0, 0,
                                   DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES),
                 STATUS_SUCCESS);
    KT_TRUE(copy != source);
    KT_EQ_PTR(ot_body(copy), body);
    KT_EQ_INT(ot_handles(body), handles + 1);
    KT_EQ_HEX(handle_info(copy, KernelMode).GrantedAccess, DIRECTORY_QUERY | DIRECTORY_TRAVERSE);
    KT_EQ_HEX(handle_info(copy, KernelMode).HandleAttributes, OBJ_INHERIT);
    ZwClose(copy);
    ZwClose(source);
}

/* Otherwise DesiredAccess (mapped through the type) and HandleAttributes. */
KT_TEST(duplicate_with_new_access_and_attributes)
{
    HANDLE source = open_device_directory(DIRECTORY_QUERY, OBJ_INHERIT), copy = NULL;
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), source, NtCurrentProcess(), &copy, GENERIC_READ, 0, 0),
                 STATUS_SUCCESS);
    KT_EQ_HEX(handle_info(copy, KernelMode).GrantedAccess, STANDARD_RIGHTS_READ | DIRECTORY_QUERY | DIRECTORY_TRAVERSE);
    KT_EQ_HEX(handle_info(copy, KernelMode).HandleAttributes, 0);
    ZwClose(copy);
    ZwClose(source);
}

/* DUPLICATE_CLOSE_SOURCE closes the source; with no target process that
 * is all it does; with neither, STATUS_INVALID_PARAMETER. */
KT_TEST(duplicate_close_source)
{
    HANDLE source = open_device_directory(DIRECTORY_QUERY, 0), copy = NULL;
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), source, NtCurrentProcess(), &copy, 0, 0,
                                   DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(source), NULL);
    KT_TRUE(ot_body(copy) != NULL);
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), copy, NULL, NULL, 0, 0, 0), STATUS_INVALID_PARAMETER);
    KT_TRUE(ot_body(copy) != NULL);
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), copy, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(copy), NULL);
}

/* A kernel handle duplicated into the caller's process (a driver handing
 * a handle to its client): a process handle a user caller can use; and
 * back, with OBJ_KERNEL_HANDLE. */
KT_TEST(duplicate_between_kernel_and_process)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE kernel = open_device_directory(DIRECTORY_QUERY, OBJ_KERNEL_HANDLE), user = NULL, back = NULL;
    void *body;

    ob_set_current_handle_table(client);
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), kernel, NtCurrentProcess(), &user, 0, 0,
                                   DUPLICATE_SAME_ACCESS),
                 STATUS_SUCCESS);
    KT_EQ_HEX((ULONG_PTR)user & KERNEL_BITS, 0);
    KT_EQ_STATUS(ObReferenceObjectByHandle(user, DIRECTORY_QUERY, NULL, UserMode, &body, NULL), STATUS_SUCCESS);
    KT_EQ_PTR(body, ot_body(kernel));
    ObDereferenceObject(body);
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), user, NtCurrentProcess(), &back, 0, OBJ_KERNEL_HANDLE,
                                   DUPLICATE_SAME_ACCESS),
                 STATUS_SUCCESS);
    KT_EQ_HEX((ULONG_PTR)back & KERNEL_BITS, KERNEL_BITS);
    /* From user mode the flag is ignored: the copy stays in the process. */
    KT_EQ_STATUS(ob_duplicate_object(NtCurrentProcess(), user, NtCurrentProcess(), &back, 0, OBJ_KERNEL_HANDLE,
                                     DUPLICATE_SAME_ACCESS, UserMode),
                 STATUS_SUCCESS);
    KT_EQ_HEX((ULONG_PTR)back & KERNEL_BITS, 0);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
    ZwClose(kernel);
}

/* A source that is not open: STATUS_INVALID_HANDLE; a process handle that
 * is a handle to something else: STATUS_OBJECT_TYPE_MISMATCH; one that is
 * no handle: STATUS_INVALID_HANDLE. TargetHandle is NULL on failure. */
KT_TEST(duplicate_errors)
{
    HANDLE dir = open_device_directory(DIRECTORY_QUERY, 0), copy = (HANDLE)1;
    HANDLE closed = open_device_directory(DIRECTORY_QUERY, 0);
    ZwClose(closed);
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), closed, NtCurrentProcess(), &copy, 0, 0, 0),
                 STATUS_INVALID_HANDLE);
    KT_EQ_PTR(copy, NULL);
    KT_EQ_STATUS(ZwDuplicateObject(dir, dir, NtCurrentProcess(), &copy, 0, 0, 0), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), dir, dir, &copy, 0, 0, 0), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ZwDuplicateObject(closed, dir, NtCurrentProcess(), &copy, 0, 0, 0), STATUS_INVALID_HANDLE);
    ZwClose(dir);
}

/* DUPLICATE_CLOSE_SOURCE closes the source even when the duplicate fails
 * (here a user caller asking for ACCESS_SYSTEM_SECURITY). */
KT_TEST(close_source_even_on_failure)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE source, copy;
    ob_set_current_handle_table(client);
    KT_REQUIRE(KT_EQ_STATUS(ob_open_directory_object(&source, DIRECTORY_QUERY,
                                                     ot_attributes(&oa, &name, L"\\Device", 0, NULL), UserMode),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ob_duplicate_object(NtCurrentProcess(), source, NtCurrentProcess(), &copy, ACCESS_SYSTEM_SECURITY, 0,
                                     DUPLICATE_CLOSE_SOURCE, UserMode),
                 STATUS_PRIVILEGE_NOT_HELD);
    KT_EQ_PTR(copy, NULL);
    KT_EQ_STATUS(ob_close_handle(source, UserMode), STATUS_INVALID_HANDLE);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}
