/* io/driver_load.c: a driver's life as a service (see driver_load.h). */
#include "io/driver_load.h"

#include "base/diag.h"
#include "ex/pool.h"
#include "io/device.h"
#include "io/driver.h"
#include "ke/bugcheck.h"
#include "ke/deferred.h"
#include "ke/dispatcher.h"
#include "ke/irql.h"
#include "loader/module.h"
#include "loader/pe_load.h"
#include "loader/symbols.h"
#include "ps/thread.h"
#include "ps/process.h"
#include "rtl/status_name.h"
#include "verifier/verifier.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

bool io_driver_allow_missing;

struct io_driver {
    struct ldr_module *module;
    PDRIVER_OBJECT object;
    BOOLEAN unload_waiting;  /* DriverUnload waits for open files to close */
};

static pthread_mutex_t io_driver_lock = PTHREAD_MUTEX_INITIALIZER;

/* The I/O manager keeps its record of a driver where Windows keeps the
 * loader's: DRIVER_OBJECT.DriverSection. */
static struct io_driver *io_driver_of(PDRIVER_OBJECT object)
{
    return object ? object->DriverSection : NULL;
}

NTSTATUS io_driver_load(const char *service, const char *image_path, struct io_driver **out, char *err, size_t errn)
{
    struct ldr_load_options options = { io_driver_allow_missing };
    char status_text[96];

    *out = NULL;
    struct ldr_module *m = ldr_load(image_path, &options, err, errn);
    if (!m)
        return access(image_path, F_OK) != 0 ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_INVALID_IMAGE_FORMAT;
    struct io_driver *d = calloc(1, sizeof *d);
    UNICODE_STRING registry = io_driver_registry_path(service);
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)m->entry;
    PDRIVER_OBJECT object = d ? io_driver_object_create(service, (PVOID)m->start, (ULONG)(m->end - m->start), entry)
                              : NULL;
    if (!d || !object || !registry.Buffer) {
        snprintf(err, errn, "out of memory creating the driver object of %s", service);
        free(d);
        io_unicode_free(&registry);
        ldr_unload(m);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    d->module = m;
    d->object = object;
    object->DriverSection = d;
    *out = d;

    diag_note("loaded %s from %s", m->name, image_path);
    diag_note("calling DriverEntry(\\Driver\\%s, \\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s)",
              service, service);
    /* NtLoadDriver has a System worker thread call DriverEntry, whoever
     * asked for the load (a client's StartService included). */
    PEPROCESS caller = ps_process_attach(NULL);
    ke_thread_current(); /* its thread object, before an inline KeGetCurrentThread (gs:[0x188]) reads it */
    KIRQL irql = ke_irql_get();
    ke_irql_set(PASSIVE_LEVEL);
    ke_irql_raised_at = NULL;
    NTSTATUS status = entry(object, &registry);
    KIRQL after = ke_irql_get();
    if (after != PASSIVE_LEVEL) {
        /* The worker thread returns to its loop at that IRQL, which Windows
         * stops at whether Verifier runs or not: 0xE1, P1 the routine (here
         * DriverEntry), P2 the IRQL, P3/P4 the work (the driver object).
         * At: the driver's statement that last raised the IRQL. */
        char where[256];
        ke_bugcheck(0xE1, (ULONG_PTR)entry, after, (ULONG_PTR)object, (ULONG_PTR)object, ke_irql_raised_at,
                    "%s returned at %s%s: DriverEntry runs on a System worker thread, which must return at "
                    "PASSIVE_LEVEL.",
                    ldr_describe_address((const void *)entry, false, where, sizeof where), ke_irql_name(after),
                    ke_irql_raised_at ? ", raised at the line below" : "");
    }
    ke_irql_set(irql);
    ps_process_attach(caller);
    io_unicode_free(&registry); /* valid only during DriverEntry, as on Windows */
    rtl_status_describe(status, status_text, sizeof status_text);
    if (NT_SUCCESS(status))
        ldr_pe_discard_init(m);
    if (!NT_SUCCESS(status)) {
        /* Windows unloads a driver whose DriverEntry failed without calling
         * its DriverUnload; whatever it allocated is still a leak. */
        diag_note("DriverEntry failed with %s: the driver is unloaded without calling DriverUnload", status_text);
        return status;
    }
    diag_note("DriverEntry returned %s", status_text);
    /* The I/O manager finishes the devices DriverEntry created; devices
     * made later must clear DO_DEVICE_INITIALIZING themselves. */
    for (PDEVICE_OBJECT dev = object->DeviceObject; dev; dev = dev->NextDevice)
        dev->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

BOOLEAN io_driver_can_unload(const struct io_driver *d)
{
    return d && d->object->DriverUnload != NULL;
}

/* In the System process too, whether a client's ControlService or the
 * close of a client's last file brings it about. */
/* Driver Verifier's check when DriverUnload returns: nothing of the driver
 * may still run or be due to run in its image (a timer still set, a DPC or
 * work item queued, a system thread alive), or it would execute unloaded
 * code: bug check 0xCE, P1 the image's base, before any of it can. An
 * IO_WORKITEM routine still running holds its object, so it is waited
 * for instead. */
static void io_driver_check_pending(struct io_driver *d)
{
    char *work = NULL, *threads = NULL;
    io_work_wait_referenced(d->module);
    bool pending_work = ke_driver_pending_work(d->module, &work);
    bool running_threads = ps_driver_threads_running(d->module, &threads);
    if (pending_work || running_threads)
        ke_bugcheck(0xCE, (ULONG_PTR)d->module->start, 0, 0, 0, NULL,
                    "%s returned from DriverUnload with work of its own still pending; it would run in unloaded "
                    "code:\n%s%s", d->module->name, work ? work : "", threads ? threads : "");
    free(work);
    free(threads);
}

static void io_driver_call_unload(struct io_driver *d)
{
    diag_note("calling DriverUnload");
    PEPROCESS caller = ps_process_attach(NULL);
    KIRQL irql = ke_irql_get();
    ke_irql_set(PASSIVE_LEVEL);
    d->object->DriverUnload(d->object);
    ke_irql_set(irql);
    ps_process_attach(caller);
    diag_note("DriverUnload returned");
    io_driver_check_pending(d);
}

NTSTATUS io_driver_unload(struct io_driver *d)
{
    pthread_mutex_lock(&io_driver_lock);
    BOOLEAN busy = io_device_begin_unload(d->object);
    d->unload_waiting = busy;
    pthread_mutex_unlock(&io_driver_lock);
    if (busy) {
        diag_note("%s has files open on its devices: DriverUnload waits for the last one to close",
                  d->module->name);
        return STATUS_PENDING;
    }
    io_driver_call_unload(d);
    return STATUS_SUCCESS;
}

void io_driver_unload_if_pending(PDRIVER_OBJECT driver)
{
    struct io_driver *d = io_driver_of(driver);
    pthread_mutex_lock(&io_driver_lock);
    BOOLEAN run = d && d->unload_waiting && !io_device_files_open(driver);
    if (run)
        d->unload_waiting = FALSE;
    pthread_mutex_unlock(&io_driver_lock);
    if (run) {
        io_driver_call_unload(d);
        io_driver_release(d);
    }
}

void io_driver_release(struct io_driver *d)
{
    char *text = NULL;
    /* --verifier=-pool-tracking: the leak check is Driver Verifier's, and off. */
    size_t leaks = vf_enabled(VF_POOL_TRACKING) ? ex_pool_outstanding_of(d->module, &text) : 0;
    if (leaks) {
        /* 0xC4/0x62: P2 the driver's name, P3 the verifier's record of the
         * driver (ntbox's module entry), P4 the number of allocations not
         * freed. */
        ke_bugcheck(0xC4, 0x62, (ULONG_PTR)&d->object->DriverName, (ULONG_PTR)d->module, leaks, NULL,
                    "%s unloaded without freeing %zu pool allocation%s (a leak lives until the next boot):\n%s",
                    d->module->name, leaks, leaks == 1 ? "" : "s", text ? text : "");
    }
    free(text);
    io_driver_object_free(d->object);
    ldr_unload(d->module);
    free(d);
}

const struct ldr_module *io_driver_module(const struct io_driver *d)
{
    return d->module;
}

const char *io_driver_name(const struct io_driver *d)
{
    return d->module->name;
}
