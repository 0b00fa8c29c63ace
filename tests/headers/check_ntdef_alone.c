/* tests/headers/check_ntdef_alone.c: ntdef.h alone gives the base types,
 * the string and list structures and the status codes (as C here, as C++ through the .cpp twin).
 * Compiling this file is the test. */
#include <ntdef.h>

static const WCHAR check_name[] = L"\\Device\\Sample";
static UNICODE_STRING check_string = { sizeof(check_name) - sizeof(WCHAR), sizeof(check_name), (PWCH)check_name };
static OBJECT_ATTRIBUTES check_attributes = RTL_CONSTANT_OBJECT_ATTRIBUTES(&check_string, OBJ_KERNEL_HANDLE);
C_ASSERT(sizeof(check_name) == 15 * 2); /* 14 UTF-16 units and the terminator */
C_ASSERT(NT_SUCCESS(STATUS_PENDING) && !NT_SUCCESS(STATUS_BUFFER_OVERFLOW) && NT_ERROR(STATUS_NOT_FOUND));

NTBOX_EXTERN_C POBJECT_ATTRIBUTES check_ntdef_attributes(void);
POBJECT_ATTRIBUTES check_ntdef_attributes(void)
{
    LIST_ENTRY head = { &head, &head };
    return head.Flink == &head ? &check_attributes : NULL;
}
