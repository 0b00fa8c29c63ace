/* io/work_item.c: work items and the system worker threads:
 * IoAllocateWorkItem, IoFreeWorkItem, IoQueueWorkItem, IoQueueWorkItemEx,
 * IoSizeofWorkItem, IoInitializeWorkItem, IoUninitializeWorkItem,
 * ExQueueWorkItem (ExInitializeWorkItem is the WDK's macro).
 *
 * The worker threads are system threads (PsCreateSystemThread) of the
 * System process, started with the first item; they take items from one
 * queue, first in first out, and call each routine at PASSIVE_LEVEL. An
 * IO_WORKITEM holds a reference on its device or driver object from
 * IoQueueWorkItem until its routine returns, so the object, and with it
 * the driver, cannot go while the routine may still run. A routine must
 * return at PASSIVE_LEVEL: else bug check 0xE1
 * WORKER_THREAD_RETURNED_AT_BAD_IRQL (P1 the routine, P2 the IRQL, P3 and
 * P4 the work item). The driver's image stays while such a routine runs:
 * its unload waits for the routine to return (io_work_wait_referenced)
 * before the check for pending work. Surprise: every queue type shares
 * the same workers. */
#include "ke/deferred.h"

#include "ex/pool.h"
#include "ke/dispatcher.h"
#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "loader/module.h"
#include "loader/symbols.h"
#include "ob/ob.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WORKER_THREAD_RETURNED_AT_BAD_IRQL 0xE1
#define IO_WORK_THREADS 4
/* 'IoWk': the pool tag of IoAllocateWorkItem's blocks. */
#define IO_WORK_ITEM_TAG 0x6B576F49

struct _IO_WORKITEM {
    WORK_QUEUE_ITEM item;             /* queued; WorkerRoutine is io_work_item_run */
    PVOID io_object;                  /* referenced while queued or running */
    PIO_WORKITEM_ROUTINE routine;     /* IoQueueWorkItem's, or ... */
    PIO_WORKITEM_ROUTINE_EX routine_ex; /* ... IoQueueWorkItemEx's */
    PVOID context;
    const void *at;                   /* where it was queued */
};

/* What a worker runs, for the unload report. */
struct io_worker {
    PVOID routine;
    const void *at;
    bool referenced;  /* an IO_WORKITEM's: its object is referenced */
};

static pthread_mutex_t io_work_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t io_work_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t io_work_finished = PTHREAD_COND_INITIALIZER; /* a routine returned */
static pthread_once_t io_work_once = PTHREAD_ONCE_INIT;
static LIST_ENTRY io_work_queue = { &io_work_queue, &io_work_queue };
static struct io_worker io_workers[IO_WORK_THREADS];

static VOID NTAPI io_work_item_run(PVOID parameter);

/* A forked child (a test expecting a bugcheck) has no worker threads: it
 * starts its own with its first item. */
static void io_work_forked(void)
{
    pthread_mutex_init(&io_work_mutex, NULL);
    pthread_cond_init(&io_work_wake, NULL);
    pthread_cond_init(&io_work_finished, NULL);
    io_work_once = (pthread_once_t)PTHREAD_ONCE_INIT;
    InitializeListHead(&io_work_queue);
    memset(io_workers, 0, sizeof io_workers);
}

__attribute__((constructor)) static void io_work_init(void)
{
    pthread_atfork(NULL, NULL, io_work_forked);
}

/* The routine a queued item will call: the driver's, for an IO_WORKITEM. */
static PVOID io_work_routine(const WORK_QUEUE_ITEM *item)
{
    const struct _IO_WORKITEM *io;

    if (item->WorkerRoutine != io_work_item_run)
        return (PVOID)item->WorkerRoutine;
    io = CONTAINING_RECORD(item, struct _IO_WORKITEM, item);
    return io->routine ? (PVOID)io->routine : (PVOID)io->routine_ex;
}

static const void *io_work_at(const WORK_QUEUE_ITEM *item)
{
    return item->WorkerRoutine == io_work_item_run ? CONTAINING_RECORD(item, struct _IO_WORKITEM, item)->at : NULL;
}

static VOID NTAPI io_worker_main(PVOID context)
{
    struct io_worker *self = context;
    struct ke_thread *thread = ke_thread_current();

    pthread_mutex_lock(&io_work_mutex);
    for (;;) {
        ke_thread_set_idle(thread, true);
        while (IsListEmpty(&io_work_queue))
            pthread_cond_wait(&io_work_wake, &io_work_mutex);
        ke_thread_set_idle(thread, false);
        PWORK_QUEUE_ITEM item = CONTAINING_RECORD(RemoveHeadList(&io_work_queue), WORK_QUEUE_ITEM, List);
        PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
        PVOID parameter = item->Parameter;
        self->routine = io_work_routine(item);
        self->at = io_work_at(item);
        self->referenced = routine == io_work_item_run;
        /* Cleared first, as Windows does: the routine may queue it again. */
        item->List.Flink = NULL;
        pthread_mutex_unlock(&io_work_mutex);

        routine(parameter);
        KIRQL irql = ke_irql_get();
        if (irql != PASSIVE_LEVEL) {
            char name[256];
            ke_bugcheck(WORKER_THREAD_RETURNED_AT_BAD_IRQL, (ULONG_PTR)self->routine, irql, (ULONG_PTR)item,
                        (ULONG_PTR)item, NULL, "work item routine %s returned at %s: it must return at PASSIVE_LEVEL.",
                        ldr_describe_address(self->routine, false, name, sizeof name), ke_irql_name(irql));
        }

        pthread_mutex_lock(&io_work_mutex);
        self->routine = NULL;
        self->at = NULL;
        pthread_cond_broadcast(&io_work_finished);
    }
}

static void io_work_start(void)
{
    OBJECT_ATTRIBUTES attributes;

    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    for (ULONG i = 0; i < IO_WORK_THREADS; i++) {
        HANDLE handle;
        if (!NT_SUCCESS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, &attributes, NULL, NULL, io_worker_main,
                                             &io_workers[i]))) {
            fprintf(stderr, "ntbox: cannot start the system worker threads\n");
            exit(1);
        }
        ob_close_handle(handle, KernelMode);
    }
}

static void io_work_enqueue(PWORK_QUEUE_ITEM item)
{
    pthread_once(&io_work_once, io_work_start);
    pthread_mutex_lock(&io_work_mutex);
    InsertTailList(&io_work_queue, &item->List);
    pthread_cond_signal(&io_work_wake);
    pthread_mutex_unlock(&io_work_mutex);
}

static VOID NTAPI io_work_item_run(PVOID parameter)
{
    PIO_WORKITEM io = parameter;
    PVOID object = io->io_object;

    /* The item may be freed or queued again by its routine: nothing of it
     * is read after the call. */
    if (io->routine)
        io->routine(object, io->context);
    else
        io->routine_ex(object, io->context, io);
    ob_dereference_object(object);
}

bool io_work_can_run(void)
{
    bool can = false;

    pthread_mutex_lock(&io_work_mutex);
    for (ULONG i = 0; i < IO_WORK_THREADS && !IsListEmpty(&io_work_queue) && !can; i++)
        can = !io_workers[i].routine;
    pthread_mutex_unlock(&io_work_mutex);
    return can;
}

void io_work_wait_referenced(const struct ldr_module *m)
{
    pthread_mutex_lock(&io_work_mutex);
    for (ULONG i = 0; i < IO_WORK_THREADS; i++)
        while (io_workers[i].routine && io_workers[i].referenced && ldr_module_at(io_workers[i].routine) == m)
            pthread_cond_wait(&io_work_finished, &io_work_mutex);
    pthread_mutex_unlock(&io_work_mutex);
}

unsigned io_work_describe_pending(const struct ldr_module *m, FILE *out)
{
    unsigned found = 0;
    char routine[256], where[256];

    pthread_mutex_lock(&io_work_mutex);
    for (PLIST_ENTRY e = io_work_queue.Flink; e != &io_work_queue; e = e->Flink) {
        PWORK_QUEUE_ITEM item = CONTAINING_RECORD(e, WORK_QUEUE_ITEM, List);
        PVOID r = io_work_routine(item);
        const void *at = io_work_at(item);
        if (ldr_module_at(r) != m)
            continue;
        fprintf(out, "work item 0x%016llx (routine %s) is still queued%s%s\n", (unsigned long long)(ULONG_PTR)item,
                ldr_describe_address(r, false, routine, sizeof routine), at ? ", queued at " : "",
                at ? ldr_describe_address(at, true, where, sizeof where) : "");
        found++;
    }
    for (ULONG i = 0; i < IO_WORK_THREADS; i++) {
        if (!io_workers[i].routine || ldr_module_at(io_workers[i].routine) != m)
            continue;
        fprintf(out, "work item routine %s is still running%s%s\n",
                ldr_describe_address(io_workers[i].routine, false, routine, sizeof routine),
                io_workers[i].at ? ", queued at " : "",
                io_workers[i].at ? ldr_describe_address(io_workers[i].at, true, where, sizeof where) : "");
        found++;
    }
    pthread_mutex_unlock(&io_work_mutex);
    return found;
}

static void io_work_queue_item(PIO_WORKITEM io, PIO_WORKITEM_ROUTINE routine, PIO_WORKITEM_ROUTINE_EX routine_ex,
                               PVOID context, const void *at)
{
    ob_reference_object(io->io_object);
    io->routine = routine;
    io->routine_ex = routine_ex;
    io->context = context;
    io->at = at;
    io->item.WorkerRoutine = io_work_item_run;
    io->item.Parameter = io;
    io_work_enqueue(&io->item);
}

/* The size of an IO_WORKITEM, for a driver that allocates its own and
 * calls IoInitializeWorkItem (WDK, IoSizeofWorkItem); any IRQL. */
ULONG NTAPI IoSizeofWorkItem(VOID)
{
    return sizeof(struct _IO_WORKITEM);
}

/* Initializes a work item the caller allocated (IoSizeofWorkItem bytes)
 * for IoObject, a device or driver object (WDK, IoInitializeWorkItem);
 * IRQL <= DISPATCH_LEVEL. */
VOID NTAPI IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem)
{
    RtlZeroMemory(IoWorkItem, sizeof *IoWorkItem);
    IoWorkItem->io_object = IoObject;
}

/* Undoes IoInitializeWorkItem; the item must not be queued (WDK,
 * IoUninitializeWorkItem); IRQL <= DISPATCH_LEVEL. */
VOID NTAPI IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem)
{
    IoWorkItem->io_object = NULL;
}

/* A new work item for DeviceObject from nonpaged pool, or NULL when there
 * is not enough memory (WDK, IoAllocateWorkItem); IRQL <= DISPATCH_LEVEL. */
PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    PIO_WORKITEM io = ex_pool_allocate(NonPagedPoolNx, sizeof *io, IO_WORK_ITEM_TAG, __builtin_return_address(0));

    if (io)
        IoInitializeWorkItem(DeviceObject, io);
    return io;
}

/* Frees what IoAllocateWorkItem returned; the item must not be queued
 * (WDK, IoFreeWorkItem); IRQL <= DISPATCH_LEVEL. */
VOID NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    ex_pool_free(IoWorkItem, IO_WORK_ITEM_TAG, __builtin_return_address(0));
}

/* Queues the item: a system worker thread calls WorkerRoutine(device
 * object, Context) at PASSIVE_LEVEL; the device object stays referenced
 * until the routine returns (WDK, IoQueueWorkItem); IRQL <=
 * DISPATCH_LEVEL. */
VOID NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                           PVOID Context)
{
    (void)QueueType;
    io_work_queue_item(IoWorkItem, WorkerRoutine, NULL, Context, __builtin_return_address(0));
}

/* The same with a routine that also gets the work item (WDK,
 * IoQueueWorkItemEx); IRQL <= DISPATCH_LEVEL. */
VOID NTAPI IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                             WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    (void)QueueType;
    io_work_queue_item(IoWorkItem, NULL, WorkerRoutine, Context, __builtin_return_address(0));
}

/* Queues an executive work item (ExInitializeWorkItem's): a system worker
 * thread calls WorkerRoutine(Parameter) at PASSIVE_LEVEL; nothing is
 * referenced for it (WDK, ExQueueWorkItem); IRQL <= DISPATCH_LEVEL. */
VOID NTAPI ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    (void)QueueType;
    io_work_enqueue(WorkItem);
}
