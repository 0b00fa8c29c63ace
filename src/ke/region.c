/* ke/region.c: critical and guarded regions, the per-thread counts that
 * disable APCs: KeEnterCriticalRegion, KeLeaveCriticalRegion,
 * KeEnterGuardedRegion, KeLeaveGuardedRegion, KeAreApcsDisabled,
 * KeAreAllApcsDisabled.
 *
 * A critical region disables normal kernel APCs (KernelApcDisable drops by
 * one), a guarded region all APCs (SpecialApcDisable); regions nest. ntbox
 * delivers no APCs, so the counts only say what a driver may do: an
 * ERESOURCE or a push lock needs normal kernel APCs disabled, and a thread
 * must end with both counts back at 0 (ps/thread.c). Misuse is Driver
 * Verifier's bug check 0xC4: 0x11A/0x11B for entering or leaving above
 * APC_LEVEL, 0x3E for leaving a critical region the thread is not in. */
#include "ke/dispatcher.h"

#include "base/diag.h"
#include "ke/bugcheck.h"
#include "ke/irql.h"

static void ke_region_check_irql(ULONG subcode, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    if (irql > APC_LEVEL)
        ke_bugcheck(0xC4, subcode, irql, 0, 0, at, "%s at %s: callers must be at IRQL <= APC_LEVEL.", routine,
                    ke_irql_name(irql));
}

/* Disables normal kernel APCs for the calling thread until the matching
 * KeLeaveCriticalRegion; IRQL <= APC_LEVEL (WDK, KeEnterCriticalRegion). */
NTKERNELAPI VOID NTAPI KeEnterCriticalRegion(VOID)
{
    ke_region_check_irql(0x11A, "KeEnterCriticalRegion", __builtin_return_address(0));
    ke_thread_current()->kernel_apc_disable--;
}

/* Re-enables what the matching KeEnterCriticalRegion disabled; IRQL <=
 * APC_LEVEL (WDK, KeLeaveCriticalRegion). Outside a critical region: bug
 * check 0xC4/0x3E. */
NTKERNELAPI VOID NTAPI KeLeaveCriticalRegion(VOID)
{
    const void *at = __builtin_return_address(0);
    struct ke_thread *self = ke_thread_current();

    ke_region_check_irql(0x11B, "KeLeaveCriticalRegion", at);
    if (self->kernel_apc_disable >= 0)
        ke_bugcheck(0xC4, 0x3E, 0, 0, 0, at,
                    "KeLeaveCriticalRegion: the thread is not in a critical region (more leaves than enters).");
    self->kernel_apc_disable++;
}

/* Disables all APCs for the calling thread until the matching
 * KeLeaveGuardedRegion; IRQL <= APC_LEVEL (WDK, KeEnterGuardedRegion). */
NTKERNELAPI VOID NTAPI KeEnterGuardedRegion(VOID)
{
    ke_region_check_irql(0x11A, "KeEnterGuardedRegion", __builtin_return_address(0));
    ke_thread_current()->special_apc_disable--;
}

/* Leaves the innermost guarded region; IRQL <= APC_LEVEL (WDK,
 * KeLeaveGuardedRegion). Windows checks nothing more; a leave without an
 * enter is reported as a warning and leaves the count at 0. */
NTKERNELAPI VOID NTAPI KeLeaveGuardedRegion(VOID)
{
    const void *at = __builtin_return_address(0);
    struct ke_thread *self = ke_thread_current();

    ke_region_check_irql(0x11B, "KeLeaveGuardedRegion", at);
    if (self->special_apc_disable >= 0) {
        diag_warn("KeLeaveGuardedRegion called outside a guarded region (more leaves than enters)");
        return;
    }
    self->special_apc_disable++;
}

/* TRUE inside a critical or a guarded region; any IRQL (WDK,
 * KeAreApcsDisabled). */
NTKERNELAPI BOOLEAN NTAPI KeAreApcsDisabled(VOID)
{
    struct ke_thread *self = ke_thread_current();
    return self->kernel_apc_disable != 0 || self->special_apc_disable != 0;
}

/* TRUE inside a guarded region or at IRQL >= APC_LEVEL; any IRQL (WDK,
 * KeAreAllApcsDisabled). */
NTKERNELAPI BOOLEAN NTAPI KeAreAllApcsDisabled(VOID)
{
    return ke_thread_current()->special_apc_disable != 0 || ke_irql_get() >= APC_LEVEL;
}
