/* tests/ob/test_lookup.c: name lookup in the object namespace: the
 * directories ntbox starts with, \??, symbolic links on the way and at the
 * end, RootDirectory-relative names, the status for each kind of bad name,
 * and case sensitivity. Expected statuses are those Windows gives (Wine's
 * ntdll om.c tests record them). */
#include "obtest.h"

#include <stdio.h>

/* An ASCII name as UTF-16 (swprintf's wchar_t is not WCHAR here). */
static void wide(WCHAR *out, const char *text)
{
    while ((*out++ = (unsigned char)*text++) != 0)
        ;
}

/* The namespace a driver expects exists at startup. */
KT_TEST(namespace_standard_directories)
{
    static const WCHAR *const paths[] = { L"\\", L"\\Device", L"\\Driver", L"\\ObjectTypes", L"\\KernelObjects",
                                          L"\\GLOBAL??", L"\\??" };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        HANDLE h = NULL;
        KT_EQ_STATUS(ot_open_directory(paths[i], 0, NULL, &h), STATUS_SUCCESS);
        KT_EQ_STATUS(ZwClose(h), STATUS_SUCCESS);
    }
}

/* "\??" is the device map, \GLOBAL?? in ntbox: both open the same object. */
KT_TEST(dos_devices_is_global)
{
    HANDLE a, b, c;
    KT_REQUIRE(KT_EQ_STATUS(ot_open_directory(L"\\??", 0, NULL, &a), STATUS_SUCCESS));
    KT_EQ_STATUS(ot_open_directory(L"\\GLOBAL??", 0, NULL, &b), STATUS_SUCCESS);
    /* \DosDevices is a link to \??: followed when opening a directory. */
    KT_EQ_STATUS(ot_open_directory(L"\\DosDevices", 0, NULL, &c), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_PTR(ot_body(a), ot_body(b));
    ZwClose(a);
    ZwClose(b);
}

/* \??\X, \DosDevices\X and \GLOBAL??\X name the same object. */
KT_TEST(dos_devices_prefixes_reach_global)
{
    HANDLE made, via_short, via_link;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\GLOBAL??\\LkDos", 0, NULL, &made), STATUS_SUCCESS));
    KT_EQ_STATUS(ot_open_directory(L"\\??\\LkDos", 0, NULL, &via_short), STATUS_SUCCESS);
    KT_EQ_STATUS(ot_open_directory(L"\\DosDevices\\LkDos", 0, NULL, &via_link), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(via_short), ot_body(made));
    KT_EQ_PTR(ot_body(via_link), ot_body(made));
    ZwClose(via_short);
    ZwClose(via_link);
    ZwClose(made);
}

/* A create through \??\ lands in \GLOBAL??. */
KT_TEST(dos_devices_create_lands_in_global)
{
    HANDLE made, found;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\??\\LkMade", 0, NULL, &made), STATUS_SUCCESS));
    KT_EQ_STATUS(ot_open_directory(L"\\GLOBAL??\\LkMade", 0, NULL, &found), STATUS_SUCCESS);
    ZwClose(found);
    ZwClose(made);
}

/* A link in the middle of a name is followed: target + the rest. */
KT_TEST(symbolic_link_in_path_is_followed)
{
    HANDLE dir, inner, link, found;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\LkTarget", 0, NULL, &dir), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\LkTarget\\Inner", 0, NULL, &inner),
                            STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ot_create_link(L"\\KernelObjects\\LkLink", L"\\KernelObjects\\LkTarget", 0, NULL, &link),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\LkLink\\Inner", 0, NULL, &found), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(found), ot_body(inner));
    ZwClose(found);
    ZwClose(link);
    ZwClose(inner);
    ZwClose(dir);
}

/* Chains: a link to a link to a directory ends at the directory; the link
 * at the end of a user-mode open of another type is followed. */
KT_TEST(symbolic_link_chain)
{
    HANDLE dir, a, b, found = NULL;
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    struct ob_handle_table *client = ob_handle_table_create();
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\LkChainEnd", 0, NULL, &dir), STATUS_SUCCESS));
    ot_create_link(L"\\KernelObjects\\LkChainB", L"\\KernelObjects\\LkChainEnd", 0, NULL, &b);
    ot_create_link(L"\\KernelObjects\\LkChainA", L"\\KernelObjects\\LkChainB", 0, NULL, &a);
    /* A user caller, in its own process. */
    ob_set_current_handle_table(client);
    KT_EQ_STATUS(ob_open_directory_object(&found, DIRECTORY_QUERY,
                                          ot_attributes(&oa, &name, L"\\KernelObjects\\LkChainA", 0, NULL), UserMode),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(found), ot_body(dir));
    KT_EQ_STATUS(ob_close_handle(found, UserMode), STATUS_SUCCESS);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
    ZwClose(a);
    ZwClose(b);
    ZwClose(dir);
}

/* Windows: in kernel mode ObpParseSymbolicLink's ObReferenceObjectByPointer
 * accepts any type, so a link at the end of the name is what a Zw open of
 * another type finds: STATUS_OBJECT_TYPE_MISMATCH. OBJ_FORCE_ACCESS_CHECK
 * makes the lookup behave as for a user caller. */
KT_TEST(symbolic_link_at_end_in_kernel_mode)
{
    HANDLE dir, link, found = NULL;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\LkEndDir", 0, NULL, &dir), STATUS_SUCCESS));
    ot_create_link(L"\\KernelObjects\\LkEnd", L"\\KernelObjects\\LkEndDir", 0, NULL, &link);
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\LkEnd", 0, NULL, &found), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_PTR(found, NULL);
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\LkEnd", OBJ_FORCE_ACCESS_CHECK, NULL, &found), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(found), ot_body(dir));
    ZwClose(found);
    ZwClose(link);
    ZwClose(dir);
}

/* Links that lead back to themselves stop after Windows' 32 reparses. */
KT_TEST(symbolic_link_loop_is_name_not_found)
{
    HANDLE a, b, found;
    ot_create_link(L"\\KernelObjects\\LkLoopA", L"\\KernelObjects\\LkLoopB", 0, NULL, &a);
    ot_create_link(L"\\KernelObjects\\LkLoopB", L"\\KernelObjects\\LkLoopA", 0, NULL, &b);
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\LkLoopA\\x", 0, NULL, &found), STATUS_OBJECT_NAME_NOT_FOUND);
    ZwClose(a);
    ZwClose(b);
}

/* 31 links in a row resolve; the 32nd reparse fails. */
KT_TEST(symbolic_link_reparse_limit)
{
    HANDLE dir, links[32], found;
    WCHAR name[64], target[64];
    char text[64];
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\LkDeep0", 0, NULL, &dir), STATUS_SUCCESS));
    for (int i = 1; i <= 32; i++) {
        snprintf(text, sizeof text, "\\KernelObjects\\LkDeep%d", i);
        wide(name, text);
        snprintf(text, sizeof text, "\\KernelObjects\\LkDeep%d", i - 1);
        wide(target, text);
        KT_EQ_STATUS(ot_create_link(name, target, 0, NULL, &links[i - 1]), STATUS_SUCCESS);
    }
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\LkDeep31\\", 0, NULL, &found), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\LkDeep31\\Below", 0, NULL, &found), STATUS_SUCCESS);
    ZwClose(found);
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\LkDeep32\\Below", 0, NULL, &found),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    for (int i = 0; i < 32; i++)
        ZwClose(links[i]);
    ZwClose(dir);
}

/* "If this flag is set, no reparse points will be followed ... the attempt
 * will fail and return STATUS_REPARSE_POINT_ENCOUNTERED" (OBJECT_ATTRIBUTES). */
KT_TEST(OBJ_DONT_REPARSE_refuses_links)
{
    HANDLE found;
    KT_EQ_STATUS(ot_open_directory(L"\\DosDevices\\Global", OBJ_DONT_REPARSE, NULL, &found),
                 STATUS_REPARSE_POINT_ENCOUNTERED);
    /* \?? is the device map, not a link. */
    KT_EQ_STATUS(ot_open_directory(L"\\??", OBJ_DONT_REPARSE, NULL, &found), STATUS_SUCCESS);
    ZwClose(found);
}

/* A name that is not absolute without a RootDirectory, or an empty one:
 * STATUS_OBJECT_PATH_SYNTAX_BAD. */
KT_TEST(relative_name_without_root_is_syntax_bad)
{
    HANDLE h;
    KT_EQ_STATUS(ot_open_directory(L"Device", 0, NULL, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ_STATUS(ot_create_directory(L"LkRelative", 0, NULL, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ_STATUS(ot_open_directory(L"", 0, NULL, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
}

/* An empty component (doubled or trailing separator) is
 * STATUS_OBJECT_NAME_INVALID; a missing directory on the way
 * STATUS_OBJECT_PATH_NOT_FOUND; a missing last one
 * STATUS_OBJECT_NAME_NOT_FOUND. */
KT_TEST(bad_paths)
{
    HANDLE h;
    KT_EQ_STATUS(ot_open_directory(L"\\Device\\", 0, NULL, &h), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ot_open_directory(L"\\\\Device", 0, NULL, &h), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ot_create_directory(L"\\Device\\\\LkX", 0, NULL, &h), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ot_open_directory(L"\\LkMissing\\Below", 0, NULL, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EQ_STATUS(ot_create_directory(L"\\LkMissing\\Below", 0, NULL, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EQ_STATUS(ot_open_directory(L"\\LkMissing\\", 0, NULL, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EQ_STATUS(ot_open_directory(L"\\LkMissing", 0, NULL, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* A name continuing below an object that is not a directory:
 * STATUS_OBJECT_TYPE_MISMATCH. */
KT_TEST(path_through_non_directory_is_type_mismatch)
{
    HANDLE h;
    KT_EQ_STATUS(ot_open_directory(L"\\ObjectTypes\\Device\\x", 0, NULL, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ot_create_directory(L"\\ObjectTypes\\Device\\x", 0, NULL, &h), STATUS_OBJECT_TYPE_MISMATCH);
}

/* Names relative to a RootDirectory handle: created and opened there; an
 * empty name opens the directory itself; a leading '\' is
 * STATUS_OBJECT_PATH_SYNTAX_BAD. */
KT_TEST(root_directory_relative)
{
    HANDLE root, child, again, self;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\LkRoot", 0, NULL, &root), STATUS_SUCCESS));
    KT_EQ_STATUS(ot_create_directory(L"Child", 0, root, &child), STATUS_SUCCESS);
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\LkRoot\\Child", 0, NULL, &again), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(again), ot_body(child));
    ZwClose(again);
    KT_EQ_STATUS(ot_open_directory(L"Child", 0, root, &again), STATUS_SUCCESS);
    ZwClose(again);
    KT_EQ_STATUS(ot_open_directory(L"", 0, root, &self), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(self), ot_body(root));
    ZwClose(self);
    KT_EQ_STATUS(ot_open_directory(L"\\Child", 0, root, &again), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ_STATUS(ot_open_directory(L"\\", 0, root, &again), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EQ_STATUS(ot_open_directory(L"Child\\", 0, root, &again), STATUS_OBJECT_NAME_INVALID);
    KT_EQ_STATUS(ot_open_directory(L"Nothing\\", 0, root, &again), STATUS_OBJECT_PATH_NOT_FOUND);
    ZwClose(child);
    ZwClose(root);
}

/* A RootDirectory that is not a handle: STATUS_INVALID_HANDLE; one that is
 * neither a directory nor has a parse procedure: STATUS_OBJECT_TYPE_MISMATCH
 * (Windows 7 and later). */
KT_TEST(root_directory_must_be_a_directory)
{
    HANDLE type, h;
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    KT_EQ_STATUS(ot_open_directory(L"x", 0, (HANDLE)(ULONG_PTR)0xFFFFFFFF80FFFFF0ULL, &h), STATUS_INVALID_HANDLE);
    KT_REQUIRE(KT_EQ_STATUS(ob_open_object_by_name(ot_attributes(&oa, &name, L"\\ObjectTypes\\Event", 0, NULL), NULL,
                                                   KernelMode, 0, NULL, &type),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ot_open_directory(L"x", 0, type, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ot_open_directory(L"", 0, type, &h), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(type);
}

/* A symbolic link as RootDirectory: an empty name opens the link itself
 * (asked for as a link), a name not starting with '\' is
 * STATUS_OBJECT_TYPE_MISMATCH. */
KT_TEST(root_directory_symbolic_link)
{
    HANDLE link, h, device;
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    KT_REQUIRE(KT_EQ_STATUS(ot_open_directory(L"\\Device", 0, NULL, &device), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ot_create_link(L"\\KernelObjects\\LkRootLink", L"\\Device", 0, NULL, &link),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&h, SYMBOLIC_LINK_QUERY, ot_attributes(&oa, &name, L"", 0, link)),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), ot_body(link));
    ZwClose(h);
    KT_EQ_STATUS(ot_create_directory(L"one more level", 0, link, &h), STATUS_OBJECT_TYPE_MISMATCH);
    /* As a directory: in kernel mode the link itself is found, a mismatch;
     * with OBJ_FORCE_ACCESS_CHECK it is followed to \Device. */
    KT_EQ_STATUS(ob_open_directory_object(&h, DIRECTORY_QUERY, ot_attributes(&oa, &name, L"", 0, link), KernelMode),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ob_open_directory_object(&h, DIRECTORY_QUERY,
                                          ot_attributes(&oa, &name, L"", OBJ_FORCE_ACCESS_CHECK, link), KernelMode),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), ot_body(device));
    ZwClose(h);
    ZwClose(link);
    ZwClose(device);
}

/* Directory names are case-insensitive by Windows' default
 * (obcaseinsensitive): "otherwise, object names are compared using the
 * default system settings" (OBJECT_ATTRIBUTES). */
KT_TEST(directory_lookup_ignores_case_by_default)
{
    HANDLE h;
    KT_EQ_STATUS(ot_open_directory(L"\\DEVICE", 0, NULL, &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_STATUS(ot_open_directory(L"\\global??", 0, NULL, &h), STATUS_SUCCESS);
    ZwClose(h);
}

/* A case-sensitive type (Event): without OBJ_CASE_INSENSITIVE the whole
 * name must match exactly, directories included; with it, any case. */
KT_TEST(case_sensitive_type_needs_exact_case)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    void *event;
    HANDLE made, h = NULL;

    KT_REQUIRE(KT_EQ_STATUS(ob_create_object(*ExEventObjectType,
                                             ot_attributes(&oa, &name, L"\\KernelObjects\\LkEvent", 0, NULL),
                                             KernelMode, 0, &event),
                            STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ob_insert_object(event, EVENT_ALL_ACCESS, NULL, &made), STATUS_SUCCESS));
    KT_EQ_STATUS(ob_open_object_by_name(ot_attributes(&oa, &name, L"\\KernelObjects\\lkevent", 0, NULL),
                                        *ExEventObjectType, KernelMode, EVENT_ALL_ACCESS, NULL, &h),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ_STATUS(ob_open_object_by_name(ot_attributes(&oa, &name, L"\\KERNELOBJECTS\\LkEvent", 0, NULL),
                                        *ExEventObjectType, KernelMode, EVENT_ALL_ACCESS, NULL, &h),
                 STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EQ_STATUS(ob_open_object_by_name(ot_attributes(&oa, &name, L"\\KERNELOBJECTS\\lkEVENT",
                                                      OBJ_CASE_INSENSITIVE, NULL),
                                        *ExEventObjectType, KernelMode, EVENT_ALL_ACCESS, NULL, &h),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), event);
    ZwClose(h);
    /* Names that differ only by case are two objects for a case-sensitive create. */
    KT_EQ_STATUS(ob_create_object(*ExEventObjectType, ot_attributes(&oa, &name, L"\\KernelObjects\\LKEVENT", 0, NULL),
                                  KernelMode, 0, &event),
                 STATUS_SUCCESS);
    KT_EQ_STATUS(ob_insert_object(event, EVENT_ALL_ACCESS, NULL, &h), STATUS_SUCCESS);
    KT_FALSE(ot_body(h) == ot_body(made));
    ZwClose(h);
    ZwClose(made);
}

/* ob_reference_object_by_name: the body, referenced; NULL or empty name
 * STATUS_OBJECT_NAME_INVALID; another type STATUS_OBJECT_TYPE_MISMATCH. */
KT_TEST(reference_by_name)
{
    UNICODE_STRING name;
    void *object;
    LONG_PTR before;

    RtlInitUnicodeString(&name, L"\\Device");
    KT_REQUIRE(KT_EQ_STATUS(ob_reference_object_by_name(&name, 0, ob_directory_object_type, KernelMode, 0, NULL,
                                                        &object),
                            STATUS_SUCCESS));
    before = ot_references(object);
    ob_dereference_object(object);
    KT_EQ_INT(ot_references(object), before - 1);
    KT_EQ_STATUS(ob_reference_object_by_name(&name, 0, *IoFileObjectType, KernelMode, 0, NULL, &object),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_PTR(object, NULL);
    KT_EQ_STATUS(ob_reference_object_by_name(NULL, 0, NULL, KernelMode, 0, NULL, &object),
                 STATUS_OBJECT_NAME_INVALID);
    RtlInitUnicodeString(&name, L"");
    KT_EQ_STATUS(ob_reference_object_by_name(&name, 0, NULL, KernelMode, 0, NULL, &object),
                 STATUS_OBJECT_NAME_INVALID);
}
