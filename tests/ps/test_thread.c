/* tests/ps/test_thread.c: system threads and thread objects:
 * PsCreateSystemThread (context, IRQL, process, handle kinds, ClientId,
 * invalid attributes), the unload pattern (reference by handle, wait for
 * the thread object), PsTerminateSystemThread, PsGetCurrentThread,
 * PsGetThreadId, PsIsSystemThread, PsLookupThreadByThreadId, thread objects
 * of host threads ntbox did not create, the exit checks (bug check 0x20)
 * and the unload check (ps_driver_threads_running). */
#include "ktest.h"

#include "loader/module.h"
#include "ob/ob.h"
#include "ps/process.h"
#include "ps/thread.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* 100 ns units. */
#define SECONDS(n) ((LONGLONG)(n) * -10000000)

struct seen {
    KIRQL irql;
    HANDLE process_id, thread_id;
    BOOLEAN system, apcs_disabled;
    PETHREAD thread;
    PVOID context;
    BOOLEAN after_terminate;
    KEVENT go;
};

static struct seen seen;

static VOID NTAPI record(PVOID context)
{
    seen.irql = KeGetCurrentIrql();
    seen.process_id = PsGetCurrentProcessId();
    seen.thread_id = PsGetCurrentThreadId();
    seen.thread = PsGetCurrentThread();
    seen.system = PsIsSystemThread(seen.thread);
    seen.apcs_disabled = KeAreApcsDisabled();
    seen.context = context;
}

/* Waits for the thread behind handle to end (a generous bound) and closes
 * the handle. */
static void join(HANDLE handle)
{
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(30) };
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(handle), STATUS_SUCCESS);
}

/* The start routine runs with its context at PASSIVE_LEVEL, with APCs
 * enabled, in the System process (PID 4), as a system thread; ClientId
 * names that process and the thread's id; from the System process the
 * handle is a kernel handle. */
KT_TEST(PsCreateSystemThread_runs_start_routine)
{
    HANDLE handle;
    CLIENT_ID cid = { 0 };
    int context;

    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, &cid, record, &context),
                            STATUS_SUCCESS));
    KT_TRUE((LONG_PTR)handle < 0);
    join(handle);
    KT_EQ_PTR(seen.context, &context);
    KT_EQ_INT(seen.irql, PASSIVE_LEVEL);
    KT_EQ_PTR(seen.process_id, (HANDLE)4);
    KT_EQ_PTR(cid.UniqueProcess, (HANDLE)4);
    KT_EQ_PTR(cid.UniqueThread, seen.thread_id);
    KT_TRUE(seen.thread_id != PsGetCurrentThreadId());
    KT_EQ_INT((ULONG_PTR)seen.thread_id % 4, 0);
    KT_TRUE(seen.system);
    KT_FALSE(seen.apcs_disabled);
}

static VOID NTAPI wait_for_go(PVOID context)
{
    (void)context;
    KeWaitForSingleObject(&seen.go, Executive, KernelMode, FALSE, NULL);
}

/* The unload pattern: reference the thread object by its handle
 * (SYNCHRONIZE, *PsThreadType), close the handle, wait for the object:
 * it is signalled when the thread ends, and stays signalled. */
KT_TEST(PsCreateSystemThread_unload_pattern)
{
    HANDLE handle;
    PVOID thread;
    LARGE_INTEGER zero = { .QuadPart = 0 }, timeout = { .QuadPart = SECONDS(30) };

    KeInitializeEvent(&seen.go, NotificationEvent, FALSE);
    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, wait_for_go, NULL),
                            STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, NULL),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ZwClose(handle), STATUS_SUCCESS);
    KT_EQ_INT(((DISPATCHER_HEADER *)thread)->Type, 6);
    KT_EQ_STATUS(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KeSetEvent(&seen.go, IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &timeout), STATUS_SUCCESS);
    KT_EQ_STATUS(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    ObDereferenceObject(thread);
}

static VOID NTAPI terminate_early(PVOID context)
{
    (void)context;
    seen.after_terminate = FALSE;
    PsTerminateSystemThread(STATUS_UNSUCCESSFUL);
    seen.after_terminate = TRUE;
}

/* "PsTerminateSystemThread does not return if it successfully terminates
 * the calling thread"; the thread object is signalled. */
KT_TEST(PsTerminateSystemThread_ends_the_thread)
{
    HANDLE handle;
    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, terminate_early, NULL),
                            STATUS_SUCCESS));
    join(handle);
    KT_FALSE(seen.after_terminate);
}

/* A thread PsCreateSystemThread did not create cannot end itself:
 * "the routine returns an error NTSTATUS value". */
KT_TEST(PsTerminateSystemThread_not_a_created_thread)
{
    KT_EQ_STATUS(PsTerminateSystemThread(STATUS_SUCCESS), STATUS_INVALID_PARAMETER);
}

/* OBJ_PERMANENT, OBJ_EXCLUSIVE and OBJ_OPENIF "are not valid attributes
 * for a thread object". */
KT_TEST(PsCreateSystemThread_invalid_attributes)
{
    static const ULONG invalid[] = { OBJ_PERMANENT, OBJ_EXCLUSIVE, OBJ_OPENIF };
    for (unsigned i = 0; i < 3; i++) {
        OBJECT_ATTRIBUTES oa;
        HANDLE handle = (HANDLE)1;
        InitializeObjectAttributes(&oa, NULL, invalid[i] | OBJ_KERNEL_HANDLE, NULL, NULL);
        KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, &oa, NULL, NULL, record, NULL), STATUS_INVALID_PARAMETER);
        KT_EQ_PTR(handle, (HANDLE)1);
    }
}

/* In a client process's context: without OBJ_KERNEL_HANDLE the handle is
 * the process's (the process can use it), with it a kernel handle; a
 * thread created for NtCurrentProcess() runs in that process. */
KT_TEST(PsCreateSystemThread_client_process_handles)
{
    PEPROCESS client = ps_process_create("client.exe");
    OBJECT_ATTRIBUTES kernel;
    HANDLE user_handle, kernel_handle, in_client;
    CLIENT_ID cid;

    KT_REQUIRE(KT_TRUE(client != NULL));
    InitializeObjectAttributes(&kernel, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    ps_process_attach(client);
    KT_EQ_STATUS(PsCreateSystemThread(&user_handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, record, NULL),
                 STATUS_SUCCESS);
    KT_TRUE((LONG_PTR)user_handle > 0);
    join(user_handle);
    KT_EQ_PTR(seen.process_id, (HANDLE)4);
    KT_EQ_STATUS(PsCreateSystemThread(&kernel_handle, THREAD_ALL_ACCESS, &kernel, NULL, NULL, record, NULL),
                 STATUS_SUCCESS);
    KT_TRUE((LONG_PTR)kernel_handle < 0);
    join(kernel_handle);
    KT_EQ_STATUS(PsCreateSystemThread(&in_client, THREAD_ALL_ACCESS, &kernel, NtCurrentProcess(), &cid, record,
                                      NULL), STATUS_SUCCESS);
    join(in_client);
    KT_EQ_PTR(seen.process_id, PsGetProcessId(client));
    KT_EQ_PTR(cid.UniqueProcess, PsGetProcessId(client));
    KT_TRUE(seen.system);
    ps_process_attach(NULL);
    ps_process_exit(client);
}

/* PsGetCurrentThread is KeGetCurrentThread; its id is the thread's id. */
KT_TEST(PsGetCurrentThread_and_id)
{
    PETHREAD self = PsGetCurrentThread();
    KT_EQ_PTR(self, KeGetCurrentThread());
    KT_EQ_PTR(PsGetThreadId(self), PsGetCurrentThreadId());
    KT_EQ_PTR(PsGetThreadProcessId(self), (HANDLE)4);
    KT_EQ_PTR(ob_object_type(self), *PsThreadType);
    /* The thread that runs DriverEntry is a System process thread. */
    KT_TRUE(PsIsSystemThread(self));
}

/* PsLookupThreadByThreadId: a referenced pointer to the running thread;
 * an unknown id is STATUS_INVALID_PARAMETER, as is a thread that ended. */
KT_TEST(PsLookupThreadByThreadId_running_and_ended)
{
    PETHREAD found = NULL;
    HANDLE handle;
    CLIENT_ID cid;
    LONG_PTR before, after;

    KT_EQ_STATUS(PsLookupThreadByThreadId(PsGetCurrentThreadId(), &found), STATUS_SUCCESS);
    KT_EQ_PTR(found, PsGetCurrentThread());
    ob_object_counts(found, &before, NULL);
    ObDereferenceObject(found);
    ob_object_counts(found, &after, NULL);
    KT_EQ_INT(after, before - 1);
    KT_EQ_STATUS(PsLookupThreadByThreadId((HANDLE)0x7FFFFFF0, &found), STATUS_INVALID_PARAMETER);

    KeInitializeEvent(&seen.go, NotificationEvent, FALSE);
    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, &cid, wait_for_go, NULL), STATUS_SUCCESS));
    KT_EQ_STATUS(PsLookupThreadByThreadId(cid.UniqueThread, &found), STATUS_SUCCESS);
    KT_EQ_PTR(PsGetThreadId(found), cid.UniqueThread);
    KT_FALSE(found == PsGetCurrentThread());
    ObDereferenceObject(found);
    KeSetEvent(&seen.go, IO_NO_INCREMENT, FALSE);
    join(handle);
    KT_EQ_STATUS(PsLookupThreadByThreadId(cid.UniqueThread, &found), STATUS_INVALID_PARAMETER);
}

static PVOID host_thread_object;
static HANDLE host_thread_id;
static BOOLEAN host_system;

static void *host_thread(void *arg)
{
    PEPROCESS process = arg;
    if (process)
        ps_process_attach(process);
    host_thread_object = PsGetCurrentThread();
    host_thread_id = PsGetCurrentThreadId();
    host_system = PsIsSystemThread(PsGetCurrentThread());
    ObReferenceObject(host_thread_object);
    ps_process_attach(NULL);
    return NULL;
}

/* A host thread ntbox did not create gets a thread object when it first
 * needs one, with its own id; it is signalled when the host thread exits.
 * In a client process it is not a system thread. */
KT_TEST(host_thread_gets_a_thread_object)
{
    pthread_t t;
    LARGE_INTEGER zero = { .QuadPart = 0 };
    PEPROCESS client = ps_process_create("client.exe");

    KT_REQUIRE(KT_TRUE(client != NULL));
    KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, host_thread, NULL), 0));
    pthread_join(t, NULL);
    KT_TRUE(host_thread_object != PsGetCurrentThread());
    KT_EQ_PTR(PsGetThreadId(host_thread_object), host_thread_id);
    KT_TRUE(host_system);
    KT_EQ_STATUS(KeWaitForSingleObject(host_thread_object, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    ObDereferenceObject(host_thread_object);

    KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, host_thread, client), 0));
    pthread_join(t, NULL);
    KT_FALSE(host_system);
    KT_EQ_PTR(PsGetThreadProcessId(host_thread_object), PsGetProcessId(client));
    ObDereferenceObject(host_thread_object);
    ps_process_exit(client);
}

/* At unload, a system thread of the driver still running is found, with
 * its start routine and the source line where it waits; one that ended is
 * not. The test's own code plays the driver's image. */
KT_TEST(ps_driver_threads_running_names_the_wait)
{
    struct ldr_module fake = { .name = "fake", .image_name = "fake.sys" };
    struct ldr_module *m;
    Dl_info info;
    HANDLE handle;
    char *text = NULL;
    bool waiting = false;

    KT_REQUIRE(KT_TRUE(dladdr((void *)wait_for_go, &info) != 0));
    KT_REQUIRE(KT_TRUE(readlink("/proc/self/exe", fake.image, sizeof fake.image - 1) > 0));
    fake.start = (uintptr_t)wait_for_go;
    fake.end = fake.start + 256;
    fake.bias = (uintptr_t)info.dli_fbase;
    KT_REQUIRE(KT_TRUE((m = ldr_module_add(&fake)) != NULL));
    KT_FALSE(ps_driver_threads_running(m, &text));
    KeInitializeEvent(&seen.go, NotificationEvent, FALSE);
    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, wait_for_go, NULL), STATUS_SUCCESS));
    for (time_t give_up = time(NULL) + 30; !waiting && time(NULL) < give_up; sched_yield()) {
        KT_TRUE(ps_driver_threads_running(m, &text));
        waiting = strstr(text, "waits at") != NULL;
        if (!waiting)
            free(text);
    }
    if (KT_TRUE(waiting)) {
        KT_CONTAINS(text, "is still running: it waits at ");
        KT_CONTAINS(text, "(start routine ");
        KT_CONTAINS(text, "test_thread.c:");
        KT_CONTAINS(text, "(fake.sys+0x");
        free(text);
    }
    KeSetEvent(&seen.go, IO_NO_INCREMENT, FALSE);
    join(handle);
    text = NULL;
    KT_FALSE(ps_driver_threads_running(m, &text));
    KT_EQ_PTR(text, NULL);
    ldr_module_remove(m);
}

static VOID NTAPI exit_raised(PVOID context)
{
    KIRQL old;
    (void)context;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
}

static VOID NTAPI exit_in_critical_region(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID NTAPI exit_holding_fast_mutex(PVOID context)
{
    ExAcquireFastMutex(context);
}

static VOID NTAPI exit_holding_mutex(PVOID context)
{
    KeWaitForSingleObject(context, Executive, KernelMode, FALSE, NULL);
}

static void run_thread(void *arg)
{
    PVOID *routine_and_context = arg;
    HANDLE handle;
    PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, (PKSTART_ROUTINE)routine_and_context[0],
                         routine_and_context[1]);
    join(handle);
}

/* A thread ends at PASSIVE_LEVEL with APCs enabled, else bug check 0x20
 * KERNEL_APC_PENDING_DURING_EXIT (P2 the APC disable count, P3 the IRQL). */
KT_TEST(thread_exit_checks)
{
    static FAST_MUTEX fm;
    static KMUTEX mutex;
    PVOID raised[2] = { (PVOID)exit_raised, NULL }, region[2] = { (PVOID)exit_in_critical_region, NULL };
    PVOID fast[2] = { (PVOID)exit_holding_fast_mutex, &fm }, mutant[2] = { (PVOID)exit_holding_mutex, &mutex };
    const char *out;

    ExInitializeFastMutex(&fm);
    KeInitializeMutex(&mutex, 0);
    out = KT_EXPECT_BUGCHECK(0x20, 0, run_thread, raised);
    if (out) {
        KT_CONTAINS(out, "0x0000000000000002,0x0000000000000000)");
        KT_CONTAINS(out, "returned at DISPATCH_LEVEL");
    }
    out = KT_EXPECT_BUGCHECK(0x20, 0, run_thread, region);
    if (out) {
        KT_CONTAINS(out, "(0x0000000000000000,0x000000000000FFFF,0x0000000000000000,");
        KT_CONTAINS(out, "called PsTerminateSystemThread at PASSIVE_LEVEL with kernel APC disable count -1");
    }
    out = KT_EXPECT_BUGCHECK(0x20, 0, run_thread, fast);
    if (out)
        KT_CONTAINS(out, "it holds the fast or guarded mutex");
    out = KT_EXPECT_BUGCHECK(0x20, 0, run_thread, mutant);
    if (out)
        KT_CONTAINS(out, "it owns the mutex");
}
