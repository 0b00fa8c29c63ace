/* ke/thread.c: the kernel's part of a thread (struct ke_thread, Windows'
 * KTHREAD; see dispatcher.h): KeGetCurrentThread, KeQueryPriorityThread,
 * KeSetPriorityThread, KeSetBasePriorityThread.
 *
 * Surprise: priorities are bookkeeping. They are stored, returned and
 * reported exactly as Windows computes them, but the host schedules its
 * threads as it likes. */
#include "ke/dispatcher.h"

#include "ps/thread.h"

#include <string.h>

/* Windows' variable priority class: 1 to 15 (LOW_REALTIME_PRIORITY - 1). */
#define KE_LOWEST_VARIABLE_PRIORITY 1
#define KE_HIGHEST_VARIABLE_PRIORITY 15

__thread struct ke_thread *ke_thread_self;

struct ke_thread *NTAPI ke_thread_adopt(void)
{
    return ps_thread_adopt();
}

void ke_thread_init(struct ke_thread *thread)
{
    ke_dispatcher_init(&thread->header, KE_THREAD, (UCHAR)(sizeof *thread / sizeof(LONG)), 0);
    pthread_cond_init(&thread->wake, NULL);
    InitializeListHead(&thread->mutants);
    thread->priority = KE_PROCESS_BASE_PRIORITY;
    thread->base_priority = KE_PROCESS_BASE_PRIORITY;
}

void ke_thread_destroy(struct ke_thread *thread)
{
    pthread_cond_destroy(&thread->wake);
}

void NTAPI ke_held_lock_remove(struct ke_thread *thread, const void *lock)
{
    ULONG n = thread->held_count < KE_HELD_LOCKS ? thread->held_count : KE_HELD_LOCKS;

    for (ULONG i = n; i-- > 0;) {
        if (thread->held[i].lock == lock) {
            memmove(&thread->held[i], &thread->held[i + 1], (n - i - 1) * sizeof thread->held[0]);
            break;
        }
    }
    thread->held_count--;
}

const struct ke_held_lock *ke_held_lock_find(const struct ke_thread *thread, const void *lock)
{
    ULONG n = thread->held_count < KE_HELD_LOCKS ? thread->held_count : KE_HELD_LOCKS;

    for (ULONG i = 0; i < n; i++)
        if (thread->held[i].lock == lock)
            return &thread->held[i];
    return NULL;
}

/* The calling thread's KTHREAD; any IRQL (WDK, KeGetCurrentThread). */
NTKERNELAPI PKTHREAD NTAPI KeGetCurrentThread(VOID)
{
    return (PKTHREAD)ke_thread_current();
}

/* The thread's current priority; any IRQL (WDK, KeQueryPriorityThread). */
NTKERNELAPI KPRIORITY NTAPI KeQueryPriorityThread(PKTHREAD Thread)
{
    struct ke_thread *thread = (struct ke_thread *)Thread;
    ke_dispatcher_lock();
    KPRIORITY priority = thread->priority;
    ke_dispatcher_unlock();
    return priority;
}

/* Sets the thread's run-time priority (its base priority stays) and
 * returns the old one; IRQL <= DISPATCH_LEVEL (WDK, KeSetPriorityThread). */
NTKERNELAPI KPRIORITY NTAPI KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
    struct ke_thread *thread = (struct ke_thread *)Thread;
    ke_dispatcher_lock();
    KPRIORITY old = thread->priority;
    thread->priority = Priority;
    ke_dispatcher_unlock();
    return old;
}

/* Sets the base priority to the process's base priority plus Increment,
 * kept within the variable priority class (1 to 15), and the priority with
 * it; returns the previous increment, the old base minus the process's
 * base. PASSIVE_LEVEL (WDK, KeSetBasePriorityThread). */
NTKERNELAPI LONG NTAPI KeSetBasePriorityThread(PKTHREAD Thread, LONG Increment)
{
    struct ke_thread *thread = (struct ke_thread *)Thread;
    LONGLONG base = (LONGLONG)KE_PROCESS_BASE_PRIORITY + Increment;

    if (base < KE_LOWEST_VARIABLE_PRIORITY)
        base = KE_LOWEST_VARIABLE_PRIORITY;
    if (base > KE_HIGHEST_VARIABLE_PRIORITY)
        base = KE_HIGHEST_VARIABLE_PRIORITY;
    ke_dispatcher_lock();
    LONG old = thread->base_priority - KE_PROCESS_BASE_PRIORITY;
    thread->base_priority = (KPRIORITY)base;
    thread->priority = (KPRIORITY)base;
    ke_dispatcher_unlock();
    return old;
}
