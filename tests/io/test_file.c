/* tests/io/test_file.c: opening devices and closing files: NtCreateFile's
 * argument checks (user mode only, as IoCreateFile makes them), names that
 * are no device, a driver refusing IRP_MJ_CREATE, what the driver is told
 * (FileObject->FileName, Parameters.Create, FO_SYNCHRONOUS_IO), exclusive
 * devices, and the close sequence: IRP_MJ_CLEANUP at the last handle,
 * IRP_MJ_CLOSE at the last reference, in that order. */
#include "devtest.h"

struct create_case {
    const char *what;
    ACCESS_MASK access;
    ULONG attributes, share, disposition, options;
};

/* Each of IoCreateFile's STATUS_INVALID_PARAMETER cases. */
static const struct create_case bad_creates[] = {
    { "FileAttributes outside FILE_ATTRIBUTE_VALID_FLAGS", FILE_READ_DATA, 0x8000, 0, FILE_OPEN, 0 },
    { "ShareAccess outside FILE_SHARE_VALID_FLAGS", FILE_READ_DATA, 0, 0x8, FILE_OPEN, 0 },
    { "CreateDisposition above FILE_MAXIMUM_DISPOSITION", FILE_READ_DATA, 0, 0, FILE_MAXIMUM_DISPOSITION + 1, 0 },
    { "CreateOptions outside FILE_VALID_OPTION_FLAGS", FILE_READ_DATA, 0, 0, FILE_OPEN, 0x01000000 },
    { "FILE_SYNCHRONOUS_IO_NONALERT without SYNCHRONIZE", FILE_READ_DATA, 0, 0, FILE_OPEN,
      FILE_SYNCHRONOUS_IO_NONALERT },
    { "FILE_SYNCHRONOUS_IO_ALERT without SYNCHRONIZE (GENERIC_ALL is not mapped)", GENERIC_ALL, 0, 0, FILE_OPEN,
      FILE_SYNCHRONOUS_IO_ALERT },
    { "both FILE_SYNCHRONOUS_IO_ALERT and _NONALERT", FILE_READ_DATA | SYNCHRONIZE, 0, 0, FILE_OPEN,
      FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT },
    { "FILE_DELETE_ON_CLOSE without DELETE", FILE_READ_DATA, 0, 0, FILE_OPEN, FILE_DELETE_ON_CLOSE },
    { "FILE_DIRECTORY_FILE with FILE_SEQUENTIAL_ONLY", FILE_READ_DATA, 0, 0, FILE_OPEN,
      FILE_DIRECTORY_FILE | FILE_SEQUENTIAL_ONLY },
    { "FILE_DIRECTORY_FILE with FILE_OVERWRITE_IF", FILE_READ_DATA, 0, 0, FILE_OVERWRITE_IF, FILE_DIRECTORY_FILE },
    { "FILE_DIRECTORY_FILE with FILE_SUPERSEDE", FILE_READ_DATA, 0, 0, FILE_SUPERSEDE, FILE_DIRECTORY_FILE },
    { "FILE_COMPLETE_IF_OPLOCKED with FILE_RESERVE_OPFILTER", FILE_READ_DATA, 0, 0, FILE_OPEN,
      FILE_COMPLETE_IF_OPLOCKED | FILE_RESERVE_OPFILTER },
    { "FILE_NO_INTERMEDIATE_BUFFERING with FILE_APPEND_DATA", FILE_APPEND_DATA, 0, 0, FILE_OPEN,
      FILE_NO_INTERMEDIATE_BUFFERING },
};

/* Arguments IoCreateFile lets through to the driver. */
static const struct create_case good_creates[] = {
    { "FILE_DIRECTORY_FILE with FILE_NON_DIRECTORY_FILE (the file system decides)", FILE_READ_DATA, 0, 0,
      FILE_OPEN, FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE },
    { "FILE_DIRECTORY_FILE with FILE_OPEN_IF and what a directory may ask", FILE_READ_DATA | SYNCHRONIZE | DELETE,
      FILE_ATTRIBUTE_DIRECTORY, FILE_SHARE_VALID_FLAGS, FILE_OPEN_IF,
      FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_WRITE_THROUGH | FILE_OPEN_FOR_BACKUP_INTENT |
          FILE_DELETE_ON_CLOSE | FILE_OPEN_REPARSE_POINT },
    { "FILE_NO_INTERMEDIATE_BUFFERING with FILE_WRITE_DATA", FILE_WRITE_DATA, 0, 0, FILE_OPEN,
      FILE_NO_INTERMEDIATE_BUFFERING },
};

static NTSTATUS create_as(KPROCESSOR_MODE mode, const WCHAR *path, const struct create_case *c, HANDLE *handle)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, path);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | (mode == KernelMode ? OBJ_KERNEL_HANDLE : 0),
                               NULL, NULL);
    return (mode == UserMode ? NtCreateFile : ZwCreateFile)(handle, c->access, &oa, &dt_iosb, NULL, c->attributes,
                                                            c->share, c->disposition, c->options, NULL, 0);
}

/* From user mode each bad argument is STATUS_INVALID_PARAMETER before the
 * name is even looked up (the driver sees nothing); the good ones open. */
KT_TEST(NtCreateFile_invalid_parameters)
{
    PDRIVER_OBJECT driver = dt_driver("DtArgs");
    dt_device(driver, L"\\Device\\DtArgs", 0, FALSE);
    PEPROCESS client = dt_client_enter();
    HANDLE h;

    for (size_t i = 0; i < sizeof bad_creates / sizeof bad_creates[0]; i++) {
        dt_reset();
        NTSTATUS status = create_as(UserMode, L"\\Device\\DtArgs", &bad_creates[i], &h);
        if (status != STATUS_INVALID_PARAMETER || dt.log[0])
            kt_fail(__FILE__, __LINE__, "%s: status 0x%08X, driver saw \"%s\"; expected STATUS_INVALID_PARAMETER",
                    bad_creates[i].what, (unsigned)status, dt.log);
    }
    for (size_t i = 0; i < sizeof good_creates / sizeof good_creates[0]; i++) {
        dt_reset();
        NTSTATUS status = create_as(UserMode, L"\\Device\\DtArgs", &good_creates[i], &h);
        if (status != STATUS_SUCCESS || strcmp(dt.log, "create") != 0)
            kt_fail(__FILE__, __LINE__, "%s: status 0x%08X, driver saw \"%s\"; expected a create", good_creates[i].what,
                    (unsigned)status, dt.log);
        if (NT_SUCCESS(status))
            NtClose(h);
    }
    /* A name that does not exist: the checks come first all the same. */
    KT_EQ_STATUS(create_as(UserMode, L"\\Device\\DtNoArgs", &bad_creates[0], &h), STATUS_INVALID_PARAMETER);
    dt_client_leave(client);
    dt_driver_free(driver);
}

/* Kernel-mode callers are trusted: ZwCreateFile's arguments go to the
 * driver unchecked (Windows checks them only for user mode or with
 * IO_CHECK_CREATE_PARAMETERS), FILE_SYNCHRONOUS_IO_NONALERT without
 * SYNCHRONIZE included. */
KT_TEST(ZwCreateFile_arguments_unchecked)
{
    PDRIVER_OBJECT driver = dt_driver("DtKernelArgs");
    dt_device(driver, L"\\Device\\DtKernelArgs", 0, FALSE);
    HANDLE h;

    for (size_t i = 0; i < sizeof bad_creates / sizeof bad_creates[0]; i++) {
        dt_reset();
        NTSTATUS status = create_as(KernelMode, L"\\Device\\DtKernelArgs", &bad_creates[i], &h);
        if (status != STATUS_SUCCESS || strcmp(dt.log, "create") != 0)
            kt_fail(__FILE__, __LINE__, "%s: status 0x%08X, driver saw \"%s\"; expected the driver's create",
                    bad_creates[i].what, (unsigned)status, dt.log);
        if (i == 4)
            KT_EQ_HEX(dt_file(h)->Flags & FO_SYNCHRONOUS_IO, FO_SYNCHRONOUS_IO);
        if (NT_SUCCESS(status))
            ZwClose(h);
    }
    dt_driver_free(driver);
}

/* A user-mode caller's pointers are probed after the argument checks:
 * STATUS_ACCESS_VIOLATION for a handle or status block that cannot be
 * written; a negative AllocationSize is STATUS_INVALID_PARAMETER. */
KT_TEST(NtCreateFile_bad_pointers)
{
    PDRIVER_OBJECT driver = dt_driver("DtPointers");
    dt_device(driver, L"\\Device\\DtPointers", 0, FALSE);
    PEPROCESS client = dt_client_enter();
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\DtPointers");
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER negative = { .QuadPart = -1 }, size = { .QuadPart = 4096 };
    HANDLE h;

    InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
    dt_reset();
    KT_EQ_STATUS(NtCreateFile(NULL, FILE_READ_DATA, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                 STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(NtCreateFile(&h, FILE_READ_DATA, &oa, NULL, NULL, 0, 0, FILE_OPEN, 0, NULL, 0),
                 STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(NtCreateFile(&h, FILE_READ_DATA, &oa, &iosb, (PLARGE_INTEGER)8, 0, 0, FILE_OPEN, 0, NULL, 0),
                 STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(NtCreateFile(&h, FILE_READ_DATA, &oa, &iosb, &negative, 0, 0, FILE_OPEN, 0, NULL, 0),
                 STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(NtCreateFile(NULL, FILE_READ_DATA, &oa, &iosb, NULL, 0, 0, FILE_MAXIMUM_DISPOSITION + 1, 0, NULL,
                              0),
                 STATUS_INVALID_PARAMETER);
    KT_EQ_STR(dt.log, "");
    KT_EQ_STATUS(NtCreateFile(&h, FILE_READ_DATA, &oa, &iosb, &size, 0, 0, FILE_OPEN, 0, NULL, 0), STATUS_SUCCESS);
    KT_EQ_STR(dt.log, "create");
    NtClose(h);
    dt_client_leave(client);
    dt_driver_free(driver);
}

/* A name that leads to something other than a device (a directory, an
 * event) is no file: STATUS_OBJECT_TYPE_MISMATCH, and no handle is left. */
KT_TEST(ZwOpenFile_directory_or_event_is_type_mismatch)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\KernelObjects\\DtEvent");
    PKEVENT event;
    HANDLE event_handle, h = (HANDLE)1;
    IO_STATUS_BLOCK iosb;

    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_REQUIRE(KT_EQ_STATUS(ob_create_object(*ExEventObjectType, &oa, KernelMode, 0, (void **)&event),
                            STATUS_SUCCESS));
    KeInitializeEvent(event, NotificationEvent, FALSE);
    KT_REQUIRE(KT_EQ_STATUS(ob_insert_object(event, EVENT_ALL_ACCESS, NULL, &event_handle), STATUS_SUCCESS));
    LONG_PTR handles;
    ob_object_counts(event, NULL, &handles);

    KT_EQ_STATUS(dt_open(L"\\KernelObjects\\DtEvent", FILE_READ_DATA, 0, &h), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_PTR(h, NULL);
    LONG_PTR after;
    ob_object_counts(event, NULL, &after);
    KT_EQ_INT(after, handles);
    RtlInitUnicodeString(&name, L"\\Device");
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ_STATUS(ZwOpenFile(&h, FILE_READ_DATA, &oa, &iosb, 0, 0), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(event_handle);
}

/* Nothing under the name: STATUS_OBJECT_NAME_NOT_FOUND; a missing
 * directory on the way: STATUS_OBJECT_PATH_NOT_FOUND. */
KT_TEST(ZwCreateFile_missing_names)
{
    HANDLE h;
    KT_EQ_STATUS(dt_open(L"\\Device\\DtNobody", FILE_READ_DATA, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ_STATUS(dt_open(L"\\DtNoDirectory\\DtNobody", FILE_READ_DATA, 0, &h), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EQ_STATUS(dt_open(L"\\??\\DtNobody", FILE_READ_DATA, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* A driver that fails IRP_MJ_CREATE: its status is the caller's, the
 * status block is left alone (an error), and the file was never open: no
 * IRP_MJ_CLEANUP or IRP_MJ_CLOSE follows. A warning is returned too, and
 * written to the status block. */
KT_TEST(ZwCreateFile_driver_refuses)
{
    PDRIVER_OBJECT driver = dt_driver("DtRefuse");
    PDEVICE_OBJECT device = dt_device(driver, L"\\Device\\DtRefuse", 0, FALSE);
    HANDLE h = (HANDLE)1;

    dt_reset();
    dt.create_status = STATUS_DEVICE_NOT_READY;
    dt.create_information = 7;
    memset(&dt_iosb, 0xA5, sizeof dt_iosb);
    KT_EQ_STATUS(dt_open(L"\\Device\\DtRefuse", FILE_READ_DATA, 0, &h), STATUS_DEVICE_NOT_READY);
    KT_EQ_PTR(h, NULL);
    KT_EQ_HEX((ULONG)dt_iosb.Status, 0xA5A5A5A5);
    KT_EQ_INT(device->ReferenceCount, 0);
    KT_EQ_STR(dt.log, "create");

    dt.create_status = STATUS_BUFFER_OVERFLOW;
    KT_EQ_STATUS(dt_open(L"\\Device\\DtRefuse", FILE_READ_DATA, 0, &h), STATUS_BUFFER_OVERFLOW);
    KT_EQ_STATUS(dt_iosb.Status, STATUS_BUFFER_OVERFLOW);
    KT_EQ_INT(dt_iosb.Information, 7);
    KT_EQ_STR(dt.log, "create create");
    dt_driver_free(driver);
    KT_EQ_STR(dt.log, "create create");
}

/* A success status of the driver's own (here an informational one) is
 * what the caller gets, with the driver's Information. */
KT_TEST(ZwCreateFile_driver_success_status_and_information)
{
    PDRIVER_OBJECT driver = dt_driver("DtOpened");
    dt_device(driver, L"\\Device\\DtOpened", 0, FALSE);
    HANDLE h;

    dt_reset();
    dt.create_status = STATUS_OBJECT_NAME_EXISTS;
    dt.create_information = FILE_OPENED;
    KT_EQ_STATUS(dt_open(L"\\Device\\DtOpened", FILE_READ_DATA, 0, &h), STATUS_OBJECT_NAME_EXISTS);
    KT_EQ_STATUS(dt_iosb.Status, STATUS_OBJECT_NAME_EXISTS);
    KT_EQ_INT(dt_iosb.Information, FILE_OPENED);
    ZwClose(h);
    dt_driver_free(driver);
}

/* The driver gets the rest of the name in FileObject->FileName ("\sub\x"
 * for \Device\DtName\sub\x, also through a symbolic link), nothing for the
 * device itself; and Parameters.Create: Options (disposition in the high
 * byte), ShareAccess, FileAttributes, the access asked in the security
 * context. Never SL_CASE_SENSITIVE, even without OBJ_CASE_INSENSITIVE:
 * Windows' default (obcaseinsensitive = 1) makes every lookup with no
 * object type, NtCreateFile's, case-insensitive. */
KT_TEST(IRP_MJ_CREATE_parameters)
{
    PDRIVER_OBJECT driver = dt_driver("DtName");
    PDEVICE_OBJECT device = dt_device(driver, L"\\Device\\DtName", 0, FALSE);
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\DtNameLink");
    UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\DtName");
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\DtName\\sub\\x");
    LARGE_INTEGER size = { .QuadPart = 4096 };
    HANDLE h;

    IoCreateSymbolicLink(&link, &target);
    dt_reset();
    KT_EQ_STATUS(dt_open(L"\\Device\\DtName", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    KT_EQ_STR(dt.file_name, "");
    KT_EQ_INT(dt.stack.Flags & SL_CASE_SENSITIVE, 0);
    ZwClose(h);

    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE, NULL, NULL);
    KT_EQ_STATUS(ZwCreateFile(&h, FILE_READ_DATA | SYNCHRONIZE, &oa, &dt_iosb, &size, FILE_ATTRIBUTE_NORMAL,
                              FILE_SHARE_READ, FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE,
                              NULL, 0),
                 STATUS_SUCCESS);
    KT_EQ_STR(dt.file_name, "\\sub\\x");
    KT_EQ_PTR(dt.file->DeviceObject, device);
    KT_EQ_HEX(dt.stack.Parameters.Create.Options,
              (FILE_OPEN_IF << 24) | FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE);
    KT_EQ_HEX(dt.stack.Parameters.Create.ShareAccess, FILE_SHARE_READ);
    KT_EQ_HEX(dt.stack.Parameters.Create.FileAttributes, FILE_ATTRIBUTE_NORMAL);
    KT_EQ_HEX(dt.create_access, FILE_READ_DATA | SYNCHRONIZE);
    KT_EQ_HEX(dt.stack.Flags & SL_CASE_SENSITIVE, 0);
    KT_EQ_HEX(dt.irp_flags & IRP_CREATE_OPERATION, IRP_CREATE_OPERATION);
    ZwClose(h);

    KT_EQ_STATUS(dt_open(L"\\??\\DtNameLink\\y", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    KT_EQ_STR(dt.file_name, "\\y");
    ZwClose(h);
    IoDeleteSymbolicLink(&link);
    dt_driver_free(driver);
}

/* An exclusive device takes one file at a time: a second open is
 * STATUS_ACCESS_DENIED without reaching the driver; once the first file
 * is closed the device opens again. */
KT_TEST(ZwCreateFile_exclusive_device)
{
    PDRIVER_OBJECT driver = dt_driver("DtExcl");
    PDEVICE_OBJECT device = dt_device(driver, L"\\Device\\DtExcl", 0, TRUE);
    HANDLE h, h2;

    dt_reset();
    KT_EQ_STATUS(dt_open(L"\\Device\\DtExcl", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    KT_EQ_STATUS(dt_open(L"\\Device\\DtExcl", FILE_READ_DATA, 0, &h2), STATUS_ACCESS_DENIED);
    KT_EQ_STR(dt.log, "create");
    KT_EQ_INT(device->ReferenceCount, 1);
    ZwClose(h);
    KT_EQ_STATUS(dt_open(L"\\Device\\DtExcl", FILE_READ_DATA, 0, &h2), STATUS_SUCCESS);
    ZwClose(h2);
    KT_EQ_STR(dt.log, "create cleanup close create cleanup close");
    dt_driver_free(driver);
}

/* FILE_SYNCHRONOUS_IO_NONALERT makes a synchronous file (FO_SYNCHRONOUS_IO);
 * FILE_SYNCHRONOUS_IO_ALERT an alertable one as well; neither, neither. */
KT_TEST(ZwCreateFile_synchronous_flags)
{
    static const struct { ULONG options, flags; } cases[] = {
        { 0, 0 },
        { FILE_SYNCHRONOUS_IO_NONALERT, FO_SYNCHRONOUS_IO },
        { FILE_SYNCHRONOUS_IO_ALERT, FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO },
    };
    PDRIVER_OBJECT driver = dt_driver("DtSync");
    dt_device(driver, L"\\Device\\DtSync", 0, FALSE);
    HANDLE h;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        KT_EQ_STATUS(dt_open(L"\\Device\\DtSync", FILE_READ_DATA | SYNCHRONIZE, cases[i].options, &h),
                     STATUS_SUCCESS);
        KT_EQ_HEX(dt_file(h)->Flags & (FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO), cases[i].flags);
        KT_EQ_HEX(dt_file(h)->Flags & FO_HANDLE_CREATED, FO_HANDLE_CREATED);
        ZwClose(h);
    }
    dt_driver_free(driver);
}

/* IRP_MJ_CLEANUP goes when the file's last handle is closed: a duplicate
 * keeps it open. */
KT_TEST(IRP_MJ_CLEANUP_at_last_handle)
{
    PDRIVER_OBJECT driver = dt_driver("DtCleanup");
    dt_device(driver, L"\\Device\\DtCleanup", 0, FALSE);
    HANDLE h, dup;

    dt_reset();
    KT_EQ_STATUS(dt_open(L"\\Device\\DtCleanup", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwDuplicateObject(NtCurrentProcess(), h, NtCurrentProcess(), &dup, 0, OBJ_KERNEL_HANDLE,
                                   DUPLICATE_SAME_ACCESS),
                 STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_STR(dt.log, "create");
    ZwClose(dup);
    KT_EQ_STR(dt.log, "create cleanup close");
    dt_driver_free(driver);
}

/* IRP_MJ_CLOSE goes when the file's last reference is gone: a reference
 * from ObReferenceObjectByHandle keeps the file after its cleanup. */
KT_TEST(IRP_MJ_CLOSE_at_last_reference)
{
    PDRIVER_OBJECT driver = dt_driver("DtClose");
    PDEVICE_OBJECT device = dt_device(driver, L"\\Device\\DtClose", 0, FALSE);
    HANDLE h;
    PFILE_OBJECT file;

    dt_reset();
    KT_EQ_STATUS(dt_open(L"\\Device\\DtClose", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    KT_EQ_STATUS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&file, NULL),
                 STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ_STR(dt.log, "create cleanup");
    KT_EQ_HEX(file->Flags & FO_CLEANUP_COMPLETE, FO_CLEANUP_COMPLETE);
    KT_EQ_INT(device->ReferenceCount, 1);
    ObDereferenceObject(file);
    KT_EQ_STR(dt.log, "create cleanup close");
    KT_EQ_INT(device->ReferenceCount, 0);
    dt_driver_free(driver);
}

/* Kernel handles belong to the kernel: a user-mode caller cannot use or
 * close one (STATUS_INVALID_HANDLE), kernel mode can. */
KT_TEST(kernel_handles_refused_to_user_mode)
{
    PDRIVER_OBJECT driver = dt_driver("DtKernelHandle");
    dt_device(driver, L"\\Device\\DtKernelHandle", 0, FALSE);
    PEPROCESS client = dt_client_enter();
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    UCHAR buffer[4];

    dt_reset();
    KT_EQ_STATUS(dt_open(L"\\Device\\DtKernelHandle", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    KT_TRUE((LONG_PTR)h < 0);
    KT_EQ_STATUS(NtReadFile(h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(NtClose(h), STATUS_INVALID_HANDLE);
    KT_EQ_STR(dt.log, "create");
    KT_EQ_STATUS(ZwClose(h), STATUS_SUCCESS);
    dt_client_leave(client);
    dt_driver_free(driver);
}

/* The requests of a file's life come in order, create, cleanup, close;
 * for a user-mode open IRP_MJ_CREATE comes from UserMode, and the
 * requests come in the caller's process. */
KT_TEST(file_life_create_cleanup_close_in_the_caller_process)
{
    PDRIVER_OBJECT driver = dt_driver("DtLife");
    dt_device(driver, L"\\Device\\DtLife", 0, FALSE);
    PEPROCESS client = dt_client_enter();
    HANDLE h;

    dt_reset();
    KT_EQ_STATUS(dt_open_as(UserMode, L"\\Device\\DtLife", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    KT_EQ_INT(dt.requestor_mode, UserMode);
    KT_EQ_STATUS(NtClose(h), STATUS_SUCCESS);
    KT_EQ_STR(dt.log, "create cleanup close");
    KT_EQ_PTR(dt.pid[IRP_MJ_CREATE], PsGetProcessId(client));
    KT_EQ_PTR(dt.pid[IRP_MJ_CLEANUP], PsGetProcessId(client));
    dt_client_leave(client);
    dt_driver_free(driver);
}
