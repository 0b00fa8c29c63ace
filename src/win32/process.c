/* win32/process.c: who the client is. */
#include "win32/win32.h"

#include "ps/process.h"

DWORD WINAPI GetCurrentProcessId(VOID)
{
    return (DWORD)(ULONG_PTR)PsGetCurrentProcessId();
}

DWORD WINAPI GetCurrentThreadId(VOID)
{
    return ps_thread_id();
}
