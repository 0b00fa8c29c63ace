/* ke/wait.c: the dispatcher core (see dispatcher.h) and the waits on it:
 * KeWaitForSingleObject, KeWaitForMultipleObjects, KeDelayExecutionThread.
 *
 * One host mutex guards every dispatcher object's state and every thread's
 * wait state, as the dispatcher database lock did on older Windows. A
 * waiting thread sleeps on its own condition variable; whoever signals an
 * object walks the object's wait list, satisfies what it can and wakes
 * those threads. Surprise: ntbox has no APCs or alerts, so WaitMode and
 * Alertable change nothing and no wait ends with STATUS_ALERTED or
 * STATUS_USER_APC, and KeDelayExecutionThread always sleeps the whole
 * interval. */
#include "ke/dispatcher.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "verifier/lock_order.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <time.h>

#define IRQL_NOT_LESS_OR_EQUAL 0x0A
#define MAXIMUM_WAIT_OBJECTS_EXCEEDED 0x0C

static pthread_mutex_t ke_dispatcher_mutex = PTHREAD_MUTEX_INITIALIZER;

void ke_dispatcher_lock(void)
{
    pthread_mutex_lock(&ke_dispatcher_mutex);
}

void ke_dispatcher_unlock(void)
{
    pthread_mutex_unlock(&ke_dispatcher_mutex);
}

void ke_dispatcher_init(DISPATCHER_HEADER *header, UCHAR type, UCHAR size_in_longs, LONG signal_state)
{
    header->Lock = 0;
    header->Type = type;
    header->Size = size_in_longs;
    header->SignalState = signal_state;
    InitializeListHead(&header->WaitListHead);
}

/* Whether the object would satisfy thread's wait now: a mutex also when
 * thread owns it already (it is acquired recursively). */
static bool ke_object_signaled(const DISPATCHER_HEADER *header, const struct ke_thread *thread)
{
    if (header->Type == KE_MUTANT && ((const KMUTANT *)header)->OwnerThread == (PKTHREAD)thread)
        return true;
    return header->SignalState > 0;
}

/* A satisfied wait's side effect on the object: a synchronization event
 * or timer resets, a semaphore's count drops, a mutex passes to thread; a
 * notification event or timer and a thread stay signalled. */
static void ke_object_satisfy(DISPATCHER_HEADER *header, struct ke_thread *thread)
{
    switch (header->Type) {
    case KE_EVENT_SYNCHRONIZATION:
    case KE_TIMER_SYNCHRONIZATION:
        header->SignalState = 0;
        break;
    case KE_SEMAPHORE:
        header->SignalState--;
        break;
    case KE_MUTANT:
        ke_mutant_take((PKMUTANT)header, thread);
        break;
    default:
        break;
    }
}

/* Takes the thread's blocks off their objects' lists and wakes it. */
static void ke_thread_unwait(struct ke_thread *thread, NTSTATUS status)
{
    for (ULONG i = 0; i < thread->wait_count; i++)
        RemoveEntryList(&thread->wait_blocks[i].WaitListEntry);
    thread->wait_count = 0;
    thread->wait_status = status;
    pthread_cond_signal(&thread->wake);
}

/* WaitAll: satisfied only when every object is signalled at once; then
 * every object is consumed. */
static bool ke_wait_all_satisfy(ULONG count, PVOID const objects[], struct ke_thread *thread)
{
    for (ULONG i = 0; i < count; i++)
        if (!ke_object_signaled(objects[i], thread))
            return false;
    for (ULONG i = 0; i < count; i++)
        ke_object_satisfy(objects[i], thread);
    return true;
}

/* Satisfies the wait now if it can: STATUS_WAIT_0 + the lowest signalled
 * index (WaitAny), STATUS_SUCCESS (WaitAll), else STATUS_PENDING. */
static NTSTATUS ke_wait_try(ULONG count, PVOID const objects[], WAIT_TYPE type, struct ke_thread *thread)
{
    if (type == WaitAll)
        return ke_wait_all_satisfy(count, objects, thread) ? STATUS_SUCCESS : STATUS_PENDING;
    for (ULONG i = 0; i < count; i++) {
        if (ke_object_signaled(objects[i], thread)) {
            ke_object_satisfy(objects[i], thread);
            return STATUS_WAIT_0 + (NTSTATUS)i;
        }
    }
    return STATUS_PENDING;
}

/* A WaitAll waiter's objects, from its blocks. */
static bool ke_thread_wait_all_satisfy(struct ke_thread *thread)
{
    PVOID objects[MAXIMUM_WAIT_OBJECTS];
    for (ULONG i = 0; i < thread->wait_count; i++)
        objects[i] = thread->wait_blocks[i].Object;
    return ke_wait_all_satisfy(thread->wait_count, objects, thread);
}

void ke_dispatcher_signal(DISPATCHER_HEADER *header)
{
    PLIST_ENTRY entry = header->WaitListHead.Flink;

    /* Only a positive state can satisfy a waiter here: a mutex's owner
     * never blocks on it (its wait is satisfied at once). */
    while (entry != &header->WaitListHead && header->SignalState > 0) {
        PKWAIT_BLOCK block = CONTAINING_RECORD(entry, KWAIT_BLOCK, WaitListEntry);
        struct ke_thread *thread = (struct ke_thread *)block->Thread;

        if (block->WaitType == WaitAny) {
            ke_object_satisfy(header, thread);
            ke_thread_unwait(thread, STATUS_WAIT_0 + block->WaitKey);
        } else if (ke_thread_wait_all_satisfy(thread)) {
            ke_thread_unwait(thread, STATUS_SUCCESS);
        } else {
            entry = entry->Flink;
            continue;
        }
        /* The woken thread's blocks left this list, the next entry maybe
         * with them: start over. Each pass removes one waiter at least. */
        entry = header->WaitListHead.Flink;
    }
}

/* The deadline of a nonzero timeout, on the clock it is measured by:
 * relative waits ignore changes of the system time, absolute ones follow
 * them (WDK, KeWaitForSingleObject). */
static clockid_t ke_deadline(LONGLONG timeout, struct timespec *deadline)
{
    if (timeout > 0) {
        LONGLONG unix_time = timeout - KE_SYSTEM_TIME_OF_UNIX_EPOCH;
        if (unix_time < 0)
            unix_time = 0;
        deadline->tv_sec = unix_time / 10000000;
        deadline->tv_nsec = (long)(unix_time % 10000000) * 100;
        return CLOCK_REALTIME;
    }
    /* Negated as unsigned: the most negative LONGLONG has no positive twin. */
    ULONGLONG interval = 0ULL - (ULONGLONG)timeout;
    clock_gettime(CLOCK_MONOTONIC, deadline);
    deadline->tv_sec += (time_t)(interval / 10000000);
    deadline->tv_nsec += (long)(interval % 10000000) * 100;
    if (deadline->tv_nsec >= 1000000000) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000;
    }
    return CLOCK_MONOTONIC;
}

NTSTATUS ke_dispatcher_wait(ULONG count, PVOID const objects[], WAIT_TYPE type, const LARGE_INTEGER *timeout,
                            PKWAIT_BLOCK blocks, const void *at)
{
    struct ke_thread *self = ke_thread_current();
    struct timespec deadline;
    clockid_t clock = CLOCK_MONOTONIC;

    if (timeout && timeout->QuadPart != 0)
        clock = ke_deadline(timeout->QuadPart, &deadline);

    ke_dispatcher_lock();
    NTSTATUS status = ke_wait_try(count, objects, type, self);
    if (status == STATUS_PENDING && timeout && timeout->QuadPart == 0)
        status = STATUS_TIMEOUT;
    if (status != STATUS_PENDING) {
        ke_wait_note(self, NULL, KE_LOCK_NONE, NULL);
        ke_dispatcher_unlock();
        return status;
    }

    for (ULONG i = 0; i < count; i++) {
        PKWAIT_BLOCK block = &blocks[i];
        DISPATCHER_HEADER *header = objects[i];
        block->WaitType = (UCHAR)type;
        block->BlockState = 0;
        block->WaitKey = (USHORT)i;
        block->SpareLong = 0;
        block->Thread = (PKTHREAD)self;
        block->Object = objects[i];
        block->SparePtr = NULL;
        InsertTailList(&header->WaitListHead, &block->WaitListEntry);
    }
    self->wait_blocks = blocks;
    self->wait_count = count;
    self->wait_status = STATUS_PENDING;
    self->wait_at = at;
    self->wait_frame = __builtin_frame_address(0);
    self->wait_forever = timeout == NULL;
    self->wait_kind = KE_WAIT_OBJECTS;
    __atomic_add_fetch(&self->wait_serial, 1, __ATOMIC_RELEASE);

    while (self->wait_status == STATUS_PENDING) {
        int rc = timeout ? pthread_cond_clockwait(&self->wake, &ke_dispatcher_mutex, clock, &deadline)
                         : pthread_cond_wait(&self->wake, &ke_dispatcher_mutex);
        if (rc == ETIMEDOUT && self->wait_status == STATUS_PENDING)
            ke_thread_unwait(self, STATUS_TIMEOUT);
    }
    status = self->wait_status;
    self->wait_at = NULL;
    self->wait_kind = KE_WAIT_NONE;
    ke_wait_note(self, NULL, KE_LOCK_NONE, NULL);
    ke_dispatcher_unlock();
    return status;
}

/* A wait that may block needs IRQL <= APC_LEVEL; at DISPATCH_LEVEL only a
 * zero timeout (a test of the state) is allowed, and nothing above (WDK,
 * KeWaitForSingleObject). Broken, Windows stops with IRQL_NOT_LESS_OR_EQUAL
 * when the scheduler runs at the raised IRQL; ntbox stops at the call,
 * blocking or not: P1 the object (array), P2 the IRQL, P3 0 (a read), P4
 * the caller. */
void ke_wait_check_irql(const char *routine, const void *object, const LARGE_INTEGER *timeout, const void *at)
{
    KIRQL irql = ke_irql_get();
    if (irql < DISPATCH_LEVEL || (irql == DISPATCH_LEVEL && timeout && timeout->QuadPart == 0))
        return;
    ke_bugcheck(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)object, irql, 0, (ULONG_PTR)at, at,
                "%s(0x%016llx) at %s with %s: a wait that can block needs IRQL <= APC_LEVEL; at DISPATCH_LEVEL "
                "only a zero timeout is allowed, and nothing above.",
                routine, (unsigned long long)(ULONG_PTR)object, ke_irql_name(irql),
                !timeout ? "no timeout (wait forever)" : irql > DISPATCH_LEVEL ? "a timeout" : "a nonzero timeout");
}

/* Waits until Object is signalled or Timeout passes; STATUS_SUCCESS or
 * STATUS_TIMEOUT (WDK, KeWaitForSingleObject). A wait for a mutex
 * acquires it: deadlock detection checks the order first.
 * FIXME: KeWaitForMultipleObjects' mutexes are not in the lock order. */
NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                     BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    PVOID objects[1] = { Object };
    const void *at = __builtin_return_address(0);
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;
    struct ke_thread *self = ke_thread_current();
    bool mutex = ((DISPATCHER_HEADER *)Object)->Type == KE_MUTANT;
    ke_wait_check_irql("KeWaitForSingleObject", Object, Timeout, at);
    ke_wait_note(self, "KeWaitForSingleObject", KE_LOCK_NONE, NULL);
    if (mutex)
        vf_lock_acquire(Object, VF_LOCK_MUTEX, at);
    NTSTATUS status = ke_dispatcher_wait(1, objects, WaitAny, Timeout, self->builtin, at);
    if (mutex && status != STATUS_SUCCESS)
        vf_lock_release(Object);
    return status;
}

/* Waits until any (WaitAny: STATUS_WAIT_0 + its index) or all (WaitAll:
 * STATUS_SUCCESS) of the objects are signalled, or Timeout passes
 * (STATUS_TIMEOUT). Without WaitBlockArray at most THREAD_WAIT_OBJECTS
 * objects, with one at most MAXIMUM_WAIT_OBJECTS; more is bug check 0xC
 * MAXIMUM_WAIT_OBJECTS_EXCEEDED, no parameters (WDK,
 * KeWaitForMultipleObjects; bug check 0xC reference). */
NTSTATUS NTAPI KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                                        KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                        PKWAIT_BLOCK WaitBlockArray)
{
    const void *at = __builtin_return_address(0);
    ULONG limit = WaitBlockArray ? MAXIMUM_WAIT_OBJECTS : THREAD_WAIT_OBJECTS;
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;

    if (Count > limit)
        ke_bugcheck(MAXIMUM_WAIT_OBJECTS_EXCEEDED, 0, 0, 0, 0, at,
                    "KeWaitForMultipleObjects(Count %u) %s a WaitBlockArray: at most %u objects (%s).", Count,
                    WaitBlockArray ? "with" : "without", limit,
                    WaitBlockArray ? "MAXIMUM_WAIT_OBJECTS" : "THREAD_WAIT_OBJECTS; pass a WaitBlockArray for more");
    struct ke_thread *self = ke_thread_current();
    ke_wait_check_irql("KeWaitForMultipleObjects", Object, Timeout, at);
    ke_wait_note(self, "KeWaitForMultipleObjects", KE_LOCK_NONE, NULL);
    return ke_dispatcher_wait(Count, Object, WaitType, Timeout, WaitBlockArray ? WaitBlockArray : self->builtin, at);
}

/* Puts the thread to sleep for Interval (negative: relative, positive: an
 * absolute system time; zero yields the processor) and returns
 * STATUS_SUCCESS; IRQL <= APC_LEVEL, else bug check 0xA as for a wait
 * (WDK, KeDelayExecutionThread). */
NTSTATUS NTAPI KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    const void *at = __builtin_return_address(0);
    KIRQL irql = ke_irql_get();
    (void)WaitMode;
    (void)Alertable;

    if (irql > APC_LEVEL)
        ke_bugcheck(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Interval, irql, 0, (ULONG_PTR)at, at,
                    "KeDelayExecutionThread at %s: a thread can sleep only at IRQL <= APC_LEVEL.",
                    ke_irql_name(irql));
    if (Interval->QuadPart == 0) {
        sched_yield();
        return STATUS_SUCCESS;
    }
    ke_wait_note(ke_thread_current(), "KeDelayExecutionThread", KE_LOCK_NONE, NULL);
    ke_dispatcher_wait(0, NULL, WaitAny, Interval, NULL, at);
    return STATUS_SUCCESS;
}
