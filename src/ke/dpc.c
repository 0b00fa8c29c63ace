/* ke/dpc.c: deferred procedure calls: KeInitializeDpc,
 * KeInitializeThreadedDpc, KeInsertQueueDpc, KeRemoveQueueDpc,
 * KeSetImportanceDpc, KeSetTargetProcessorDpc(Ex), KeFlushQueuedDpcs; and
 * the unload check over DPCs, timers and work items.
 *
 * The model: every logical processor (KeQueryActiveProcessorCount) has a
 * DPC queue and a host thread of ntbox's, pinned to it, that drains the
 * queue in order, calling each routine at DISPATCH_LEVEL (a threaded DPC
 * at PASSIVE_LEVEL) with its context and both system arguments. A DPC
 * goes to its target processor, or to the inserting thread's. A processor
 * runs no DPC while the thread that queued the one at its head is still at
 * DISPATCH_LEVEL or above on it: as on Windows, a DPC queued at
 * DISPATCH_LEVEL runs only once the IRQL drops, so inserting it twice
 * there gives TRUE, then FALSE, and one call. The lowering wakes the DPC
 * thread (KeLowerIrql, KeReleaseSpinLock and every other lowering through
 * ke_irql_lower_checked, and emulated CR8 writes); a .sys's CR8 write that
 * the loader patched into a plain store announces nothing, so a held DPC
 * thread also looks at the queuing thread's IRQL again every
 * KE_DPC_HOLD_POLL_NS.
 *
 * KDPC.DpcData is non-NULL exactly while the DPC is queued (it points at
 * ntbox's queue entry; Windows' points at the processor's DPC data), and
 * is cleared before the routine runs, so the routine may queue it again.
 * Surprise: a thread that queues a DPC at DISPATCH_LEVEL must not end
 * before it lowers the IRQL (on Windows it cannot). */
#include "ke/deferred.h"

#include "ke/dispatcher.h"
#include "ke/irql.h"
#include "loader/module.h"
#include "loader/symbols.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* KDPC.Type: Windows' kernel object codes for DPC objects. */
#define KE_DPC_OBJECT 19
#define KE_THREADED_DPC_OBJECT 24
/* KDPC.Number of a targeted DPC is the processor plus this (Windows'
 * MAXIMUM_PROCESSORS); 0 means the processor it is queued on. */
#define KE_DPC_TARGETED 64
#define KE_DPC_HOLD_POLL_NS 1000000

struct ke_dpc_entry {
    LIST_ENTRY link;
    PKDPC dpc;
    const void *at;                /* where it was queued, for reports */
    const volatile KIRQL *holder;  /* the queuing thread's IRQL, while it was >= DISPATCH_LEVEL */
};

struct ke_dpc_cpu {
    LIST_ENTRY queue;
    pthread_cond_t wake;
    PKDEFERRED_ROUTINE running;   /* the routine being called, NULL between calls */
    const void *running_at;
};

static pthread_mutex_t ke_dpc_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t ke_dpc_once = PTHREAD_ONCE_INIT;
static struct ke_dpc_cpu ke_dpc_cpus[KE_DPC_TARGETED];
static ULONG ke_dpc_cpu_count;
/* Set on the DPC threads: what they queue waits for no IRQL of theirs. */
static __thread bool ke_dpc_thread_self;
__thread KAFFINITY ke_dpc_held;

static void *ke_dpc_thread(void *arg);

/* A forked child (a test expecting a bugcheck) has no DPC threads: it
 * starts its own with its first DPC; what was queued is dropped. */
static void ke_dpc_forked(void)
{
    pthread_mutex_init(&ke_dpc_mutex, NULL);
    ke_dpc_once = (pthread_once_t)PTHREAD_ONCE_INIT;
}

__attribute__((constructor)) static void ke_dpc_init_fork(void)
{
    pthread_atfork(NULL, NULL, ke_dpc_forked);
}

static void ke_dpc_start(void)
{
    pthread_attr_t attr;

    ke_dpc_cpu_count = KeQueryActiveProcessorCount(NULL);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (ULONG i = 0; i < ke_dpc_cpu_count; i++) {
        pthread_t host;
        InitializeListHead(&ke_dpc_cpus[i].queue);
        pthread_cond_init(&ke_dpc_cpus[i].wake, NULL);
        if (pthread_create(&host, &attr, ke_dpc_thread, (void *)(ULONG_PTR)i) != 0) {
            fprintf(stderr, "ntbox: cannot start the DPC thread of processor %u\n", i);
            exit(1);
        }
    }
    pthread_attr_destroy(&attr);
}

/* Under the lock: waits for more work, or, when the head waits on its
 * queuing thread's IRQL, a poll interval. */
static void ke_dpc_idle(struct ke_dpc_cpu *cpu, bool held)
{
    struct timespec until;

    if (!held) {
        struct ke_thread *self = ke_thread_current();
        ke_thread_set_idle(self, true);
        pthread_cond_wait(&cpu->wake, &ke_dpc_mutex);
        ke_thread_set_idle(self, false);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += KE_DPC_HOLD_POLL_NS;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_cond_clockwait(&cpu->wake, &ke_dpc_mutex, CLOCK_MONOTONIC, &until);
}

static void *ke_dpc_thread(void *arg)
{
    ULONG number = (ULONG)(ULONG_PTR)arg;
    struct ke_dpc_cpu *cpu = &ke_dpc_cpus[number];

    ke_dpc_thread_self = true;
    KeSetSystemAffinityThread((KAFFINITY)1 << number);
    pthread_mutex_lock(&ke_dpc_mutex);
    for (;;) {
        if (IsListEmpty(&cpu->queue)) {
            ke_dpc_idle(cpu, false);
            continue;
        }
        struct ke_dpc_entry *entry = CONTAINING_RECORD(cpu->queue.Flink, struct ke_dpc_entry, link);
        if (entry->holder && *entry->holder >= DISPATCH_LEVEL) {
            ke_dpc_idle(cpu, true);
            continue;
        }
        RemoveEntryList(&entry->link);
        PKDPC dpc = entry->dpc;
        PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
        PVOID context = dpc->DeferredContext, arg1 = dpc->SystemArgument1, arg2 = dpc->SystemArgument2;
        KIRQL irql = dpc->Type == KE_THREADED_DPC_OBJECT ? PASSIVE_LEVEL : DISPATCH_LEVEL;
        dpc->DpcData = NULL;
        cpu->running = routine;
        cpu->running_at = entry->at;
        pthread_mutex_unlock(&ke_dpc_mutex);

        free(entry);
        ke_irql_set(irql);
        routine(dpc, context, arg1, arg2);
        ke_irql_set(PASSIVE_LEVEL);

        pthread_mutex_lock(&ke_dpc_mutex);
        cpu->running = NULL;
    }
    return NULL;
}

/* The processor a DPC goes to: its target, else the caller's. */
static ULONG ke_dpc_target(const KDPC *dpc, ULONG current)
{
    if (dpc->Number >= KE_DPC_TARGETED && (ULONG)(dpc->Number - KE_DPC_TARGETED) < ke_dpc_cpu_count)
        return (ULONG)(dpc->Number - KE_DPC_TARGETED);
    return current;
}

BOOLEAN ke_dpc_insert(PKDPC dpc, PVOID arg1, PVOID arg2, const void *at)
{
    ULONG current = KeGetCurrentProcessorNumber();
    struct ke_dpc_entry *entry;
    BOOLEAN queued = FALSE;

    pthread_once(&ke_dpc_once, ke_dpc_start);
    entry = malloc(sizeof *entry);
    if (!entry) {
        fprintf(stderr, "ntbox: out of memory queuing a DPC\n");
        exit(1);
    }
    pthread_mutex_lock(&ke_dpc_mutex);
    if (!dpc->DpcData) {
        ULONG number = ke_dpc_target(dpc, current);
        struct ke_dpc_cpu *cpu = &ke_dpc_cpus[number];
        entry->dpc = dpc;
        entry->at = at;
        entry->holder = NULL;
        if (number == current && !ke_dpc_thread_self && ke_irql_get() >= DISPATCH_LEVEL) {
            entry->holder = &ke_current_irql;
            ke_dpc_held |= (KAFFINITY)1 << number;
        }
        dpc->SystemArgument1 = arg1;
        dpc->SystemArgument2 = arg2;
        dpc->DpcData = entry;
        if (dpc->Importance == HighImportance)
            InsertHeadList(&cpu->queue, &entry->link);
        else
            InsertTailList(&cpu->queue, &entry->link);
        pthread_cond_signal(&cpu->wake);
        queued = TRUE;
        entry = NULL;
    }
    pthread_mutex_unlock(&ke_dpc_mutex);
    free(entry);
    return queued;
}

void ke_dpc_release_held(void)
{
    KAFFINITY held = ke_dpc_held;

    ke_dpc_held = 0;
    pthread_mutex_lock(&ke_dpc_mutex);
    for (; held; held &= held - 1)
        pthread_cond_signal(&ke_dpc_cpus[__builtin_ctzll(held)].wake);
    pthread_mutex_unlock(&ke_dpc_mutex);
}

bool ke_dpc_can_run(void)
{
    bool can = false;

    pthread_mutex_lock(&ke_dpc_mutex);
    for (ULONG i = 0; i < ke_dpc_cpu_count && !can; i++)
        can = !IsListEmpty(&ke_dpc_cpus[i].queue) && !ke_dpc_cpus[i].running;
    pthread_mutex_unlock(&ke_dpc_mutex);
    return can;
}

unsigned ke_dpc_describe_pending(const struct ldr_module *m, FILE *out)
{
    unsigned found = 0;
    char routine[256], where[256];

    pthread_mutex_lock(&ke_dpc_mutex);
    for (ULONG i = 0; i < ke_dpc_cpu_count; i++) {
        struct ke_dpc_cpu *cpu = &ke_dpc_cpus[i];
        for (PLIST_ENTRY e = cpu->queue.Flink; e != &cpu->queue; e = e->Flink) {
            struct ke_dpc_entry *entry = CONTAINING_RECORD(e, struct ke_dpc_entry, link);
            if (ldr_module_at((const void *)entry->dpc->DeferredRoutine) != m)
                continue;
            fprintf(out, "DPC 0x%016llx (routine %s) is still queued on processor %u, queued at %s\n",
                    (unsigned long long)(ULONG_PTR)entry->dpc,
                    ldr_describe_address((const void *)entry->dpc->DeferredRoutine, false, routine, sizeof routine),
                    i, ldr_describe_address(entry->at, true, where, sizeof where));
            found++;
        }
        if (cpu->running && ldr_module_at((const void *)cpu->running) == m) {
            fprintf(out, "DPC routine %s is still running on processor %u, queued at %s\n",
                    ldr_describe_address((const void *)cpu->running, false, routine, sizeof routine), i,
                    ldr_describe_address(cpu->running_at, true, where, sizeof where));
            found++;
        }
    }
    pthread_mutex_unlock(&ke_dpc_mutex);
    return found;
}

bool ke_driver_pending_work(const struct ldr_module *m, char **text)
{
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buffer, &size);
    unsigned found;

    if (!out)
        return false;
    found = ke_timer_describe_pending(m, out) + ke_dpc_describe_pending(m, out) + io_work_describe_pending(m, out);
    fclose(out);
    if (found)
        *text = buffer;
    else
        free(buffer);
    return found != 0;
}

static void ke_dpc_init(PRKDPC Dpc, UCHAR type, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->TargetInfoAsUlong = 0;
    Dpc->Type = type;
    Dpc->Importance = MediumImportance;
    Dpc->DpcListEntry.Next = NULL;
    Dpc->ProcessorHistory = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = NULL;
    Dpc->SystemArgument2 = NULL;
    Dpc->DpcData = NULL;
}

/* Initializes a DPC object: routine, context, medium importance, no target
 * processor, not queued; any IRQL (WDK, KeInitializeDpc). */
VOID NTAPI KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    ke_dpc_init(Dpc, KE_DPC_OBJECT, DeferredRoutine, DeferredContext);
}

/* The same for a threaded DPC, whose routine runs at PASSIVE_LEVEL (WDK,
 * KeInitializeThreadedDpc; Introduction to Threaded DPCs); any IRQL. */
VOID NTAPI KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    ke_dpc_init(Dpc, KE_THREADED_DPC_OBJECT, DeferredRoutine, DeferredContext);
}

/* Queues the DPC with the two system arguments and returns TRUE; FALSE,
 * changing nothing, when it is queued already. High importance goes to the
 * front of the queue, the others to the back. Any IRQL (WDK,
 * KeInsertQueueDpc). */
BOOLEAN NTAPI KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    return ke_dpc_insert(Dpc, SystemArgument1, SystemArgument2, __builtin_return_address(0));
}

/* Takes the DPC off its queue: TRUE if it was queued, FALSE if not (it
 * ran, or is running). Any IRQL (WDK, KeRemoveQueueDpc). */
BOOLEAN NTAPI KeRemoveQueueDpc(PRKDPC Dpc)
{
    struct ke_dpc_entry *entry;

    pthread_mutex_lock(&ke_dpc_mutex);
    entry = Dpc->DpcData;
    if (entry) {
        RemoveEntryList(&entry->link);
        Dpc->DpcData = NULL;
    }
    pthread_mutex_unlock(&ke_dpc_mutex);
    free(entry);
    return entry != NULL;
}

/* Sets where the next KeInsertQueueDpc puts the DPC in its queue (WDK,
 * KeSetImportanceDpc); any IRQL. */
VOID NTAPI KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    Dpc->Importance = (UCHAR)Importance;
}

/* Makes the DPC run on processor Number, 0-based (WDK,
 * KeSetTargetProcessorDpc); any IRQL. */
VOID NTAPI KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
    Dpc->Number = (USHORT)((UCHAR)Number + KE_DPC_TARGETED);
}

/* The same by group and number: STATUS_SUCCESS, or
 * STATUS_INVALID_PARAMETER for a processor that does not exist (WDK,
 * KeSetTargetProcessorDpcEx); any IRQL. */
NTSTATUS NTAPI KeSetTargetProcessorDpcEx(PKDPC Dpc, PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcNumber->Group != 0 || ProcNumber->Number >= KeQueryActiveProcessorCount(NULL))
        return STATUS_INVALID_PARAMETER;
    Dpc->Number = (USHORT)(ProcNumber->Number + KE_DPC_TARGETED);
    return STATUS_SUCCESS;
}

struct ke_dpc_flush {
    pthread_mutex_t lock;
    pthread_cond_t done;
    ULONG left;
};

static VOID NTAPI ke_dpc_flush_reached(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    struct ke_dpc_flush *flush = context;
    (void)dpc;
    (void)arg1;
    (void)arg2;
    pthread_mutex_lock(&flush->lock);
    if (--flush->left == 0)
        pthread_cond_signal(&flush->done);
    pthread_mutex_unlock(&flush->lock);
}

/* Returns once every DPC queued on any processor before the call has run
 * (WDK, KeFlushQueuedDpcs): a marker DPC goes to the back of each queue
 * and the call waits for all of them. PASSIVE_LEVEL. */
VOID NTAPI KeFlushQueuedDpcs(VOID)
{
    struct ke_dpc_flush flush = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
    KDPC markers[KE_DPC_TARGETED];

    pthread_once(&ke_dpc_once, ke_dpc_start);
    flush.left = ke_dpc_cpu_count;
    for (ULONG i = 0; i < ke_dpc_cpu_count; i++) {
        ke_dpc_init(&markers[i], KE_DPC_OBJECT, ke_dpc_flush_reached, &flush);
        markers[i].Importance = LowImportance;
        markers[i].Number = (USHORT)(i + KE_DPC_TARGETED);
        ke_dpc_insert(&markers[i], NULL, NULL, NULL);
    }
    pthread_mutex_lock(&flush.lock);
    while (flush.left)
        pthread_cond_wait(&flush.done, &flush.lock);
    pthread_mutex_unlock(&flush.lock);
    pthread_mutex_destroy(&flush.lock);
    pthread_cond_destroy(&flush.done);
}
