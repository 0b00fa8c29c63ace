/* ps/process.c: process objects (see process.h). An EPROCESS is an object
 * of the Process type; what drivers may know of it comes through routines
 * (PsGetCurrentProcessId, PsGetProcessId, PsLookupProcessByProcessId...),
 * never through fields. A process is found by its id from its creation to
 * its exit (the System process always). It starts, as Windows' KPROCESS
 * does, with a dispatcher header (Type 3) that is signalled when the
 * process exits, so KeWaitForSingleObject on the object and
 * ZwWaitForSingleObject on a handle to it wait for that. */
#include "ps/process.h"

#include "ke/dispatcher.h"
#include "ob/ob.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _EPROCESS {
    DISPATCHER_HEADER header;            /* first: the object is waitable */
    LIST_ENTRY link;                     /* in ps_processes until it exits */
    ULONG id;
    char image_name[16];                 /* as EPROCESS.ImageFileName: 15 characters */
    struct ob_handle_table *handles;     /* NULL: the kernel table (System) */
};

POBJECT_TYPE ps_process_object_type; /* a .sys's import slot for PsProcessType holds its address */
NTKERNELAPI POBJECT_TYPE *PsProcessType = &ps_process_object_type;
NTKERNELAPI PEPROCESS PsInitialSystemProcess;

static __thread PEPROCESS ps_current;

static pthread_mutex_t ps_processes_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY ps_processes = { &ps_processes, &ps_processes };

static void ps_process_list(PEPROCESS process)
{
    pthread_mutex_lock(&ps_processes_lock);
    InsertTailList(&ps_processes, &process->link);
    pthread_mutex_unlock(&ps_processes_lock);
}

/* Process and thread ids share one id space, as Windows' client id table
 * does: multiples of 4, never one for two things at once. System is 4,
 * threads count up from 8 and clients from where a freshly booted Windows'
 * user processes would, each skipping the ids the other took. Ids are
 * never reused. */
#define PS_FIRST_THREAD_ID 8
#define PS_FIRST_PROCESS_ID 1004

static pthread_mutex_t ps_ids_lock = PTHREAD_MUTEX_INITIALIZER;
static ULONG ps_next_process_id = PS_FIRST_PROCESS_ID;
static ULONG ps_next_thread_id = PS_FIRST_THREAD_ID;
static unsigned char *ps_ids_taken; /* one bit per id / 4 */
static size_t ps_ids_bytes;

static bool ps_id_taken(ULONG id)
{
    size_t bit = id / 4;
    return bit / 8 < ps_ids_bytes && (ps_ids_taken[bit / 8] >> (bit % 8) & 1);
}

/* The first free id from *next on, taken; *next moves past it. */
static ULONG ps_id_take(ULONG *next)
{
    pthread_mutex_lock(&ps_ids_lock);
    while (ps_id_taken(*next))
        *next += 4;
    ULONG id = *next;
    size_t bit = id / 4;
    if (bit / 8 >= ps_ids_bytes) {
        size_t grown = (bit / 8 + 1) * 2;
        unsigned char *bigger = realloc(ps_ids_taken, grown);
        if (!bigger) {
            fprintf(stderr, "ntbox: out of memory for process and thread ids\n");
            exit(1);
        }
        memset(bigger + ps_ids_bytes, 0, grown - ps_ids_bytes);
        ps_ids_taken = bigger;
        ps_ids_bytes = grown;
    }
    ps_ids_taken[bit / 8] |= (unsigned char)(1u << (bit % 8));
    *next += 4;
    pthread_mutex_unlock(&ps_ids_lock);
    return id;
}

static void ps_process_init_header(PEPROCESS process)
{
    ke_dispatcher_init(&process->header, KE_PROCESS, sizeof(struct _EPROCESS) / sizeof(LONG), 0);
}

__attribute__((constructor(102))) static void ps_init(void)
{
    static const struct ob_type_info info = {
        .body_size = sizeof(struct _EPROCESS),
        .generic_mapping = { STANDARD_RIGHTS_READ | 0x0410, STANDARD_RIGHTS_WRITE | 0x0BEA,
                             STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | 0x1400, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE |
                             0xFFFF },
        .valid_access_mask = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF,
        .invalid_attributes = OBJ_PERMANENT,
    };
    ps_process_object_type = ob_type_create("Process", &info);
    if (!ps_process_object_type ||
        !NT_SUCCESS(ob_create_object(ps_process_object_type, NULL, KernelMode, 0, (void **)&PsInitialSystemProcess))) {
        fprintf(stderr, "ntbox: out of memory creating the System process\n");
        exit(1);
    }
    ps_process_init_header(PsInitialSystemProcess);
    PsInitialSystemProcess->id = 4;
    snprintf(PsInitialSystemProcess->image_name, sizeof PsInitialSystemProcess->image_name, "System");
    ps_process_list(PsInitialSystemProcess);
}

PEPROCESS ps_process_create(const char *image_name)
{
    PEPROCESS process;
    if (!NT_SUCCESS(ob_create_object(ps_process_object_type, NULL, KernelMode, 0, (void **)&process)))
        return NULL;
    ps_process_init_header(process);
    process->handles = ob_handle_table_create();
    if (!process->handles) {
        ob_dereference_object(process);
        return NULL;
    }
    process->id = ps_id_take(&ps_next_process_id);
    snprintf(process->image_name, sizeof process->image_name, "%s", image_name);
    ps_process_list(process);
    return process;
}

void ps_process_exit(PEPROCESS process)
{
    /* The exiting process's handles close in its own context, as the last
     * thread of a Windows process runs its handle table's rundown. */
    pthread_mutex_lock(&ps_processes_lock);
    RemoveEntryList(&process->link);
    pthread_mutex_unlock(&ps_processes_lock);
    PEPROCESS previous = ps_process_attach(process);
    ob_handle_table_destroy(process->handles);
    process->handles = NULL;
    ps_process_attach(previous);
    ke_dispatcher_lock();
    process->header.SignalState = 1;
    ke_dispatcher_signal(&process->header);
    ke_dispatcher_unlock();
    ob_dereference_object(process);
}

PEPROCESS ps_process_attach(PEPROCESS process)
{
    PEPROCESS previous = ps_current;
    ps_current = process;
    ob_set_current_handle_table(process ? process->handles : NULL);
    return previous;
}

PEPROCESS ps_system_process(void)
{
    return PsInitialSystemProcess;
}

ULONG ps_process_id(PEPROCESS process)
{
    return process->id;
}

const char *ps_process_name(PEPROCESS process)
{
    return process->image_name;
}

ULONG ps_thread_id(void)
{
    static __thread ULONG id;
    if (!id)
        id = ps_id_take(&ps_next_thread_id);
    return id;
}

NTKERNELAPI PEPROCESS NTAPI PsGetCurrentProcess(VOID)
{
    return ps_current ? ps_current : PsInitialSystemProcess;
}

NTKERNELAPI PEPROCESS NTAPI IoGetCurrentProcess(VOID)
{
    return PsGetCurrentProcess();
}

NTKERNELAPI HANDLE NTAPI PsGetProcessId(PEPROCESS Process)
{
    return (HANDLE)(ULONG_PTR)Process->id;
}

NTKERNELAPI HANDLE NTAPI PsGetCurrentProcessId(VOID)
{
    return PsGetProcessId(PsGetCurrentProcess());
}

/* A referenced pointer to the process with id ProcessId: STATUS_SUCCESS,
 * or STATUS_INVALID_CID when no process that has not exited has it (WDK,
 * PsLookupProcessByProcessId: Vista and later); IRQL <= APC_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process)
{
    NTSTATUS status = STATUS_INVALID_CID;

    pthread_mutex_lock(&ps_processes_lock);
    for (PLIST_ENTRY e = ps_processes.Flink; e != &ps_processes; e = e->Flink) {
        PEPROCESS process = CONTAINING_RECORD(e, struct _EPROCESS, link);
        if ((ULONG_PTR)ProcessId == process->id) {
            ObReferenceObject(process);
            *Process = process;
            status = STATUS_SUCCESS;
            break;
        }
    }
    pthread_mutex_unlock(&ps_processes_lock);
    return status;
}

NTKERNELAPI HANDLE NTAPI PsGetCurrentThreadId(VOID)
{
    return (HANDLE)(ULONG_PTR)ps_thread_id();
}

