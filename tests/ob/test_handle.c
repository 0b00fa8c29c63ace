/* tests/ob/test_handle.c: handles: their values, tables (a client
 * process's, the kernel/System one), ObReferenceObjectByHandle's checks and
 * Driver Verifier's (0xC4: 0xF5, 0xF6, 0xF7), access granted through the
 * type's generic mapping, ZwClose (and INVALID_KERNEL_HANDLE, 0x93), and
 * closing a whole table as a process exit does. */
#include "obtest.h"

#include <stdint.h>

#define DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4
#define INVALID_KERNEL_HANDLE 0x93
#define KERNEL_BITS 0xFFFFFFFF80000000ULL

static HANDLE open_device_directory(ACCESS_MASK access, ULONG flags, KPROCESSOR_MODE mode)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h = NULL;
    ob_open_directory_object(&h, access, ot_attributes(&oa, &name, L"\\Device", flags, NULL), mode);
    return h;
}

/* Handle values are multiples of 4 from 4 in a new process's table. */
KT_TEST(handle_values_in_a_new_table)
{
    struct ob_handle_table *client = ob_handle_table_create();
    ob_set_current_handle_table(client);
    KT_EQ_HEX((ULONG_PTR)open_device_directory(DIRECTORY_QUERY, 0, UserMode), 4);
    KT_EQ_HEX((ULONG_PTR)open_device_directory(DIRECTORY_QUERY, 0, UserMode), 8);
    KT_EQ_HEX((ULONG_PTR)open_device_directory(DIRECTORY_QUERY, 0, UserMode), 12);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* A closed value comes back only after those closed before it. */
KT_TEST(freed_values_are_reused_in_order)
{
    struct ob_handle_table *client = ob_handle_table_create();
    ob_set_current_handle_table(client);
    for (int i = 0; i < 3; i++)
        open_device_directory(DIRECTORY_QUERY, 0, UserMode);
    ob_close_handle((HANDLE)8, UserMode);
    ob_close_handle((HANDLE)4, UserMode);
    KT_EQ_HEX((ULONG_PTR)open_device_directory(DIRECTORY_QUERY, 0, UserMode), 8);
    KT_EQ_HEX((ULONG_PTR)open_device_directory(DIRECTORY_QUERY, 0, UserMode), 4);
    KT_EQ_HEX((ULONG_PTR)open_device_directory(DIRECTORY_QUERY, 0, UserMode), 16);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* In the System process (DriverEntry's) every handle is a kernel handle:
 * 0xFFFFFFFF80000000 | a multiple of 4, OBJ_KERNEL_HANDLE or not. */
KT_TEST(system_process_handles_are_kernel_handles)
{
    HANDLE plain = open_device_directory(DIRECTORY_QUERY, 0, KernelMode);
    HANDLE kernel = open_device_directory(DIRECTORY_QUERY, OBJ_KERNEL_HANDLE, KernelMode);
    KT_EQ_HEX((ULONG_PTR)plain & KERNEL_BITS, KERNEL_BITS);
    KT_EQ_HEX((ULONG_PTR)kernel & KERNEL_BITS, KERNEL_BITS);
    KT_EQ_HEX((ULONG_PTR)plain % 4, 0);
    KT_TRUE(plain != kernel);
    ZwClose(plain);
    ZwClose(kernel);
}

/* The two low bits of a handle are the application's: ignored on use. */
KT_TEST(low_bits_are_ignored)
{
    HANDLE h = open_device_directory(DIRECTORY_QUERY, 0, KernelMode);
    void *a = ot_body(h), *b = ot_body((HANDLE)((ULONG_PTR)h | 1)), *c = ot_body((HANDLE)((ULONG_PTR)h | 3));
    KT_TRUE(a != NULL);
    KT_EQ_PTR(b, a);
    KT_EQ_PTR(c, a);
    ZwClose(h);
}

/* "STATUS_INVALID_HANDLE: the Handle parameter is not a valid object
 * handle"; *Object is NULL. */
KT_TEST(ObReferenceObjectByHandle_invalid_handle)
{
    void *body = (void *)1;
    HANDLE h = open_device_directory(DIRECTORY_QUERY, 0, KernelMode);
    ZwClose(h);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, 0, NULL, KernelMode, &body, NULL), STATUS_INVALID_HANDLE);
    KT_EQ_PTR(body, NULL);
    KT_EQ_STATUS(ObReferenceObjectByHandle((HANDLE)(ULONG_PTR)0xFFFFFFFF80FFFFF0ULL, 0, NULL, KernelMode, &body, NULL),
                 STATUS_INVALID_HANDLE);
}

/* "STATUS_OBJECT_TYPE_MISMATCH: the ObjectType parameter specifies the wrong
 * object type"; NULL accepts any. */
KT_TEST(ObReferenceObjectByHandle_type)
{
    HANDLE h = open_device_directory(DIRECTORY_QUERY, 0, KernelMode);
    void *body;
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &body, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, 0, ob_directory_object_type, KernelMode, &body, NULL), STATUS_SUCCESS);
    ObDereferenceObject(body);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, 0, NULL, KernelMode, &body, NULL), STATUS_SUCCESS);
    ObDereferenceObject(body);
    ZwClose(h);
}

/* "If AccessMode is UserMode, the requested access is compared to the
 * granted access": more than granted is STATUS_ACCESS_DENIED; KernelMode is
 * not checked; generic rights are not mapped here. */
KT_TEST(ObReferenceObjectByHandle_access)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_HANDLE_INFORMATION info;
    HANDLE h;
    void *body;

    ob_set_current_handle_table(client);
    h = open_device_directory(DIRECTORY_TRAVERSE, 0, UserMode);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, DIRECTORY_QUERY, NULL, UserMode, &body, NULL), STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, GENERIC_READ, NULL, UserMode, &body, NULL), STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, DIRECTORY_TRAVERSE, NULL, UserMode, &body, &info), STATUS_SUCCESS);
    KT_EQ_HEX(info.GrantedAccess, DIRECTORY_TRAVERSE);
    ObDereferenceObject(body);
    KT_EQ_STATUS(ob_reference_object_by_handle(h, DIRECTORY_ALL_ACCESS, NULL, KernelMode, &body, NULL),
                 STATUS_SUCCESS);
    ObDereferenceObject(body);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

static ACCESS_MASK granted(HANDLE h)
{
    OBJECT_HANDLE_INFORMATION info;
    void *body;
    if (!NT_SUCCESS(ob_reference_object_by_handle(h, 0, NULL, KernelMode, &body, &info)))
        return 0xFFFFFFFF;
    ObDereferenceObject(body);
    return info.GrantedAccess;
}

/* Generic rights map through the type's GENERIC_MAPPING; MAXIMUM_ALLOWED is
 * the type's all-access (no security descriptors to narrow it); bits the
 * type does not know are dropped. */
KT_TEST(granted_access_is_mapped)
{
    HANDLE h;
    h = open_device_directory(GENERIC_READ, 0, KernelMode);
    KT_EQ_HEX(granted(h), STANDARD_RIGHTS_READ | DIRECTORY_TRAVERSE | DIRECTORY_QUERY);
    ZwClose(h);
    h = open_device_directory(GENERIC_WRITE, 0, KernelMode);
    KT_EQ_HEX(granted(h), STANDARD_RIGHTS_WRITE | DIRECTORY_CREATE_OBJECT | DIRECTORY_CREATE_SUBDIRECTORY);
    ZwClose(h);
    h = open_device_directory(GENERIC_ALL, 0, KernelMode);
    KT_EQ_HEX(granted(h), DIRECTORY_ALL_ACCESS);
    ZwClose(h);
    h = open_device_directory(MAXIMUM_ALLOWED, 0, KernelMode);
    KT_EQ_HEX(granted(h), DIRECTORY_ALL_ACCESS);
    ZwClose(h);
    h = open_device_directory(DIRECTORY_QUERY | SYNCHRONIZE | 0x0100, 0, KernelMode);
    KT_EQ_HEX(granted(h), DIRECTORY_QUERY);
    ZwClose(h);
}

/* ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege: a user caller gets
 * STATUS_PRIVILEGE_NOT_HELD, kernel mode gets the right. */
KT_TEST(access_system_security)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    h = open_device_directory(ACCESS_SYSTEM_SECURITY, 0, KernelMode);
    KT_EQ_HEX(granted(h), ACCESS_SYSTEM_SECURITY);
    ZwClose(h);
    ob_set_current_handle_table(client);
    KT_EQ_STATUS(ob_open_directory_object(&h, ACCESS_SYSTEM_SECURITY,
                                          ot_attributes(&oa, &name, L"\\Device", 0, NULL), UserMode),
                 STATUS_PRIVILEGE_NOT_HELD);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* "A kernel handle is not usable from user mode": from a client process,
 * a UserMode reference or close of one is STATUS_INVALID_HANDLE. */
KT_TEST(kernel_handle_with_user_mode)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE kernel = open_device_directory(DIRECTORY_QUERY, 0, KernelMode);
    void *body;
    ob_set_current_handle_table(client);
    KT_EQ_STATUS(ObReferenceObjectByHandle(kernel, 0, NULL, UserMode, &body, NULL), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(ob_close_handle(kernel, UserMode), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(ObReferenceObjectByHandle(kernel, 0, NULL, KernelMode, &body, NULL), STATUS_SUCCESS);
    ObDereferenceObject(body);
    KT_EQ_STATUS(ZwClose(kernel), STATUS_SUCCESS);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* A process's handle is its own: another process's table does not have it. */
KT_TEST(handles_are_per_process)
{
    struct ob_handle_table *a = ob_handle_table_create(), *b = ob_handle_table_create();
    HANDLE h;
    void *body;
    ob_set_current_handle_table(a);
    h = open_device_directory(DIRECTORY_QUERY, 0, UserMode);
    ob_set_current_handle_table(b);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, 0, NULL, UserMode, &body, NULL), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(ob_close_handle(h, UserMode), STATUS_INVALID_HANDLE);
    ob_set_current_handle_table(a);
    KT_EQ_STATUS(ob_close_handle(h, UserMode), STATUS_SUCCESS);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(a);
    ob_handle_table_destroy(b);
}

/* ZwClose in the System process: STATUS_SUCCESS, then STATUS_INVALID_HANDLE
 * for the closed value (Windows checks its debugger only elsewhere); only
 * kernel handles exist there, so any other value (NULL, the pseudo-handles,
 * the value without its kernel bits) is STATUS_INVALID_HANDLE. */
KT_TEST(ZwClose_statuses_in_system_process)
{
    HANDLE h = open_device_directory(DIRECTORY_QUERY, 0, KernelMode);
    KT_EQ_STATUS(ZwClose((HANDLE)((ULONG_PTR)h & ~KERNEL_BITS)), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(ZwClose(h), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(h), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(ZwClose(NtCurrentProcess()), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(ZwClose(NULL), STATUS_INVALID_HANDLE);
}

/* In a client process, closing NtCurrentProcess() or NtCurrentThread()
 * succeeds and does nothing; NULL is STATUS_INVALID_HANDLE; a user caller's
 * close of a closed handle too. */
KT_TEST(close_statuses_in_client_process)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE h;
    ob_set_current_handle_table(client);
    KT_EQ_STATUS(ZwClose(NtCurrentProcess()), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(NtCurrentThread()), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(NULL), STATUS_INVALID_HANDLE);
    h = open_device_directory(DIRECTORY_QUERY, 0, UserMode);
    KT_EQ_STATUS(ob_close_handle(h, UserMode), STATUS_SUCCESS);
    KT_EQ_STATUS(ob_close_handle(h, UserMode), STATUS_INVALID_HANDLE);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

static void close_twice_in_client(void *arg)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE h;
    (void)arg;
    ob_set_current_handle_table(client);
    h = open_device_directory(DIRECTORY_QUERY, 0, KernelMode);
    ZwClose(h);
    ZwClose(h);
}

/* In a client process's context, kernel code closing an invalid handle is
 * INVALID_KERNEL_HANDLE (0x93), P1 the handle, P2 1 ("an invalid handle was
 * closed"), as Windows with a kernel debugger attached. */
KT_TEST(ZwClose_invalid_in_client_context_is_0x93)
{
    const char *out = KT_EXPECT_BUGCHECK(INVALID_KERNEL_HANDLE, 4, close_twice_in_client, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "0x0000000000000001,");
    KT_CONTAINS(out, "ZwClose(0x4): the handle is not open");
}

static void reference_null_handle(void *arg)
{
    void *body;
    (void)arg;
    ObReferenceObjectByHandle(NULL, 0, *IoFileObjectType, KernelMode, &body, NULL);
}

static void reference_user_handle_as_kernel(void *arg)
{
    void *body;
    (void)arg;
    ob_set_current_handle_table(ob_handle_table_create());
    ObReferenceObjectByHandle(open_device_directory(DIRECTORY_QUERY, 0, UserMode), 0, NULL, KernelMode, &body, NULL);
}

static void reference_kernel_handle_as_user(void *arg)
{
    void *body;
    (void)arg;
    ObReferenceObjectByHandle(open_device_directory(DIRECTORY_QUERY, 0, KernelMode), 0, NULL, UserMode, &body, NULL);
}

/* Driver Verifier, bug check 0xC4: 0xF5 "a driver passed a NULL handle to
 * ObReferenceObjectByHandle"; 0xF6 "a driver references a user-mode handle
 * as kernel mode" (P2 the handle); 0xF7 "a user-mode reference for a kernel
 * handle in the context of the system process" (P2 the handle, P4 the
 * mode). */
KT_TEST(ObReferenceObjectByHandle_verifier_checks)
{
    const char *out;
    KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF5, reference_null_handle, NULL);
    out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF6, reference_user_handle_as_kernel, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "0x0000000000000004,");
    out = KT_EXPECT_BUGCHECK(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF7, reference_kernel_handle_as_user, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "a user-mode reference to a kernel handle");
}

/* NtCurrentProcess()/NtCurrentThread() name objects ntbox does not have:
 * with a type they are the wrong type. */
KT_TEST(pseudo_handles)
{
    void *body;
    KT_EQ_STATUS(ObReferenceObjectByHandle(NtCurrentProcess(), 0, ob_directory_object_type, KernelMode, &body, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ObReferenceObjectByHandle(NtCurrentThread(), 0, *IoFileObjectType, KernelMode, &body, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
}

/* Destroying a process's table closes its handles in handle order, running
 * the close procedures: the named objects they held go away. */
KT_TEST(handle_table_destroy_closes_everything)
{
    struct ob_handle_table *client = ob_handle_table_create();
    HANDLE first, second, h;
    ob_set_current_handle_table(client);
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\HdExit1", 0, NULL, &first), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\HdExit2", 0, NULL, &second), STATUS_SUCCESS));
    KT_EQ_HEX((ULONG_PTR)first, 4);
    KT_EQ_HEX((ULONG_PTR)second, 8);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\HdExit1", 0, NULL, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\HdExit2", 0, NULL, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* The current table: NULL means the System process's, the kernel table. */
KT_TEST(current_table)
{
    struct ob_handle_table *client = ob_handle_table_create();
    KT_EQ_PTR(ob_current_handle_table(), ob_kernel_handle_table());
    ob_set_current_handle_table(client);
    KT_EQ_PTR(ob_current_handle_table(), client);
    ob_set_current_handle_table(NULL);
    KT_EQ_PTR(ob_current_handle_table(), ob_kernel_handle_table());
    ob_handle_table_destroy(client);
}

/* NtCurrentProcess() and NtCurrentThread() reference the caller's own
 * process and thread; asked for another type they are a type mismatch. */
KT_TEST(ObReferenceObjectByHandle_pseudo_handles)
{
    PVOID object = NULL;
    OBJECT_HANDLE_INFORMATION info;
    KT_EQ_STATUS(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsProcessType, KernelMode, &object, &info),
                 STATUS_SUCCESS);
    KT_EQ_PTR(object, PsGetCurrentProcess());
    KT_EQ_HEX(info.GrantedAccess, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF);
    ObDereferenceObject(object);
    KT_EQ_STATUS(ObReferenceObjectByHandle(NtCurrentThread(), 0, NULL, KernelMode, &object, NULL), STATUS_SUCCESS);
    KT_EQ_PTR(object, PsGetCurrentThread());
    ObDereferenceObject(object);
    KT_EQ_STATUS(ObReferenceObjectByHandle(NtCurrentThread(), 0, *PsProcessType, KernelMode, &object, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *IoFileObjectType, KernelMode, &object, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
}
