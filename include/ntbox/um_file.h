/* ntbox/um_file.h: files and devices from user mode (kernel32's CreateFile
 * family), handles and the thread's last error. Each call goes through the
 * system service Windows uses (NtCreateFile, NtDeviceIoControlFile, ...)
 * with PreviousMode = UserMode, so the I/O manager probes and buffers
 * exactly as it does for a Windows program. */
#ifndef NTBOX_UM_FILE_H
#define NTBOX_UM_FILE_H

#include <ntbox/um_base.h>

NTBOX_BEGIN_DECLS

#define WINBASEAPI DECLSPEC_IMPORT

WINBASEAPI HANDLE WINAPI CreateFileW(_In_ LPCWSTR lpFileName, _In_ DWORD dwDesiredAccess, _In_ DWORD dwShareMode,
                                     _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                     _In_ DWORD dwCreationDisposition, _In_ DWORD dwFlagsAndAttributes,
                                     _In_opt_ HANDLE hTemplateFile);
WINBASEAPI HANDLE WINAPI CreateFileA(_In_ LPCSTR lpFileName, _In_ DWORD dwDesiredAccess, _In_ DWORD dwShareMode,
                                     _In_opt_ LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                     _In_ DWORD dwCreationDisposition, _In_ DWORD dwFlagsAndAttributes,
                                     _In_opt_ HANDLE hTemplateFile);
WINBASEAPI BOOL WINAPI DeviceIoControl(_In_ HANDLE hDevice, _In_ DWORD dwIoControlCode,
                                       _In_reads_bytes_opt_(nInBufferSize) LPVOID lpInBuffer, _In_ DWORD nInBufferSize,
                                       _Out_writes_bytes_to_opt_(nOutBufferSize, *lpBytesReturned) LPVOID lpOutBuffer,
                                       _In_ DWORD nOutBufferSize, _Out_opt_ LPDWORD lpBytesReturned,
                                       _Inout_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI ReadFile(_In_ HANDLE hFile, _Out_writes_bytes_to_opt_(nNumberOfBytesToRead, *lpNumberOfBytesRead)
                                LPVOID lpBuffer, _In_ DWORD nNumberOfBytesToRead,
                                _Out_opt_ LPDWORD lpNumberOfBytesRead, _Inout_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI WriteFile(_In_ HANDLE hFile, _In_reads_bytes_opt_(nNumberOfBytesToWrite) LPCVOID lpBuffer,
                                 _In_ DWORD nNumberOfBytesToWrite, _Out_opt_ LPDWORD lpNumberOfBytesWritten,
                                 _Inout_opt_ LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI CloseHandle(_In_ HANDLE hObject);
WINBASEAPI DWORD WINAPI GetLastError(VOID);
WINBASEAPI VOID WINAPI SetLastError(_In_ DWORD dwErrCode);
WINBASEAPI DWORD WINAPI GetCurrentProcessId(VOID);
WINBASEAPI DWORD WINAPI GetCurrentThreadId(VOID);

#ifdef UNICODE
#define CreateFile CreateFileW
#else
#define CreateFile CreateFileA
#endif

NTBOX_END_DECLS

#endif
