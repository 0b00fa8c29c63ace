/* ke/dispatcher.h: ntbox-internal core of the kernel's dispatcher objects:
 * the one lock over every object's state, each host thread's wait state,
 * signalling, and the wait itself (src/ke/wait.c). Events (src/ke/event.c)
 * are built on it; mutexes, semaphores, timers and threads add a type code
 * and their cases in wait.c's ke_object_signaled/ke_object_satisfy.
 *
 * The model is Windows': every waitable object starts with a
 * DISPATCHER_HEADER whose SignalState says whether it is signalled and
 * whose WaitListHead lists KWAIT_BLOCKs, one per thread waiting on it. A
 * waiting thread's blocks point back at it (KWAIT_BLOCK.Thread is the
 * struct ke_thread below, standing in for a KTHREAD) and carry the object's
 * index in the wait (WaitKey) and the wait's type (WaitAny or WaitAll).
 *
 * Rules for code that changes an object's state:
 *   ke_dispatcher_lock();
 *   h->SignalState = ...;          // raise it
 *   ke_dispatcher_signal(h);       // wakes every waiter it now satisfies
 *   ke_dispatcher_unlock();
 * Reading SignalState without the lock is fine for a snapshot
 * (KeReadStateEvent). Nothing here checks IRQL: the exported routines do. */
#ifndef NTBOX_KE_DISPATCHER_H
#define NTBOX_KE_DISPATCHER_H

#include <ntddk.h>

#include <pthread.h>

/* DISPATCHER_HEADER.Type: Windows' kernel object type codes (the EVENT_TYPE
 * values for events; mutants will be 2, semaphores 5, threads 6, timers 8
 * and 9). */
enum ke_object_type {
    KE_EVENT_NOTIFICATION = 0,
    KE_EVENT_SYNCHRONIZATION = 1,
};

/* System time (100 ns units since 1601-01-01 UTC) of the Unix epoch. */
#define KE_SYSTEM_TIME_OF_UNIX_EPOCH 116444736000000000LL

/* A host thread's wait state, one per thread (thread-local storage, so it
 * lives exactly as long as its thread). All fields but `wake` are read and
 * written under the dispatcher lock. */
struct ke_thread {
    pthread_cond_t wake;      /* signalled when wait_status is set */
    NTSTATUS wait_status;     /* STATUS_PENDING while a wait is unsatisfied */
    ULONG wait_count;         /* the wait's objects ... */
    PKWAIT_BLOCK wait_blocks; /* ... and their blocks: builtin or the caller's */
    KWAIT_BLOCK builtin[THREAD_WAIT_OBJECTS];
};

/* The calling thread's wait state. Its address is also what ntbox stores
 * where Windows stores a thread pointer (KWAIT_BLOCK.Thread,
 * IRP.Tail.Overlay.Thread) until thread objects exist: non-NULL and unique
 * among live threads. */
struct ke_thread *ke_thread_current(void);

void ke_dispatcher_lock(void);
void ke_dispatcher_unlock(void);

/* Initializes a dispatcher header as the Ke*Initialize* routines do: Type,
 * Size (the object's size in LONGs), SignalState, an empty wait list, the
 * other header bytes zero. */
void ke_dispatcher_init(DISPATCHER_HEADER *header, UCHAR type, UCHAR size_in_longs, LONG signal_state);

/* Under the lock, after the object's SignalState was raised: satisfies the
 * waits it can, in wait-list order (first come, first served), consuming
 * the object as its type requires (a synchronization event resets), and
 * wakes those threads. WaitAny waiters get STATUS_WAIT_0 + their index,
 * WaitAll waiters STATUS_SUCCESS once all their objects are signalled. */
void ke_dispatcher_signal(DISPATCHER_HEADER *header);

/* The wait behind KeWaitForSingleObject and KeWaitForMultipleObjects, on
 * `count` objects with `blocks` (count of them) for the wait list. Takes
 * and releases the lock itself. timeout: NULL forever, 0 only tests,
 * negative relative, positive absolute system time (100 ns units).
 * Returns STATUS_WAIT_0 + index (WaitAny), STATUS_SUCCESS (WaitAll) or
 * STATUS_TIMEOUT. The caller has checked the IRQL and the count. */
NTSTATUS ke_dispatcher_wait(ULONG count, PVOID const objects[], WAIT_TYPE type, const LARGE_INTEGER *timeout,
                            PKWAIT_BLOCK blocks);

#endif
