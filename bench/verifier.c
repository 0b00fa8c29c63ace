/* bench/verifier.c: what Driver Verifier's checks cost. Two workloads, each
 * with every check group off (--verifier=none), with every group but
 * special pool on, and with all of them on (special pool included, ntbox
 * run's default):
 *   pool   ExAllocatePoolWithTag + ExFreePool of 64-byte blocks, 32 kept
 *          alive, called through pointers as a driver's imports are;
 *   ioctl  an I/O control round trip inside the kernel:
 *          IoBuildDeviceIoControlRequest (METHOD_BUFFERED, 16 bytes in and
 *          out, so the I/O manager allocates a system buffer from the pool),
 *          IoCallDriver, the dispatch routine copying and completing;
 *   call   KeReadStateTimer (a load) through the pointer a driver's import
 *          of it is bound to: with the irql group on, its IRQL check.
 * The machine is shared and noisy: configurations alternate, each runs for
 * at least BENCH_MIN_NS per round, and each figure is the median of
 * BENCH_ROUNDS rounds. Summary lines, one per workload and configuration:
 *   bench verifier-pool-checks: X ns/op (baseline checks off: Y ns/op, ratio R)
 * Targets (the verifier issue): the checks under 2x, special pool under 20x. */
#include <ntddk.h>

#include "loader/exports.h"
#include "verifier/verifier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_ROUNDS 5
#define BENCH_MIN_NS 2e8
#define BENCH_LIVE 32u
#define IOCTL_BENCH CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)

enum bench_config { BENCH_OFF, BENCH_CHECKS, BENCH_SPECIAL, BENCH_CONFIGS };

static const char *const bench_config_name[BENCH_CONFIGS] = { "off", "checks", "special" };
static const unsigned bench_config_groups[BENCH_CONFIGS] = { 0, VF_ALL & ~(1u << VF_SPECIAL_POOL), VF_ALL };

/* The driver's view: imported routines, called through their bound address. */
static PVOID (NTAPI *volatile bench_alloc)(POOL_TYPE, SIZE_T, ULONG) = ExAllocatePoolWithTag;
static VOID (NTAPI *volatile bench_free)(PVOID) = ExFreePool;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* n allocation and free pairs; returns the time taken. */
static double bench_pool(unsigned n)
{
    void *live[BENCH_LIVE] = { 0 };
    PVOID (NTAPI *alloc)(POOL_TYPE, SIZE_T, ULONG) = bench_alloc;
    VOID (NTAPI *release)(PVOID) = bench_free;
    double start = bench_now();
    for (unsigned i = 0; i < n; i++) {
        unsigned k = i % BENCH_LIVE;
        if (live[k])
            release(live[k]);
        live[k] = alloc(NonPagedPoolNx, 64, 'hcnB');
        *(volatile char *)live[k] = 1;
    }
    for (unsigned k = 0; k < BENCH_LIVE; k++)
        if (live[k])
            release(live[k]);
    return bench_now() - start;
}

/* The benchmark's driver: one device whose I/O control routine echoes its
 * input. */
static NTSTATUS NTAPI bench_dispatch(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG n = stack->Parameters.DeviceIoControl.InputBufferLength;
    (void)device;
    ((UCHAR *)irp->AssociatedIrp.SystemBuffer)[0] ^= 1;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = n;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static DRIVER_OBJECT bench_driver;
static DEVICE_OBJECT bench_device;

static double bench_ioctl(unsigned n)
{
    UCHAR in[16] = { 1 }, out[16];
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    double start = bench_now();
    for (unsigned i = 0; i < n; i++) {
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_BENCH, &bench_device, in, sizeof in, out, sizeof out, FALSE,
                                                 &event, &iosb);
        if (!irp || IoCallDriver(&bench_device, irp) != STATUS_SUCCESS || iosb.Information != sizeof in) {
            fprintf(stderr, "bench verifier: the I/O control round trip failed\n");
            exit(1);
        }
    }
    return bench_now() - start;
}

/* n calls of a routine bound as a driver's import of it is in the current
 * configuration; returns the time taken. */
static double bench_call(unsigned n)
{
    static KTIMER timer;
    BOOLEAN (NTAPI *read)(PKTIMER) = ldr_export_target(ldr_export_find("ntoskrnl.exe", "KeReadStateTimer"));
    unsigned set = 0;
    KeInitializeTimer(&timer);
    double start = bench_now();
    for (unsigned i = 0; i < n; i++)
        set += read(&timer);
    double ns = bench_now() - start;
    if (set)
        abort();
    return ns;
}

/* ns per op of one round: as many ops as fit in BENCH_MIN_NS, found by
 * doubling. */
static double bench_round(double (*workload)(unsigned))
{
    for (unsigned n = 256;; n *= 2) {
        double ns = workload(n);
        if (ns >= BENCH_MIN_NS || n >= (1u << 28))
            return ns / n;
    }
}

static int bench_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench_workload(const char *name, double (*workload)(unsigned))
{
    double ns[BENCH_CONFIGS][BENCH_ROUNDS], median[BENCH_CONFIGS];
    for (int r = 0; r < BENCH_ROUNDS; r++)
        for (int c = 0; c < BENCH_CONFIGS; c++) {
            vf_set_groups(bench_config_groups[c]);
            ns[c][r] = bench_round(workload);
        }
    for (int c = 0; c < BENCH_CONFIGS; c++) {
        qsort(ns[c], BENCH_ROUNDS, sizeof ns[c][0], bench_by_value);
        median[c] = ns[c][BENCH_ROUNDS / 2];
        printf("%s, checks %s: %.1f ns/op\n", name, bench_config_name[c], median[c]);
    }
    for (int c = BENCH_CHECKS; c < BENCH_CONFIGS; c++)
        printf("bench verifier-%s-%s: %.1f ns/op (baseline checks off: %.1f ns/op, ratio %.2f)\n", name,
               bench_config_name[c], median[c], median[BENCH_OFF], median[c] / median[BENCH_OFF]);
}

int main(void)
{
    bench_driver.Type = IO_TYPE_DRIVER;
    bench_driver.Size = sizeof bench_driver;
    bench_driver.MajorFunction[IRP_MJ_DEVICE_CONTROL] = bench_dispatch;
    bench_device.Type = IO_TYPE_DEVICE;
    bench_device.Size = sizeof bench_device;
    bench_device.DriverObject = &bench_driver;
    bench_device.StackSize = 1;
    bench_device.Flags = DO_BUFFERED_IO;

    bench_workload("pool", bench_pool);
    bench_workload("ioctl", bench_ioctl);
    bench_workload("call", bench_call);
    return 0;
}
