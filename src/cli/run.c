/* cli/run.c: `ntbox run DRIVER [--client PROGRAM ARGS...]`: load, let a
 * client talk to the driver, unload, verdict.
 *
 * The driver is loaded as a kernel driver service would be (io/driver_load.c:
 * \Driver\<name>, DriverEntry at PASSIVE_LEVEL in the System process) and is
 * then a running service, so a client can also stop it through the service
 * control manager. The client runs as its own process; when it is done the
 * system shuts down (IRP_MJ_SHUTDOWN to registered devices) and the driver
 * is stopped: DriverUnload, then Driver Verifier's unload checks. */
#include "cli/run.h"

#include "base/diag.h"
#include "ex/pool.h"
#include "io/device.h"
#include "io/driver_load.h"
#include "ke/bugcheck.h"
#include "ke/hang.h"
#include "loader/compile.h"
#include "loader/program.h"
#include "ob/ob.h"
#include "ps/client.h"
#include "rtl/status_name.h"
#include "verifier/verifier.h"
#include "win32/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cli_print_pool_table(const struct cli_run_options *opt)
{
    if (!opt->pool_table)
        return;
    printf("\n");
    ex_pool_print_table(stdout);
    fflush(stdout);
}

/* What the unload check found, when the run got past it. */
static const char *cli_leaks(void)
{
    return vf_enabled(VF_POOL_TRACKING) ? "no pool leaked" : "pool leaks not checked (--verifier)";
}

static const char *cli_warnings(char *buf, size_t n)
{
    unsigned w = diag_warning_count();
    if (w == 0)
        snprintf(buf, n, "no warnings");
    else
        snprintf(buf, n, "%u warning%s", w, w == 1 ? "" : "s");
    return buf;
}

/* Runs the client program as a process; false when it cannot be loaded. */
static bool cli_run_client(const struct cli_run_options *opt)
{
    static char err[4096];
    struct ldr_program program;

    if (!ldr_load_program(opt->client, &program, err, sizeof err)) {
        fprintf(stderr, "ntbox: %s\n", err);
        return false;
    }
    char **argv = calloc((size_t)opt->client_argc + 2, sizeof *argv);
    if (!argv) {
        fprintf(stderr, "ntbox: out of memory starting %s\n", opt->client);
        return false;
    }
    argv[0] = (char *)opt->client;
    for (int i = 0; i < opt->client_argc; i++)
        argv[i + 1] = opt->client_argv[i];
    ps_client_run(program.name, program.main_fn, opt->client_argc + 1, argv);
    free(argv);
    ldr_unload_program(&program);
    return true;
}

int cli_run(const struct cli_run_options *opt)
{
    static char err[65536]; /* room for every missing import's name */
    char name[64], status_text[96], warn[64];
    struct io_driver *d;

    ke_bugcheck_install_fault_handlers();
    ke_hang_watch_start(opt->timeout);
    io_driver_allow_missing = opt->allow_missing;
    ldr_file_stem(opt->driver, name, sizeof name);
    NTSTATUS status = io_driver_load(name, opt->driver, &d, err, sizeof err);
    if (!d) {
        fprintf(stderr, "ntbox: %s\n", err);
        return CLI_EXIT_HOST_ERROR;
    }
    if (!NT_SUCCESS(status)) {
        rtl_status_describe(status, status_text, sizeof status_text);
        cli_print_pool_table(opt);
        io_driver_release(d); /* a leak ends the run here */
        diag_note("%s: DriverEntry failed with %s; %s; %s", name, status_text, cli_leaks(),
                  cli_warnings(warn, sizeof warn));
        return CLI_EXIT_ENTRY_FAILED;
    }
    if (opt->objects)
        ob_print_namespace();
    win32_service_install_running(name, opt->driver, d);
    bool client_ok = !opt->client || cli_run_client(opt);

    d = win32_service_take_running(name);
    if (!d) {
        diag_note("%s was stopped by its client; %s; %s", name, cli_leaks(), cli_warnings(warn, sizeof warn));
        return client_ok ? CLI_EXIT_CLEAN : CLI_EXIT_HOST_ERROR;
    }
    io_device_shutdown_all();
    if (!io_driver_can_unload(d)) {
        size_t held = ex_pool_outstanding_of(io_driver_module(d), NULL);
        diag_note("%s sets no DriverUnload, so it cannot be unloaded (as on Windows); it still holds %zu pool "
                  "allocation%s; %s", name, held, held == 1 ? "" : "s", cli_warnings(warn, sizeof warn));
        cli_print_pool_table(opt);
        /* The image stays mapped: the driver's pool and code are still live. */
        return client_ok ? CLI_EXIT_CLEAN : CLI_EXIT_HOST_ERROR;
    }
    if (io_driver_unload(d) == STATUS_PENDING) {
        diag_note("%s: a kernel handle to its own device is still open, so it was never unloaded; %s", name,
                  cli_warnings(warn, sizeof warn));
        return client_ok ? CLI_EXIT_CLEAN : CLI_EXIT_HOST_ERROR;
    }
    cli_print_pool_table(opt);
    io_driver_release(d); /* a leak ends the run here */
    diag_note("%s: loaded, ran and unloaded cleanly; %s; %s", name, cli_leaks(), cli_warnings(warn, sizeof warn));
    return client_ok ? CLI_EXIT_CLEAN : CLI_EXIT_HOST_ERROR;
}
