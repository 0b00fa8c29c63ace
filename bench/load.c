/* bench/load.c: loading a .sys driver, against loading a native one, in the
 * same run; and what inline privileged instructions cost.
 *
 *   - load cycle: the I/O manager's whole path for tests/cli/drivers/clean.c
 *     built as a .sys by mingw-w64: read, parse, map, relocate, bind
 *     imports, patch, protect, DriverEntry (three pool allocations, a spin
 *     lock, DbgPrint), DriverUnload, Driver Verifier's unload checks, unmap;
 *   - baseline: dlopen and dlclose of the same driver built natively (.so),
 *     the least a native load costs; the native load cycle through the same
 *     I/O manager path is shown too;
 *   - `ntbox run` as a process (fork, exec, load, run, report, exit) for the
 *     seed's fixed sample as a .sys, whose leak report runs addr2line, and
 *     for clean.sys;
 *   - CR8: KeRaiseIrql/KeLowerIrql pairs inlined by mingw-w64's DDK headers
 *     (tests/cli/drivers_pe/irql_spin.c), patched at load against emulated
 *     on each fault.
 * Each figure is the median of BENCH_ROUNDS rounds; driver output goes to
 * /dev/null while they run.
 *
 *   bench load: X ns/op (baseline dlopen+dlclose: Y ns/op, ratio R) */
#include <ntddk.h>

#include "io/driver_load.h"
#include "loader/compile.h"
#include "loader/module.h"
#include "loader/pe_load.h"
#include "loader/pe_patch.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_ROUNDS 7
#define BENCH_LOADS 100
#define BENCH_DLOPENS 500
#define BENCH_PROCESSES 5
#define BENCH_SPIN_CALLS_PATCHED 2000
#define BENCH_SPIN_CALLS_EMULATED 5
#define BENCH_SPIN_CR8 3000 /* per call: 1000 pairs, a read and a write to raise, a write to lower */

extern char **environ;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int bench_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double bench_median(double *v)
{
    qsort(v, BENCH_ROUNDS, sizeof v[0], bench_compare);
    return v[BENCH_ROUNDS / 2];
}

/* Page faults so far: a fresh page costs what a few system calls do, and
 * on some virtual machines much more; the counts explain the times. */
static long bench_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt + ru.ru_majflt;
}

static int bench_stdout = -1;

/* Driver output and ntbox's notes go to /dev/null while timing. */
static void bench_quiet(bool quiet)
{
    fflush(stdout);
    if (quiet) {
        int null = open("/dev/null", O_WRONLY);
        bench_stdout = dup(STDOUT_FILENO);
        dup2(null, STDOUT_FILENO);
        close(null);
    } else if (bench_stdout >= 0) {
        dup2(bench_stdout, STDOUT_FILENO);
        close(bench_stdout);
        bench_stdout = -1;
    }
}

static void bench_fail(const char *what)
{
    bench_quiet(false);
    fprintf(stderr, "bench load: %s\n", what);
    exit(1);
}

/* ns per load cycle of the driver at path through the I/O manager. */
static double bench_load_cycles(const char *path)
{
    char err[4096];
    double t0 = bench_now();
    for (int i = 0; i < BENCH_LOADS; i++) {
        struct io_driver *d;
        if (io_driver_load("clean", path, &d, err, sizeof err) != STATUS_SUCCESS || !d)
            bench_fail(err);
        io_driver_unload(d);
        io_driver_release(d);
    }
    return (bench_now() - t0) / BENCH_LOADS;
}

static double bench_dlopen_cycles(const char *so)
{
    double t0 = bench_now();
    for (int i = 0; i < BENCH_DLOPENS; i++) {
        void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        if (!h)
            bench_fail(dlerror());
        dlclose(h);
    }
    return (bench_now() - t0) / BENCH_DLOPENS;
}

/* ms per `ntbox run DRIVER` process, output discarded. */
static double bench_processes(const char *driver)
{
    char *argv[] = { (char *)NTBOX_BENCH_NTBOX, (char *)"run", (char *)driver, NULL };
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    double t0 = bench_now();
    for (int i = 0; i < BENCH_PROCESSES; i++) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, argv[0], &actions, NULL, argv, environ) != 0)
            bench_fail("cannot start ntbox");
        waitpid(pid, &status, 0);
    }
    posix_spawn_file_actions_destroy(&actions);
    return (bench_now() - t0) / BENCH_PROCESSES / 1e6;
}

/* ns per CR8 access in irql_spin.sys's loop, patched or emulated. */
static double bench_cr8(const char *path, bool patch)
{
    char err[4096];
    static DRIVER_OBJECT object;
    UNICODE_STRING registry = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\irql_spin");
    double t[BENCH_ROUNDS];

    ldr_patch_enabled = patch;
    struct ldr_module *m = ldr_load_pe(path, false, err, sizeof err);
    ldr_patch_enabled = true;
    if (!m)
        bench_fail(err);
    memset(&object, 0, sizeof object);
    if (((PDRIVER_INITIALIZE)m->entry)(&object, &registry) != STATUS_SUCCESS)
        bench_fail("irql_spin.sys: DriverEntry failed");
    PDRIVER_DISPATCH spin = object.MajorFunction[IRP_MJ_DEVICE_CONTROL];
    int calls = patch ? BENCH_SPIN_CALLS_PATCHED : BENCH_SPIN_CALLS_EMULATED;
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        double t0 = bench_now();
        for (int i = 0; i < calls; i++)
            if (spin(NULL, NULL) != STATUS_SUCCESS)
                bench_fail("irql_spin.sys: the IRQL went wrong");
        t[r] = (bench_now() - t0) / calls / BENCH_SPIN_CR8;
    }
    ldr_unload_pe(m);
    return bench_median(t);
}

int main(void)
{
    static const char sys_dir[] = NTBOX_BENCH_SYS_DIR;
    char clean_sys[4096], sample_sys[4096], spin_sys[4096], so[4096], source[4096], err[4096];

    if (!*sys_dir) {
        printf("bench load: skipped: no .sys drivers (x86_64-w64-mingw32-gcc was not found when CMake configured)\n");
        return 0;
    }
    snprintf(clean_sys, sizeof clean_sys, "%s/clean.sys", sys_dir);
    snprintf(sample_sys, sizeof sample_sys, "%s/sample.sys", sys_dir);
    snprintf(spin_sys, sizeof spin_sys, "%s/irql_spin.sys", sys_dir);
    snprintf(source, sizeof source, "%s/tests/cli/drivers/clean.c", NTBOX_BENCH_SOURCE_DIR);
    if (!ldr_build_image(&ldr_driver_profile, source, "clean", so, sizeof so, err, sizeof err))
        bench_fail(err);

    double sys[BENCH_ROUNDS], native[BENCH_ROUNDS], dl[BENCH_ROUNDS];
    long sys_faults = 0, native_faults = 0;
    bench_quiet(true);
    bench_load_cycles(clean_sys); /* warm up: page cache, the symbol cache, the pool */
    bench_load_cycles(so);
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        long f0 = bench_faults();
        sys[r] = bench_load_cycles(clean_sys);
        long f1 = bench_faults();
        native[r] = bench_load_cycles(so);
        sys_faults += f1 - f0;
        native_faults += bench_faults() - f1;
        dl[r] = bench_dlopen_cycles(so);
    }
    bench_quiet(false);
    double x = bench_median(sys), n = bench_median(native), y = bench_median(dl);
    double run_sample = bench_processes(sample_sys), run_clean = bench_processes(clean_sys);

    printf("load: clean.sys loaded, run (DriverEntry, DriverUnload) and unloaded through the I/O manager: %.0f ns, "
           "%.1f page faults; the same driver native (.so): %.0f ns, %.1f page faults\n", x,
           (double)sys_faults / (BENCH_ROUNDS * BENCH_LOADS), n, (double)native_faults / (BENCH_ROUNDS * BENCH_LOADS));
    printf("load: `ntbox run` as a process: sample.sys (leak report, addr2line) %.1f ms, clean.sys %.1f ms\n",
           run_sample, run_clean);
    if (access(spin_sys, R_OK) == 0) {
        double patched = bench_cr8(spin_sys, true), emulated = bench_cr8(spin_sys, false);
        printf("load: inline CR8 access (KeRaiseIrql/KeLowerIrql from mingw-w64's DDK headers): patched %.1f ns, "
               "emulated on each fault %.0f ns (%.0fx)\n", patched, emulated, emulated / patched);
    }
    printf("bench load: %.0f ns/op (baseline dlopen+dlclose: %.0f ns/op, ratio %.1f)\n", x, y, x / y);
    return 0;
}
