/* tests/ob/test_attributes.c: OBJECT_ATTRIBUTES as the object manager
 * checks them (InitializeObjectAttributes, Length, attribute bits, the name's
 * length and presence, RootDirectory with and without a name), and the
 * flags that are not about lookup: OBJ_OPENLINK (refused by the standard
 * types), OBJ_KERNEL_HANDLE, OBJ_INHERIT, OBJ_OPENIF on an open,
 * OBJ_IGNORE_IMPERSONATED_DEVICEMAP. Statuses as Windows gives them (Wine's
 * om.c records them). */
#include "obtest.h"

#include <stdlib.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E
#define BOGUS_HANDLE ((HANDLE)(ULONG_PTR)0xDEADBEEC)

/* "The InitializeObjectAttributes macro ... sets Length to
 * sizeof(OBJECT_ATTRIBUTES)" and SecurityQualityOfService to NULL. */
KT_TEST(InitializeObjectAttributes_fields)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    memset(&oa, 0xAA, sizeof oa);
    RtlInitUnicodeString(&name, L"\\x");
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, (HANDLE)0x10, (PVOID)0x20);
    KT_EQ_INT(oa.Length, sizeof(OBJECT_ATTRIBUTES));
    KT_EQ_PTR(oa.RootDirectory, (HANDLE)0x10);
    KT_EQ_PTR(oa.ObjectName, &name);
    KT_EQ_HEX(oa.Attributes, OBJ_CASE_INSENSITIVE);
    KT_EQ_PTR(oa.SecurityDescriptor, (PVOID)0x20);
    KT_EQ_PTR(oa.SecurityQualityOfService, NULL);
}

/* Any Length but sizeof(OBJECT_ATTRIBUTES): STATUS_INVALID_PARAMETER, on
 * create and on open alike. */
KT_TEST(wrong_length_is_invalid_parameter)
{
    static const ULONG lengths[] = { 0, sizeof(OBJECT_ATTRIBUTES) - 1, sizeof(OBJECT_ATTRIBUTES) + 1, 0x18 };
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
        ot_attributes(&oa, &name, L"\\KernelObjects\\AtLength", 0, NULL);
        oa.Length = lengths[i];
        KT_EQ_STATUS(ZwCreateDirectoryObject(&h, DIRECTORY_ALL_ACCESS, &oa), STATUS_INVALID_PARAMETER);
        KT_EQ_STATUS(ZwOpenDirectoryObject(&h, DIRECTORY_QUERY, &oa), STATUS_INVALID_PARAMETER);
    }
}

/* Bits outside OBJ_VALID_ATTRIBUTES: STATUS_INVALID_PARAMETER. */
KT_TEST(unknown_attribute_bits_are_invalid_parameter)
{
    static const ULONG bits[] = { 0x1, 0x4, 0x8, 0x2000, 0x10000, 0x80000000 };
    HANDLE h;
    for (size_t i = 0; i < sizeof bits / sizeof *bits; i++) {
        KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\AtBits", bits[i], NULL, &h), STATUS_INVALID_PARAMETER);
        KT_EQ_STATUS(ot_open_directory(L"\\Device", bits[i], NULL, &h), STATUS_INVALID_PARAMETER);
    }
}

/* An odd Length is STATUS_OBJECT_NAME_INVALID, checked before the
 * RootDirectory handle is looked at. */
KT_TEST(odd_name_length_is_name_invalid)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    ot_attributes(&oa, &name, L"\\KernelObjects\\AtOdd", 0, BOGUS_HANDLE);
    name.Length = 7;
    KT_EQ_STATUS(ZwCreateDirectoryObject(&h, DIRECTORY_ALL_ACCESS, &oa), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ZwOpenDirectoryObject(&h, DIRECTORY_QUERY, &oa), STATUS_OBJECT_NAME_INVALID);
}

/* Names may be 65532 bytes long (MAXUSHORT - sizeof(WCHAR), whole
 * characters); 65534 is STATUS_OBJECT_NAME_INVALID. */
KT_TEST(name_length_limit)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE root, h;
    WCHAR *text = malloc(65536);
    KT_REQUIRE(KT_TRUE(text != NULL));
    for (int i = 0; i < 32768; i++)
        text[i] = L'a';
    KT_REQUIRE(KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects", 0, NULL, &root), STATUS_SUCCESS));
    InitializeObjectAttributes(&oa, &name, 0, root, NULL);
    name.Buffer = text;
    name.Length = name.MaximumLength = 65532;
    KT_EQ_STATUS(ZwCreateDirectoryObject(&h, DIRECTORY_ALL_ACCESS, &oa), STATUS_SUCCESS);
    ZwClose(h);
    name.Length = name.MaximumLength = 65534;
    KT_EQ_STATUS(ZwCreateDirectoryObject(&h, DIRECTORY_ALL_ACCESS, &oa), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ZwOpenDirectoryObject(&h, DIRECTORY_QUERY, &oa), STATUS_OBJECT_NAME_INVALID);
    ZwClose(root);
    free(text);
}

/* A NULL ObjectName with a RootDirectory: STATUS_OBJECT_NAME_INVALID;
 * without one, a create makes an unnamed object and an open is
 * STATUS_OBJECT_PATH_SYNTAX_BAD. */
KT_TEST(null_object_name)
{
    OBJECT_ATTRIBUTES oa;
    HANDLE h;
    InitializeObjectAttributes(&oa, NULL, 0, BOGUS_HANDLE, NULL);
    KT_EQ_STATUS(ZwCreateDirectoryObject(&h, DIRECTORY_ALL_ACCESS, &oa), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ZwOpenDirectoryObject(&h, DIRECTORY_QUERY, &oa), STATUS_OBJECT_NAME_INVALID);
    InitializeObjectAttributes(&oa, NULL, 0, NULL, NULL);
    KT_EQ_STATUS(ZwCreateDirectoryObject(&h, DIRECTORY_ALL_ACCESS, &oa), STATUS_SUCCESS);
    KT_EQ_INT(ob_object_name(ot_body(h))->Length, 0);
    ZwClose(h);
    KT_EQ_STATUS(ZwOpenDirectoryObject(&h, DIRECTORY_QUERY, &oa), STATUS_OBJECT_PATH_SYNTAX_BAD);
}

/* An empty name makes an unnamed object and the RootDirectory is not even
 * looked at (Windows creates it with a bogus root handle). */
KT_TEST(empty_name_create_ignores_root)
{
    HANDLE h;
    KT_EQ_STATUS(ot_create_directory(L"", 0, BOGUS_HANDLE, &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_STATUS(ot_create_directory(L"", 0, NULL, &h), STATUS_SUCCESS);
    ZwClose(h);
}

/* No OBJECT_ATTRIBUTES: a create makes an unnamed object, an open is
 * STATUS_INVALID_PARAMETER. */
KT_TEST(null_attributes)
{
    HANDLE h;
    KT_EQ_STATUS(ZwCreateDirectoryObject(&h, DIRECTORY_ALL_ACCESS, NULL), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_STATUS(ZwOpenDirectoryObject(&h, DIRECTORY_QUERY, NULL), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&h, SYMBOLIC_LINK_QUERY, NULL), STATUS_INVALID_PARAMETER);
}

/* OBJ_OPENLINK is for registry links; the object manager's own types list
 * it among their invalid attributes: STATUS_INVALID_PARAMETER to create or
 * to open, symbolic links included (they are opened as such by asking for
 * the SymbolicLink type). */
KT_TEST(OBJ_OPENLINK_is_invalid_for_object_types)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\AtOpenLink", OBJ_OPENLINK, NULL, &h), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(ot_open_directory(L"\\Device", OBJ_OPENLINK, NULL, &h), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&h, SYMBOLIC_LINK_QUERY,
                                          ot_attributes(&oa, &name, L"\\DosDevices", OBJ_OPENLINK, NULL)),
                 STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&h, SYMBOLIC_LINK_QUERY, ot_attributes(&oa, &name, L"\\DosDevices", 0, NULL)),
                 STATUS_SUCCESS);
    ZwClose(h);
}

/* Files refuse OBJ_PERMANENT and OBJ_EXCLUSIVE as well (IopCreateObjectTypes). */
KT_TEST(file_type_invalid_attributes)
{
    static const ULONG refused[] = { OBJ_PERMANENT, OBJ_EXCLUSIVE, OBJ_OPENLINK };
    OBJECT_ATTRIBUTES oa;
    void *body;
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        InitializeObjectAttributes(&oa, NULL, refused[i], NULL, NULL);
        KT_EQ_STATUS(ob_create_object(*IoFileObjectType, &oa, KernelMode, 0, &body), STATUS_INVALID_PARAMETER);
        KT_EQ_PTR(body, NULL);
    }
}

/* OBJ_OPENIF on an open changes nothing: an existing object opens, a
 * missing one is STATUS_OBJECT_NAME_NOT_FOUND. */
KT_TEST(OBJ_OPENIF_on_open)
{
    HANDLE h;
    KT_EQ_STATUS(ot_open_directory(L"\\Device", OBJ_OPENIF, NULL, &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_STATUS(ot_open_directory(L"\\AtNoSuch", OBJ_OPENIF, NULL, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* ntbox has one device map, so OBJ_IGNORE_IMPERSONATED_DEVICEMAP is
 * accepted and \?? still reaches \GLOBAL??. */
KT_TEST(OBJ_IGNORE_IMPERSONATED_DEVICEMAP_accepted)
{
    HANDLE a, b;
    KT_EQ_STATUS(ot_open_directory(L"\\??", OBJ_IGNORE_IMPERSONATED_DEVICEMAP, NULL, &a), STATUS_SUCCESS);
    KT_EQ_STATUS(ot_open_directory(L"\\GLOBAL??", 0, NULL, &b), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(a), ot_body(b));
    ZwClose(a);
    ZwClose(b);
}

/* OBJ_KERNEL_HANDLE from KernelMode in a client process's context makes a
 * kernel handle; without it the handle is the process's; from UserMode the
 * flag is ignored. */
KT_TEST(OBJ_KERNEL_HANDLE_chooses_the_table)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE kernel, process, user;

    ob_set_current_handle_table(client);
    KT_EQ_STATUS(ot_open_directory(L"\\Device", OBJ_KERNEL_HANDLE, NULL, &kernel), STATUS_SUCCESS);
    KT_EQ_HEX((ULONG_PTR)kernel & 0xFFFFFFFF80000000ULL, 0xFFFFFFFF80000000ULL);
    KT_EQ_STATUS(ot_open_directory(L"\\Device", 0, NULL, &process), STATUS_SUCCESS);
    KT_EQ_HEX((ULONG_PTR)process & 0xFFFFFFFF80000000ULL, 0);
    KT_EQ_STATUS(ob_open_directory_object(&user, DIRECTORY_QUERY,
                                          ot_attributes(&oa, &name, L"\\Device", OBJ_KERNEL_HANDLE, NULL), UserMode),
                 STATUS_SUCCESS);
    KT_EQ_HEX((ULONG_PTR)user & 0xFFFFFFFF80000000ULL, 0);
    KT_EQ_STATUS(ob_close_handle(user, UserMode), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(process), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(kernel), STATUS_SUCCESS);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* OBJ_INHERIT is kept in the handle: HandleInformation.HandleAttributes. */
KT_TEST(OBJ_INHERIT_is_a_handle_attribute)
{
    OBJECT_HANDLE_INFORMATION info;
    HANDLE inherit, plain;
    void *body;
    KT_REQUIRE(KT_EQ_STATUS(ot_open_directory(L"\\Device", OBJ_INHERIT, NULL, &inherit), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ot_open_directory(L"\\Device", 0, NULL, &plain), STATUS_SUCCESS));
    KT_EQ_STATUS(ObReferenceObjectByHandle(inherit, 0, NULL, KernelMode, &body, &info), STATUS_SUCCESS);
    KT_EQ_HEX(info.HandleAttributes, OBJ_INHERIT);
    ObDereferenceObject(body);
    KT_EQ_STATUS(ObReferenceObjectByHandle(plain, 0, NULL, KernelMode, &body, &info), STATUS_SUCCESS);
    KT_EQ_HEX(info.HandleAttributes, 0);
    ObDereferenceObject(body);
    ZwClose(inherit);
    ZwClose(plain);
}

/* A name with Length but no Buffer: the user caller's probe fails,
 * STATUS_ACCESS_VIOLATION. */
KT_TEST(name_without_buffer_user_mode)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name = { 8, 8, NULL };
    HANDLE h;
    ob_set_current_handle_table(client);
    InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
    KT_EQ_STATUS(ob_open_directory_object(&h, DIRECTORY_QUERY, &oa, UserMode), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(ob_open_directory_object(NULL, DIRECTORY_QUERY, &oa, UserMode), STATUS_ACCESS_VIOLATION);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

static void zw_open_without_handle_pointer(void *arg)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    (void)arg;
    ZwOpenDirectoryObject(NULL, DIRECTORY_QUERY, ot_attributes(&oa, &name, L"\\Device", 0, NULL));
}

/* From kernel mode the same NULL pointer is an unhandled access violation
 * in the System process: bug check 0x7E. */
KT_TEST(null_handle_pointer_kernel_mode_is_0x7E)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION,
                                         zw_open_without_handle_pointer, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "ZwOpenDirectoryObject was given a NULL pointer");
}
