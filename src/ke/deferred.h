/* ke/deferred.h: ntbox-internal side of deferred work: DPCs (ke/dpc.c),
 * timers (ke/timer.c) and work items (io/work_item.c), and the unload
 * check over all three. */
#ifndef NTBOX_KE_DEFERRED_H
#define NTBOX_KE_DEFERRED_H

#include <ntddk.h>

#include <stdbool.h>
#include <stdio.h>

struct ldr_module;

/* KeInsertQueueDpc without the export's bookkeeping: queues dpc with the
 * two system arguments unless it is queued already (then FALSE). at: where
 * the work was asked for (the KeInsertQueueDpc or KeSetTimer call), kept
 * for the unload report. */
BOOLEAN ke_dpc_insert(PKDPC dpc, PVOID arg1, PVOID arg2, const void *at);

/* KeSetTimerEx with the period in 100 ns units (0: one-shot). callback:
 * the driver routine an Ex timer calls on expiry, named in the unload
 * report; NULL for a KTIMER. at: where it was set. Returns whether the
 * timer was set already. */
BOOLEAN ke_timer_set(PKTIMER timer, LARGE_INTEGER due_time, ULONGLONG period, PKDPC dpc, const void *callback,
                     const void *at);
/* Whether the timer is set (in the timer queue). */
BOOLEAN ke_timer_is_set(PKTIMER timer);

/* Each writes one line per queued or running item of the module m to out
 * (a DPC or work item whose routine is in m; a set timer whose object or
 * DPC routine is in m) and returns how many it wrote. */
unsigned ke_dpc_describe_pending(const struct ldr_module *m, FILE *out);
unsigned ke_timer_describe_pending(const struct ldr_module *m, FILE *out);
unsigned io_work_describe_pending(const struct ldr_module *m, FILE *out);

/* For hang reports, whether deferred work may still wake a waiter: a timer
 * is set; a DPC is queued on a processor whose DPC thread is between
 * routines (one inside a routine is judged by its thread's state); a work
 * item is queued while a worker thread is between items. */
bool ke_timer_any_set(void);
bool ke_dpc_can_run(void);
bool io_work_can_run(void);

/* Returns once no IO_WORKITEM routine of module m runs: its device or
 * driver object is referenced until the routine returns, which keeps the
 * image loaded on Windows, so an unload waits for it. */
void io_work_wait_referenced(const struct ldr_module *m);

/* At a driver's unload: whether a timer of module m is still set, a DPC
 * of it queued or running, or a work item of it queued or running. If so,
 * *text (malloc'd, the caller frees it) describes each, one line apiece,
 * naming where it was set or queued. */
bool ke_driver_pending_work(const struct ldr_module *m, char **text);

#endif
