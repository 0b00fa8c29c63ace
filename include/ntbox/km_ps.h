/* ntbox/km_ps.h: processes and threads (Ps): who is running, and system
 * threads. A thread object is waitable: it is signalled when the thread
 * ends. */
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

/* The Thread object type. */
extern NTKERNELAPI POBJECT_TYPE *PsThreadType;

NTKERNELAPI NTSTATUS NTAPI PsCreateSystemThread(_Out_ PHANDLE ThreadHandle, _In_ ULONG DesiredAccess,
                                                _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                                _In_opt_ HANDLE ProcessHandle, _Out_opt_ PCLIENT_ID ClientId,
                                                _In_ PKSTART_ROUTINE StartRoutine, _In_opt_ PVOID StartContext);
NTKERNELAPI NTSTATUS NTAPI PsTerminateSystemThread(_In_ NTSTATUS ExitStatus);
NTKERNELAPI PETHREAD NTAPI PsGetCurrentThread(VOID);
NTKERNELAPI HANDLE NTAPI PsGetThreadId(_In_ PETHREAD Thread);
NTKERNELAPI HANDLE NTAPI PsGetThreadProcessId(_In_ PETHREAD Thread);
NTKERNELAPI BOOLEAN NTAPI PsIsSystemThread(_In_ PETHREAD Thread);
NTKERNELAPI NTSTATUS NTAPI PsLookupThreadByThreadId(_In_ HANDLE ThreadId, _Outptr_ PETHREAD *Thread);
NTKERNELAPI NTSTATUS NTAPI PsLookupProcessByProcessId(_In_ HANDLE ProcessId, _Outptr_ PEPROCESS *Process);

NTBOX_END_DECLS

#endif
