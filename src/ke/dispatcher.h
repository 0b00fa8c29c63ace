/* ke/dispatcher.h: ntbox-internal core of the kernel's dispatcher objects:
 * the one lock over every object's state, each host thread's wait state,
 * signalling, and the wait itself (src/ke/wait.c). Events (src/ke/event.c),
 * mutexes (mutex.c), semaphores (semaphore.c), threads (ps/thread.c) and
 * timers (timer.c) are built on it.
 *
 * The model is Windows': every waitable object starts with a
 * DISPATCHER_HEADER whose SignalState says whether it is signalled and
 * whose WaitListHead lists KWAIT_BLOCKs, one per thread waiting on it. A
 * waiting thread's blocks point back at it (KWAIT_BLOCK.Thread is its
 * struct ke_thread, the KTHREAD) and carry the object's
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
#include <stdbool.h>

/* DISPATCHER_HEADER.Type: Windows' kernel object type codes (the EVENT_TYPE
 * values for events, 8 and 9 for the TIMER_TYPE values). */
enum ke_object_type {
    KE_EVENT_NOTIFICATION = 0,
    KE_EVENT_SYNCHRONIZATION = 1,
    KE_MUTANT = 2,
    KE_PROCESS = 3,
    KE_SEMAPHORE = 5,
    KE_THREAD = 6,
    KE_TIMER_NOTIFICATION = 8,
    KE_TIMER_SYNCHRONIZATION = 9,
};

/* System time (100 ns units since 1601-01-01 UTC) of the Unix epoch. */
#define KE_SYSTEM_TIME_OF_UNIX_EPOCH 116444736000000000LL

/* The base priority of the System process and of client processes
 * (NORMAL_PRIORITY_CLASS): a new thread's priority. */
#define KE_PROCESS_BASE_PRIORITY 8

/* How many fast and guarded mutexes a thread's record of held locks keeps
 * (reports only: more can be held). */
#define KE_HELD_LOCKS 16

struct ke_held_lock {
    const void *lock;
    const void *at; /* the acquiring call's return address */
};

/* A thread as the kernel core sees it: Windows' KTHREAD. It is the first
 * member of the thread object (ps/thread.c's ETHREAD), so a PKTHREAD, a
 * PETHREAD and a struct ke_thread * are one address, and the thread is
 * waitable: its header is signalled when it ends. Every host thread that
 * runs kernel code gets one the first time it needs it (ke_thread_current).
 * Wait fields, the header, mutants and priorities change under the
 * dispatcher lock; the APC disable counts and the held-lock record only
 * ever change on the thread itself (or, for a mutex a wait hands over,
 * while it is blocked in that wait). */
struct ke_thread {
    DISPATCHER_HEADER header;  /* Type KE_THREAD */
    pthread_cond_t wake;       /* signalled when wait_status is set */
    NTSTATUS wait_status;      /* STATUS_PENDING while a wait is unsatisfied */
    ULONG wait_count;          /* the wait's objects ... */
    PKWAIT_BLOCK wait_blocks;  /* ... and their blocks: builtin or the caller's */
    KWAIT_BLOCK builtin[THREAD_WAIT_OBJECTS];
    const void *wait_at;       /* the waiting call's return address; NULL when not waiting */
    LIST_ENTRY mutants;        /* the KMUTEXes it owns, by MutantListEntry */
    SHORT kernel_apc_disable;  /* 0, or minus the critical regions and mutexes held */
    SHORT special_apc_disable; /* 0, or minus the guarded regions (guarded mutexes) */
    KPRIORITY priority;
    KPRIORITY base_priority;
    KAFFINITY system_affinity; /* KeSetSystemAffinityThread(Ex)'s set; 0 when none */
    KPROCESSOR_MODE previous_mode; /* ExGetPreviousMode: the mode of the service it runs */
    ULONG held_count;          /* entries of held in use (may exceed KE_HELD_LOCKS) */
    struct ke_held_lock held[KE_HELD_LOCKS];
    /* For hang reports (ke/hang.c), read by its watchdog without stopping
     * the thread: what it is blocked in, and a count that changes
     * whenever it blocks or goes idle, so two looks that see the same
     * count saw one uninterrupted wait. */
    UCHAR wait_kind;           /* enum ke_wait_kind */
    UCHAR wait_lock_kind;      /* enum ke_lock_kind: what wait_lock is */
    BOOLEAN wait_forever;      /* the wait has no timeout */
    BOOLEAN idle;              /* a worker or DPC thread waiting for work, or ntbox waiting for a client */
    const char *wait_routine;  /* the exported routine that waits, NULL when ntbox's own */
    const void *wait_lock;     /* the lock a lock routine waits for (fast or guarded mutex, ERESOURCE, push lock) */
    const void *wait_frame;    /* the waiting call's frame, where the reports' stack walk starts */
    ULONG wait_serial;
    ULONG_PTR spin_token;      /* the value its spin locks hold (ke/spinlock.c) */
};

/* What a thread is blocked in, for hang reports. */
enum ke_wait_kind {
    KE_WAIT_NONE,
    KE_WAIT_OBJECTS,   /* ke_dispatcher_wait with objects or a delay */
    KE_WAIT_PUSH_LOCK, /* a push lock's futex: wait_lock */
    KE_WAIT_SPIN_LOCK, /* spinning on wait_lock, a KSPIN_LOCK someone holds */
};

/* The locks whose waits hang reports can follow to an owner. */
enum ke_lock_kind {
    KE_LOCK_NONE,
    KE_LOCK_GMUTEX,   /* a fast or guarded mutex (ke/guarded_mutex.h) */
    KE_LOCK_RESOURCE, /* an ERESOURCE */
    KE_LOCK_RUNDOWN,  /* an EX_RUNDOWN_REF being run down: no owner */
};

/* Names the exported routine (and the lock, for lock routines) behind the
 * calling thread's next ke_dispatcher_wait, for hang reports; the wait
 * forgets them as it returns. */
static inline void ke_wait_note(struct ke_thread *thread, const char *routine, UCHAR lock_kind, const void *lock)
{
    thread->wait_routine = routine;
    thread->wait_lock_kind = lock_kind;
    thread->wait_lock = lock;
}

/* Marks the thread blocked outside the dispatcher (kind: a push lock's
 * futex, a spin lock's spin) on lock by routine, called at `at`, for hang
 * reports; ke_thread_unblock when it goes on. */
static inline void ke_thread_block(struct ke_thread *thread, UCHAR kind, const char *routine, const void *lock,
                                   const void *at)
{
    thread->wait_routine = routine;
    thread->wait_lock_kind = KE_LOCK_NONE;
    thread->wait_lock = lock;
    thread->wait_at = at;
    thread->wait_frame = __builtin_frame_address(0);
    thread->wait_forever = TRUE;
    __atomic_store_n(&thread->wait_kind, kind, __ATOMIC_RELEASE);
    __atomic_add_fetch(&thread->wait_serial, 1, __ATOMIC_RELEASE);
}

static inline void ke_thread_unblock(struct ke_thread *thread)
{
    __atomic_store_n(&thread->wait_kind, KE_WAIT_NONE, __ATOMIC_RELEASE);
    thread->wait_at = NULL;
    thread->wait_lock = NULL;
    thread->wait_routine = NULL;
}

/* Marks the thread idle (waiting for work a hang report need not explain)
 * or busy again. */
static inline void ke_thread_set_idle(struct ke_thread *thread, bool idle)
{
    thread->idle = idle;
    __atomic_add_fetch(&thread->wait_serial, 1, __ATOMIC_RELEASE);
}

/* The calling thread's KTHREAD, NULL until it first needs one. */
extern __thread struct ke_thread *ke_thread_self;

/* Gives the calling host thread its thread object (ps/thread.c) and returns
 * it: DriverEntry's thread, a client's, any thread a test starts. */
struct ke_thread *NTAPI ke_thread_adopt(void);

/* The calling thread's KTHREAD, made on first use. Its address is what
 * ntbox stores where Windows stores a thread pointer (KWAIT_BLOCK.Thread,
 * IRP.Tail.Overlay.Thread, KMUTANT.OwnerThread). */
static inline struct ke_thread *ke_thread_current(void)
{
    struct ke_thread *thread = ke_thread_self;
    return __builtin_expect(thread != NULL, 1) ? thread : ke_thread_adopt();
}

/* Sets the calling thread's previous mode (ExGetPreviousMode) to that of
 * the system service it is entering, and returns the one to restore when
 * the service returns. */
KPROCESSOR_MODE ke_previous_mode_enter(KPROCESSOR_MODE mode);
void ke_previous_mode_leave(KPROCESSOR_MODE saved);

/* Initializes a new thread's kernel part: not signalled, priority and base
 * priority KE_PROCESS_BASE_PRIORITY, no regions, mutexes or affinity. */
void ke_thread_init(struct ke_thread *thread);
/* Releases what ke_thread_init made (the thread object's deletion). */
void ke_thread_destroy(struct ke_thread *thread);

/* Records and forgets a fast or guarded mutex the calling thread holds
 * (inline: the mutexes' fast paths use them); ke_held_lock_find returns
 * its record, or NULL. A lock released out of order closes its gap with
 * ke_held_lock_remove. */
void NTAPI ke_held_lock_remove(struct ke_thread *thread, const void *lock);
const struct ke_held_lock *ke_held_lock_find(const struct ke_thread *thread, const void *lock);

static inline void ke_held_lock_push(struct ke_thread *thread, const void *lock, const void *at)
{
    if (thread->held_count < KE_HELD_LOCKS)
        thread->held[thread->held_count] = (struct ke_held_lock){ lock, at };
    thread->held_count++;
}

static inline void ke_held_lock_pop(struct ke_thread *thread, const void *lock)
{
    ULONG n = thread->held_count;
    if (__builtin_expect(n <= KE_HELD_LOCKS && n && thread->held[n - 1].lock == lock, 1))
        thread->held_count = n - 1;
    else
        ke_held_lock_remove(thread, lock);
}

/* Under the lock: a wait on the mutant was satisfied for thread, which owns
 * it now (once more, when it owned it already). */
void ke_mutant_take(PKMUTANT mutant, struct ke_thread *thread);

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

/* The wait behind KeWaitForSingleObject, KeWaitForMultipleObjects and
 * every blocking lock, on `count` objects (0: only the timeout) with
 * `blocks` (count of them) for the wait list. Takes and releases the lock
 * itself. timeout: NULL forever, 0 only tests, negative relative, positive
 * absolute system time (100 ns units). at: the waiting call's return
 * address, kept for reports while the thread waits. Returns STATUS_WAIT_0
 * + index (WaitAny), STATUS_SUCCESS (WaitAll) or STATUS_TIMEOUT. The
 * caller has checked the IRQL and the count. */
NTSTATUS ke_dispatcher_wait(ULONG count, PVOID const objects[], WAIT_TYPE type, const LARGE_INTEGER *timeout,
                            PKWAIT_BLOCK blocks, const void *at);

/* The wait's IRQL rule (WDK, KeWaitForSingleObject): IRQL <= APC_LEVEL,
 * or DISPATCH_LEVEL with a zero timeout; broken, bug check 0xA naming
 * routine and object. */
void ke_wait_check_irql(const char *routine, const void *object, const LARGE_INTEGER *timeout, const void *at);

#endif
