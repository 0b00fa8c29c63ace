/* tests/io/fake_device.h: driver and device objects built by hand for the
 * I/O manager's tests (creating devices is not what they test): a
 * DRIVER_OBJECT whose every MajorFunction is one dispatch routine, and its
 * DEVICE_OBJECTs with a given StackSize and Flags. A filter over a device
 * is a second device with StackSize one more and AttachedDevice set, as
 * IoAttachDeviceToDeviceStack would leave them. And a way to run
 * IoCallDriver in a child process. */
#ifndef NTBOX_TESTS_IO_FAKE_DEVICE_H
#define NTBOX_TESTS_IO_FAKE_DEVICE_H

#include <ntddk.h>

#include <stdlib.h>

static inline PDRIVER_OBJECT fake_driver(PDRIVER_DISPATCH dispatch)
{
    PDRIVER_OBJECT driver = calloc(1, sizeof *driver);
    driver->Type = IO_TYPE_DRIVER;
    driver->Size = sizeof *driver;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = dispatch;
    return driver;
}

static inline PDEVICE_OBJECT fake_device(PDRIVER_OBJECT driver, CCHAR stack_size, ULONG flags)
{
    PDEVICE_OBJECT device = calloc(1, sizeof *device);
    device->Type = IO_TYPE_DEVICE;
    device->Size = sizeof *device;
    device->DriverObject = driver;
    device->StackSize = stack_size;
    device->Flags = flags;
    device->DeviceType = FILE_DEVICE_UNKNOWN;
    return device;
}

/* A filter device of `driver` attached over `lower`. */
static inline PDEVICE_OBJECT fake_filter(PDRIVER_OBJECT driver, PDEVICE_OBJECT lower)
{
    PDEVICE_OBJECT filter = fake_device(driver, (CCHAR)(lower->StackSize + 1), lower->Flags);
    lower->AttachedDevice = filter;
    return filter;
}

/* IoCallDriver(device, irp) in a form kt_run_child and KT_EXPECT_BUGCHECK
 * can run. */
struct call_args {
    PDEVICE_OBJECT device;
    PIRP irp;
};

static inline void call_driver(void *arg)
{
    struct call_args *a = (struct call_args *)arg;
    IoCallDriver(a->device, a->irp);
}

#endif
