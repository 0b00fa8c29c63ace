/* winsvc.h: the service control manager calls a client uses to install,
 * start, stop and remove its driver (the `sc create/start/stop/delete`
 * sequence). In ntbox a kernel driver service's binary path names the
 * driver ntbox loads: a .c/.cpp source, a .so or a .sys. */
#ifndef _WINSVC_
#define _WINSVC_

#include <ntbox/um_base.h>

NTBOX_BEGIN_DECLS

#define WINADVAPI DECLSPEC_IMPORT

#define SERVICES_ACTIVE_DATABASEW L"ServicesActive"
#define SERVICES_ACTIVE_DATABASEA "ServicesActive"

/* Access to the service control manager. */
#define SC_MANAGER_CONNECT            0x0001
#define SC_MANAGER_CREATE_SERVICE     0x0002
#define SC_MANAGER_ENUMERATE_SERVICE  0x0004
#define SC_MANAGER_LOCK               0x0008
#define SC_MANAGER_QUERY_LOCK_STATUS  0x0010
#define SC_MANAGER_MODIFY_BOOT_CONFIG 0x0020
#define SC_MANAGER_ALL_ACCESS         (STANDARD_RIGHTS_REQUIRED | 0x003F)

/* Access to a service. */
#define SERVICE_QUERY_CONFIG         0x0001
#define SERVICE_CHANGE_CONFIG        0x0002
#define SERVICE_QUERY_STATUS         0x0004
#define SERVICE_ENUMERATE_DEPENDENTS 0x0008
#define SERVICE_START                0x0010
#define SERVICE_STOP                 0x0020
#define SERVICE_PAUSE_CONTINUE       0x0040
#define SERVICE_INTERROGATE          0x0080
#define SERVICE_USER_DEFINED_CONTROL 0x0100
#define SERVICE_ALL_ACCESS           (STANDARD_RIGHTS_REQUIRED | 0x01FF)

/* Service types, start types and error control. */
#define SERVICE_KERNEL_DRIVER       0x00000001
#define SERVICE_FILE_SYSTEM_DRIVER  0x00000002
#define SERVICE_DRIVER              (SERVICE_KERNEL_DRIVER | SERVICE_FILE_SYSTEM_DRIVER)
#define SERVICE_WIN32_OWN_PROCESS   0x00000010
#define SERVICE_WIN32_SHARE_PROCESS 0x00000020
#define SERVICE_BOOT_START   0x00000000
#define SERVICE_SYSTEM_START 0x00000001
#define SERVICE_AUTO_START   0x00000002
#define SERVICE_DEMAND_START 0x00000003
#define SERVICE_DISABLED     0x00000004
#define SERVICE_ERROR_IGNORE   0x00000000
#define SERVICE_ERROR_NORMAL   0x00000001
#define SERVICE_ERROR_SEVERE   0x00000002
#define SERVICE_ERROR_CRITICAL 0x00000003

/* Controls, states and accepted controls. */
#define SERVICE_CONTROL_STOP        0x00000001
#define SERVICE_CONTROL_PAUSE       0x00000002
#define SERVICE_CONTROL_CONTINUE    0x00000003
#define SERVICE_CONTROL_INTERROGATE 0x00000004
#define SERVICE_CONTROL_SHUTDOWN    0x00000005
#define SERVICE_CONTROL_PARAMCHANGE 0x00000006
#define SERVICE_CONTROL_NETBINDADD     0x00000007
#define SERVICE_CONTROL_NETBINDREMOVE  0x00000008
#define SERVICE_CONTROL_NETBINDENABLE  0x00000009
#define SERVICE_CONTROL_NETBINDDISABLE 0x0000000A
#define SERVICE_STOPPED          0x00000001
#define SERVICE_START_PENDING    0x00000002
#define SERVICE_STOP_PENDING     0x00000003
#define SERVICE_RUNNING          0x00000004
#define SERVICE_CONTINUE_PENDING 0x00000005
#define SERVICE_PAUSE_PENDING    0x00000006
#define SERVICE_PAUSED           0x00000007
#define SERVICE_ACCEPT_STOP 0x00000001

typedef struct _SERVICE_STATUS {
    DWORD dwServiceType;
    DWORD dwCurrentState;
    DWORD dwControlsAccepted;
    DWORD dwWin32ExitCode;
    DWORD dwServiceSpecificExitCode;
    DWORD dwCheckPoint;
    DWORD dwWaitHint;
} SERVICE_STATUS, *LPSERVICE_STATUS;
C_ASSERT(sizeof(SERVICE_STATUS) == 28);

WINADVAPI SC_HANDLE WINAPI OpenSCManagerW(_In_opt_ LPCWSTR lpMachineName, _In_opt_ LPCWSTR lpDatabaseName,
                                          _In_ DWORD dwDesiredAccess);
WINADVAPI SC_HANDLE WINAPI OpenSCManagerA(_In_opt_ LPCSTR lpMachineName, _In_opt_ LPCSTR lpDatabaseName,
                                          _In_ DWORD dwDesiredAccess);
WINADVAPI SC_HANDLE WINAPI CreateServiceW(_In_ SC_HANDLE hSCManager, _In_ LPCWSTR lpServiceName,
                                          _In_opt_ LPCWSTR lpDisplayName, _In_ DWORD dwDesiredAccess,
                                          _In_ DWORD dwServiceType, _In_ DWORD dwStartType, _In_ DWORD dwErrorControl,
                                          _In_opt_ LPCWSTR lpBinaryPathName, _In_opt_ LPCWSTR lpLoadOrderGroup,
                                          _Out_opt_ LPDWORD lpdwTagId, _In_opt_ LPCWSTR lpDependencies,
                                          _In_opt_ LPCWSTR lpServiceStartName, _In_opt_ LPCWSTR lpPassword);
WINADVAPI SC_HANDLE WINAPI CreateServiceA(_In_ SC_HANDLE hSCManager, _In_ LPCSTR lpServiceName,
                                          _In_opt_ LPCSTR lpDisplayName, _In_ DWORD dwDesiredAccess,
                                          _In_ DWORD dwServiceType, _In_ DWORD dwStartType, _In_ DWORD dwErrorControl,
                                          _In_opt_ LPCSTR lpBinaryPathName, _In_opt_ LPCSTR lpLoadOrderGroup,
                                          _Out_opt_ LPDWORD lpdwTagId, _In_opt_ LPCSTR lpDependencies,
                                          _In_opt_ LPCSTR lpServiceStartName, _In_opt_ LPCSTR lpPassword);
WINADVAPI SC_HANDLE WINAPI OpenServiceW(_In_ SC_HANDLE hSCManager, _In_ LPCWSTR lpServiceName,
                                        _In_ DWORD dwDesiredAccess);
WINADVAPI SC_HANDLE WINAPI OpenServiceA(_In_ SC_HANDLE hSCManager, _In_ LPCSTR lpServiceName,
                                        _In_ DWORD dwDesiredAccess);
WINADVAPI BOOL WINAPI StartServiceW(_In_ SC_HANDLE hService, _In_ DWORD dwNumServiceArgs,
                                    _In_reads_opt_(dwNumServiceArgs) LPCWSTR *lpServiceArgVectors);
WINADVAPI BOOL WINAPI StartServiceA(_In_ SC_HANDLE hService, _In_ DWORD dwNumServiceArgs,
                                    _In_reads_opt_(dwNumServiceArgs) LPCSTR *lpServiceArgVectors);
WINADVAPI BOOL WINAPI ControlService(_In_ SC_HANDLE hService, _In_ DWORD dwControl,
                                     _Out_ LPSERVICE_STATUS lpServiceStatus);
WINADVAPI BOOL WINAPI QueryServiceStatus(_In_ SC_HANDLE hService, _Out_ LPSERVICE_STATUS lpServiceStatus);
WINADVAPI BOOL WINAPI DeleteService(_In_ SC_HANDLE hService);
WINADVAPI BOOL WINAPI CloseServiceHandle(_In_ SC_HANDLE hSCObject);

#ifdef UNICODE
#define OpenSCManager OpenSCManagerW
#define CreateService CreateServiceW
#define OpenService OpenServiceW
#define StartService StartServiceW
#else
#define OpenSCManager OpenSCManagerA
#define CreateService CreateServiceA
#define OpenService OpenServiceA
#define StartService StartServiceA
#endif

NTBOX_END_DECLS

#endif
