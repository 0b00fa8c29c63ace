/* ps/process.h: processes. DriverEntry, DriverUnload and system threads run
 * in the System process (PID 4), whose handle table is the kernel table;
 * each client program ntbox runs is a process of its own, with its own
 * handle table and process id, and its handles are closed when it exits
 * (IRP_MJ_CLEANUP and IRP_MJ_CLOSE reach the drivers then). */
#ifndef NTBOX_PS_PROCESS_H
#define NTBOX_PS_PROCESS_H

#include <ntddk.h>

/* A new client process named image_name ("client.exe"), with the next
 * process id; NULL when memory runs out. */
PEPROCESS ps_process_create(const char *image_name);

/* The process exits: every handle it holds is closed, in handle order;
 * then the process object goes. The calling thread must not be attached. */
void ps_process_exit(PEPROCESS process);

/* Runs the calling thread in process (NULL: the System process) until the
 * next call; returns the process it ran in before (NULL: System), for the
 * caller to go back to, as KeStackAttachProcess/KeUnstackDetachProcess. */
PEPROCESS ps_process_attach(PEPROCESS process);

PEPROCESS ps_system_process(void);
ULONG ps_process_id(PEPROCESS process);
const char *ps_process_name(PEPROCESS process);

/* The calling thread's id: a multiple of 4, fixed for the thread's life. */
ULONG ps_thread_id(void);

#endif
