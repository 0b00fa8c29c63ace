/* ps/thread.h: thread objects (ETHREAD) for the rest of ntbox.
 *
 * Every host thread that runs kernel code has one: system threads from
 * PsCreateSystemThread, and any other host thread (the one that runs
 * DriverEntry, a client program's, a test's) from the first time it needs
 * one (ke_thread_current). A thread object is an object of the Thread type
 * whose body starts with the thread's KTHREAD (struct ke_thread), so it is
 * waitable: it is signalled when the thread ends. */
#ifndef NTBOX_PS_THREAD_H
#define NTBOX_PS_THREAD_H

#include "ke/dispatcher.h"

#include <stdbool.h>
#include <stddef.h>

struct ldr_module;

/* Makes the calling host thread's thread object, in the process it is
 * attached to (System unless a client's), and returns its KTHREAD. The
 * object goes (signalled, unreferenced) when the host thread exits. */
struct ke_thread *ps_thread_adopt(void);

/* The thread's list of the requests it made that are still running (the
 * I/O manager's, through IRP.ThreadListEntry; Windows' ETHREAD.IrpList).
 * When the thread ends, io_cancel_thread_io cancels them first. */
PLIST_ENTRY ps_thread_irp_list(PETHREAD thread);

/* Calls fn for every running thread, under the list's lock (fn must not
 * create or end threads). */
void ps_threads_visit(void (*fn)(struct ke_thread *thread, void *context), void *context);

/* The thread's id (PsGetThreadId), and for reports "system thread 12
 * (start routine worker in drv.c:20 ...) in process System (PID 4)" or
 * "thread 8 in process client.exe (PID 1004)"; returns buf. */
ULONG ps_thread_cid(const struct ke_thread *thread);
const char *ps_thread_describe(const struct ke_thread *thread, char *buf, size_t n);

/* At a driver's unload: whether system threads whose start routine is in
 * the driver's image m are still running. If so, *text (malloc'd, the
 * caller frees it) describes each, one line apiece: its id, its start
 * routine, and where it waits (the driver's source line) or that it runs. */
bool ps_driver_threads_running(const struct ldr_module *m, char **text);

#endif
