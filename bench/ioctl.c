/* bench/ioctl.c: the I/O control round trip through the whole user-mode
 * path, against a plain function call in the same run.
 *
 * A driver (in this file, called the way ntbox calls a loaded driver)
 * creates \Device\BenchNull and \??\BenchNull; its IRP_MJ_DEVICE_CONTROL
 * copies 64 bytes of input to output and completes the IRP. A client
 * process opens \\.\BenchNull once, then calls DeviceIoControl with a
 * METHOD_BUFFERED code, 64 bytes in and 64 out, in a loop: handle lookup,
 * probing, the system buffer, the IRP, the dispatch, completion and the
 * copy back, as for a Windows program. The baseline calls the same kind of
 * function directly (64-byte copy through a pointer). Pool and baseline
 * rounds alternate; each figure is the median of BENCH_ROUNDS rounds.
 *
 *   bench ioctl: X ns/op (baseline call: Y ns/op, ratio R) */
#include <ntddk.h>
#include <windows.h>

#include "io/driver.h"
#include "ps/process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_OPS 300000u
#define BENCH_ROUNDS 7
#define BENCH_IOCTL CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static NTSTATUS NTAPI bench_create_close(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI bench_device_control(PDEVICE_OBJECT device, PIRP irp)
{
    (void)device;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG n = stack->Parameters.DeviceIoControl.OutputBufferLength;
    /* In METHOD_BUFFERED input and output share the system buffer: the
     * "copy" is in place, and the I/O manager copies n bytes back. */
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = n;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI bench_driver_entry(PDRIVER_OBJECT driver, PUNICODE_STRING registry)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\BenchNull");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\BenchNull");
    PDEVICE_OBJECT device;
    (void)registry;
    driver->MajorFunction[IRP_MJ_CREATE] = bench_create_close;
    driver->MajorFunction[IRP_MJ_CLOSE] = bench_create_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = bench_device_control;
    NTSTATUS status = IoCreateDevice(driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (NT_SUCCESS(status))
        status = IoCreateSymbolicLink(&link, &name);
    if (NT_SUCCESS(status))
        device->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

/* The baseline: what the round trip does at its core, as a direct call. */
static void *(*volatile bench_direct)(void *, const void *, size_t) = memcpy;

static double bench_round(HANDLE h, int ioctl)
{
    BYTE in[64], out[64];
    DWORD bytes;
    memset(in, 0x5A, sizeof in);
    double t0 = bench_now();
    for (unsigned i = 0; i < BENCH_OPS; i++) {
        if (ioctl) {
            if (!DeviceIoControl(h, BENCH_IOCTL, in, sizeof in, out, sizeof out, &bytes, NULL) || bytes != 64) {
                fprintf(stderr, "bench ioctl: DeviceIoControl failed (error %u)\n", GetLastError());
                exit(1);
            }
        } else {
            bench_direct(out, in, sizeof out);
        }
    }
    return (bench_now() - t0) / BENCH_OPS;
}

static int bench_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    PDRIVER_OBJECT driver = io_driver_object_create("benchnull", NULL, 0, bench_driver_entry);
    UNICODE_STRING registry = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\benchnull");
    if (!driver || !NT_SUCCESS(bench_driver_entry(driver, &registry))) {
        fprintf(stderr, "bench ioctl: cannot create the device\n");
        return 1;
    }
    PEPROCESS client = ps_process_create("bench.exe");
    ps_process_attach(client);
    HANDLE h = CreateFileW(L"\\\\.\\BenchNull", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "bench ioctl: cannot open \\\\.\\BenchNull (error %u)\n", GetLastError());
        return 1;
    }
    double ioctl[BENCH_ROUNDS], call[BENCH_ROUNDS];
    bench_round(h, 1); /* warm up */
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        ioctl[r] = bench_round(h, 1);
        call[r] = bench_round(h, 0);
    }
    qsort(ioctl, BENCH_ROUNDS, sizeof ioctl[0], bench_compare);
    qsort(call, BENCH_ROUNDS, sizeof call[0], bench_compare);
    double x = ioctl[BENCH_ROUNDS / 2], y = call[BENCH_ROUNDS / 2];
    printf("ioctl: METHOD_BUFFERED DeviceIoControl, 64 bytes in and out, through NtDeviceIoControlFile\n");
    printf("bench ioctl: %.1f ns/op (baseline call: %.1f ns/op, ratio %.1f)\n", x, y, x / y);
    CloseHandle(h);
    ps_process_attach(NULL);
    ps_process_exit(client);
    return 0;
}
