/* A client that installs, starts, uses, stops and deletes a driver of its
 * own (tests/cli/drivers/tracer.c), as `sc create`, `sc start`, `sc stop`
 * and `sc delete` would, stopping it while a file is open on it (its
 * DriverUnload runs when the file is closed); then one whose DriverEntry fails
 * (tests/cli/drivers/entry_fails.c, STATUS_OBJECT_NAME_COLLISION): its
 * StartService error is RtlNtStatusToDosError of that status. */
#include <windows.h>
#include <stdio.h>

static SC_HANDLE Install(SC_HANDLE scm, const char *name, const char *path)
{
    SC_HANDLE service = CreateServiceA(scm, name, name, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                       SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, path, NULL, NULL, NULL, NULL,
                                       NULL);
    printf("CreateService(%s): %s\n", name, service ? "ok" : "failed");
    return service;
}

static void Remove(SC_HANDLE service)
{
    printf("DeleteService: %s\n", DeleteService(service) ? "ok" : "failed");
    CloseServiceHandle(service);
}

int main(void)
{
    SERVICE_STATUS status;
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    SC_HANDLE service = Install(scm, "tracer", "tests/cli/drivers/tracer.c");
    if (!service)
        return 1;
    if (!StartServiceA(service, 0, NULL)) {
        printf("StartService(tracer): error %u\n", GetLastError());
        return 1;
    }
    QueryServiceStatus(service, &status);
    printf("tracer: state %u, controls accepted %u\n", status.dwCurrentState, status.dwControlsAccepted);
    printf("client: process %u\n", GetCurrentProcessId());
    HANDLE h = CreateFileA("\\\\.\\Tracer", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    char buffer[4];
    DWORD bytes;
    ReadFile(h, buffer, sizeof buffer, &bytes, NULL);
    /* Stopped with a file open: DriverUnload waits for it, and the device
     * takes no new file meanwhile. */
    printf("ControlService(STOP) with a file open: %s\n",
           ControlService(service, SERVICE_CONTROL_STOP, &status) ? "ok" : "failed");
    HANDLE again = CreateFileA("\\\\.\\Tracer", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    printf("opening \\\\.\\Tracer while it unloads: error %u\n", again == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    printf("client: closing the file\n");
    CloseHandle(h);
    h = CreateFileA("\\\\.\\Tracer", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    printf("opening \\\\.\\Tracer after the unload: error %u\n", h == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    Remove(service);

    service = Install(scm, "entry_fails", "tests/cli/drivers/entry_fails.c");
    if (!StartServiceA(service, 0, NULL))
        printf("StartService(entry_fails): error %u\n", GetLastError());
    QueryServiceStatus(service, &status);
    printf("entry_fails: state %u, exit code %u\n", status.dwCurrentState, status.dwWin32ExitCode);
    Remove(service);
    CloseServiceHandle(scm);
    return 0;
}
