/* cli/run.c: `ntbox run DRIVER` — load, DriverEntry, DriverUnload, verdict.
 *
 * The sequence is the I/O manager's for a legacy driver: a DRIVER_OBJECT
 * named \Driver\<name>, DriverEntry at PASSIVE_LEVEL in the System process
 * with the service's registry path (valid only during the call), then, when
 * the driver is stopped, DriverUnload. What the driver still holds after
 * that is a leak, which Driver Verifier reports as bugcheck 0xC4/0x62. */
#include "cli/run.h"

#include "base/diag.h"
#include "ex/pool.h"
#include "io/driver.h"
#include "ke/bugcheck.h"
#include "loader/module.h"
#include "loader/symbols.h"
#include "rtl/status_name.h"

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

/* Driver Verifier's check at unload: every pool allocation still held. */
static void cli_check_leaks(const struct ldr_module *m, PDRIVER_OBJECT driver)
{
    char *text = NULL;
    size_t leaks = ex_pool_outstanding(&text);

    if (leaks == 0) {
        free(text);
        return;
    }
    /* 0xC4/0x62: P2 the driver's name, P3 the verifier's record of the
     * driver (ntbox's module entry), P4 the number of
     * allocations not freed. */
    ke_bugcheck(0xC4, 0x62, (ULONG_PTR)&driver->DriverName, (ULONG_PTR)m, leaks, NULL,
                "%s unloaded without freeing %zu pool allocation%s (a leak lives until the next boot):\n%s", m->name,
                leaks, leaks == 1 ? "" : "s", text ? text : "");
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

int cli_run(const struct cli_run_options *opt)
{
    static char err[65536]; /* room for every missing import's name */
    char status_text[96], warn[64];
    struct ldr_load_options load = { opt->allow_missing };
    struct ldr_module *m = ldr_load(opt->driver, &load, err, sizeof err);

    if (!m) {
        fprintf(stderr, "ntbox: %s\n", err);
        return CLI_EXIT_HOST_ERROR;
    }
    ke_bugcheck_install_fault_handlers();
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)m->entry;
    PDRIVER_OBJECT driver =
        io_driver_object_create(m->name, (PVOID)m->start, (ULONG)(m->end - m->start), entry);
    UNICODE_STRING registry = io_driver_registry_path(m->name);
    if (!driver || !registry.Buffer) {
        fprintf(stderr, "ntbox: out of memory creating the driver object\n");
        return CLI_EXIT_HOST_ERROR;
    }

    diag_note("loaded %s from %s", m->name, opt->driver);
    diag_note("calling DriverEntry(\\Driver\\%s, \\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s)",
              m->name, m->name);
    NTSTATUS status = entry(driver, &registry);
    io_unicode_free(&registry); /* valid only during DriverEntry, as on Windows */
    rtl_status_describe(status, status_text, sizeof status_text);

    int verdict = CLI_EXIT_CLEAN;
    if (!NT_SUCCESS(status)) {
        /* Windows unloads a driver whose DriverEntry failed without calling
         * its DriverUnload; whatever it allocated is still a leak. */
        diag_note("DriverEntry failed with %s: the driver is unloaded without calling DriverUnload", status_text);
        cli_print_pool_table(opt);
        cli_check_leaks(m, driver);
        diag_note("%s: DriverEntry failed with %s; no pool leaked; %s", m->name, status_text,
                  cli_warnings(warn, sizeof warn));
        verdict = CLI_EXIT_ENTRY_FAILED;
    } else if (!driver->DriverUnload) {
        diag_note("DriverEntry returned %s", status_text);
        size_t held = ex_pool_outstanding(NULL);
        diag_note("%s sets no DriverUnload, so it cannot be unloaded (as on Windows); it still holds %zu pool "
                  "allocation%s; %s", m->name, held, held == 1 ? "" : "s", cli_warnings(warn, sizeof warn));
        cli_print_pool_table(opt);
        /* The image stays mapped: the driver's pool and code are still live. */
        io_driver_object_free(driver);
        return CLI_EXIT_CLEAN;
    } else {
        diag_note("DriverEntry returned %s", status_text);
        diag_note("calling DriverUnload");
        driver->DriverUnload(driver);
        diag_note("DriverUnload returned");
        cli_print_pool_table(opt);
        cli_check_leaks(m, driver);
        diag_note("%s: loaded, ran and unloaded cleanly; no pool leaked; %s", m->name,
                  cli_warnings(warn, sizeof warn));
    }
    io_driver_object_free(driver);
    ldr_unload(m);
    return verdict;
}
