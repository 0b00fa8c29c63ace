/* io/thread_irp.c: the requests a thread has made, and what becomes of
 * them when it ends (IoCancelThreadIo on Windows).
 *
 * Each IRP the I/O manager sends for a thread (the system services, the
 * create, cleanup and close of files, IoBuildDeviceIoControlRequest and
 * IoBuildSynchronousFsdRequest) is on the thread's IRP list until it is
 * finished or freed. When the thread ends with requests still there, they
 * become orphans: each is cancelled (IoCancelIrp: its cancel routine runs),
 * then the thread waits for them to complete, at most
 * IO_CANCEL_WAIT_SECONDS. Windows waits 5 minutes, then disassociates the
 * IRPs left from the thread and logs IO_DRIVER_CANCEL_TIMEOUT for the
 * device that holds each; ntbox disassociates them after its shorter wait
 * and says so in a warning naming the IRP, the thread and the driver. The
 * thread then goes on ending (and a client's process closes its handles).
 *
 * Surprise: Windows finishes an orphan's completion in the ending thread,
 * writing the caller's status block and buffer. In ntbox the thread's
 * stack is already being unwound (or gone), so an orphan's completion
 * writes nothing into the caller's memory and signals no event: it frees
 * the IRP's buffers and references only. Nothing can tell the difference,
 * the requester being gone. */
#include "io/io.h"

#include "base/diag.h"
#include "ob/ob.h"
#include "ps/thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define IO_CANCEL_WAIT_SECONDS 2

/* One ending thread's cancellation. */
struct io_rundown {
    LIST_ENTRY link;      /* in io_rundowns */
    LIST_ENTRY orphans;   /* its requests still running when it ended */
    PIRP pinned;          /* being cancelled: freeing it waits (free_pending) */
    BOOLEAN free_pending;
};

static pthread_mutex_t io_thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t io_orphan_done = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY io_rundowns = { &io_rundowns, &io_rundowns };
static unsigned io_rundown_count;

/* The requester of a disassociated IRP: no thread. */
static char io_no_thread;
#define IO_DISASSOCIATED ((PETHREAD)&io_no_thread)

PETHREAD io_irp_thread(void)
{
    return (PETHREAD)ke_thread_current();
}

void io_irp_queue(PIRP irp)
{
    PETHREAD thread = io_irp_thread();
    irp->Tail.Overlay.Thread = thread;
    pthread_mutex_lock(&io_thread_lock);
    InsertTailList(ps_thread_irp_list(thread), &irp->ThreadListEntry);
    pthread_mutex_unlock(&io_thread_lock);
}

static bool io_is_orphan(PIRP irp)
{
    for (PLIST_ENTRY r = io_rundowns.Flink; r != &io_rundowns; r = r->Flink) {
        struct io_rundown *rundown = CONTAINING_RECORD(r, struct io_rundown, link);
        for (PLIST_ENTRY e = rundown->orphans.Flink; e != &rundown->orphans; e = e->Flink)
            if (e == &irp->ThreadListEntry)
                return true;
    }
    return false;
}

bool io_irp_dequeue(PIRP irp)
{
    PLIST_ENTRY entry = &irp->ThreadListEntry;
    bool orphan = false;

    if (irp->Tail.Overlay.Thread == IO_DISASSOCIATED)
        return true;
    /* Not queued (or never initialized by IoInitializeIrp): nothing to do;
     * only the IRP's owner and the lock holder change a queued entry. */
    PLIST_ENTRY flink = __atomic_load_n(&entry->Flink, __ATOMIC_ACQUIRE);
    if (!flink || flink == entry)
        return false;
    pthread_mutex_lock(&io_thread_lock);
    if (entry->Flink != entry) {
        orphan = io_rundown_count && io_is_orphan(irp);
        RemoveEntryList(entry);
        InitializeListHead(entry);
        if (orphan)
            pthread_cond_broadcast(&io_orphan_done);
    }
    pthread_mutex_unlock(&io_thread_lock);
    return orphan || irp->Tail.Overlay.Thread == IO_DISASSOCIATED;
}

bool io_irp_free_deferred(PIRP irp)
{
    bool deferred = false;

    if (!__atomic_load_n(&io_rundown_count, __ATOMIC_ACQUIRE))
        return false;
    pthread_mutex_lock(&io_thread_lock);
    for (PLIST_ENTRY r = io_rundowns.Flink; r != &io_rundowns; r = r->Flink) {
        struct io_rundown *rundown = CONTAINING_RECORD(r, struct io_rundown, link);
        if (rundown->pinned == irp) {
            rundown->free_pending = TRUE;
            deferred = true;
        }
    }
    pthread_mutex_unlock(&io_thread_lock);
    return deferred;
}

static const char *io_major_name(UCHAR major)
{
    static const char *const names[IRP_MJ_MAXIMUM_FUNCTION + 1] = {
        "IRP_MJ_CREATE", "IRP_MJ_CREATE_NAMED_PIPE", "IRP_MJ_CLOSE", "IRP_MJ_READ", "IRP_MJ_WRITE",
        "IRP_MJ_QUERY_INFORMATION", "IRP_MJ_SET_INFORMATION", "IRP_MJ_QUERY_EA", "IRP_MJ_SET_EA",
        "IRP_MJ_FLUSH_BUFFERS", "IRP_MJ_QUERY_VOLUME_INFORMATION", "IRP_MJ_SET_VOLUME_INFORMATION",
        "IRP_MJ_DIRECTORY_CONTROL", "IRP_MJ_FILE_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CONTROL",
        "IRP_MJ_INTERNAL_DEVICE_CONTROL", "IRP_MJ_SHUTDOWN", "IRP_MJ_LOCK_CONTROL", "IRP_MJ_CLEANUP",
        "IRP_MJ_CREATE_MAILSLOT", "IRP_MJ_QUERY_SECURITY", "IRP_MJ_SET_SECURITY", "IRP_MJ_POWER",
        "IRP_MJ_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CHANGE", "IRP_MJ_QUERY_QUOTA", "IRP_MJ_SET_QUOTA", "IRP_MJ_PNP",
    };
    return major <= IRP_MJ_MAXIMUM_FUNCTION ? names[major] : "an unknown major function";
}

/* The warning for an orphan no driver completed in time: the request
 * (the IRP's address and major function), the thread that made it, and
 * the device that held it (referenced by the caller, or NULL). */
static void io_report_disassociated(PIRP irp, UCHAR major, PETHREAD thread, PDEVICE_OBJECT device)
{
    char who[512], holder[512] = "the driver";
    char *device_name = device ? ob_object_path(device) : NULL;
    char *driver_name = device ? ob_object_path(device->DriverObject) : NULL;

    if (driver_name && *driver_name)
        snprintf(holder, sizeof holder, "%s%s%s%s", driver_name, *device_name ? " (device " : "", device_name,
                 *device_name ? ")" : "");
    ps_thread_describe((const struct ke_thread *)thread, who, sizeof who); /* the ETHREAD starts with its KTHREAD */
    diag_warn("IRP 0x%016llx (%s), which %s left pending, was cancelled as the thread ended, but %s did not "
              "complete it within %d seconds; it is disassociated from the thread, which ends without it "
              "(Windows waits 5 minutes, then logs IO_DRIVER_CANCEL_TIMEOUT for the device). A driver that holds "
              "requests must make them cancelable: a cancel routine, or a cancel-safe queue.",
              (unsigned long long)(ULONG_PTR)irp, io_major_name(major), who, holder, IO_CANCEL_WAIT_SECONDS);
    free(device_name);
    free(driver_name);
}

/* The first orphan not cancelled yet, or NULL; under the lock. */
static PIRP io_next_to_cancel(struct io_rundown *rundown)
{
    for (PLIST_ENTRY e = rundown->orphans.Flink; e != &rundown->orphans; e = e->Flink) {
        PIRP irp = CONTAINING_RECORD(e, IRP, ThreadListEntry);
        if (!irp->Cancel)
            return irp;
    }
    return NULL;
}

void io_cancel_thread_io(PETHREAD thread)
{
    PLIST_ENTRY list = ps_thread_irp_list(thread);
    struct io_rundown rundown = { .pinned = NULL };
    struct timespec until;
    PIRP irp;

    pthread_mutex_lock(&io_thread_lock);
    if (IsListEmpty(list)) {
        pthread_mutex_unlock(&io_thread_lock);
        return;
    }
    /* Requests the cancel routines make on this thread are not orphans. */
    InitializeListHead(&rundown.orphans);
    while (!IsListEmpty(list))
        InsertTailList(&rundown.orphans, RemoveHeadList(list));
    InsertTailList(&io_rundowns, &rundown.link);
    __atomic_add_fetch(&io_rundown_count, 1, __ATOMIC_RELEASE);

    /* An orphan completed and freed on another thread meanwhile is off the
     * list; the one being cancelled stays allocated until IoCancelIrp has
     * returned. */
    while ((irp = io_next_to_cancel(&rundown))) {
        rundown.pinned = irp;
        pthread_mutex_unlock(&io_thread_lock);
        IoCancelIrp(irp);
        pthread_mutex_lock(&io_thread_lock);
        rundown.pinned = NULL;
        if (rundown.free_pending) {
            rundown.free_pending = FALSE;
            pthread_mutex_unlock(&io_thread_lock);
            IoFreeIrp(irp);
            pthread_mutex_lock(&io_thread_lock);
        }
    }

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += IO_CANCEL_WAIT_SECONDS;
    while (!IsListEmpty(&rundown.orphans) &&
           pthread_cond_timedwait(&io_orphan_done, &io_thread_lock, &until) != ETIMEDOUT)
        ;
    /* One at a time, reported outside the lock (naming objects takes the
     * object manager's lock, held while files open). */
    while (!IsListEmpty(&rundown.orphans)) {
        irp = CONTAINING_RECORD(RemoveHeadList(&rundown.orphans), IRP, ThreadListEntry);
        InitializeListHead(&irp->ThreadListEntry);
        irp->Tail.Overlay.Thread = IO_DISASSOCIATED;
        PIO_STACK_LOCATION stack = irp->CurrentLocation <= irp->StackCount ? IoGetCurrentIrpStackLocation(irp) : NULL;
        PDEVICE_OBJECT device = stack ? stack->DeviceObject : NULL;
        UCHAR major = stack ? stack->MajorFunction : IoGetNextIrpStackLocation(irp)->MajorFunction;
        if (device)
            ob_reference_object(device);
        pthread_mutex_unlock(&io_thread_lock);
        io_report_disassociated(irp, major, thread, device);
        if (device)
            ob_dereference_object(device);
        pthread_mutex_lock(&io_thread_lock);
    }
    RemoveEntryList(&rundown.link);
    __atomic_sub_fetch(&io_rundown_count, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&io_thread_lock);
}
