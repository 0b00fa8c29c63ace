/* io/driver_load.h: loading and unloading a driver as the I/O manager does
 * for a service (NtLoadDriver / NtUnloadDriver): map the image, create
 * \Driver\<service>, call DriverEntry with the service's registry path at
 * PASSIVE_LEVEL in the System process; at unload call DriverUnload, then
 * apply Driver Verifier's unload checks and unmap the image. Each step
 * prints a note, so every way of loading a driver reads the same. */
#ifndef NTBOX_IO_DRIVER_LOAD_H
#define NTBOX_IO_DRIVER_LOAD_H

#include <ntddk.h>

#include <stdbool.h>
#include <stddef.h>

struct io_driver;
struct ldr_module;

/* --allow-missing: imports ntbox lacks become stubs that stop the run. */
extern bool io_driver_allow_missing;

/* Loads image_path (.c/.cpp source, .so or .sys) as service `service` and
 * runs DriverEntry; *out receives the driver whenever the image loaded.
 * Returns DriverEntry's status, or, with *out NULL and a message in err,
 * STATUS_OBJECT_NAME_NOT_FOUND (no such file) or STATUS_INVALID_IMAGE_FORMAT
 * (anything else that stops the load). When DriverEntry failed the driver
 * is not running: the caller calls io_driver_release. */
NTSTATUS io_driver_load(const char *service, const char *image_path, struct io_driver **out, char *err,
                        size_t errn);

/* True when the driver set a DriverUnload routine (it can be stopped). */
BOOLEAN io_driver_can_unload(const struct io_driver *d);

/* Calls DriverUnload; the caller then calls io_driver_release. While files
 * are open on the driver's devices, DriverUnload waits for the last one to
 * close (as on Windows) and the release happens then: returns
 * STATUS_PENDING in that case. */
NTSTATUS io_driver_unload(struct io_driver *d);

/* Driver Verifier's unload checks (a pool allocation still held ends the
 * run with bugcheck 0xC4/0x62), then the driver object goes and the image
 * is unmapped. */
void io_driver_release(struct io_driver *d);

/* For the device code: the step that runs a deferred unload once the
 * driver's last file is closed (nothing for a driver not waiting). */
void io_driver_unload_if_pending(PDRIVER_OBJECT driver);

const struct ldr_module *io_driver_module(const struct io_driver *d);
const char *io_driver_name(const struct io_driver *d);

#endif
