/* ke/irql.h: ntbox-internal view of the per-thread IRQL and of the spin
 * lock word, the two things every Ke/Ex synchronisation routine builds on.
 *
 * The IRQL lives in one __thread variable (defined in ke/irql.c); drivers
 * reach it through KeGetCurrentIrql & co, PE drivers later also through CR8
 * emulation; ntbox's own code uses the accessors below, which never check
 * anything: internal callers must not trip the driver-facing rules. */
#ifndef NTBOX_KE_IRQL_H
#define NTBOX_KE_IRQL_H

#include <ntddk.h>

extern __thread KIRQL ke_current_irql;

/* The processors holding DPCs this thread queued at DISPATCH_LEVEL or
 * above (ke/dpc.c), which run once its IRQL drops below DISPATCH_LEVEL:
 * the lowering wakes them with ke_dpc_release_held. */
extern __thread KAFFINITY ke_dpc_held;
void ke_dpc_release_held(void);

/* How many pageable regions are open to access: paged pool's pages
 * (ex/pool_special.c) and drivers' PAGE sections (mm/pageable.c); and what
 * makes them inaccessible when a thread raises to DISPATCH_LEVEL or above
 * (in the Microsoft ABI, so the exported routines that raise inline pay
 * no register saves for the call they rarely make). */
extern unsigned ke_pageable_open;
void __attribute__((ms_abi)) ke_pageable_trim(void);

static inline KIRQL ke_irql_get(void)
{
    return ke_current_irql;
}

static inline void ke_irql_set(KIRQL irql)
{
    ke_current_irql = irql;
    if (irql >= DISPATCH_LEVEL && __builtin_expect(__atomic_load_n(&ke_pageable_open, __ATOMIC_RELAXED) != 0, 0))
        ke_pageable_trim();
}

/* Where the current thread last raised its IRQL at a driver's request (the
 * return address of the driver's call), or NULL: a routine that returns
 * above the IRQL it was called at is charged to that statement. */
extern __thread const void *ke_irql_raised_at;

/* ke_irql_set for a driver's call at `at`, remembering it when it raises. */
static inline void ke_irql_set_by(KIRQL irql, const void *at)
{
    if (irql > ke_current_irql)
        ke_irql_raised_at = at;
    ke_irql_set(irql);
}

/* "DISPATCH_LEVEL" for 2, "HIGH_LEVEL" for 15, "IRQL 7" style otherwise
 * (static or thread-local storage; the last four "IRQL n" names of a thread
 * stay valid). */
const char *ke_irql_name(KIRQL irql);

/* The driver-facing raise and lower, with Driver Verifier's checks:
 * raising to a lower or invalid IRQL is bug check 0xC4/0x30, lowering to a
 * higher or invalid one 0xC4/0x31. routine names the exported routine the
 * driver called (for the report); at is its return address. */
KIRQL ke_irql_raise_checked(KIRQL new_irql, const char *routine, const void *at);
void ke_irql_lower_checked(KIRQL new_irql, const char *routine, const void *at);

/* The spin lock word (ke/spinlock.c), without IRQL changes: acquire spins
 * until the lock is free and stores the current thread's owner value in it;
 * acquiring a lock this thread already holds and releasing one it does not
 * hold are Driver Verifier's deadlock-detection bug checks (0xC4/0x1000,
 * 0x1007, 0x1004). */
void ke_spin_lock_acquire(PKSPIN_LOCK lock, const char *routine, const void *at);
void ke_spin_lock_release(PKSPIN_LOCK lock, const char *routine, const void *at);

/* The value the calling thread's spin locks hold while it owns them. */
ULONG_PTR ke_spin_owner_self(void);

#endif
