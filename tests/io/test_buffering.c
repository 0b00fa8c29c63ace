/* tests/io/test_buffering.c: the I/O manager's internal buffering API
 * (io.h) as the system services use it for UserMode callers: probing,
 * failures that leave nothing behind, copying back into memory that may
 * have gone, and the status block written without faulting. */
#include "ktest.h"

#include "ex/pool.h"
#include "fake_device.h"
#include "io/io.h"

#include <sys/mman.h>

#define IOCTL_TEST(method) CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, (method), FILE_ANY_ACCESS)

/* Pages: read-write, read-only, inaccessible. */
static char *pages;

static void map_pages(void)
{
    if (pages)
        return;
    pages = mmap(NULL, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_READ);
    mprotect(pages + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE);
}

/* A failed setup leaves no system buffer, no MDL and no allocation. */
static void expect_clean(PIRP irp, size_t before)
{
    KT_EQ_PTR(irp->AssociatedIrp.SystemBuffer, NULL);
    KT_EQ_PTR(irp->MdlAddress, NULL);
    KT_EQ_HEX(irp->Flags & IRP_DEALLOCATE_BUFFER, 0);
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
}

/* UserMode: the input is probed for reading and, for METHOD_BUFFERED, the
 * output for writing; a bad buffer is the probe's status. */
KT_TEST(io_irp_setup_ioctl_user_buffers_probed)
{
    map_pages();
    size_t before = ex_pool_outstanding(NULL);
    PIRP irp = IoAllocateIrp(1, FALSE);

    KT_EQ_STATUS(io_irp_setup_ioctl(irp, IOCTL_TEST(METHOD_BUFFERED), (PVOID)(MmUserProbeAddress - 2), 4, pages, 4,
                                    UserMode, NULL),
                 STATUS_ACCESS_VIOLATION);
    expect_clean(irp, before);
    KT_EQ_STATUS(io_irp_setup_ioctl(irp, IOCTL_TEST(METHOD_BUFFERED), pages, 4, pages + PAGE_SIZE, 4, UserMode,
                                    NULL),
                 STATUS_ACCESS_VIOLATION);
    expect_clean(irp, before);
    KT_EQ_STATUS(io_irp_setup_ioctl(irp, IOCTL_TEST(METHOD_BUFFERED), pages + 2 * PAGE_SIZE, 4, pages, 4, UserMode,
                                    NULL),
                 STATUS_ACCESS_VIOLATION);
    expect_clean(irp, before);
    /* METHOD_OUT_DIRECT into a read-only page: the MDL cannot be locked for
     * writing; the input's system buffer goes too. */
    KT_EQ_STATUS(io_irp_setup_ioctl(irp, IOCTL_TEST(METHOD_OUT_DIRECT), pages, 4, pages + PAGE_SIZE, 4, UserMode,
                                    NULL),
                 STATUS_ACCESS_VIOLATION);
    expect_clean(irp, before);
    /* METHOD_IN_DIRECT reads the output buffer: a read-only page is fine. */
    KT_EQ_STATUS(io_irp_setup_ioctl(irp, IOCTL_TEST(METHOD_IN_DIRECT), pages, 4, pages + PAGE_SIZE, 4, UserMode,
                                    NULL),
                 STATUS_SUCCESS);
    KT_TRUE(irp->MdlAddress != NULL);
    KT_TRUE(irp->AssociatedIrp.SystemBuffer != NULL);
    io_irp_free_buffers(irp);
    expect_clean(irp, before);
    /* METHOD_NEITHER checks nothing: the driver must probe. */
    KT_EQ_STATUS(io_irp_setup_ioctl(irp, IOCTL_TEST(METHOD_NEITHER), pages + 2 * PAGE_SIZE, 4,
                                    pages + 2 * PAGE_SIZE, 4, UserMode, NULL),
                 STATUS_SUCCESS);
    KT_EQ_PTR(IoGetNextIrpStackLocation(irp)->Parameters.DeviceIoControl.Type3InputBuffer, pages + 2 * PAGE_SIZE);
    IoFreeIrp(irp);
}

/* UserMode reads probe the buffer for writing, writes for reading, on
 * every kind of device; a kernel-range buffer is STATUS_ACCESS_VIOLATION. */
KT_TEST(io_irp_setup_read_write_user_buffers_probed)
{
    map_pages();
    PDRIVER_OBJECT driver = fake_driver(NULL);
    PDEVICE_OBJECT neither = fake_device(driver, 1, 0);
    PDEVICE_OBJECT buffered = fake_device(driver, 1, DO_BUFFERED_IO);
    size_t before = ex_pool_outstanding(NULL);
    PIRP irp = IoAllocateIrp(1, FALSE);

    KT_EQ_STATUS(io_irp_setup_read_write(irp, neither, IRP_MJ_READ, pages + PAGE_SIZE, 8, NULL, UserMode, NULL),
                 STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(io_irp_setup_read_write(irp, neither, IRP_MJ_WRITE, pages + PAGE_SIZE, 8, NULL, UserMode, NULL),
                 STATUS_SUCCESS);
    KT_EQ_STATUS(io_irp_setup_read_write(irp, buffered, IRP_MJ_WRITE, (PVOID)(ULONG_PTR)0xFFFF800000000000ULL, 8,
                                         NULL, UserMode, NULL),
                 STATUS_ACCESS_VIOLATION);
    expect_clean(irp, before);
    /* A write whose data cannot be read: the probe passes (it does not
     * touch memory), the copy into the system buffer fails. */
    KT_EQ_STATUS(io_irp_setup_read_write(irp, buffered, IRP_MJ_WRITE, pages + 2 * PAGE_SIZE, 8, NULL, UserMode,
                                         NULL),
                 STATUS_ACCESS_VIOLATION);
    expect_clean(irp, before);
    IoFreeIrp(irp);
    free(buffered);
    free(neither);
    free(driver);
}

/* Finishing a UserMode request: the data comes back into the caller's
 * buffer and the status block is written without faulting; when the
 * buffer has become read-only the status turns into
 * STATUS_ACCESS_VIOLATION, and a status block that cannot be written is
 * skipped. The event is set either way. */
static NTSTATUS finish_user_read(char *out, PIO_STATUS_BLOCK iosb, bool revoke)
{
    KEVENT event;
    PIRP irp = IoAllocateIrp(1, FALSE);
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    NTSTATUS status = io_irp_setup_ioctl(irp, IOCTL_TEST(METHOD_BUFFERED), NULL, 0, out, 8, UserMode, NULL);
    if (!NT_SUCCESS(status))
        return status;
    irp->RequestorMode = UserMode;
    irp->UserIosb = iosb;
    irp->UserEvent = &event;
    irp->Tail.Overlay.Thread = io_irp_thread();
    IoSetNextIrpStackLocation(irp);
    memcpy(irp->AssociatedIrp.SystemBuffer, "fromdrvr", 8);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 8;
    if (revoke)
        mprotect(pages, PAGE_SIZE, PROT_READ);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    if (revoke)
        mprotect(pages, PAGE_SIZE, PROT_READ | PROT_WRITE);
    KT_EQ_INT(KeReadStateEvent(&event), 1);
    return STATUS_SUCCESS;
}

KT_TEST(io_irp_finish_user_mode)
{
    IO_STATUS_BLOCK iosb;
    map_pages();
    size_t before = ex_pool_outstanding(NULL);

    KT_EQ_STATUS(finish_user_read(pages, &iosb, false), STATUS_SUCCESS);
    KT_EQ_MEM(pages, "fromdrvr", 8);
    KT_EQ_STATUS(iosb.Status, STATUS_SUCCESS);
    KT_EQ_HEX(iosb.Information, 8);

    memset(pages, '.', 8);
    KT_EQ_STATUS(finish_user_read(pages, &iosb, true), STATUS_SUCCESS);
    KT_EQ_MEM(pages, "........", 8);
    KT_EQ_STATUS(iosb.Status, STATUS_ACCESS_VIOLATION);

    KT_EQ_STATUS(finish_user_read(pages + 8, (PIO_STATUS_BLOCK)(pages + PAGE_SIZE), false), STATUS_SUCCESS);
    KT_EQ_MEM(pages + 8, "fromdrvr", 8);
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
}
