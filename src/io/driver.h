/* io/driver.h: driver objects, as the I/O manager creates them for a load. */
#ifndef NTBOX_IO_DRIVER_H
#define NTBOX_IO_DRIVER_H

#include <ntddk.h>

/* A DRIVER_OBJECT named \Driver\<name>, laid out and filled as Windows does
 * before calling DriverEntry: Type/Size, DriverName, DriverExtension with
 * ServiceKeyName <name>, HardwareDatabase, DriverStart/DriverSize/DriverInit,
 * and every MajorFunction slot set to the routine that fails the request with
 * STATUS_INVALID_DEVICE_REQUEST. NULL when memory runs out. */
PDRIVER_OBJECT io_driver_object_create(const char *name, PVOID start, ULONG size, PDRIVER_INITIALIZE entry);

/* The registry path DriverEntry receives:
 * \Registry\Machine\System\CurrentControlSet\Services\<name>. Free with
 * io_unicode_free. */
UNICODE_STRING io_driver_registry_path(const char *name);

void io_driver_object_free(PDRIVER_OBJECT driver);

/* A counted UTF-16 copy of an ASCII string, NUL-terminated (ntbox's own
 * strings, never pool: they are not the driver's). */
UNICODE_STRING io_unicode_from_ascii(const char *text);
void io_unicode_free(UNICODE_STRING *s);

#endif
