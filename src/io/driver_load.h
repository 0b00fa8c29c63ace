/* io/driver_load.h: loading and unloading a driver as the I/O manager does
 * for a service (NtLoadDriver / NtUnloadDriver): map the image, create
 * \Driver\<service>, call DriverEntry with the service's registry path at
 * PASSIVE_LEVEL in the System process; at unload call DriverUnload, delete
 * what the I/O manager created, and apply Driver Verifier's unload checks. */
#ifndef NTBOX_IO_DRIVER_LOAD_H
#define NTBOX_IO_DRIVER_LOAD_H

#include <ntddk.h>

#include <stddef.h>

struct io_driver;

/* Loads image_path (.c/.cpp source, .so or .sys) as service `service` and
 * runs DriverEntry. Returns:
 *   STATUS_SUCCESS (or DriverEntry's success status) with *out set;
 *   STATUS_OBJECT_NAME_NOT_FOUND / STATUS_INVALID_IMAGE_FORMAT /
 *   STATUS_PROCEDURE_NOT_FOUND and a message in err when the image cannot be
 *   loaded (missing file, bad image, imports ntbox lacks);
 *   DriverEntry's error status when it failed (the image is unloaded, its
 *   leaks checked, without calling DriverUnload). */
NTSTATUS io_driver_load(const char *service, const char *image_path, struct io_driver **out, char *err,
                        size_t errn);

/* True when the driver set a DriverUnload routine (it can be stopped). */
BOOLEAN io_driver_can_unload(const struct io_driver *d);

/* Calls DriverUnload, checks for leaks (a leak ends the run with bugcheck
 * 0xC4/0x62) and unmaps the image. STATUS_INVALID_DEVICE_REQUEST when the
 * driver has no DriverUnload (nothing is done then). */
NTSTATUS io_driver_unload(struct io_driver *d);

#endif
