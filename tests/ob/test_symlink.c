/* tests/ob/test_symlink.c: ZwCreateSymbolicLinkObject (target checks),
 * ZwOpenSymbolicLinkObject (the link, not its target),
 * ZwQuerySymbolicLinkObject (lengths with and without ReturnedLength, as
 * Windows and Wine's om.c show them), and links whose target is empty,
 * relative or missing. */
#include "obtest.h"

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

/* A target with an odd length, longer than its buffer, or MaximumLength 0:
 * STATUS_INVALID_PARAMETER, before the attributes are looked at. */
KT_TEST(ZwCreateSymbolicLinkObject_bad_targets)
{
    static const UNICODE_STRING bad[] = {
        { 3, 4, (PWCH)L"ab" }, { 2, 3, (PWCH)L"ab" }, { 4, 2, (PWCH)L"ab" }, { 0, 0, NULL },
    };
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ot_attributes(&oa, &name, L"\\KernelObjects\\SlBad", 0, NULL);
        name.Length = 7; /* STATUS_OBJECT_NAME_INVALID, were it looked at */
        KT_EQ_STATUS(ZwCreateSymbolicLinkObject(&h, SYMBOLIC_LINK_ALL_ACCESS, &oa, (PUNICODE_STRING)&bad[i]),
                     STATUS_INVALID_PARAMETER);
    }
}

/* ZwOpenSymbolicLinkObject opens the link itself; a name that is not a
 * link is STATUS_OBJECT_TYPE_MISMATCH. */
KT_TEST(ZwOpenSymbolicLinkObject_opens_the_link)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE made, h;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_link(L"\\KernelObjects\\SlOpen", L"\\Device", 0, NULL, &made), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&h, GENERIC_READ, ot_attributes(&oa, &name, L"\\KernelObjects\\SlOpen", 0,
                                                                            NULL)),
                 STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), ot_body(made));
    KT_EQ_PTR(ob_object_type(ot_body(h)), ob_symbolic_link_object_type);
    ZwClose(h);
    KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&h, GENERIC_READ, ot_attributes(&oa, &name, L"\\Device", 0, NULL)),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&h, GENERIC_READ, ot_attributes(&oa, &name, L"\\SlNone", 0, NULL)),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    ZwClose(made);
}

/* With ReturnedLength the target is copied with its NUL, so MaximumLength
 * must be Length + 2 (ReturnedLength); exactly Length or 0 is
 * STATUS_BUFFER_TOO_SMALL with ReturnedLength the size needed. */
KT_TEST(ZwQuerySymbolicLinkObject_lengths)
{
    HANDLE link;
    WCHAR buffer[32];
    UNICODE_STRING target = { 0, sizeof buffer, buffer };
    ULONG length = 0xDEADBEEF;

    KT_REQUIRE(KT_EQ_STATUS(ot_create_link(L"\\KernelObjects\\SlQuery", L"\\Device\\Q", 0, NULL, &link),
                            STATUS_SUCCESS));
    memset(buffer, 0xAA, sizeof buffer);
    KT_EQ_STATUS(ZwQuerySymbolicLinkObject(link, &target, &length), STATUS_SUCCESS);
    KT_EQ_USTR(&target, "\\Device\\Q");
    KT_EQ_INT(length, 20);
    KT_EQ_INT(buffer[9], 0);
    KT_EQ_INT(target.MaximumLength, sizeof buffer);

    target.MaximumLength = 20;
    length = 0xDEADBEEF;
    KT_EQ_STATUS(ZwQuerySymbolicLinkObject(link, &target, &length), STATUS_SUCCESS);
    KT_EQ_INT(length, 20);

    target.Length = 0;
    target.MaximumLength = 18;
    length = 0xDEADBEEF;
    KT_EQ_STATUS(ZwQuerySymbolicLinkObject(link, &target, &length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ_INT(length, 20);
    KT_EQ_INT(target.Length, 0);
    target.MaximumLength = 0;
    KT_EQ_STATUS(ZwQuerySymbolicLinkObject(link, &target, &length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ_INT(length, 20);
    ZwClose(link);
}

/* Without ReturnedLength only the characters are copied: MaximumLength ==
 * Length is enough and nothing is written past it. */
KT_TEST(ZwQuerySymbolicLinkObject_without_returned_length)
{
    HANDLE link;
    WCHAR buffer[32];
    UNICODE_STRING target = { 0, 18, buffer };

    KT_REQUIRE(KT_EQ_STATUS(ot_create_link(L"\\KernelObjects\\SlQuery2", L"\\Device\\Q", 0, NULL, &link),
                            STATUS_SUCCESS));
    memset(buffer, 0xAA, sizeof buffer);
    KT_EQ_STATUS(ZwQuerySymbolicLinkObject(link, &target, NULL), STATUS_SUCCESS);
    KT_EQ_USTR(&target, "\\Device\\Q");
    KT_EQ_HEX(buffer[9], 0xAAAA);
    target.MaximumLength = 16;
    KT_EQ_STATUS(ZwQuerySymbolicLinkObject(link, &target, NULL), STATUS_BUFFER_TOO_SMALL);
    ZwClose(link);
}

/* The handle must be a link's; a user caller's needs SYMBOLIC_LINK_QUERY. */
KT_TEST(ZwQuerySymbolicLinkObject_errors)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name, target = { 0, 0, NULL };
    HANDLE dir, link;
    ULONG length;

    KT_REQUIRE(KT_EQ_STATUS(ot_open_directory(L"\\Device", 0, NULL, &dir), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwQuerySymbolicLinkObject(dir, &target, &length), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(dir);
    ob_set_current_handle_table(client);
    KT_REQUIRE(KT_EQ_STATUS(ob_open_symbolic_link_object(&link, STANDARD_RIGHTS_READ,
                                                         ot_attributes(&oa, &name, L"\\DosDevices", 0, NULL),
                                                         UserMode),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ob_query_symbolic_link_object(link, &target, &length, UserMode), STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(ob_query_symbolic_link_object(link, NULL, &length, UserMode), STATUS_ACCESS_VIOLATION);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* \GLOBAL??\GLOBALROOT has an empty target: what follows it is absolute. */
KT_TEST(globalroot_link)
{
    HANDLE a, b;
    KT_EQ_STATUS(ot_open_directory(L"\\GLOBAL??\\GLOBALROOT\\Device", 0, NULL, &a), STATUS_SUCCESS);
    KT_EQ_STATUS(ot_open_directory(L"\\Device", 0, NULL, &b), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(a), ot_body(b));
    ZwClose(a);
    ZwClose(b);
    KT_EQ_STATUS(ot_open_directory(L"\\??\\Global\\Global\\GLOBALROOT\\Driver", 0, NULL, &a), STATUS_SUCCESS);
    ZwClose(a);
}

/* A link to nowhere is legal; following it fails as the target would. A
 * relative target is a syntax error once followed. */
KT_TEST(dangling_and_relative_targets)
{
    HANDLE dangling, relative, h;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_link(L"\\KernelObjects\\SlDangling", L"\\SlNowhere\\Deeper", 0, NULL, &dangling),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\SlDangling\\x", 0, NULL, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_REQUIRE(KT_EQ_STATUS(ot_create_link(L"\\KernelObjects\\SlRelative", L"Device", 0, NULL, &relative),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ot_open_directory(L"\\KernelObjects\\SlRelative\\x", 0, NULL, &h), STATUS_OBJECT_PATH_SYNTAX_BAD);
    ZwClose(dangling);
    ZwClose(relative);
}

/* Creating through a link creates at its target (Windows follows links
 * when inserting too). */
KT_TEST(create_through_link)
{
    HANDLE dir, link, made, found;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\SlHere", 0, NULL, &dir), STATUS_SUCCESS));
    ot_create_link(L"\\KernelObjects\\SlThere", L"\\KernelObjects\\SlHere", 0, NULL, &link);
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\SlThere\\Made", 0, NULL, &made), STATUS_SUCCESS);
    KT_EQ_STATUS(ot_open_directory(L"Made", 0, dir, &found), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(found), ot_body(made));
    ZwClose(found);
    ZwClose(made);
    ZwClose(link);
    ZwClose(dir);
}

static void create_link_without_target(void *arg)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    (void)arg;
    ZwCreateSymbolicLinkObject(&h, SYMBOLIC_LINK_ALL_ACCESS, ot_attributes(&oa, &name, L"\\SlNull", 0, NULL), NULL);
}

/* A NULL target: STATUS_ACCESS_VIOLATION for a user caller; in kernel mode
 * the fault Windows would take, bug check 0x7E. */
KT_TEST(null_target)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    ob_set_current_handle_table(client);
    KT_EQ_STATUS(ob_create_symbolic_link_object(&h, SYMBOLIC_LINK_ALL_ACCESS,
                                                ot_attributes(&oa, &name, L"\\SlNull", 0, NULL), NULL, UserMode),
                 STATUS_ACCESS_VIOLATION);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION,
                       create_link_without_target, NULL);
}
