/* ob/capture.c: checking and copying what a caller passes in an
 * OBJECT_ATTRIBUTES (Windows' ObpCaptureObjectCreateInformation), and the
 * mapping of generic access rights through a type.
 *
 * The order of the checks is Windows': the structure first
 * (STATUS_INVALID_PARAMETER), then the name (STATUS_OBJECT_NAME_INVALID),
 * and only later, in the lookup, the RootDirectory handle. ntbox has no
 * security descriptors yet: SecurityDescriptor and SecurityQualityOfService
 * are accepted and not used. */
#include "ob/obp.h"

#include <stdlib.h>
#include <string.h>

/* A name longer than this is invalid: MAXUSHORT - sizeof(WCHAR), and names
 * have whole characters, so 65532 bytes is the most. */
#define OB_MAX_NAME_LENGTH (0xFFFF - sizeof(WCHAR))

bool ob_copy_string(UNICODE_STRING *dst, const WCHAR *buffer, USHORT length)
{
    WCHAR *copy = malloc((size_t)length + sizeof(WCHAR));

    if (!copy)
        return false;
    if (length)
        memcpy(copy, buffer, length);
    copy[length / sizeof(WCHAR)] = UNICODE_NULL;
    dst->Buffer = copy;
    dst->Length = length;
    dst->MaximumLength = (USHORT)(length + sizeof(WCHAR));
    return true;
}

NTSTATUS ob_capture_attributes(const OBJECT_ATTRIBUTES *attributes, KPROCESSOR_MODE mode, struct ob_capture *out)
{
    const UNICODE_STRING *name;

    memset(out, 0, sizeof *out);
    if (!attributes)
        return STATUS_SUCCESS;
    if (attributes->Length != sizeof(OBJECT_ATTRIBUTES) || (attributes->Attributes & ~OBJ_VALID_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    out->attributes = attributes->Attributes;
    /* A user caller cannot make kernel handles: the flag is dropped. */
    if (mode != KernelMode)
        out->attributes &= ~OBJ_KERNEL_HANDLE;
    out->root = attributes->RootDirectory;
    name = attributes->ObjectName;
    if (!name)
        return out->root ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS;
    if ((name->Length & (sizeof(WCHAR) - 1)) || name->Length > OB_MAX_NAME_LENGTH)
        return STATUS_OBJECT_NAME_INVALID;
    if (name->Length == 0)
        return STATUS_SUCCESS;
    if (!name->Buffer)
        return STATUS_ACCESS_VIOLATION;
    return ob_copy_string(&out->name, name->Buffer, name->Length) ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

void ob_capture_release(struct ob_capture *capture)
{
    free(capture->name.Buffer);
    memset(capture, 0, sizeof *capture);
}

/* RtlMapGenericMask, and MAXIMUM_ALLOWED: with no security descriptor to
 * consult, the most an open can be granted is the type's GenericAll. */
ACCESS_MASK ob_map_access(POBJECT_TYPE type, ACCESS_MASK desired)
{
    const GENERIC_MAPPING *map = &type->info.generic_mapping;
    ACCESS_MASK mapped = desired & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);

    if (desired & GENERIC_READ)
        mapped |= map->GenericRead;
    if (desired & GENERIC_WRITE)
        mapped |= map->GenericWrite;
    if (desired & GENERIC_EXECUTE)
        mapped |= map->GenericExecute;
    if (desired & (GENERIC_ALL | MAXIMUM_ALLOWED))
        mapped |= map->GenericAll;
    return mapped;
}
