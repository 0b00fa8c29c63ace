/* tests/ke/test_dpc.c: DPCs: KeInitializeDpc, KeInitializeThreadedDpc,
 * KeInsertQueueDpc, KeRemoveQueueDpc, KeSetImportanceDpc,
 * KeSetTargetProcessorDpc(Ex), KeFlushQueuedDpcs: what the routine gets
 * and at which IRQL, the return values, a DPC queued at DISPATCH_LEVEL
 * running only once the IRQL drops; and the unload check over DPCs and
 * timers (ke_driver_pending_work). */
#include "ktest.h"

#include "ke/deferred.h"
#include "loader/module.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

struct dpc_seen {
    KEVENT ran;
    LONG calls;
    KIRQL irql;
    PKDPC dpc;
    PVOID context, arg1, arg2;
    ULONG processor;
};

static VOID NTAPI record_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct dpc_seen *seen = context;
    seen->irql = KeGetCurrentIrql();
    seen->dpc = dpc;
    seen->context = context;
    seen->arg1 = arg1;
    seen->arg2 = arg2;
    seen->processor = KeGetCurrentProcessorNumber();
    InterlockedIncrement(&seen->calls);
    KeSetEvent(&seen->ran, 0, FALSE);
}

static void seen_init(struct dpc_seen *seen)
{
    memset(seen, 0, sizeof *seen);
    seen->irql = 0xFF;
    KeInitializeEvent(&seen->ran, SynchronizationEvent, FALSE);
}

/* Generous: a DPC runs within microseconds. */
static NTSTATUS wait_ran(struct dpc_seen *seen)
{
    LARGE_INTEGER timeout = { .QuadPart = -10 * 10000000LL };
    return KeWaitForSingleObject(&seen->ran, Executive, KernelMode, FALSE, &timeout);
}

/* KeInitializeDpc: type 19 (DpcObject), medium importance, no target,
 * routine and context stored, not queued. */
KT_TEST(KeInitializeDpc_fields)
{
    KDPC dpc;
    int context;
    memset(&dpc, 0xCC, sizeof dpc);
    KeInitializeDpc(&dpc, record_dpc, &context);
    KT_EQ_INT(dpc.Type, 19);
    KT_EQ_INT(dpc.Importance, MediumImportance);
    KT_EQ_INT(dpc.Number, 0);
    KT_EQ_PTR(dpc.DeferredRoutine, record_dpc);
    KT_EQ_PTR(dpc.DeferredContext, &context);
    KT_EQ_PTR(dpc.DpcData, NULL);
}

/* "DPC routines run at IRQL = DISPATCH_LEVEL" with the DPC, its context
 * and the two system arguments given to KeInsertQueueDpc. */
KT_TEST(KeInsertQueueDpc_runs_at_dispatch_with_arguments)
{
    struct dpc_seen seen;
    KDPC dpc;
    seen_init(&seen);
    KeInitializeDpc(&dpc, record_dpc, &seen);
    KT_EQ_INT(KeInsertQueueDpc(&dpc, (PVOID)0x11, (PVOID)0x22), TRUE);
    KT_REQUIRE(KT_EQ_STATUS(wait_ran(&seen), STATUS_SUCCESS));
    KT_EQ_INT(seen.irql, DISPATCH_LEVEL);
    KT_EQ_PTR(seen.dpc, &dpc);
    KT_EQ_PTR(seen.context, &seen);
    KT_EQ_PTR(seen.arg1, (PVOID)0x11);
    KT_EQ_PTR(seen.arg2, (PVOID)0x22);
    KeFlushQueuedDpcs();
    KT_EQ_PTR(dpc.DpcData, NULL);
    KT_EQ_INT(seen.calls, 1);
}

/* "If the specified DPC object is already in the DPC queue, no operation
 * is performed except to return FALSE": at DISPATCH_LEVEL the DPC cannot
 * run, so the second insert finds it queued; it runs once, after the IRQL
 * drops, with the first insert's arguments. */
KT_TEST(KeInsertQueueDpc_twice_at_dispatch_runs_once)
{
    struct dpc_seen seen;
    KDPC dpc;
    KIRQL old;
    seen_init(&seen);
    KeInitializeDpc(&dpc, record_dpc, &seen);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    BOOLEAN first = KeInsertQueueDpc(&dpc, (PVOID)1, NULL);
    BOOLEAN second = KeInsertQueueDpc(&dpc, (PVOID)2, NULL);
    LONG calls_at_dispatch = seen.calls;
    KeLowerIrql(old);
    KT_EQ_INT(first, TRUE);
    KT_EQ_INT(second, FALSE);
    KT_EQ_INT(calls_at_dispatch, 0);
    KT_REQUIRE(KT_EQ_STATUS(wait_ran(&seen), STATUS_SUCCESS));
    KeFlushQueuedDpcs();
    KT_EQ_INT(seen.calls, 1);
    KT_EQ_PTR(seen.arg1, (PVOID)1);
}

/* KeRemoveQueueDpc: TRUE for a queued DPC (which then never runs), FALSE
 * for one that is not queued. */
KT_TEST(KeRemoveQueueDpc_queued_and_not)
{
    struct dpc_seen seen;
    KDPC dpc;
    KIRQL old;
    seen_init(&seen);
    KeInitializeDpc(&dpc, record_dpc, &seen);
    KT_EQ_INT(KeRemoveQueueDpc(&dpc), FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EQ_INT(KeInsertQueueDpc(&dpc, NULL, NULL), TRUE);
    KT_EQ_INT(KeRemoveQueueDpc(&dpc), TRUE);
    KT_EQ_INT(KeRemoveQueueDpc(&dpc), FALSE);
    KeLowerIrql(old);
    KeFlushQueuedDpcs();
    KT_EQ_INT(seen.calls, 0);
    /* Queued again after removal, it runs. */
    KT_EQ_INT(KeInsertQueueDpc(&dpc, NULL, NULL), TRUE);
    KT_REQUIRE(KT_EQ_STATUS(wait_ran(&seen), STATUS_SUCCESS));
    KT_EQ_INT(seen.calls, 1);
}

/* KeSetTargetProcessorDpc: the routine runs on that processor (the last
 * one here, to differ from the default). */
KT_TEST(KeSetTargetProcessorDpc_runs_there)
{
    struct dpc_seen seen;
    KDPC dpc;
    ULONG last = KeQueryActiveProcessorCount(NULL) - 1;
    seen_init(&seen);
    KeInitializeDpc(&dpc, record_dpc, &seen);
    KeSetTargetProcessorDpc(&dpc, (CCHAR)last);
    KT_EQ_INT(KeInsertQueueDpc(&dpc, NULL, NULL), TRUE);
    KT_REQUIRE(KT_EQ_STATUS(wait_ran(&seen), STATUS_SUCCESS));
    KT_EQ_INT(seen.processor, last);
}

/* KeSetTargetProcessorDpcEx: STATUS_SUCCESS for an existing processor,
 * STATUS_INVALID_PARAMETER for one that does not exist. */
KT_TEST(KeSetTargetProcessorDpcEx_status)
{
    struct dpc_seen seen;
    KDPC dpc;
    PROCESSOR_NUMBER number = { 0, 0, 0 };
    seen_init(&seen);
    KeInitializeDpc(&dpc, record_dpc, &seen);
    KT_EQ_STATUS(KeSetTargetProcessorDpcEx(&dpc, &number), STATUS_SUCCESS);
    KT_EQ_INT(KeInsertQueueDpc(&dpc, NULL, NULL), TRUE);
    KT_REQUIRE(KT_EQ_STATUS(wait_ran(&seen), STATUS_SUCCESS));
    KT_EQ_INT(seen.processor, 0);
    number.Number = (UCHAR)KeQueryActiveProcessorCount(NULL);
    KT_EQ_STATUS(KeSetTargetProcessorDpcEx(&dpc, &number), STATUS_INVALID_PARAMETER);
    number.Number = 0;
    number.Group = 1;
    KT_EQ_STATUS(KeSetTargetProcessorDpcEx(&dpc, &number), STATUS_INVALID_PARAMETER);
}

struct order {
    LONG next;
    LONG position[3];
    KEVENT done;
};

static VOID NTAPI order_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct order *order = context;
    (void)dpc;
    (void)arg2;
    order->position[(ULONG_PTR)arg1] = order->next++;
    if (order->next == 3)
        KeSetEvent(&order->done, 0, FALSE);
}

/* KeSetImportanceDpc: a high-importance DPC goes to the front of the
 * queue, medium and low ones to the back. */
KT_TEST(KeSetImportanceDpc_high_goes_first)
{
    struct order order = { 0 };
    KDPC dpcs[3];
    KIRQL old;
    LARGE_INTEGER timeout = { .QuadPart = -10 * 10000000LL };
    KeInitializeEvent(&order.done, NotificationEvent, FALSE);
    for (int i = 0; i < 3; i++) {
        KeInitializeDpc(&dpcs[i], order_dpc, &order);
        KeSetTargetProcessorDpc(&dpcs[i], 0);
    }
    KeSetImportanceDpc(&dpcs[0], LowImportance);
    KeSetImportanceDpc(&dpcs[2], HighImportance);
    KT_EQ_INT(dpcs[2].Importance, HighImportance);
    /* Held at DISPATCH_LEVEL on processor 0 so all three wait together. */
    KeSetSystemAffinityThread(1);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (int i = 0; i < 3; i++)
        KeInsertQueueDpc(&dpcs[i], (PVOID)(ULONG_PTR)i, NULL);
    KeLowerIrql(old);
    KeRevertToUserAffinityThread();
    KT_REQUIRE(KT_EQ_STATUS(KeWaitForSingleObject(&order.done, Executive, KernelMode, FALSE, &timeout),
                            STATUS_SUCCESS));
    KT_EQ_INT(order.position[2], 0);
    KT_EQ_INT(order.position[0], 1);
    KT_EQ_INT(order.position[1], 2);
}

/* A threaded DPC's routine runs at PASSIVE_LEVEL; its type is 24. */
KT_TEST(KeInitializeThreadedDpc_runs_at_passive)
{
    struct dpc_seen seen;
    KDPC dpc;
    seen_init(&seen);
    KeInitializeThreadedDpc(&dpc, record_dpc, &seen);
    KT_EQ_INT(dpc.Type, 24);
    KT_EQ_INT(KeInsertQueueDpc(&dpc, NULL, NULL), TRUE);
    KT_REQUIRE(KT_EQ_STATUS(wait_ran(&seen), STATUS_SUCCESS));
    KT_EQ_INT(seen.irql, PASSIVE_LEVEL);
}

static LONG slow_calls;

static VOID NTAPI slow_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    (void)dpc;
    (void)context;
    (void)arg1;
    (void)arg2;
    KeStallExecutionProcessor(2000);
    InterlockedIncrement(&slow_calls);
}

/* KeFlushQueuedDpcs returns only after every queued DPC, on every
 * processor, has run. */
KT_TEST(KeFlushQueuedDpcs_waits_for_all)
{
    ULONG n = KeQueryActiveProcessorCount(NULL);
    PKDPC dpcs = calloc(n * 4, sizeof *dpcs);
    slow_calls = 0;
    for (ULONG i = 0; i < n * 4; i++) {
        KeInitializeDpc(&dpcs[i], slow_dpc, NULL);
        KeSetTargetProcessorDpc(&dpcs[i], (CCHAR)(i % n));
        KeInsertQueueDpc(&dpcs[i], NULL, NULL);
    }
    KeFlushQueuedDpcs();
    KT_EQ_INT(slow_calls, (LONG)(n * 4));
    free(dpcs);
}

static LONG requeue_left;

static VOID NTAPI requeue_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    (void)arg1;
    (void)arg2;
    /* Taken off the queue before its routine runs: it may queue itself. */
    if (InterlockedDecrement(&requeue_left) > 0) {
        if (!KeInsertQueueDpc(dpc, NULL, NULL))
            requeue_left = -100;
        return;
    }
    KeSetEvent(context, 0, FALSE);
}

KT_TEST(KeInsertQueueDpc_from_its_own_routine)
{
    KEVENT done;
    KDPC dpc;
    LARGE_INTEGER timeout = { .QuadPart = -10 * 10000000LL };
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    KeInitializeDpc(&dpc, requeue_dpc, &done);
    requeue_left = 5;
    KT_EQ_INT(KeInsertQueueDpc(&dpc, NULL, NULL), TRUE);
    KT_EQ_STATUS(KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    KT_EQ_INT(requeue_left, 0);
}

/* The unload check (ke_driver_pending_work): a DPC still queued, and a
 * timer still set, whose routine lies in the driver's image are found,
 * naming the routine and where they were queued or set; once removed or
 * cancelled they are not. The test's record_dpc plays the driver's image. */
KT_TEST(ke_driver_pending_work_names_dpc_and_timer)
{
    struct ldr_module fake = { .name = "fake", .image_name = "fake.sys" };
    struct ldr_module *m;
    struct dpc_seen seen;
    Dl_info info;
    KDPC dpc;
    KTIMER timer;
    KIRQL old;
    char *text = NULL;
    LARGE_INTEGER due = { .QuadPart = -3600 * 10000000LL };

    KT_REQUIRE(KT_TRUE(dladdr((void *)record_dpc, &info) != 0));
    KT_REQUIRE(KT_TRUE(readlink("/proc/self/exe", fake.image, sizeof fake.image - 1) > 0));
    fake.start = (uintptr_t)record_dpc;
    fake.end = fake.start + 16;
    fake.bias = (uintptr_t)info.dli_fbase;
    KT_REQUIRE(KT_TRUE((m = ldr_module_add(&fake)) != NULL));
    KT_FALSE(ke_driver_pending_work(m, &text));

    seen_init(&seen);
    KeInitializeDpc(&dpc, record_dpc, &seen);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&dpc, NULL, NULL);
    bool found = ke_driver_pending_work(m, &text);
    KeRemoveQueueDpc(&dpc);
    KeLowerIrql(old);
    if (KT_TRUE(found)) {
        KT_CONTAINS(text, "is still queued on processor");
        KT_CONTAINS(text, "in record_dpc (fake.sys+0x0)) is still queued on processor ");
        KT_CONTAINS(text, "queued at ");
        free(text);
    }

    KeInitializeTimer(&timer);
    KeSetTimer(&timer, due, &dpc);
    text = NULL;
    if (KT_TRUE(ke_driver_pending_work(m, &text))) {
        KT_CONTAINS(text, "is still set, set at ");
        KT_CONTAINS(text, "(one-shot, DPC routine test_dpc.c:");
        free(text);
    }
    KT_EQ_INT(KeCancelTimer(&timer), TRUE);
    text = NULL;
    KT_FALSE(ke_driver_pending_work(m, &text));
    KT_EQ_PTR(text, NULL);
    ldr_module_remove(m);
}
