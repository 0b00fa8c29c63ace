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

static inline struct io_devobj_extension *io_device_extension(PDEVICE_OBJECT device)
{
    return (struct io_devobj_extension *)device->DeviceObjectExtension;
}

/* The top of the stack device is part of (IoGetAttachedDevice). */
PDEVICE_OBJECT io_device_top(PDEVICE_OBJECT device);

/* A file object on the device was closed for good (its IRP_MJ_CLOSE sent):
 * drops the device's open count, and finishes a deletion or a driver
 * unload that waited for it. */
void io_device_file_closed(PDEVICE_OBJECT device);

/* IRP_MJ_SHUTDOWN to every device registered with
 * IoRegisterShutdownNotification, most recent first, as at system
 * shutdown. */
void io_device_shutdown_all(void);

#endif
