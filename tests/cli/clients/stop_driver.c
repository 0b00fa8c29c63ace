/* A client that stops the driver ntbox runs through the service control
 * manager, as `sc stop NAME` would: argv[1] is the service's name. */
#include <windows.h>
#include <stdio.h>

static void Report(const char *what, BOOL ok, const SERVICE_STATUS *status)
{
    if (ok)
        printf("%s: ok, state %u\n", what, status->dwCurrentState);
    else
        printf("%s: error %u, state %u\n", what, GetLastError(), status->dwCurrentState);
}

int main(int argc, char **argv)
{
    SERVICE_STATUS status = { 0 };
    if (argc < 2)
        return 2;
    SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE service = OpenServiceA(scm, argv[1], SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS);
    if (!service) {
        printf("OpenService(%s): error %u\n", argv[1], GetLastError());
        return 1;
    }
    QueryServiceStatus(service, &status);
    printf("%s: state %u, controls accepted %u\n", argv[1], status.dwCurrentState, status.dwControlsAccepted);
    if (!StartServiceA(service, 0, NULL))
        printf("StartService: error %u\n", GetLastError());
    Report("ControlService(STOP)", ControlService(service, SERVICE_CONTROL_STOP, &status), &status);
    Report("ControlService(STOP) again", ControlService(service, SERVICE_CONTROL_STOP, &status), &status);
    CloseServiceHandle(service);
    CloseServiceHandle(scm);
    return 0;
}
