/* tests/io/test_work_item.c: work items: IoAllocateWorkItem,
 * IoQueueWorkItem, IoQueueWorkItemEx, IoFreeWorkItem, IoSizeofWorkItem,
 * IoInitializeWorkItem, IoUninitializeWorkItem, ExInitializeWorkItem,
 * ExQueueWorkItem: routines run at PASSIVE_LEVEL on system threads of the
 * System process with their arguments, the device object is referenced
 * while the item is queued or running, a routine returning at a raised
 * IRQL is bug check 0xE1, and the unload check finds queued items (and
 * waits for an IO_WORKITEM routine still returning). */
#include "ktest.h"

#include "io/driver.h"
#include "ke/deferred.h"
#include "loader/module.h"
#include "ob/ob.h"

#include <dlfcn.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

struct work_seen {
    KEVENT ran;
    KEVENT go;        /* the routine waits for it when hold is set */
    BOOLEAN hold;
    KIRQL irql;
    HANDLE process_id;
    BOOLEAN system_thread;
    PVOID object, context;
    PIO_WORKITEM item;
    LONG_PTR references;
    LONG calls;
};

static NTSTATUS wait_event(PKEVENT event)
{
    LARGE_INTEGER timeout = { .QuadPart = -10 * 10000000LL };
    return KeWaitForSingleObject(event, Executive, KernelMode, FALSE, &timeout);
}

static void seen_init(struct work_seen *seen)
{
    memset(seen, 0, sizeof *seen);
    seen->irql = 0xFF;
    KeInitializeEvent(&seen->ran, NotificationEvent, FALSE);
    KeInitializeEvent(&seen->go, NotificationEvent, FALSE);
}

static void seen_record(struct work_seen *seen, PVOID object, PVOID context)
{
    LONG_PTR handles;
    seen->irql = KeGetCurrentIrql();
    seen->process_id = PsGetCurrentProcessId();
    seen->system_thread = PsIsSystemThread(PsGetCurrentThread());
    seen->object = object;
    seen->context = context;
    if (object)
        ob_object_counts(object, &seen->references, &handles);
    if (seen->hold)
        wait_event(&seen->go);
    InterlockedIncrement(&seen->calls);
    KeSetEvent(&seen->ran, 0, FALSE);
}

static VOID NTAPI io_routine(PDEVICE_OBJECT device, PVOID context)
{
    seen_record(context, device, context);
}

static VOID NTAPI io_routine_ex(PVOID object, PVOID context, PIO_WORKITEM item)
{
    struct work_seen *seen = context;
    seen->item = item;
    seen_record(seen, object, context);
}

static VOID NTAPI ex_routine(PVOID parameter)
{
    seen_record(parameter, NULL, parameter);
}

static PDEVICE_OBJECT make_device(PDRIVER_OBJECT *driver)
{
    PDEVICE_OBJECT device = NULL;
    *driver = io_driver_object_create("worktest", NULL, 0, NULL);
    if (!*driver)
        return NULL;
    if (!NT_SUCCESS(IoCreateDevice(*driver, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device)))
        return NULL;
    return device;
}

static void drop_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT device)
{
    IoDeleteDevice(device);
    io_driver_object_free(driver);
}

/* A device of a new driver, a work item allocated for it and a fresh
 * record; NULL item when the device could not be made. */
struct work_setup {
    PDRIVER_OBJECT driver;
    PDEVICE_OBJECT device;
    PIO_WORKITEM item;
};

static bool setup(struct work_setup *w, struct work_seen *seen)
{
    seen_init(seen);
    w->device = make_device(&w->driver);
    w->item = w->device ? IoAllocateWorkItem(w->device) : NULL;
    return w->item != NULL;
}

static void teardown(struct work_setup *w)
{
    IoFreeWorkItem(w->item);
    drop_device(w->driver, w->device);
}

static LONG_PTR references_of(PVOID object)
{
    LONG_PTR references, handles;
    ob_object_counts(object, &references, &handles);
    return references;
}

/* IoQueueWorkItem: the routine runs at PASSIVE_LEVEL on a system thread of
 * the System process (PID 4) with the device object and the context. */
KT_TEST(IoQueueWorkItem_runs_at_passive_in_system)
{
    struct work_seen seen;
    struct work_setup w;
    KT_REQUIRE(KT_TRUE(setup(&w, &seen)));
    IoQueueWorkItem(w.item, io_routine, DelayedWorkQueue, &seen);
    KT_REQUIRE(KT_EQ_STATUS(wait_event(&seen.ran), STATUS_SUCCESS));
    KT_EQ_INT(seen.irql, PASSIVE_LEVEL);
    KT_EQ_PTR(seen.process_id, (HANDLE)4);
    KT_EQ_INT(seen.system_thread, TRUE);
    KT_EQ_PTR(seen.object, w.device);
    KT_EQ_PTR(seen.context, &seen);
    teardown(&w);
}

/* The device object is referenced while the item is queued or running
 * (one more reference inside the routine than before queuing), and the
 * reference goes when the routine returns. */
KT_TEST(IoQueueWorkItem_references_the_device)
{
    struct work_seen seen;
    struct work_setup w;
    KT_REQUIRE(KT_TRUE(setup(&w, &seen)));
    PDEVICE_OBJECT device = w.device;
    seen.hold = TRUE;
    LONG_PTR before = references_of(device);
    IoQueueWorkItem(w.item, io_routine, CriticalWorkQueue, &seen);
    KT_EQ_INT(references_of(device) >= before + 1, TRUE);
    KeSetEvent(&seen.go, 0, FALSE);
    KT_REQUIRE(KT_EQ_STATUS(wait_event(&seen.ran), STATUS_SUCCESS));
    KT_EQ_INT(seen.references, before + 1);
    /* The reference drops right after the routine returns: wait for it. */
    for (int i = 0; i < 100000 && references_of(device) != before; i++)
        sched_yield();
    KT_EQ_INT(references_of(device), before);
    teardown(&w);
}

/* IoQueueWorkItemEx: the routine also gets the work item. */
KT_TEST(IoQueueWorkItemEx_passes_the_item)
{
    struct work_seen seen;
    struct work_setup w;
    KT_REQUIRE(KT_TRUE(setup(&w, &seen)));
    IoQueueWorkItemEx(w.item, io_routine_ex, DelayedWorkQueue, &seen);
    KT_REQUIRE(KT_EQ_STATUS(wait_event(&seen.ran), STATUS_SUCCESS));
    KT_EQ_PTR(seen.item, w.item);
    KT_EQ_PTR(seen.object, w.device);
    KT_EQ_INT(seen.irql, PASSIVE_LEVEL);
    teardown(&w);
}

/* IoSizeofWorkItem + IoInitializeWorkItem: a caller-allocated item works
 * like an allocated one, for a driver object too; IoUninitializeWorkItem
 * after it ran. */
KT_TEST(IoInitializeWorkItem_caller_allocated)
{
    struct work_seen seen;
    PDRIVER_OBJECT driver;
    PDEVICE_OBJECT device = make_device(&driver);
    KT_REQUIRE(KT_TRUE(device != NULL));
    ULONG size = IoSizeofWorkItem();
    KT_TRUE(size >= sizeof(WORK_QUEUE_ITEM));
    PIO_WORKITEM item = calloc(1, size);
    seen_init(&seen);
    IoInitializeWorkItem(driver, item);
    IoQueueWorkItemEx(item, io_routine_ex, DelayedWorkQueue, &seen);
    KT_REQUIRE(KT_EQ_STATUS(wait_event(&seen.ran), STATUS_SUCCESS));
    KT_EQ_PTR(seen.object, driver);
    KT_EQ_PTR(seen.item, item);
    IoUninitializeWorkItem(item);
    free(item);
    drop_device(driver, device);
}

/* ExInitializeWorkItem + ExQueueWorkItem: WorkerRoutine(Parameter) at
 * PASSIVE_LEVEL in the System process; the item's List.Flink is NULL
 * again when the routine runs, so it can be queued again. */
KT_TEST(ExQueueWorkItem_runs_and_requeues)
{
    struct work_seen seen;
    WORK_QUEUE_ITEM item;
    seen_init(&seen);
    ExInitializeWorkItem(&item, ex_routine, &seen);
    KT_EQ_PTR(item.List.Flink, NULL);
    KT_EQ_PTR(item.WorkerRoutine, ex_routine);
    KT_EQ_PTR(item.Parameter, &seen);
    ExQueueWorkItem(&item, DelayedWorkQueue);
    KT_REQUIRE(KT_EQ_STATUS(wait_event(&seen.ran), STATUS_SUCCESS));
    KT_EQ_INT(seen.irql, PASSIVE_LEVEL);
    KT_EQ_PTR(seen.process_id, (HANDLE)4);
    KT_EQ_PTR(seen.context, &seen);
    KT_EQ_PTR(item.List.Flink, NULL);
    KeClearEvent(&seen.ran);
    ExQueueWorkItem(&item, CriticalWorkQueue);
    KT_REQUIRE(KT_EQ_STATUS(wait_event(&seen.ran), STATUS_SUCCESS));
    KT_EQ_INT(seen.calls, 2);
}

static VOID NTAPI returns_raised(PVOID parameter)
{
    KIRQL old;
    (void)parameter;
    KeRaiseIrql(APC_LEVEL, &old);
}

static void queue_returns_raised(void *arg)
{
    WORK_QUEUE_ITEM *item = arg;
    KEVENT never;
    ExInitializeWorkItem(item, returns_raised, NULL);
    ExQueueWorkItem(item, DelayedWorkQueue);
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    wait_event(&never);
}

/* A work item routine that returns above PASSIVE_LEVEL: bug check 0xE1
 * WORKER_THREAD_RETURNED_AT_BAD_IRQL, P1 the routine, P2 the IRQL. */
KT_TEST(ExQueueWorkItem_returning_raised_bugchecks)
{
    static WORK_QUEUE_ITEM item;
    const char *out = KT_EXPECT_BUGCHECK(0xE1, (ULONG_PTR)returns_raised, queue_returns_raised, &item);
    if (out)
        KT_CONTAINS(out, "returned at APC_LEVEL");
}

/* The unload check: a work item of the driver still queued (behind one
 * that holds the workers) is found, naming its routine and where it was
 * queued; once it ran it is not. The test's io_routine plays the
 * driver's image. */
KT_TEST(ke_driver_pending_work_names_work_item)
{
    struct ldr_module fake = { .name = "fake", .image_name = "fake.sys" };
    struct ldr_module *m;
    struct work_seen blockers[8], seen;
    WORK_QUEUE_ITEM block_items[8];
    Dl_info info;
    char *text = NULL;
    struct work_setup w;

    KT_REQUIRE(KT_TRUE(setup(&w, &seen)));
    KT_REQUIRE(KT_TRUE(dladdr((void *)io_routine, &info) != 0));
    KT_REQUIRE(KT_TRUE(readlink("/proc/self/exe", fake.image, sizeof fake.image - 1) > 0));
    fake.start = (uintptr_t)io_routine;
    fake.end = fake.start + 16;
    fake.bias = (uintptr_t)info.dli_fbase;
    KT_REQUIRE(KT_TRUE((m = ldr_module_add(&fake)) != NULL));
    KT_FALSE(ke_driver_pending_work(m, &text));

    /* Every worker busy, so the driver's item stays queued. */
    for (int i = 0; i < 8; i++) {
        seen_init(&blockers[i]);
        blockers[i].hold = TRUE;
        ExInitializeWorkItem(&block_items[i], ex_routine, &blockers[i]);
        ExQueueWorkItem(&block_items[i], DelayedWorkQueue);
    }
    IoQueueWorkItem(w.item, io_routine, DelayedWorkQueue, &seen);
    if (KT_TRUE(ke_driver_pending_work(m, &text))) {
        KT_CONTAINS(text, "work item 0x");
        KT_CONTAINS(text, "in io_routine (fake.sys+0x0)) is still queued, queued at ");
        free(text);
    }
    for (int i = 0; i < 8; i++)
        KeSetEvent(&blockers[i].go, 0, FALSE);
    KT_EQ_STATUS(wait_event(&seen.ran), STATUS_SUCCESS);
    for (int i = 0; i < 8; i++)
        KT_EQ_STATUS(wait_event(&blockers[i].ran), STATUS_SUCCESS);
    /* Its routine may still be returning: an IO_WORKITEM holds its device
     * until then, so the unload waits for it, and then nothing is pending. */
    io_work_wait_referenced(m);
    text = NULL;
    KT_FALSE(ke_driver_pending_work(m, &text));
    free(text);
    ldr_module_remove(m);
    teardown(&w);
}
