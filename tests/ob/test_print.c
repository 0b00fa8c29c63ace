/* tests/ob/test_print.c: ob_print_namespace, the tree `ntbox run --objects`
 * shows: exact output, in a child process so that the namespace holds only
 * what each test made. */
#include "obtest.h"

/* The last lines, the same in every tree. */
#define OBJECT_TYPES_TREE \
    "  ObjectTypes (Directory)\n" \
    "    Device (Type)\n" \
    "    Directory (Type)\n" \
    "    Driver (Type)\n" \
    "    Event (Type)\n" \
    "    File (Type)\n" \
    "    Process (Type)\n" \
    "    Semaphore (Type)\n" \
    "    SymbolicLink (Type)\n" \
    "    Thread (Type)\n" \
    "    Type (Type)\n"

static const char startup_tree[] =
    "\\\n"
    "  Device (Directory)\n"
    "  DosDevices (SymbolicLink -> \\?\?)\n"
    "  Driver (Directory)\n"
    "  GLOBAL?? (Directory)\n"
    "    Global (SymbolicLink -> \\GLOBAL?\?)\n"
    "    GLOBALROOT (SymbolicLink -> )\n"
    "  KernelObjects (Directory)\n"
    OBJECT_TYPES_TREE;

static void print_startup(void *arg)
{
    (void)arg;
    ob_print_namespace();
}

/* What ntbox starts with. */
KT_TEST(print_startup_namespace)
{
    int status;
    const char *out = kt_run_child(print_startup, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_EQ_STR(out, startup_tree);
}

static void print_with_device(void *arg)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING name;
    void *device, *kept;
    HANDLE link, sub;
    (void)arg;
    ob_create_object(*IoDeviceObjectType, ot_attributes(&oa, &name, L"\\Device\\Zero", OBJ_PERMANENT, NULL),
                     KernelMode, 0, &device);
    ob_insert_object(device, 0, &kept, NULL);
    ot_create_link(L"\\GLOBAL??\\Zero", L"\\Device\\Zero", OBJ_PERMANENT, NULL, &link);
    ot_create_directory(L"\\KernelObjects\\b", 0, NULL, &sub);
    ot_create_directory(L"\\KernelObjects\\A", 0, NULL, &sub);
    ot_create_directory(L"\\KernelObjects\\A\\Inner", 0, NULL, &sub);
    ob_print_namespace();
}

/* A device and its DOS name, WinObj's way; names sorted case-insensitively,
 * directories expanded at any depth. */
KT_TEST(print_device_and_link)
{
    int status;
    const char *out = kt_run_child(print_with_device, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_EQ_STR(out, "\\\n"
                   "  Device (Directory)\n"
                   "    Zero (Device)\n"
                   "  DosDevices (SymbolicLink -> \\?\?)\n"
                   "  Driver (Directory)\n"
                   "  GLOBAL?? (Directory)\n"
                   "    Global (SymbolicLink -> \\GLOBAL?\?)\n"
                   "    GLOBALROOT (SymbolicLink -> )\n"
                   "    Zero (SymbolicLink -> \\Device\\Zero)\n"
                   "  KernelObjects (Directory)\n"
                   "    A (Directory)\n"
                   "      Inner (Directory)\n"
                   "    b (Directory)\n"
                   OBJECT_TYPES_TREE);
}
