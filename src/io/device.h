/* io/device.h: the I/O manager's private view of device objects. Each
 * DEVICE_OBJECT is followed by its extension and then its
 * DEVOBJ_EXTENSION, which carries, past the fields drivers see, what
 * Windows keeps there: the device it is attached to and its deletion
 * state. */
#ifndef NTBOX_IO_DEVICE_H
#define NTBOX_IO_DEVICE_H

#include <ntddk.h>

struct io_devobj_extension {
    DEVOBJ_EXTENSION public_part;
    ULONG flags;                /* IO_DOE_* */
    PDEVICE_OBJECT attached_to; /* the device below this one in its stack */
};

#define IO_DOE_DELETE_PENDING 0x1   /* IoDeleteDevice was called */
#define IO_DOE_UNLINKED 0x2         /* removed from its driver's chain */
#define IO_DOE_UNLOAD_PENDING 0x4   /* its driver is being stopped */

static inline struct io_devobj_extension *io_device_extension(PDEVICE_OBJECT device)
{
    return (struct io_devobj_extension *)device->DeviceObjectExtension;
}

/* The top of the stack device is part of (IoGetAttachedDevice). */
PDEVICE_OBJECT io_device_top(PDEVICE_OBJECT device);

/* A file object is about to be opened on the device (IopCheckDeviceAndDriver):
 * STATUS_NO_SUCH_DEVICE while it is initializing, being deleted or its
 * driver is being stopped; STATUS_ACCESS_DENIED for an exclusive device
 * with a file already open; else STATUS_SUCCESS and the device's open
 * count (ReferenceCount) is one more, until io_device_file_closed. */
NTSTATUS io_device_open(PDEVICE_OBJECT device);

/* A file object on the device was closed for good (its IRP_MJ_CLOSE sent,
 * or its IRP_MJ_CREATE refused): drops the device's open count, and
 * finishes a deletion or a driver unload that waited for it. */
void io_device_file_closed(PDEVICE_OBJECT device);

/* The driver is being stopped: its devices take no new file from now on
 * (Windows' DOE_UNLOAD_PENDING). Returns whether files are still open on
 * any of them. */
BOOLEAN io_device_begin_unload(PDRIVER_OBJECT driver);

/* Whether files are open on any of the driver's devices. */
BOOLEAN io_device_files_open(PDRIVER_OBJECT driver);

/* IRP_MJ_SHUTDOWN to every device registered with
 * IoRegisterShutdownNotification, most recent first, as at system
 * shutdown. */
void io_device_shutdown_all(void);

#endif
