/* tests/ob/test_directory.c: ZwQueryDirectoryObject: the buffer layout
 * (OBJECT_DIRECTORY_INFORMATION entries, a zeroed one, then the strings),
 * single entries and pages, RestartScan and Context, and STATUS_MORE_ENTRIES,
 * STATUS_BUFFER_TOO_SMALL, STATUS_NO_MORE_ENTRIES as Windows' own
 * NtQueryDirectoryObject returns them; plus handle and parameter errors. */
#include "obtest.h"

#define INFO sizeof(OBJECT_DIRECTORY_INFORMATION)
/* What one entry costs: its structure and both strings with their NULs. */
#define COST(name_chars, type_chars) (INFO + ((name_chars) + 1 + (type_chars) + 1) * sizeof(WCHAR))

/* A directory with Alpha (Directory), beta (SymbolicLink), Gamma
 * (Directory): listed case-insensitively sorted. */
struct fixture {
    HANDLE dir, alpha, beta, gamma;
};

static bool fixture_open(struct fixture *f, const WCHAR *path)
{
    return NT_SUCCESS(ot_create_directory(path, 0, NULL, &f->dir)) &&
           NT_SUCCESS(ot_create_directory(L"Gamma", 0, f->dir, &f->gamma)) &&
           NT_SUCCESS(ot_create_directory(L"Alpha", 0, f->dir, &f->alpha)) &&
           NT_SUCCESS(ot_create_link(L"beta", L"\\Nowhere", 0, f->dir, &f->beta));
}

static void fixture_close(struct fixture *f)
{
    ZwClose(f->alpha);
    ZwClose(f->beta);
    ZwClose(f->gamma);
    ZwClose(f->dir);
}

static bool entry_is(const OBJECT_DIRECTORY_INFORMATION *e, const char *name, const char *type)
{
    return KT_EQ_USTR(&e->Name, name) && KT_EQ_USTR(&e->TypeName, type) &&
           KT_EQ_INT(e->Name.MaximumLength, e->Name.Length + 2) &&
           KT_EQ_INT(e->Name.Buffer[e->Name.Length / 2], 0) &&
           KT_EQ_INT(e->TypeName.Buffer[e->TypeName.Length / 2], 0);
}

static bool entry_is_zero(const OBJECT_DIRECTORY_INFORMATION *e)
{
    static const OBJECT_DIRECTORY_INFORMATION zero;
    return KT_EQ_MEM(e, &zero, sizeof zero);
}

/* One entry at a time: each call returns the next, Context moving on; the
 * layout is the entry, a zeroed entry, then "Alpha\0Directory\0". */
KT_TEST(single_entries_in_order)
{
    struct fixture f;
    ULONG_PTR buffer[64];
    OBJECT_DIRECTORY_INFORMATION *info = (void *)buffer;
    ULONG context = 77, length = 0;

    KT_REQUIRE(KT_TRUE(fixture_open(&f, L"\\KernelObjects\\DrSingle")));
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, sizeof buffer, TRUE, TRUE, &context, &length), STATUS_SUCCESS);
    entry_is(&info[0], "Alpha", "Directory");
    entry_is_zero(&info[1]);
    KT_EQ_PTR(info[0].Name.Buffer, (char *)buffer + 2 * INFO);
    KT_EQ_PTR(info[0].TypeName.Buffer, (char *)buffer + 2 * INFO + 6 * sizeof(WCHAR));
    KT_EQ_INT(length, INFO + COST(5, 9));
    KT_EQ_INT(context, 1);

    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, sizeof buffer, TRUE, FALSE, &context, &length), STATUS_SUCCESS);
    entry_is(&info[0], "beta", "SymbolicLink");
    KT_EQ_INT(length, INFO + COST(4, 12));
    KT_EQ_INT(context, 2);
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, sizeof buffer, TRUE, FALSE, &context, &length), STATUS_SUCCESS);
    entry_is(&info[0], "Gamma", "Directory");
    KT_EQ_INT(context, 3);

    /* Past the end: nothing, Context unchanged, only the zeroed entry. */
    memset(buffer, 0xAA, sizeof buffer);
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, sizeof buffer, TRUE, FALSE, &context, &length),
                 STATUS_NO_MORE_ENTRIES);
    KT_EQ_INT(context, 3);
    KT_EQ_INT(length, INFO);
    entry_is_zero(&info[0]);
    fixture_close(&f);
}

/* All at once when they fit: STATUS_SUCCESS, Context the entry count. */
KT_TEST(all_entries_at_once)
{
    struct fixture f;
    ULONG_PTR buffer[128];
    OBJECT_DIRECTORY_INFORMATION *info = (void *)buffer;
    ULONG context = 0, length = 0;

    KT_REQUIRE(KT_TRUE(fixture_open(&f, L"\\KernelObjects\\DrAll")));
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, sizeof buffer, FALSE, TRUE, &context, &length), STATUS_SUCCESS);
    entry_is(&info[0], "Alpha", "Directory");
    entry_is(&info[1], "beta", "SymbolicLink");
    entry_is(&info[2], "Gamma", "Directory");
    entry_is_zero(&info[3]);
    KT_EQ_INT(context, 3);
    KT_EQ_INT(length, INFO + COST(5, 9) + COST(4, 12) + COST(5, 9));
    /* The strings follow the zeroed entry, in entry order. */
    KT_EQ_PTR(info[0].Name.Buffer, (char *)buffer + 4 * INFO);
    KT_EQ_PTR(info[1].Name.Buffer, (char *)info[0].TypeName.Buffer + 10 * sizeof(WCHAR));
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, sizeof buffer, FALSE, FALSE, &context, &length),
                 STATUS_NO_MORE_ENTRIES);
    fixture_close(&f);
}

/* A page holding two: STATUS_MORE_ENTRIES with those two, Context 2; the
 * next call gives the rest. */
KT_TEST(paging_with_more_entries)
{
    struct fixture f;
    ULONG_PTR buffer[128];
    OBJECT_DIRECTORY_INFORMATION *info = (void *)buffer;
    ULONG context = 0, length = 0, page = (ULONG)(INFO + COST(5, 9) + COST(4, 12));

    KT_REQUIRE(KT_TRUE(fixture_open(&f, L"\\KernelObjects\\DrPages")));
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, page, FALSE, TRUE, &context, &length), STATUS_MORE_ENTRIES);
    entry_is(&info[0], "Alpha", "Directory");
    entry_is(&info[1], "beta", "SymbolicLink");
    entry_is_zero(&info[2]);
    KT_EQ_INT(context, 2);
    KT_EQ_INT(length, page);
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, page, FALSE, FALSE, &context, &length), STATUS_SUCCESS);
    entry_is(&info[0], "Gamma", "Directory");
    entry_is_zero(&info[1]);
    KT_EQ_INT(context, 3);
    /* A page too small for even one entry: STATUS_MORE_ENTRIES, no progress. */
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, (ULONG)INFO + 8, FALSE, TRUE, &context, &length),
                 STATUS_MORE_ENTRIES);
    KT_EQ_INT(context, 0);
    KT_EQ_INT(length, INFO);
    fixture_close(&f);
}

/* One entry that does not fit: STATUS_BUFFER_TOO_SMALL, ReturnLength what
 * it needs, Context unchanged, the buffer zeroed as far as it goes. */
KT_TEST(single_entry_too_small)
{
    struct fixture f;
    unsigned char buffer[40];
    static const unsigned char zeros[40];
    ULONG context = 1, length = 0;

    KT_REQUIRE(KT_TRUE(fixture_open(&f, L"\\KernelObjects\\DrSmall")));
    memset(buffer, 0xAA, sizeof buffer);
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, buffer, sizeof buffer, TRUE, FALSE, &context, &length),
                 STATUS_BUFFER_TOO_SMALL);
    KT_EQ_INT(length, INFO + COST(4, 12));
    KT_EQ_INT(context, 1);
    KT_EQ_MEM(buffer, zeros, sizeof buffer);
    /* With no buffer at all: the size to allocate. */
    KT_EQ_STATUS(ZwQueryDirectoryObject(f.dir, NULL, 0, TRUE, TRUE, &context, &length), STATUS_BUFFER_TOO_SMALL);
    KT_EQ_INT(length, INFO + COST(5, 9));
    fixture_close(&f);
}

/* An empty directory: STATUS_NO_MORE_ENTRIES at once. */
KT_TEST(empty_directory)
{
    HANDLE dir;
    ULONG_PTR buffer[8];
    ULONG context = 5, length = 0;
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateDirectoryObject(&dir, DIRECTORY_ALL_ACCESS, NULL), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwQueryDirectoryObject(dir, buffer, sizeof buffer, FALSE, TRUE, &context, &length),
                 STATUS_NO_MORE_ENTRIES);
    KT_EQ_INT(context, 5);
    KT_EQ_INT(length, INFO);
    ZwClose(dir);
}

/* The handle must be a directory's (STATUS_OBJECT_TYPE_MISMATCH), open
 * (STATUS_INVALID_HANDLE), and for a user caller have DIRECTORY_QUERY
 * (STATUS_ACCESS_DENIED). A Length whose structure-sized margin overflows
 * is STATUS_INVALID_PARAMETER. */
KT_TEST(query_errors)
{
    struct ob_handle_table *client = ob_handle_table_create();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    ULONG_PTR buffer[8];
    ULONG context = 0;
    HANDLE link, traverse;

    KT_REQUIRE(KT_EQ_STATUS(ZwOpenSymbolicLinkObject(&link, SYMBOLIC_LINK_QUERY,
                                                     ot_attributes(&oa, &name, L"\\DosDevices", 0, NULL)),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ZwQueryDirectoryObject(link, buffer, sizeof buffer, FALSE, TRUE, &context, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(link);
    KT_EQ_STATUS(ZwQueryDirectoryObject(link, buffer, sizeof buffer, FALSE, TRUE, &context, NULL),
                 STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(ZwQueryDirectoryObject(link, buffer, 0xFFFFFFF0, FALSE, TRUE, &context, NULL),
                 STATUS_INVALID_PARAMETER);
    ob_set_current_handle_table(client);
    KT_REQUIRE(KT_EQ_STATUS(ob_open_directory_object(&traverse, DIRECTORY_TRAVERSE,
                                                     ot_attributes(&oa, &name, L"\\", 0, NULL), UserMode),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ob_query_directory_object(traverse, buffer, sizeof buffer, FALSE, TRUE, &context, NULL, UserMode),
                 STATUS_ACCESS_DENIED);
    KT_EQ_STATUS(ob_query_directory_object(traverse, buffer, sizeof buffer, FALSE, TRUE, NULL, NULL, UserMode),
                 STATUS_ACCESS_VIOLATION);
    ob_set_current_handle_table(NULL);
    ob_handle_table_destroy(client);
}

/* The root lists what ntbox starts with, in name order. */
KT_TEST(root_listing)
{
    HANDLE root;
    ULONG_PTR buffer[256];
    OBJECT_DIRECTORY_INFORMATION *info = (void *)buffer;
    ULONG context = 0, length;
    KT_REQUIRE(KT_EQ_STATUS(ot_open_directory(L"\\", 0, NULL, &root), STATUS_SUCCESS));
    KT_EQ_STATUS(ZwQueryDirectoryObject(root, buffer, sizeof buffer, FALSE, TRUE, &context, &length), STATUS_SUCCESS);
    entry_is(&info[0], "Device", "Directory");
    entry_is(&info[1], "DosDevices", "SymbolicLink");
    entry_is(&info[2], "Driver", "Directory");
    entry_is(&info[3], "GLOBAL??", "Directory");
    entry_is(&info[4], "KernelObjects", "Directory");
    entry_is(&info[5], "ObjectTypes", "Directory");
    entry_is_zero(&info[6]);
    KT_EQ_INT(context, 6);
    ZwClose(root);
}

/* ZwCreateDirectoryObject with OBJ_OPENIF on an existing directory:
 * STATUS_OBJECT_NAME_EXISTS and a handle to it; ZwOpenDirectoryObject of a
 * non-directory: STATUS_OBJECT_TYPE_MISMATCH. */
KT_TEST(create_and_open)
{
    HANDLE a, b, c;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\DrMade", 0, NULL, &a), STATUS_SUCCESS));
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\DrMade", OBJ_OPENIF, NULL, &b), STATUS_OBJECT_NAME_EXISTS);
    KT_EQ_PTR(ot_body(b), ot_body(a));
    KT_EQ_STATUS(ot_open_directory(L"\\ObjectTypes\\Type", 0, NULL, &c), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(a);
    ZwClose(b);
}
