/* ke/irql.c: the per-thread IRQL: KeGetCurrentIrql, KfRaiseIrql (under the
 * KeRaiseIrql macro), KeLowerIrql, KeRaiseIrqlToDpcLevel,
 * KeRaiseIrqlToSynchLevel.
 *
 * Surprise: nothing is masked. IRQL is a number per host thread that the
 * kernel's rules are checked against (what may be called, what may wait,
 * what may touch pageable memory); misuse is reported the way Driver
 * Verifier reports it, bug check 0xC4 with subcode 0x30 or 0x31, while its
 * irql group is on; without it the IRQL just changes, as a write of CR8
 * does on Windows. A value above HIGH_LEVEL is refused either way: CR8
 * cannot hold it. */
#include "ke/irql.h"

#include "ex/pool.h"
#include "ke/bugcheck.h"
#include "mm/pageable.h"
#include "verifier/verifier.h"

#include <stdio.h>

__thread KIRQL ke_current_irql;
__thread const void *ke_irql_raised_at;
unsigned ke_pageable_open;

void __attribute__((ms_abi)) ke_pageable_trim(void)
{
    if (__atomic_load_n(&ex_paged_open, __ATOMIC_RELAXED))
        ex_paged_trim();
    mm_pageable_trim();
}

#define KE_IRQL_NAME_SLOTS 4

const char *ke_irql_name(KIRQL irql)
{
    static __thread char names[KE_IRQL_NAME_SLOTS][12];
    static __thread unsigned next;

    switch (irql) {
    case PASSIVE_LEVEL: return "PASSIVE_LEVEL";
    case APC_LEVEL: return "APC_LEVEL";
    case DISPATCH_LEVEL: return "DISPATCH_LEVEL";
    case CMCI_LEVEL: return "CMCI_LEVEL";
    case CLOCK_LEVEL: return "CLOCK_LEVEL";
    case IPI_LEVEL: return "IPI_LEVEL";
    case HIGH_LEVEL: return "HIGH_LEVEL";
    default: break;
    }
    /* Rotating slots, so one report can name two odd levels. */
    char *name = names[next++ % KE_IRQL_NAME_SLOTS];
    snprintf(name, sizeof names[0], "IRQL %u", irql);
    return name;
}

KIRQL ke_irql_raise_checked(KIRQL new_irql, const char *routine, const void *at)
{
    KIRQL old = ke_current_irql;

    if (new_irql > HIGH_LEVEL)
        ke_bugcheck(0xC4, 0x30, old, new_irql, 0, at, "%s(%u) at %s: %u is not an IRQL (HIGH_LEVEL is 15).",
                    routine, new_irql, ke_irql_name(old), new_irql);
    if (new_irql < old && vf_enabled(VF_IRQL))
        ke_bugcheck(0xC4, 0x30, old, new_irql, 0, at,
                    "%s(%s) at %s: raising cannot lower the IRQL (KeLowerIrql does that).", routine,
                    ke_irql_name(new_irql), ke_irql_name(old));
    ke_irql_set_by(new_irql, at);
    return old;
}

void ke_irql_lower_checked(KIRQL new_irql, const char *routine, const void *at)
{
    KIRQL old = ke_current_irql;

    if (new_irql > HIGH_LEVEL)
        ke_bugcheck(0xC4, 0x31, old, new_irql, 0, at, "%s(%u) at %s: %u is not an IRQL (HIGH_LEVEL is 15).",
                    routine, new_irql, ke_irql_name(old), new_irql);
    if (new_irql > old && vf_enabled(VF_IRQL))
        ke_bugcheck(0xC4, 0x31, old, new_irql, 0, at,
                    "%s(%s) at %s: lowering cannot raise the IRQL (KeRaiseIrql does that).", routine,
                    ke_irql_name(new_irql), ke_irql_name(old));
    ke_irql_set_by(new_irql, at);
    if (__builtin_expect(ke_dpc_held != 0, 0) && new_irql < DISPATCH_LEVEL)
        ke_dpc_release_held();
}

/* The current processor's IRQL, here the current thread's (WDK,
 * KeGetCurrentIrql); any IRQL. */
KIRQL NTAPI KeGetCurrentIrql(VOID)
{
    return ke_current_irql;
}

/* Raises to NewIrql, returns the old IRQL; NewIrql must be >= the current
 * IRQL and a valid IRQL, else 0xC4/0x30 (WDK, KeRaiseIrql; bug check 0xC4
 * reference, subcode 0x30). */
KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql)
{
    return ke_irql_raise_checked(NewIrql, "KeRaiseIrql", __builtin_return_address(0));
}

/* Restores the IRQL KeRaiseIrql returned; NewIrql must be <= the current
 * IRQL, else 0xC4/0x31 (WDK, KeLowerIrql; bug check 0xC4, subcode 0x31). */
VOID NTAPI KeLowerIrql(KIRQL NewIrql)
{
    ke_irql_lower_checked(NewIrql, "KeLowerIrql", __builtin_return_address(0));
}

/* Raises to DISPATCH_LEVEL, returns the old IRQL; caller at <=
 * DISPATCH_LEVEL (WDK, KeRaiseIrqlToDpcLevel). */
KIRQL NTAPI KeRaiseIrqlToDpcLevel(VOID)
{
    return ke_irql_raise_checked(DISPATCH_LEVEL, "KeRaiseIrqlToDpcLevel", __builtin_return_address(0));
}

/* Raises to SYNCH_LEVEL (12 on x64), returns the old IRQL; caller at <=
 * SYNCH_LEVEL (WDK, KeRaiseIrqlToSynchLevel). */
KIRQL NTAPI KeRaiseIrqlToSynchLevel(VOID)
{
    return ke_irql_raise_checked(SYNCH_LEVEL, "KeRaiseIrqlToSynchLevel", __builtin_return_address(0));
}
