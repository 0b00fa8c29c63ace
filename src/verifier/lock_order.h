/* verifier/lock_order.h: Driver Verifier's deadlock detection, the way
 * Linux's lockdep does it: the order in which locks are taken, learnt from
 * every acquisition, so that an inversion is reported the first time it is
 * seen, whether or not the two threads ever race this run.
 *
 * Each thread keeps the locks it holds (a stack, here, inline: the fast
 * paths of the locks push and pop it). Acquiring lock B while holding A
 * records the edge A -> B once, with both acquisitions' return addresses;
 * the first edge that closes a cycle (B -> A after A -> B, or a longer
 * one) is bug check 0xC4/0x1001, P1 the lock being acquired. Locks are
 * nodes by address: freeing the memory that holds one, or initializing it
 * again, forgets its edges (vf_lock_forget). The checks are the verifier's
 * deadlock group; with it off nothing is recorded. */
#ifndef NTBOX_VERIFIER_LOCK_ORDER_H
#define NTBOX_VERIFIER_LOCK_ORDER_H

#include "verifier/verifier.h"

#include <stddef.h>

enum vf_lock_kind {
    VF_LOCK_SPIN,       /* KSPIN_LOCK, also in-stack queued */
    VF_LOCK_RW_SPIN,    /* EX_SPIN_LOCK */
    VF_LOCK_FAST_MUTEX, /* FAST_MUTEX and KGUARDED_MUTEX */
    VF_LOCK_MUTEX,      /* KMUTEX */
    VF_LOCK_RESOURCE,   /* ERESOURCE */
    VF_LOCK_PUSH,       /* EX_PUSH_LOCK */
};

/* Held locks a thread's record keeps (more can be held; those are not
 * checked). */
#define VF_LOCK_HELD_MAX 32

struct vf_held_lock {
    const void *lock;
    const void *at; /* the acquiring call's return address */
    enum vf_lock_kind kind;
};

struct vf_lock_stack {
    unsigned count; /* may exceed VF_LOCK_HELD_MAX */
    struct vf_held_lock held[VF_LOCK_HELD_MAX];
};

extern __thread struct vf_lock_stack vf_lock_held;
/* Edges recorded and not yet forgotten, or ever since (a hint: zero means
 * there is nothing to forget). */
extern unsigned vf_lock_edges_used;

/* The out-of-line parts: checking the new lock against those held, the
 * release of a lock that is not the last taken, forgetting a range. In
 * the Microsoft ABI, as the exported routines whose inline fast paths call
 * them: a call in the other convention would cost those routines saves of
 * the registers it clobbers, taken or not. */
#define VF_LOCK_ABI __attribute__((ms_abi))
void VF_LOCK_ABI vf_lock_order_check(const void *lock, enum vf_lock_kind kind, const void *at);
void VF_LOCK_ABI vf_lock_release_slow(const void *lock);
void VF_LOCK_ABI vf_lock_forget_range(const void *start, size_t size);

/* Before a blocking acquisition (a deadlock would block in it): checks the
 * order against the locks held, then records the lock as held. Locks are
 * named by address (volatile for the lock words declared so). Recursion
 * (a lock held already) adds nothing to the order. */
static inline void vf_lock_acquire(const volatile void *lock, enum vf_lock_kind kind, const void *at)
{
    if (!vf_enabled(VF_DEADLOCK))
        return;
    struct vf_lock_stack *s = &vf_lock_held;
    unsigned n = s->count;
    if (__builtin_expect(n != 0, 0))
        vf_lock_order_check((const void *)lock, kind, at);
    if (n < VF_LOCK_HELD_MAX)
        s->held[n] = (struct vf_held_lock){ (const void *)lock, at, kind };
    s->count = n + 1;
}

/* After a successful try (which cannot deadlock): held, no order checked. */
static inline void vf_lock_acquired_try(const volatile void *lock, enum vf_lock_kind kind, const void *at)
{
    if (!vf_enabled(VF_DEADLOCK))
        return;
    struct vf_lock_stack *s = &vf_lock_held;
    unsigned n = s->count;
    if (n < VF_LOCK_HELD_MAX)
        s->held[n] = (struct vf_held_lock){ (const void *)lock, at, kind };
    s->count = n + 1;
}

/* The lock is no longer held by this thread (released, or a blocking
 * acquisition that failed). A lock not in the record (taken while the
 * group was off, or by another thread) is ignored. */
static inline void vf_lock_release(const volatile void *lock)
{
    struct vf_lock_stack *s = &vf_lock_held;
    unsigned n = s->count;
    if (__builtin_expect(n != 0 && n <= VF_LOCK_HELD_MAX && s->held[n - 1].lock == (const void *)lock, 1))
        s->count = n - 1;
    else if (n)
        vf_lock_release_slow((const void *)lock);
}

/* [start, start + size) no longer holds the locks it held (freed memory,
 * an unloaded image, a lock initialized again): their edges go. */
static inline void vf_lock_forget(const volatile void *start, size_t size)
{
    if (__atomic_load_n(&vf_lock_edges_used, __ATOMIC_RELAXED))
        vf_lock_forget_range((const void *)start, size);
}

#endif
