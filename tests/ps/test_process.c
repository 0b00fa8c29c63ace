/* tests/ps/test_process.c: processes: the System process (PID 4), where
 * kernel code runs; client processes with their own ids and handle tables;
 * a client's requests reaching the driver in the client's process; and the
 * handles a client leaves open closed when it exits (IRP_MJ_CLEANUP and
 * IRP_MJ_CLOSE after main returns); process objects as dispatcher objects,
 * signalled when the process exits; PsLookupProcessByProcessId. */
#include "../io/devtest.h"

#include "ps/client.h"

#include <windows.h>

/* "PsGetCurrentProcessId ... the System process": kernel code that runs
 * in no client (DriverEntry, system threads) is in PID 4. */
KT_TEST(PsGetCurrentProcessId_system_is_4)
{
    KT_EQ_PTR(PsGetCurrentProcessId(), (HANDLE)4);
    KT_EQ_PTR(PsGetProcessId(PsInitialSystemProcess), (HANDLE)4);
    KT_EQ_PTR(PsGetCurrentProcess(), PsInitialSystemProcess);
    KT_EQ_PTR(IoGetCurrentProcess(), PsInitialSystemProcess);
    KT_EQ_STR(ps_process_name(PsInitialSystemProcess), "System");
}

/* Each client process has its own id: a multiple of 4, not System's, not
 * another's; the thread running in it sees it as the current process. */
KT_TEST(client_process_ids)
{
    PEPROCESS a = ps_process_create("a.exe"), b = ps_process_create("b.exe");
    ULONG ida = ps_process_id(a), idb = ps_process_id(b);

    KT_TRUE(ida != 4 && idb != 4 && ida != idb);
    KT_EQ_INT(ida % 4, 0);
    KT_EQ_INT(idb % 4, 0);
    KT_EQ_STR(ps_process_name(a), "a.exe");
    ps_process_attach(a);
    KT_EQ_PTR(PsGetCurrentProcess(), a);
    KT_EQ_PTR(PsGetCurrentProcessId(), (HANDLE)(ULONG_PTR)ida);
    KT_EQ_INT(GetCurrentProcessId(), ida);
    ps_process_attach(NULL);
    KT_EQ_PTR(PsGetCurrentProcessId(), (HANDLE)4);
    ps_process_exit(a);
    ps_process_exit(b);
}

/* Thread ids: multiples of 4, fixed for a thread, different between
 * threads. */
static DWORD other_thread_id;

static void *thread_id_of_other(void *arg)
{
    (void)arg;
    other_thread_id = GetCurrentThreadId();
    return NULL;
}

KT_TEST(GetCurrentThreadId_per_thread)
{
    pthread_t t;
    DWORD mine = GetCurrentThreadId();

    pthread_create(&t, NULL, thread_id_of_other, NULL);
    pthread_join(t, NULL);
    KT_EQ_INT(mine % 4, 0);
    KT_EQ_INT(GetCurrentThreadId(), mine);
    KT_EQ_PTR(PsGetCurrentThreadId(), (HANDLE)(ULONG_PTR)mine);
    KT_TRUE(other_thread_id != mine && other_thread_id % 4 == 0);
}

/* One id space for processes and threads (Windows' client id table): as
 * thread ids count up past a client's process id, no thread gets it. */
#define ID_THREADS 320

static void *record_thread_id(void *arg)
{
    *(DWORD *)arg = GetCurrentThreadId();
    return NULL;
}

KT_TEST(thread_ids_never_collide_with_process_ids)
{
    PEPROCESS process = ps_process_create("ids.exe");
    ULONG pid = ps_process_id(process);
    static DWORD ids[ID_THREADS];
    bool passed = false;

    for (int i = 0; i < ID_THREADS; i++) {
        pthread_t t;
        KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, record_thread_id, &ids[i]), 0));
        pthread_join(t, NULL);
        KT_TRUE(ids[i] != pid);
        KT_EQ_INT(ids[i] % 4, 0);
        passed |= ids[i] > pid;
        for (int j = 0; j < i; j++)
            if (ids[j] == ids[i])
                KT_TRUE(ids[j] != ids[i]);
    }
    KT_TRUE(passed);
    ps_process_exit(process);
}

/* Handles belong to their process: another client cannot use or close
 * them; the process's exit closes them (the driver sees the cleanup in the
 * exiting process). */
KT_TEST(handles_belong_to_their_process)
{
    PDRIVER_OBJECT driver = dt_driver("DtProcess");
    dt_device(driver, L"\\Device\\DtProcess", 0, FALSE);
    PEPROCESS a = dt_client_enter();
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    char buffer[4];

    dt_reset();
    KT_EQ_STATUS(dt_open_as(UserMode, L"\\Device\\DtProcess", FILE_READ_DATA, 0, &h), STATUS_SUCCESS);
    ps_process_attach(NULL);
    PEPROCESS b = dt_client_enter();
    KT_EQ_STATUS(NtReadFile(h, NULL, NULL, NULL, &iosb, buffer, sizeof buffer, NULL, NULL), STATUS_INVALID_HANDLE);
    KT_EQ_STATUS(NtClose(h), STATUS_INVALID_HANDLE);
    dt_client_leave(b);
    KT_EQ_STR(dt.log, "create");
    HANDLE ida = PsGetProcessId(a);
    ps_process_exit(a);
    KT_EQ_STR(dt.log, "create cleanup close");
    KT_EQ_PTR(dt.pid[IRP_MJ_CLEANUP], ida);
    dt_driver_free(driver);
}

/* A client program that opens the device and returns without closing it. */
static DWORD holder_pid;
static char log_at_return[sizeof dt.log];

static int holder_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    holder_pid = GetCurrentProcessId();
    HANDLE h = CreateFileW(L"\\\\.\\DtHolder", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    DWORD bytes;
    char buffer[4];
    ReadFile(h, buffer, sizeof buffer, &bytes, NULL);
    snprintf(log_at_return, sizeof log_at_return, "%s", dt.log);
    return h == INVALID_HANDLE_VALUE ? 1 : 7;
}

static void run_holder(void *arg)
{
    (void)arg;
    PDRIVER_OBJECT driver = dt_driver("DtHolder");
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\DtHolder");
    UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\DtHolder");
    char *argv[] = { "holder", NULL };

    dt_device(driver, L"\\Device\\DtHolder", DO_BUFFERED_IO, FALSE);
    IoCreateSymbolicLink(&link, &target);
    dt_reset();
    int status = ps_client_run("holder", holder_main, 1, argv);
    printf("main returned %d with \"%s\"; after the exit \"%s\"\n", status, log_at_return, dt.log);
    printf("pids: create %s, read %s, cleanup %s, system %s\n",
           dt.pid[IRP_MJ_CREATE] == (HANDLE)(ULONG_PTR)holder_pid ? "client" : "other",
           dt.pid[IRP_MJ_READ] == (HANDLE)(ULONG_PTR)holder_pid ? "client" : "other",
           dt.pid[IRP_MJ_CLEANUP] == (HANDLE)(ULONG_PTR)holder_pid ? "client" : "other",
           holder_pid == 4 ? "yes" : "no");
}

/* ps_client_run: main runs as a process of its own (its id, not 4, is what
 * PsGetCurrentProcessId gives the driver's dispatch routines); when main
 * returns with a handle open, the process exits and the handle is closed:
 * IRP_MJ_CLEANUP and IRP_MJ_CLOSE reach the driver after main returned.
 * main's value is returned. */
KT_TEST(ps_client_run_closes_handles_at_exit)
{
    int status;
    const char *out = kt_run_child(run_holder, NULL, &status);

    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "ntbox: holder.exe started as process ");
    KT_CONTAINS(out, "main returned 7 with \"create read\"; after the exit \"create read cleanup close\"\n");
    KT_CONTAINS(out, "pids: create client, read client, cleanup client, system no\n");
    const char *exited = strstr(out, ") exited with status 7; its handles are closed\n");
    KT_TRUE(exited != NULL && exited < strstr(out, "main returned"));
}

/* A process object starts with a dispatcher header (Type 3, as KPROCESS)
 * that is not signalled while the process runs and signalled when it
 * exits: a wait with a zero timeout times out, then succeeds. The System
 * process never exits. */
KT_TEST(KeWaitForSingleObject_process_exit)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    PEPROCESS process = ps_process_create("waited.exe");

    KT_REQUIRE(KT_TRUE(process != NULL));
    ObReferenceObject(process);
    KT_EQ_INT(((DISPATCHER_HEADER *)process)->Type, 3);
    KT_EQ_STATUS(KeWaitForSingleObject(process, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KT_EQ_STATUS(KeWaitForSingleObject(PsInitialSystemProcess, Executive, KernelMode, FALSE, &zero),
                 STATUS_TIMEOUT);
    ps_process_exit(process);
    KT_EQ_STATUS(KeWaitForSingleObject(process, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_EQ_STATUS(KeWaitForSingleObject(process, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    ObDereferenceObject(process);
}

/* A system thread blocked on a client process (no timeout) wakes when
 * the process exits. */
struct process_waiter {
    PEPROCESS process;
    NTSTATUS status;
};

static VOID NTAPI wait_for_process(PVOID context)
{
    struct process_waiter *w = context;
    w->status = KeWaitForSingleObject(w->process, Executive, KernelMode, FALSE, NULL);
}

KT_TEST(KeWaitForSingleObject_process_wakes_waiter)
{
    struct process_waiter w = { .process = ps_process_create("awaited.exe"), .status = STATUS_PENDING };
    HANDLE thread_handle;
    PVOID thread;

    KT_REQUIRE(KT_TRUE(w.process != NULL));
    ObReferenceObject(w.process);
    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&thread_handle, THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                                 wait_for_process, &w),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ObReferenceObjectByHandle(thread_handle, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, NULL),
                 STATUS_SUCCESS);
    ZwClose(thread_handle);
    ps_process_exit(w.process);
    KT_EQ_STATUS(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(w.status, STATUS_SUCCESS);
    ObDereferenceObject(thread);
    ObDereferenceObject(w.process);
}

/* ZwWaitForSingleObject on a handle to a process: STATUS_TIMEOUT while it
 * runs, STATUS_SUCCESS once it exited. */
KT_TEST(ZwWaitForSingleObject_process_handle)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    PEPROCESS process = ps_process_create("handled.exe");
    HANDLE handle;

    KT_REQUIRE(KT_TRUE(process != NULL));
    KT_REQUIRE(KT_EQ_STATUS(ObOpenObjectByPointer(process, OBJ_KERNEL_HANDLE, NULL, SYNCHRONIZE, *PsProcessType,
                                                  KernelMode, &handle),
                            STATUS_SUCCESS));
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &zero), STATUS_TIMEOUT);
    ps_process_exit(process);
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(ZwClose(handle), STATUS_SUCCESS);
}

/* PsLookupProcessByProcessId: a referenced pointer to a running process
 * (System is 4); STATUS_INVALID_CID for an id no process has, or one
 * whose process exited. */
KT_TEST(PsLookupProcessByProcessId_running_only)
{
    PEPROCESS process = ps_process_create("looked.exe"), found = NULL;
    HANDLE id;

    KT_REQUIRE(KT_TRUE(process != NULL));
    id = PsGetProcessId(process);
    KT_EQ_STATUS(PsLookupProcessByProcessId(id, &found), STATUS_SUCCESS);
    KT_EQ_PTR(found, process);
    ObDereferenceObject(found);
    KT_EQ_STATUS(PsLookupProcessByProcessId((HANDLE)4, &found), STATUS_SUCCESS);
    KT_EQ_PTR(found, PsInitialSystemProcess);
    ObDereferenceObject(found);
    KT_EQ_STATUS(PsLookupProcessByProcessId((HANDLE)3, &found), STATUS_INVALID_CID);
    ps_process_exit(process);
    KT_EQ_STATUS(PsLookupProcessByProcessId(id, &found), STATUS_INVALID_CID);
}
