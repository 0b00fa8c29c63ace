/* ntbox/km_ps.h: processes and threads (Ps): who is running. */
#ifndef NTBOX_KM_PS_H
#define NTBOX_KM_PS_H

#include <ntbox/km_types.h>

NTBOX_BEGIN_DECLS

typedef struct _OBJECT_TYPE *POBJECT_TYPE;

/* The Process object type, and the System process (PID 4), where
 * DriverEntry, DriverUnload and system threads run. */
extern NTKERNELAPI POBJECT_TYPE *PsProcessType;
extern NTKERNELAPI PEPROCESS PsInitialSystemProcess;

NTKERNELAPI PEPROCESS NTAPI PsGetCurrentProcess(VOID);
NTKERNELAPI PEPROCESS NTAPI IoGetCurrentProcess(VOID);
NTKERNELAPI HANDLE NTAPI PsGetProcessId(_In_ PEPROCESS Process);
NTKERNELAPI HANDLE NTAPI PsGetCurrentProcessId(VOID);
NTKERNELAPI HANDLE NTAPI PsGetCurrentThreadId(VOID);

NTBOX_END_DECLS

#endif
