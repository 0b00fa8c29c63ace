/* io/driver.c: DRIVER_OBJECT creation for a driver load (see driver.h).
 * The object is ntbox's (host memory), not the driver's pool: only what the
 * driver allocates itself is counted against it at unload. */
#include "io/driver.h"

#include "ob/ob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

UNICODE_STRING io_unicode_from_ascii(const char *text)
{
    UNICODE_STRING s;
    size_t n = strlen(text);
    s.Buffer = calloc(n + 1, sizeof(WCHAR));
    for (size_t i = 0; s.Buffer && i < n; i++)
        s.Buffer[i] = (unsigned char)text[i];
    s.Length = s.Buffer ? (USHORT)(n * sizeof(WCHAR)) : 0;
    s.MaximumLength = s.Buffer ? (USHORT)((n + 1) * sizeof(WCHAR)) : 0;
    return s;
}

void io_unicode_free(UNICODE_STRING *s)
{
    free(s->Buffer);
    memset(s, 0, sizeof *s);
}

/* The routine behind every MajorFunction slot a driver leaves empty. */
static NTSTATUS NTAPI io_invalid_device_request(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

static WCHAR io_hardware_database_text[] = L"\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\SYSTEM";
static UNICODE_STRING io_hardware_database = {
    sizeof io_hardware_database_text - sizeof(WCHAR), sizeof io_hardware_database_text, io_hardware_database_text
};

/* The object is a Driver object of the object manager, named
 * \Driver\<name> and permanent while the driver is loaded; its extension
 * shares the allocation, as on Windows. */
PDRIVER_OBJECT io_driver_object_create(const char *name, PVOID start, ULONG size, PDRIVER_INITIALIZE entry)
{
    char text[256];
    OBJECT_ATTRIBUTES attributes;
    PDRIVER_OBJECT driver;
    void *object;

    snprintf(text, sizeof text, "\\Driver\\%s", name);
    UNICODE_STRING driver_name = io_unicode_from_ascii(text);
    if (!driver_name.Buffer)
        return NULL;
    InitializeObjectAttributes(&attributes, &driver_name, OBJ_PERMANENT | OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE,
                               NULL, NULL);
    NTSTATUS status = ob_create_object(*IoDriverObjectType, &attributes, KernelMode,
                                       sizeof(DRIVER_OBJECT) + sizeof(DRIVER_EXTENSION), (void **)&driver);
    if (NT_SUCCESS(status))
        status = ob_insert_object(driver, 0, &object, NULL);
    if (!NT_SUCCESS(status)) {
        io_unicode_free(&driver_name);
        return NULL;
    }
    PDRIVER_EXTENSION ext = (PDRIVER_EXTENSION)(driver + 1);
    driver->Type = IO_TYPE_DRIVER;
    driver->Size = sizeof *driver;
    driver->DriverStart = start;
    driver->DriverSize = size;
    driver->DriverInit = entry;
    driver->DriverExtension = ext;
    driver->HardwareDatabase = &io_hardware_database;
    driver->DriverName = driver_name;
    ext->DriverObject = driver;
    ext->ServiceKeyName = io_unicode_from_ascii(name);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = io_invalid_device_request;
    return driver;
}

UNICODE_STRING io_driver_registry_path(const char *name)
{
    char text[256];
    snprintf(text, sizeof text, "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s", name);
    return io_unicode_from_ascii(text);
}

void io_driver_object_free(PDRIVER_OBJECT driver)
{
    io_unicode_free(&driver->DriverName);
    io_unicode_free(&driver->DriverExtension->ServiceKeyName);
    /* The name leaves \Driver, and the object goes with its last reference. */
    ob_make_temporary(driver);
    ob_dereference_object(driver);
}
