/* tests/ob/test_parse.c: parse procedures, as the I/O manager's for
 * devices: what they are told (remaining name, whole name, context, type,
 * modes, attributes), what they may answer (a new object to open, a reparse,
 * an error), that they run without the object manager's lock, that an
 * insert does not run them, and a parse object as RootDirectory. */
#include "obtest.h"

#include <stdlib.h>

enum answer { ANSWER_NEW, ANSWER_ITSELF, ANSWER_REPARSE, ANSWER_FAIL, ANSWER_NOTHING, ANSWER_LOOK_UP };

static struct {
    enum answer answer;
    int calls;
    struct ob_parse_request request;
    WCHAR remaining[64], complete[64];
    UNICODE_STRING remaining_name, complete_name;
    BOOLEAN created;
} parse;

static POBJECT_TYPE file_type(void);

static void keep(UNICODE_STRING *to, WCHAR *storage, const UNICODE_STRING *from)
{
    memcpy(storage, from->Buffer, from->Length);
    to->Buffer = storage;
    to->Length = to->MaximumLength = from->Length;
}

static NTSTATUS device_parse(void *object, struct ob_parse_request *request, void **result)
{
    HANDLE h;
    parse.calls++;
    parse.request = *request;
    keep(&parse.remaining_name, parse.remaining, &request->remaining_name);
    keep(&parse.complete_name, parse.complete, request->complete_name);
    switch (parse.answer) {
    case ANSWER_NEW:
        return ob_create_object(file_type(), NULL, KernelMode, 0, result);
    case ANSWER_REPARSE:
        request->reparse_name.Buffer = malloc(sizeof L"\\Device");
        memcpy(request->reparse_name.Buffer, L"\\Device", sizeof L"\\Device");
        request->reparse_name.Length = sizeof L"\\Device" - sizeof(WCHAR);
        request->reparse_name.MaximumLength = sizeof L"\\Device";
        return STATUS_REPARSE;
    case ANSWER_FAIL:
        return STATUS_NO_SUCH_DEVICE;
    case ANSWER_NOTHING:
        return STATUS_SUCCESS;
    case ANSWER_LOOK_UP:
        /* Would deadlock if the object manager's lock were held. */
        if (!NT_SUCCESS(ot_open_directory(L"\\Device", 0, NULL, &h)))
            return STATUS_UNSUCCESSFUL;
        ZwClose(h);
        break;
    case ANSWER_ITSELF:
        break;
    }
    ob_reference_object(object);
    *result = object;
    return STATUS_SUCCESS;
}

static NTSTATUS file_open(const struct ob_handle_info *info)
{
    parse.created = info->created;
    return STATUS_SUCCESS;
}

static const GENERIC_MAPPING mapping = { STANDARD_RIGHTS_READ | 1, STANDARD_RIGHTS_WRITE | 2, STANDARD_RIGHTS_EXECUTE,
                                         STANDARD_RIGHTS_REQUIRED | 3 };

static POBJECT_TYPE device_type(void)
{
    static POBJECT_TYPE type;
    static const struct ob_type_info info = {
        16, mapping, STANDARD_RIGHTS_REQUIRED | 3, OBJ_OPENLINK, TRUE, { .parse = device_parse },
    };
    if (!type)
        type = ob_type_create("PsDevice", &info);
    return type;
}

static POBJECT_TYPE file_type(void)
{
    static POBJECT_TYPE type;
    static const struct ob_type_info info = {
        16, mapping, STANDARD_RIGHTS_REQUIRED | 3, OBJ_OPENLINK, TRUE, { .open = file_open },
    };
    if (!type)
        type = ob_type_create("PsFile", &info);
    return type;
}

/* A device at \KernelObjects\<name>, permanent, no handle. */
static void *make_device(const WCHAR *path)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    void *body = NULL, *kept = NULL;
    if (NT_SUCCESS(ob_create_object(device_type(), ot_attributes(&oa, &name, path, OBJ_PERMANENT, NULL), KernelMode,
                                    0, &body)))
        ob_insert_object(body, 0, &kept, NULL);
    return kept;
}

static NTSTATUS open_as(const WCHAR *path, ULONG flags, HANDLE root, POBJECT_TYPE type, void *context, HANDLE *h)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    return ob_open_object_by_name(ot_attributes(&oa, &name, path, flags, root), type, KernelMode, 1, context, h);
}

/* The parse procedure gets the rest of the name ("\rest\of"), the whole
 * name, the context, the type asked for, both modes and the attributes
 * (with OBJ_CASE_INSENSITIVE, the type's default); the new object it
 * returns is what the handle opens, as a created object. */
KT_TEST(parse_gets_the_rest_and_opens_its_answer)
{
    void *device = make_device(L"\\KernelObjects\\PsDev");
    int context;
    HANDLE h;
    KT_REQUIRE(KT_TRUE(device != NULL));
    parse.answer = ANSWER_NEW;
    KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev\\rest\\of", 0, NULL, file_type(), &context, &h), STATUS_SUCCESS);
    KT_EQ_USTR(&parse.remaining_name, "\\rest\\of");
    KT_EQ_USTR(&parse.complete_name, "\\KernelObjects\\PsDev\\rest\\of");
    KT_EQ_PTR(parse.request.context, &context);
    KT_EQ_PTR(parse.request.type, file_type());
    KT_EQ_INT(parse.request.previous_mode, KernelMode);
    KT_EQ_INT(parse.request.access_mode, KernelMode);
    KT_EQ_HEX(parse.request.attributes, OBJ_CASE_INSENSITIVE);
    KT_EQ_HEX(parse.request.desired_access, 1);
    KT_FALSE(parse.request.inserting);
    KT_EQ_PTR(ob_object_type(ot_body(h)), file_type());
    KT_TRUE(parse.created);
    KT_EQ_INT(ot_references(ot_body(h)), 1);
    KT_EQ_INT(ot_handles(ot_body(h)), 1);
    ZwClose(h);
}

/* Opening the device itself: an empty rest; OBJ_FORCE_ACCESS_CHECK makes
 * the access mode UserMode for the parse procedure. */
KT_TEST(parse_with_empty_rest_and_forced_access_check)
{
    void *device = make_device(L"\\KernelObjects\\PsDev2");
    HANDLE h;
    parse.answer = ANSWER_ITSELF;
    KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev2", OBJ_FORCE_ACCESS_CHECK, NULL, NULL, NULL, &h), STATUS_SUCCESS);
    KT_EQ_INT(parse.remaining_name.Length, 0);
    KT_EQ_INT(parse.request.access_mode, UserMode);
    KT_EQ_INT(parse.request.previous_mode, KernelMode);
    KT_EQ_PTR(ot_body(h), device);
    ZwClose(h);
}

/* STATUS_REPARSE with a new name: the lookup starts again from it;
 * OBJ_DONT_REPARSE refuses it. */
KT_TEST(parse_reparse)
{
    HANDLE h, device_directory;
    make_device(L"\\KernelObjects\\PsDev3");
    parse.answer = ANSWER_REPARSE;
    KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev3\\x", 0, NULL, ob_directory_object_type, NULL, &h), STATUS_SUCCESS);
    KT_EQ_STATUS(ot_open_directory(L"\\Device", 0, NULL, &device_directory), STATUS_SUCCESS);
    KT_EQ_PTR(ot_body(h), ot_body(device_directory));
    ZwClose(h);
    ZwClose(device_directory);
    KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev3\\x", OBJ_DONT_REPARSE, NULL, NULL, NULL, &h),
                 STATUS_REPARSE_POINT_ENCOUNTERED);
}

/* Its error is the open's; success with no object is
 * STATUS_OBJECT_NAME_NOT_FOUND. */
KT_TEST(parse_failures)
{
    HANDLE h;
    make_device(L"\\KernelObjects\\PsDev4");
    parse.answer = ANSWER_FAIL;
    KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev4\\x", 0, NULL, NULL, NULL, &h), STATUS_NO_SUCH_DEVICE);
    parse.answer = ANSWER_NOTHING;
    KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev4\\x", 0, NULL, NULL, NULL, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* A parse procedure may itself use the object manager. */
KT_TEST(parse_runs_without_the_lock)
{
    HANDLE h;
    make_device(L"\\KernelObjects\\PsDev5");
    parse.answer = ANSWER_LOOK_UP;
    KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev5", 0, NULL, NULL, NULL, &h), STATUS_SUCCESS);
    ZwClose(h);
}

/* Inserting below a parse object does not run it: the rest of the name
 * meets a non-directory, STATUS_OBJECT_TYPE_MISMATCH. */
KT_TEST(insert_does_not_parse)
{
    HANDLE h;
    int calls;
    make_device(L"\\KernelObjects\\PsDev6");
    calls = parse.calls;
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\PsDev6\\x", 0, NULL, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\PsDev6", 0, NULL, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_INT(parse.calls, calls);
}

/* A parse object as RootDirectory gets the relative name as it is. */
KT_TEST(parse_object_as_root)
{
    HANDLE root, h;
    make_device(L"\\KernelObjects\\PsDev7");
    parse.answer = ANSWER_ITSELF;
    KT_REQUIRE(KT_EQ_STATUS(open_as(L"\\KernelObjects\\PsDev7", 0, NULL, NULL, NULL, &root), STATUS_SUCCESS));
    parse.answer = ANSWER_NEW;
    KT_EQ_STATUS(open_as(L"relative\\name", 0, root, NULL, NULL, &h), STATUS_SUCCESS);
    KT_EQ_USTR(&parse.remaining_name, "relative\\name");
    KT_EQ_USTR(&parse.complete_name, "relative\\name");
    ZwClose(h);
    ZwClose(root);
}
