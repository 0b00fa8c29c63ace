/* ps/thread.c: thread objects: PsCreateSystemThread,
 * PsTerminateSystemThread, PsGetCurrentThread, PsGetThreadId,
 * PsGetThreadProcessId, PsIsSystemThread, PsLookupThreadByThreadId,
 * PsThreadType; and the thread objects of host threads ntbox did not
 * create (see thread.h).
 *
 * A system thread is a detached host thread that runs its start routine
 * at PASSIVE_LEVEL in the System process (or the client process given),
 * then ends as if it had called PsTerminateSystemThread(STATUS_SUCCESS).
 * Ending checks what Windows checks as a thread exits: IRQL back at
 * PASSIVE_LEVEL and no critical or guarded region, mutex or fast mutex
 * still held, else bug check 0x20 KERNEL_APC_PENDING_DURING_EXIT. Then,
 * for every thread that ends, the I/O requests it left pending are
 * cancelled (io_cancel_thread_io), the object is signalled (the unload
 * pattern's wait ends) and the thread's own reference goes.
 *
 * Surprises: a thread's id is taken on the thread itself (ps_thread_id,
 * the id PsGetCurrentThreadId returns), so PsCreateSystemThread waits for
 * the new thread to start before it returns. Windows' documentation says
 * a new system thread starts inside a critical region, which would leave
 * every thread exit with a nonzero APC disable count; ntbox starts it with
 * APCs enabled, as the exit rule requires. A thread that has ended is no
 * longer found by PsLookupThreadByThreadId, though its object may live on. */
#include "ps/thread.h"

#include "base/diag.h"
#include "io/io.h"
#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "ke/pcr.h"
#include "loader/module.h"
#include "loader/symbols.h"
#include "ob/ob.h"
#include "ps/process.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#define KERNEL_APC_PENDING_DURING_EXIT 0x20
#define PROCESS_CREATE_THREAD 0x0002

struct _ETHREAD {
    struct ke_thread tcb;  /* first: the KTHREAD, the dispatcher header */
    CLIENT_ID cid;
    PEPROCESS process;     /* referenced */
    BOOLEAN system;        /* PsIsSystemThread: a kernel-only thread */
    BOOLEAN created;       /* by PsCreateSystemThread: it can end itself */
    PKSTART_ROUTINE start;
    PVOID context;
    NTSTATUS exit_status;
    LIST_ENTRY link;       /* in ps_threads while it runs */
    LIST_ENTRY irps;       /* the I/O manager's requests it made (IrpList) */
    jmp_buf exit_jump;     /* PsTerminateSystemThread's way out */
};

POBJECT_TYPE ps_thread_object_type; /* a .sys's import slot for PsThreadType holds its address */
NTKERNELAPI POBJECT_TYPE *PsThreadType = &ps_thread_object_type;

/* Running threads, for lookups by id and the unload check. */
static pthread_mutex_t ps_threads_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY ps_threads = { &ps_threads, &ps_threads };
/* Its destructor ends an adopted thread's object when its host thread exits. */
static pthread_key_t ps_thread_key;

static void ps_thread_delete(void *body)
{
    PETHREAD thread = body;
    ke_thread_destroy(&thread->tcb);
    if (thread->process)
        ob_dereference_object(thread->process);
}

static void ps_thread_end(PETHREAD thread);

static void ps_thread_host_exit(void *value)
{
    ps_thread_end(value);
}

__attribute__((constructor(103))) static void ps_thread_init(void)
{
    static const struct ob_type_info info = {
        .body_size = sizeof(struct _ETHREAD),
        /* Windows' thread mapping: query, write (terminate, suspend, alert,
         * set information and context), synchronize, all. */
        .generic_mapping = { STANDARD_RIGHTS_READ | 0x0048, STANDARD_RIGHTS_WRITE | 0x0037,
                             STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE, THREAD_ALL_ACCESS },
        .valid_access_mask = THREAD_ALL_ACCESS,
        .invalid_attributes = OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENIF,
        .procedures = { .delete_object = ps_thread_delete },
    };
    ps_thread_object_type = ob_type_create("Thread", &info);
    if (!ps_thread_object_type || pthread_key_create(&ps_thread_key, ps_thread_host_exit) != 0) {
        fprintf(stderr, "ntbox: out of memory creating the Thread type\n");
        exit(1);
    }
}

/* A new object's fields; takes a reference on process. */
static void ps_thread_setup(PETHREAD thread, PEPROCESS process, BOOLEAN system)
{
    ke_thread_init(&thread->tcb);
    InitializeListHead(&thread->irps);
    ob_reference_object(process);
    thread->process = process;
    thread->cid.UniqueProcess = (HANDLE)(ULONG_PTR)ps_process_id(process);
    thread->system = system;
}

/* On the new host thread: it becomes the thread's, and findable. */
static void ps_thread_begin(PETHREAD thread)
{
    thread->cid.UniqueThread = (HANDLE)(ULONG_PTR)ps_thread_id();
    thread->tcb.spin_token = ke_spin_owner_self();
    ke_thread_self = &thread->tcb;
    ke_pcr_set_thread(thread); /* what inline KeGetCurrentThread (gs:[0x188]) reads */
    pthread_setspecific(ps_thread_key, thread);
    pthread_mutex_lock(&ps_threads_lock);
    InsertTailList(&ps_threads, &thread->link);
    pthread_mutex_unlock(&ps_threads_lock);
}

/* On the ending host thread: its requests still pending cancelled (in the
 * process it ran in), then no longer findable, signalled, and its own
 * reference dropped (the object may go with it). */
static void ps_thread_end(PETHREAD thread)
{
    io_cancel_thread_io(thread);
    pthread_mutex_lock(&ps_threads_lock);
    RemoveEntryList(&thread->link);
    pthread_mutex_unlock(&ps_threads_lock);
    ke_dispatcher_lock();
    thread->tcb.header.SignalState = 1;
    ke_dispatcher_signal(&thread->tcb.header);
    ke_dispatcher_unlock();
    pthread_setspecific(ps_thread_key, NULL);
    ke_thread_self = NULL;
    if (ke_pcr_if_created())
        ke_pcr_set_thread(NULL);
    ob_dereference_object(thread);
}

struct ke_thread *ps_thread_adopt(void)
{
    PEPROCESS process = PsGetCurrentProcess();
    PETHREAD thread;

    if (!NT_SUCCESS(ob_create_object(ps_thread_object_type, NULL, KernelMode, 0, (void **)&thread))) {
        fprintf(stderr, "ntbox: out of memory creating a thread object\n");
        exit(1);
    }
    /* Host threads in the System process run kernel code only, as the
     * system worker thread that runs DriverEntry on Windows. */
    ps_thread_setup(thread, process, process == ps_system_process());
    ps_thread_begin(thread);
    return &thread->tcb;
}

/* What a thread still holds as it ends, for the report. */
static void ps_thread_describe_held(PETHREAD thread, char *out, size_t n)
{
    size_t used = 0;
    ULONG held = thread->tcb.held_count < KE_HELD_LOCKS ? thread->tcb.held_count : KE_HELD_LOCKS;

    out[0] = 0;
    for (PLIST_ENTRY e = thread->tcb.mutants.Flink; e != &thread->tcb.mutants && used < n; e = e->Flink)
        used += (size_t)snprintf(out + used, n - used, "\n  it owns the mutex 0x%016llx",
                                 (unsigned long long)(ULONG_PTR)CONTAINING_RECORD(e, KMUTANT, MutantListEntry));
    for (ULONG i = 0; i < held && used < n; i++) {
        char where[256];
        used += (size_t)snprintf(out + used, n - used, "\n  it holds the fast or guarded mutex 0x%016llx, acquired "
                                 "at %s",
                                 (unsigned long long)(ULONG_PTR)thread->tcb.held[i].lock,
                                 ldr_describe_address(thread->tcb.held[i].at, true, where, sizeof where));
    }
}

/* Windows' exit check (bug check 0x20: P2 the APC disable counts, special
 * in the high word, P3 the IRQL): a thread ends at PASSIVE_LEVEL with APCs
 * enabled. how names the way out. */
static void ps_thread_check_exit(PETHREAD thread, const char *how, const void *at)
{
    KIRQL irql = ke_irql_get();
    SHORT normal = thread->tcb.kernel_apc_disable, special = thread->tcb.special_apc_disable;
    char held[1024], start[256];

    if (irql == PASSIVE_LEVEL && normal == 0 && special == 0)
        return;
    ps_thread_describe_held(thread, held, sizeof held);
    ke_bugcheck(KERNEL_APC_PENDING_DURING_EXIT, 0, (ULONG)(USHORT)normal | (ULONG)(USHORT)special << 16, irql, 0, at,
                "System thread %u (start routine %s) %s at %s with kernel APC disable count %d and special %d: a "
                "thread must end at PASSIVE_LEVEL with every critical and guarded region left and every mutex "
                "released.%s",
                (unsigned)(ULONG_PTR)thread->cid.UniqueThread,
                ldr_describe_address((const void *)thread->start, false, start, sizeof start), how,
                ke_irql_name(irql), normal, special, held);
}

struct ps_start {
    PETHREAD thread;
    sem_t started;
};

static void *ps_system_thread_main(void *arg)
{
    struct ps_start *start = arg;
    PETHREAD thread = start->thread;

    ps_thread_begin(thread);
    sem_post(&start->started); /* *start is the creator's and goes now */
    ps_process_attach(thread->process == ps_system_process() ? NULL : thread->process);
    ke_irql_set(PASSIVE_LEVEL);
    if (!setjmp(thread->exit_jump)) {
        thread->start(thread->context);
        thread->exit_status = STATUS_SUCCESS;
        ps_thread_check_exit(thread, "returned", NULL);
    }
    ps_thread_end(thread);
    ps_process_attach(NULL);
    return NULL;
}

/* The process a new system thread runs in, referenced: System without a
 * handle, else the handle's (PROCESS_CREATE_THREAD). */
static NTSTATUS ps_thread_process(HANDLE handle, PEPROCESS *process)
{
    if (!handle || handle == NtCurrentProcess()) {
        *process = handle ? PsGetCurrentProcess() : ps_system_process();
        ob_reference_object(*process);
        return STATUS_SUCCESS;
    }
    return ob_reference_object_by_handle(handle, PROCESS_CREATE_THREAD, *PsProcessType, KernelMode,
                                         (void **)process, NULL);
}

/* Starts StartRoutine(StartContext) on a new system thread in the System
 * process (or ProcessHandle's) and returns a handle to it, a kernel handle
 * with OBJ_KERNEL_HANDLE or in the System process, else one in the
 * caller's process; ClientId (optional) gets its process and thread ids.
 * OBJ_PERMANENT, OBJ_EXCLUSIVE and OBJ_OPENIF are invalid:
 * STATUS_INVALID_PARAMETER. PASSIVE_LEVEL (WDK, PsCreateSystemThread). */
NTKERNELAPI NTSTATUS NTAPI PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                                                POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                                                PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                                                PVOID StartContext)
{
    struct ps_start start;
    PEPROCESS process;
    PETHREAD thread;
    HANDLE handle;
    pthread_attr_t attr;
    pthread_t host;
    NTSTATUS status = ps_thread_process(ProcessHandle, &process);

    if (!NT_SUCCESS(status))
        return status;
    status = ob_create_object(ps_thread_object_type, ObjectAttributes, KernelMode, 0, (void **)&thread);
    if (!NT_SUCCESS(status)) {
        ob_dereference_object(process);
        return status;
    }
    ps_thread_setup(thread, process, TRUE);
    ob_dereference_object(process);
    thread->created = TRUE;
    thread->start = StartRoutine;
    thread->context = StartContext;
    ob_reference_object(thread); /* the thread's own, until it ends */
    status = ob_insert_object(thread, DesiredAccess, NULL, &handle);
    if (!NT_SUCCESS(status)) {
        ob_dereference_object(thread);
        return status;
    }

    start.thread = thread;
    sem_init(&start.started, 0, 0);
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) != 0 ||
        pthread_create(&host, &attr, ps_system_thread_main, &start) != 0) {
        pthread_attr_destroy(&attr);
        sem_destroy(&start.started);
        ob_close_handle(handle, KernelMode);
        ob_dereference_object(thread);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_attr_destroy(&attr);
    while (sem_wait(&start.started) != 0 && errno == EINTR)
        ;
    sem_destroy(&start.started);
    if (ClientId)
        *ClientId = thread->cid;
    *ThreadHandle = handle;
    return STATUS_SUCCESS;
}

/* Ends the calling system thread with ExitStatus; does not return. A
 * thread PsCreateSystemThread did not create gets STATUS_INVALID_PARAMETER
 * (WDK, PsTerminateSystemThread; PASSIVE_LEVEL). */
NTKERNELAPI NTSTATUS NTAPI PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    const void *at = __builtin_return_address(0);
    PETHREAD thread = (PETHREAD)ke_thread_current();

    if (!thread->created) {
        if (thread->system)
            diag_warn("PsTerminateSystemThread called on a thread the driver did not create (the one that runs "
                      "DriverEntry or a dispatch routine): only a thread from PsCreateSystemThread may end itself");
        return STATUS_INVALID_PARAMETER;
    }
    thread->exit_status = ExitStatus;
    ps_thread_check_exit(thread, "called PsTerminateSystemThread", at);
    longjmp(thread->exit_jump, 1);
}

/* The calling thread's ETHREAD; any IRQL (WDK, PsGetCurrentThread). */
NTKERNELAPI PETHREAD NTAPI PsGetCurrentThread(VOID)
{
    return (PETHREAD)ke_thread_current();
}

/* The thread's id; any IRQL (WDK, PsGetThreadId). */
NTKERNELAPI HANDLE NTAPI PsGetThreadId(PETHREAD Thread)
{
    return Thread->cid.UniqueThread;
}

/* The id of the thread's process; any IRQL (WDK, PsGetThreadProcessId). */
NTKERNELAPI HANDLE NTAPI PsGetThreadProcessId(PETHREAD Thread)
{
    return Thread->cid.UniqueProcess;
}

/* TRUE for a kernel-only thread: one PsCreateSystemThread made, or one of
 * the System process's (WDK, PsIsSystemThread). */
NTKERNELAPI BOOLEAN NTAPI PsIsSystemThread(PETHREAD Thread)
{
    return Thread->system;
}

/* The running thread with that id, referenced (the caller dereferences
 * it), or STATUS_INVALID_PARAMETER; PASSIVE_LEVEL (WDK,
 * PsLookupThreadByThreadId). */
NTKERNELAPI NTSTATUS NTAPI PsLookupThreadByThreadId(HANDLE ThreadId, PETHREAD *Thread)
{
    NTSTATUS status = STATUS_INVALID_PARAMETER;

    pthread_mutex_lock(&ps_threads_lock);
    for (PLIST_ENTRY e = ps_threads.Flink; e != &ps_threads; e = e->Flink) {
        PETHREAD thread = CONTAINING_RECORD(e, struct _ETHREAD, link);
        if (thread->cid.UniqueThread == ThreadId) {
            /* Safe under the lock: a listed thread holds its own reference. */
            ob_reference_object(thread);
            *Thread = thread;
            status = STATUS_SUCCESS;
            break;
        }
    }
    pthread_mutex_unlock(&ps_threads_lock);
    return status;
}

PLIST_ENTRY ps_thread_irp_list(PETHREAD thread)
{
    return &thread->irps;
}

void ps_threads_visit(void (*fn)(struct ke_thread *thread, void *context), void *context)
{
    pthread_mutex_lock(&ps_threads_lock);
    for (PLIST_ENTRY e = ps_threads.Flink; e != &ps_threads; e = e->Flink)
        fn(&CONTAINING_RECORD(e, struct _ETHREAD, link)->tcb, context);
    pthread_mutex_unlock(&ps_threads_lock);
}

ULONG ps_thread_cid(const struct ke_thread *thread)
{
    return (ULONG)(ULONG_PTR)((const struct _ETHREAD *)thread)->cid.UniqueThread;
}

const char *ps_thread_describe(const struct ke_thread *thread, char *buf, size_t n)
{
    const struct _ETHREAD *t = (const struct _ETHREAD *)thread;
    char start[256];

    if (t->created)
        snprintf(buf, n, "system thread %u (start routine %s) in process %s (PID %u)",
                 (unsigned)(ULONG_PTR)t->cid.UniqueThread,
                 ldr_describe_address((const void *)t->start, false, start, sizeof start),
                 ps_process_name(t->process), ps_process_id(t->process));
    else
        snprintf(buf, n, "thread %u in process %s (PID %u)", (unsigned)(ULONG_PTR)t->cid.UniqueThread,
                 ps_process_name(t->process), ps_process_id(t->process));
    return buf;
}

bool ps_driver_threads_running(const struct ldr_module *m, char **text)
{
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buffer, &size);
    bool found = false;

    if (!out)
        return false;
    pthread_mutex_lock(&ps_threads_lock);
    for (PLIST_ENTRY e = ps_threads.Flink; e != &ps_threads; e = e->Flink) {
        PETHREAD thread = CONTAINING_RECORD(e, struct _ETHREAD, link);
        char start[256], where[256];
        if (!thread->created || ldr_module_at((const void *)thread->start) != m)
            continue;
        ke_dispatcher_lock();
        const void *wait_at = thread->tcb.wait_at;
        ke_dispatcher_unlock();
        fprintf(out, "system thread %u (start routine %s) is still running: %s%s\n", (unsigned)(ULONG_PTR)thread->cid.UniqueThread,
                ldr_describe_address((const void *)thread->start, false, start, sizeof start),
                wait_at ? "it waits at " : "it is not waiting",
                wait_at ? ldr_describe_address(wait_at, true, where, sizeof where) : "");
        found = true;
    }
    pthread_mutex_unlock(&ps_threads_lock);
    fclose(out);
    if (found)
        *text = buffer;
    else
        free(buffer);
    return found;
}
