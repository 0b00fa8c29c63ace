/* ke/guarded_mutex.h: the lock under both fast mutexes (ex/fast_mutex.c)
 * and guarded mutexes (ke/guarded_mutex.c), which share FAST_MUTEX's
 * layout, as on Windows 8 and later.
 *
 * Count's bit 0 (FM_LOCK_BIT) is set while the mutex is free; the bits
 * above count blocked waiters, two per waiter. Acquiring clears the bit
 * with one atomic operation; a waiter that finds it clear adds itself and
 * sleeps on Event (a synchronization event); releasing sets the bit and, if
 * anyone waits, sets Event, and the woken waiter tries again. Owner is the
 * owning thread, so recursion (a self-deadlock on Windows) and releases by
 * another thread are caught, and reported with Driver Verifier's
 * deadlock-detection codes (0xC4: 0x1000, 0x1004, 0x1007). IRQL and APC
 * rules are the callers'. */
#ifndef NTBOX_KE_GUARDED_MUTEX_H
#define NTBOX_KE_GUARDED_MUTEX_H

#include "ke/dispatcher.h"
#include "verifier/lock_order.h"

#include <stdbool.h>

/* What each blocked waiter adds to Count. */
#define KE_GMUTEX_WAITER 2

/* Free, no owner, no contention, Event not signalled. */
void ke_gmutex_init(PKGUARDED_MUTEX mutex);

/* The out-of-line parts, NTAPI like the exported routines that call them,
 * so the fast paths (inline below) never pay for a change of calling
 * convention: the recursion report and the wait under contention; a
 * release by a thread that does not own the mutex. */
void NTAPI ke_gmutex_acquire_slow(PKGUARDED_MUTEX mutex, const char *routine, const void *at);
__attribute__((noreturn)) void NTAPI ke_gmutex_release_not_owner(PKGUARDED_MUTEX mutex, const char *routine,
                                                                  const void *at);

static inline void ke_gmutex_own(PKGUARDED_MUTEX mutex, struct ke_thread *self, const void *at)
{
    mutex->Owner = (PKTHREAD)self;
    ke_held_lock_push(self, mutex, at);
}

/* Blocks until the calling thread owns the mutex. routine and at (the
 * exported routine's return address) name the call in reports. */
static inline void ke_gmutex_acquire(PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    struct ke_thread *self = ke_thread_current();

    vf_lock_acquire(mutex, VF_LOCK_FAST_MUTEX, at);
    if (__builtin_expect(mutex->Owner == (PKTHREAD)self ||
                         !(__atomic_fetch_and(&mutex->Count, ~FM_LOCK_BIT, __ATOMIC_ACQUIRE) & FM_LOCK_BIT), 0))
        ke_gmutex_acquire_slow(mutex, routine, at);
    else
        ke_gmutex_own(mutex, self, at);
}

/* One attempt: true and the mutex owned, or false. */
static inline bool ke_gmutex_try(PKGUARDED_MUTEX mutex, const void *at)
{
    LONG old = __atomic_load_n(&mutex->Count, __ATOMIC_RELAXED);

    while (old & FM_LOCK_BIT)
        if (__atomic_compare_exchange_n(&mutex->Count, &old, old & ~FM_LOCK_BIT, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            ke_gmutex_own(mutex, ke_thread_current(), at);
            vf_lock_acquired_try(mutex, VF_LOCK_FAST_MUTEX, at);
            return true;
        }
    return false;
}

/* Releases a mutex the calling thread owns, waking a waiter if any. */
static inline void ke_gmutex_release(PKGUARDED_MUTEX mutex, const char *routine, const void *at)
{
    struct ke_thread *self = ke_thread_current();

    if (__builtin_expect(mutex->Owner != (PKTHREAD)self, 0))
        ke_gmutex_release_not_owner(mutex, routine, at);
    mutex->Owner = NULL;
    ke_held_lock_pop(self, mutex);
    vf_lock_release(mutex);
    if (__atomic_fetch_add(&mutex->Count, FM_LOCK_BIT, __ATOMIC_RELEASE) >= KE_GMUTEX_WAITER)
        KeSetEvent(&mutex->Event, 0, FALSE);
}

/* The Unsafe forms (fast and guarded): their rule, IRQL APC_LEVEL or below
 * it with APCs disabled (a critical or guarded region), else bug check
 * 0xC4/0x39 acquiring, 0x3A releasing; then the lock. */
void NTAPI ke_gmutex_acquire_unsafe(PKGUARDED_MUTEX mutex, const char *routine, const void *at);
void NTAPI ke_gmutex_release_unsafe(PKGUARDED_MUTEX mutex, const char *routine, const void *at);

#endif
