/* io/driver.c: DRIVER_OBJECT creation for a driver load (see driver.h).
 * The object is ntbox's (host memory), not the driver's pool: only what the
 * driver allocates itself is counted against it at unload. */
#include "io/driver.h"

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

PDRIVER_OBJECT io_driver_object_create(const char *name, PVOID start, ULONG size, PDRIVER_INITIALIZE entry)
{
    char text[256];
    PDRIVER_OBJECT driver = calloc(1, sizeof *driver);
    PDRIVER_EXTENSION ext = calloc(1, sizeof *ext);

    if (!driver || !ext) {
        free(driver);
        free(ext);
        return NULL;
    }
    driver->Type = IO_TYPE_DRIVER;
    driver->Size = sizeof *driver;
    driver->DriverStart = start;
    driver->DriverSize = size;
    driver->DriverInit = entry;
    driver->DriverExtension = ext;
    driver->HardwareDatabase = &io_hardware_database;
    ext->DriverObject = driver;
    ext->ServiceKeyName = io_unicode_from_ascii(name);
    snprintf(text, sizeof text, "\\Driver\\%s", name);
    driver->DriverName = io_unicode_from_ascii(text);
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
    free(driver->DriverExtension);
    free(driver);
}
