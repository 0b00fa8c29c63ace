/* tests/ob/test_query_name.c: ObQueryNameString (named, root, unnamed,
 * too small, names that went away, objects in unnamed directories, a type's
 * own query_name procedure) and ob_object_path's UTF-8. */
#include "obtest.h"

#include <stdlib.h>

/* The body of a permanent object, by name (no reference kept). */
static void *body_of(const WCHAR *path)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    HANDLE h;
    void *body;
    if (!NT_SUCCESS(ob_open_object_by_name(ot_attributes(&oa, &name, path, 0, NULL), NULL, KernelMode, 0, NULL, &h)))
        return NULL;
    body = ot_body(h);
    ZwClose(h);
    return body;
}

/* "The object name (when present) includes a NULL-terminator":
 * ReturnLength is the structure plus the name plus its NUL, Name.Buffer
 * right after the structure, MaximumLength = Length + 2. */
KT_TEST(ObQueryNameString_named)
{
    ULONG_PTR buffer[16];
    POBJECT_NAME_INFORMATION info = (void *)buffer;
    ULONG length = 0;
    void *device = body_of(L"\\Device");

    KT_REQUIRE(KT_TRUE(device != NULL));
    KT_EQ_STATUS(ObQueryNameString(device, info, sizeof buffer, &length), STATUS_SUCCESS);
    KT_EQ_USTR(&info->Name, "\\Device");
    KT_EQ_INT(info->Name.MaximumLength, 16);
    KT_EQ_PTR(info->Name.Buffer, info + 1);
    KT_EQ_INT(info->Name.Buffer[7], 0);
    KT_EQ_INT(length, sizeof(OBJECT_NAME_INFORMATION) + 16);
}

/* Deeper names, the root itself, and a name in \GLOBAL?? (not \??). */
KT_TEST(ObQueryNameString_paths)
{
    ULONG_PTR buffer[32];
    POBJECT_NAME_INFORMATION info = (void *)buffer;
    ULONG length;
    HANDLE dir;

    KT_EQ_STATUS(ObQueryNameString(body_of(L"\\"), info, sizeof buffer, &length), STATUS_SUCCESS);
    KT_EQ_USTR(&info->Name, "\\");
    KT_EQ_STATUS(ObQueryNameString(body_of(L"\\ObjectTypes\\Device"), info, sizeof buffer, &length), STATUS_SUCCESS);
    KT_EQ_USTR(&info->Name, "\\ObjectTypes\\Device");
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\??\\QnDos", 0, NULL, &dir), STATUS_SUCCESS));
    KT_EQ_STATUS(ObQueryNameString(ot_body(dir), info, sizeof buffer, &length), STATUS_SUCCESS);
    KT_EQ_USTR(&info->Name, "\\GLOBAL??\\QnDos");
    ZwClose(dir);
}

/* Too small, zero included: STATUS_INFO_LENGTH_MISMATCH, ReturnLength the
 * size needed, nothing written. */
KT_TEST(ObQueryNameString_too_small)
{
    ULONG_PTR buffer[16];
    static const ULONG_PTR untouched[16] = { 0 };
    ULONG length;
    void *device = body_of(L"\\Device");
    const ULONG sizes[] = { 0, sizeof(OBJECT_NAME_INFORMATION), sizeof(OBJECT_NAME_INFORMATION) + 14 };

    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        memset(buffer, 0, sizeof buffer);
        length = 0;
        KT_EQ_STATUS(ObQueryNameString(device, (POBJECT_NAME_INFORMATION)buffer, sizes[i], &length),
                     STATUS_INFO_LENGTH_MISMATCH);
        KT_EQ_INT(length, sizeof(OBJECT_NAME_INFORMATION) + 16);
        KT_EQ_MEM(buffer, untouched, sizeof buffer);
    }
    KT_EQ_STATUS(ObQueryNameString(device, NULL, 0, &length), STATUS_INFO_LENGTH_MISMATCH);
}

/* "If the given object is unnamed ... sets Name.Buffer to NULL and sets
 * Name.Length and Name.MaximumLength to zero"; ReturnLength is the bare
 * structure. A name that went away at the last handle counts as none. */
KT_TEST(ObQueryNameString_unnamed)
{
    OBJECT_NAME_INFORMATION info;
    ULONG length = 0;
    HANDLE dir;
    void *body;

    KT_REQUIRE(KT_EQ_STATUS(ZwCreateDirectoryObject(&dir, DIRECTORY_ALL_ACCESS, NULL), STATUS_SUCCESS));
    memset(&info, 0xAA, sizeof info);
    KT_EQ_STATUS(ObQueryNameString(ot_body(dir), &info, sizeof info, &length), STATUS_SUCCESS);
    KT_EQ_INT(length, sizeof info);
    KT_EQ_INT(info.Name.Length, 0);
    KT_EQ_INT(info.Name.MaximumLength, 0);
    KT_EQ_PTR(info.Name.Buffer, NULL);
    ZwClose(dir);

    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\QnGone", 0, NULL, &dir), STATUS_SUCCESS));
    KT_EQ_STATUS(ObReferenceObjectByHandle(dir, 0, NULL, KernelMode, &body, NULL), STATUS_SUCCESS);
    ZwClose(dir);
    KT_EQ_STATUS(ObQueryNameString(body, &info, sizeof info, &length), STATUS_SUCCESS);
    KT_EQ_INT(info.Name.Length, 0);
    ObDereferenceObject(body);
}

/* An object named in a directory that has no name itself: the part that
 * cannot be named is "...". */
KT_TEST(ObQueryNameString_in_unnamed_directory)
{
    ULONG_PTR buffer[16];
    POBJECT_NAME_INFORMATION info = (void *)buffer;
    HANDLE parent, child;
    ULONG length;
    KT_REQUIRE(KT_EQ_STATUS(ZwCreateDirectoryObject(&parent, DIRECTORY_ALL_ACCESS, NULL), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"Child", 0, parent, &child), STATUS_SUCCESS));
    KT_EQ_STATUS(ObQueryNameString(ot_body(child), info, sizeof buffer, &length), STATUS_SUCCESS);
    KT_EQ_USTR(&info->Name, "...\\Child");
    ZwClose(child);
    ZwClose(parent);
}

static int query_name_calls;

static NTSTATUS custom_query_name(void *object, BOOLEAN has_name, POBJECT_NAME_INFORMATION info, ULONG length,
                                  PULONG return_length)
{
    (void)object;
    (void)info;
    (void)length;
    query_name_calls++;
    *return_length = has_name ? 1 : 2;
    return STATUS_BUFFER_OVERFLOW;
}

/* A type with a query_name procedure (File) answers for its objects. */
KT_TEST(ObQueryNameString_type_procedure)
{
    static const struct ob_type_info info = {
        8, { STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE, STANDARD_RIGHTS_REQUIRED },
        STANDARD_RIGHTS_REQUIRED, OBJ_OPENLINK, TRUE, { .query_name = custom_query_name },
    };
    POBJECT_TYPE type = ob_type_create("QnNamer", &info);
    OBJECT_NAME_INFORMATION name;
    ULONG length = 0;
    void *object;
    KT_REQUIRE(KT_TRUE(type != NULL));
    KT_REQUIRE(KT_EQ_STATUS(ob_create_object(type, NULL, KernelMode, 0, &object), STATUS_SUCCESS));
    KT_EQ_STATUS(ObQueryNameString(object, &name, sizeof name, &length), STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(query_name_calls, 1);
    KT_EQ_INT(length, 2);
    ObDereferenceObject(object);
}

/* ob_object_path: UTF-8 for ntbox's reports, non-ASCII and surrogate
 * pairs included. */
KT_TEST(object_path_utf8)
{
    static const WCHAR name[] = { L'\\', L'K', L'e', L'r', L'n', L'e', L'l', L'O', L'b', L'j', L'e', L'c', L't', L's',
                                  L'\\', L'C', L'a', L'f', 0x00E9, 0xD83D, 0xDE00, 0 };
    HANDLE dir;
    char *path;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(name, 0, NULL, &dir), STATUS_SUCCESS));
    path = ob_object_path(ot_body(dir));
    KT_EQ_STR(path, "\\KernelObjects\\Caf\xC3\xA9\xF0\x9F\x98\x80");
    free(path);
    ZwClose(dir);
    path = ob_object_path(body_of(L"\\Driver"));
    KT_EQ_STR(path, "\\Driver");
    free(path);
}
