/* windows.h: ntbox's Win32-style client API, for Linux C programs that talk
 * to drivers running in ntbox the way Windows programs do: CreateFile on
 * \\.\Name, DeviceIoControl, ReadFile, WriteFile, CloseHandle, GetLastError,
 * and the service control manager calls that install, start and stop a
 * driver. Compile clients with -fshort-wchar so L"..." is UTF-16, as on
 * Windows; `ntbox run DRIVER --client PROGRAM.c` does that. */
#ifndef _WINDOWS_
#define _WINDOWS_

#include <ntdef.h>
#include <ntbox/access_rights.h>
#include <winerror.h>
#include <ntbox/um_base.h>
#include <ntbox/um_file.h>
#include <winioctl.h>
#include <winsvc.h>

#endif /* _WINDOWS_ */
