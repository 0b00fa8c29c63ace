/* tests/win32/test_service.c: the service control manager, for kernel
 * driver services, without loading any driver (tests/cli/client_scm.sh
 * starts and stops real ones): OpenSCManager, CreateService, OpenService,
 * StartService's failures, ControlService, QueryServiceStatus,
 * DeleteService and CloseServiceHandle, each error code Windows' SCM
 * returns. */
#include "ktest.h"

#include <windows.h>

#include <stdio.h>

static SC_HANDLE scm_all(void)
{
    return OpenSCManagerA(NULL, NULL, SC_MANAGER_ALL_ACCESS);
}

static SC_HANDLE create(SC_HANDLE scm, const char *name, DWORD access, DWORD start_type, const char *image)
{
    return CreateServiceA(scm, name, name, access, SERVICE_KERNEL_DRIVER, start_type, SERVICE_ERROR_NORMAL, image,
                          NULL, NULL, NULL, NULL, NULL);
}

#define EXPECT_ERROR(call, error) \
    do { \
        SetLastError(0xDEAD); \
        KT_FALSE(call); \
        KT_EQ_INT(GetLastError(), (error)); \
    } while (0)

/* OpenSCManager: the local machine and its active database; another
 * machine is unreachable (RPC_S_SERVER_UNAVAILABLE), another database
 * ERROR_DATABASE_DOES_NOT_EXIST. */
KT_TEST(OpenSCManager_machine_and_database)
{
    SC_HANDLE h = OpenSCManagerW(NULL, SERVICES_ACTIVE_DATABASEW, SC_MANAGER_CONNECT);
    KT_TRUE(h != NULL);
    KT_TRUE(CloseServiceHandle(h));
    h = OpenSCManagerA("", NULL, GENERIC_READ);
    KT_TRUE(h != NULL);
    KT_TRUE(CloseServiceHandle(h));
    EXPECT_ERROR(OpenSCManagerA("\\\\elsewhere", NULL, SC_MANAGER_CONNECT), RPC_S_SERVER_UNAVAILABLE);
    EXPECT_ERROR(OpenSCManagerA(NULL, "FailedDatabase", SC_MANAGER_CONNECT), ERROR_DATABASE_DOES_NOT_EXIST);
}

/* CreateService: the SCM handle must grant SC_MANAGER_CREATE_SERVICE
 * (ERROR_ACCESS_DENIED); a bad handle is ERROR_INVALID_HANDLE (a service
 * handle included); a bad name ERROR_INVALID_NAME; no binary
 * ERROR_INVALID_PARAMETER; a name in use (names ignore case)
 * ERROR_SERVICE_EXISTS. */
KT_TEST(CreateService_errors)
{
    SC_HANDLE scm = scm_all(), connect = OpenSCManagerA(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE s = create(scm, "DtCreate", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "/nonexistent/dt.sys");

    KT_TRUE(s != NULL);
    EXPECT_ERROR(create(connect, "DtCreate2", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"),
                 ERROR_ACCESS_DENIED);
    EXPECT_ERROR(create(NULL, "DtCreate2", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"), ERROR_INVALID_HANDLE);
    EXPECT_ERROR(create(s, "DtCreate2", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"), ERROR_INVALID_HANDLE);
    EXPECT_ERROR(create(scm, "", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"), ERROR_INVALID_NAME);
    EXPECT_ERROR(create(scm, "Dt/Slash", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"), ERROR_INVALID_NAME);
    EXPECT_ERROR(create(scm, "DtCreate2", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, NULL), ERROR_INVALID_PARAMETER);
    EXPECT_ERROR(create(scm, "DtCreate2", SERVICE_ALL_ACCESS, SERVICE_DISABLED + 1, "dt.sys"),
                 ERROR_INVALID_PARAMETER);
    EXPECT_ERROR(create(scm, "DtCreate", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"), ERROR_SERVICE_EXISTS);
    EXPECT_ERROR(create(scm, "DTCREATE", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"), ERROR_SERVICE_EXISTS);
    KT_TRUE(DeleteService(s));
    CloseServiceHandle(s);
    CloseServiceHandle(connect);
    CloseServiceHandle(scm);
}

/* OpenService: ERROR_SERVICE_DOES_NOT_EXIST for a name nobody created,
 * ERROR_INVALID_NAME for an empty one, ERROR_INVALID_HANDLE without an SCM
 * handle. */
KT_TEST(OpenService_errors)
{
    SC_HANDLE scm = scm_all();
    SC_HANDLE s = create(scm, "DtOpen", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys");
    SC_HANDLE again = OpenServiceW(scm, L"dtopen", SERVICE_QUERY_STATUS);

    KT_TRUE(again != NULL);
    EXPECT_ERROR(OpenServiceA(scm, "DtNoSuchService", SERVICE_ALL_ACCESS), ERROR_SERVICE_DOES_NOT_EXIST);
    EXPECT_ERROR(OpenServiceA(scm, "", SERVICE_ALL_ACCESS), ERROR_INVALID_NAME);
    EXPECT_ERROR(OpenServiceA(s, "DtOpen", SERVICE_ALL_ACCESS), ERROR_INVALID_HANDLE);
    EXPECT_ERROR(OpenServiceA((SC_HANDLE)0x1234, "DtOpen", SERVICE_ALL_ACCESS), ERROR_INVALID_HANDLE);
    DeleteService(s);
    CloseServiceHandle(again);
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
}

/* A new driver service is stopped, never started
 * (ERROR_SERVICE_NEVER_STARTED), accepts no control; querying needs
 * SERVICE_QUERY_STATUS. */
KT_TEST(QueryServiceStatus_new_service)
{
    SC_HANDLE scm = scm_all();
    SC_HANDLE s = create(scm, "DtQuery", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys");
    SC_HANDLE start_only = OpenServiceA(scm, "DtQuery", SERVICE_START);
    SERVICE_STATUS st;

    memset(&st, 0xA5, sizeof st);
    KT_TRUE(QueryServiceStatus(s, &st));
    KT_EQ_INT(st.dwServiceType, SERVICE_KERNEL_DRIVER);
    KT_EQ_INT(st.dwCurrentState, SERVICE_STOPPED);
    KT_EQ_INT(st.dwControlsAccepted, 0);
    KT_EQ_INT(st.dwWin32ExitCode, ERROR_SERVICE_NEVER_STARTED);
    KT_EQ_INT(st.dwServiceSpecificExitCode, 0);
    KT_EQ_INT(st.dwCheckPoint, 0);
    KT_EQ_INT(st.dwWaitHint, 0);
    EXPECT_ERROR(QueryServiceStatus(start_only, &st), ERROR_ACCESS_DENIED);
    EXPECT_ERROR(QueryServiceStatus(scm, &st), ERROR_INVALID_HANDLE);
    DeleteService(s);
    CloseServiceHandle(start_only);
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
}

/* ControlService on a stopped driver: SERVICE_CONTROL_STOP is
 * ERROR_SERVICE_NOT_ACTIVE, with the status filled in (the SCM fills it
 * for NO_ERROR, ERROR_INVALID_SERVICE_CONTROL,
 * ERROR_SERVICE_CANNOT_ACCEPT_CTRL and ERROR_SERVICE_NOT_ACTIVE only).
 * Each control needs its access right, checked first: STOP SERVICE_STOP,
 * INTERROGATE SERVICE_INTERROGATE, PAUSE SERVICE_PAUSE_CONTINUE, 128-255
 * SERVICE_USER_DEFINED_CONTROL; an undefined code is
 * ERROR_INVALID_PARAMETER. */
KT_TEST(ControlService_stopped_service)
{
    SC_HANDLE scm = scm_all();
    SC_HANDLE s = create(scm, "DtControl", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys");
    SC_HANDLE query = OpenServiceA(scm, "DtControl", SERVICE_QUERY_STATUS);
    SERVICE_STATUS st;

    memset(&st, 0xA5, sizeof st);
    EXPECT_ERROR(ControlService(s, SERVICE_CONTROL_STOP, &st), ERROR_SERVICE_NOT_ACTIVE);
    KT_EQ_INT(st.dwCurrentState, SERVICE_STOPPED);
    KT_EQ_INT(st.dwServiceType, SERVICE_KERNEL_DRIVER);
    EXPECT_ERROR(ControlService(s, SERVICE_CONTROL_INTERROGATE, &st), ERROR_SERVICE_NOT_ACTIVE);
    EXPECT_ERROR(ControlService(s, 200, &st), ERROR_SERVICE_NOT_ACTIVE);

    memset(&st, 0xA5, sizeof st);
    EXPECT_ERROR(ControlService(query, SERVICE_CONTROL_STOP, &st), ERROR_ACCESS_DENIED);
    KT_EQ_HEX(st.dwCurrentState, 0xA5A5A5A5);
    EXPECT_ERROR(ControlService(query, SERVICE_CONTROL_INTERROGATE, &st), ERROR_ACCESS_DENIED);
    EXPECT_ERROR(ControlService(query, SERVICE_CONTROL_PAUSE, &st), ERROR_ACCESS_DENIED);
    EXPECT_ERROR(ControlService(query, 200, &st), ERROR_ACCESS_DENIED);
    EXPECT_ERROR(ControlService(s, 0, &st), ERROR_INVALID_PARAMETER);
    EXPECT_ERROR(ControlService(s, 300, &st), ERROR_INVALID_PARAMETER);
    EXPECT_ERROR(ControlService(s, SERVICE_CONTROL_SHUTDOWN, &st), ERROR_INVALID_PARAMETER);
    EXPECT_ERROR(ControlService(scm, SERVICE_CONTROL_STOP, &st), ERROR_INVALID_HANDLE);
    DeleteService(s);
    CloseServiceHandle(query);
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
}

/* StartService's failures that need no driver: the handle must grant
 * SERVICE_START (ERROR_ACCESS_DENIED); a disabled service
 * ERROR_SERVICE_DISABLED; one marked for deletion
 * ERROR_SERVICE_MARKED_FOR_DELETE. */
KT_TEST(StartService_refused)
{
    SC_HANDLE scm = scm_all();
    SC_HANDLE s = create(scm, "DtStart", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys");
    SC_HANDLE disabled = create(scm, "DtDisabled", SERVICE_ALL_ACCESS, SERVICE_DISABLED, "dt.sys");
    SC_HANDLE query = OpenServiceA(scm, "DtStart", GENERIC_READ);

    EXPECT_ERROR(StartServiceA(query, 0, NULL), ERROR_ACCESS_DENIED);
    EXPECT_ERROR(StartServiceA(disabled, 0, NULL), ERROR_SERVICE_DISABLED);
    EXPECT_ERROR(StartServiceW(scm, 0, NULL), ERROR_INVALID_HANDLE);
    KT_TRUE(DeleteService(s));
    EXPECT_ERROR(StartServiceA(s, 0, NULL), ERROR_SERVICE_MARKED_FOR_DELETE);
    DeleteService(disabled);
    CloseServiceHandle(query);
    CloseServiceHandle(disabled);
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
}

/* StartService of a driver that cannot be loaded: NtLoadDriver's status
 * turned into a Win32 error, also the service's exit code: a missing file
 * ERROR_FILE_NOT_FOUND, a file that is no driver ERROR_BAD_EXE_FORMAT. The
 * SCM's event log line goes to stdout: run in a child. */
static void start_unloadable(void *arg)
{
    (void)arg;
    SC_HANDLE scm = scm_all();
    SC_HANDLE missing = create(scm, "DtMissing", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "/nonexistent/dt.sys");
    SC_HANDLE junk = create(scm, "DtJunk", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "/dev/null");
    SERVICE_STATUS st;

    BOOL ok = StartServiceA(missing, 0, NULL);
    QueryServiceStatus(missing, &st);
    printf("missing: %d error %u state %u exit %u\n", ok, (unsigned)GetLastError(), (unsigned)st.dwCurrentState,
           (unsigned)st.dwWin32ExitCode);
    ok = StartServiceA(junk, 0, NULL);
    QueryServiceStatus(junk, &st);
    printf("junk: %d error %u state %u exit %u\n", ok, (unsigned)GetLastError(), (unsigned)st.dwCurrentState,
           (unsigned)st.dwWin32ExitCode);
}

KT_TEST(StartService_driver_cannot_load)
{
    int status;
    const char *out = kt_run_child(start_unloadable, NULL, &status);
    char line[96];

    KT_EQ_INT(status, 0);
    snprintf(line, sizeof line, "missing: 0 error %u state %u exit %u\n", ERROR_FILE_NOT_FOUND, SERVICE_STOPPED,
             ERROR_FILE_NOT_FOUND);
    KT_CONTAINS(out, line);
    snprintf(line, sizeof line, "junk: 0 error %u state %u exit %u\n", ERROR_BAD_EXE_FORMAT, SERVICE_STOPPED,
             ERROR_BAD_EXE_FORMAT);
    KT_CONTAINS(out, line);
    KT_CONTAINS(out, "ntbox: StartService(DtMissing): ");
}

/* DeleteService: needs DELETE (ERROR_ACCESS_DENIED); a second time
 * ERROR_SERVICE_MARKED_FOR_DELETE; while handles are open the name stays
 * taken (CreateService: ERROR_SERVICE_MARKED_FOR_DELETE) and can be
 * opened; with the last handle closed the service is gone. */
KT_TEST(DeleteService_marks_then_removes)
{
    SC_HANDLE scm = scm_all();
    SC_HANDLE s = create(scm, "DtDelete", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys");
    SC_HANDLE query = OpenServiceA(scm, "DtDelete", SERVICE_QUERY_STATUS);

    EXPECT_ERROR(DeleteService(query), ERROR_ACCESS_DENIED);
    KT_TRUE(DeleteService(s));
    EXPECT_ERROR(DeleteService(s), ERROR_SERVICE_MARKED_FOR_DELETE);
    EXPECT_ERROR(create(scm, "DtDelete", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys"),
                 ERROR_SERVICE_MARKED_FOR_DELETE);
    SC_HANDLE third = OpenServiceA(scm, "DtDelete", SERVICE_QUERY_STATUS);
    KT_TRUE(third != NULL);
    CloseServiceHandle(third);
    CloseServiceHandle(query);
    CloseServiceHandle(s);
    EXPECT_ERROR(OpenServiceA(scm, "DtDelete", SERVICE_QUERY_STATUS), ERROR_SERVICE_DOES_NOT_EXIST);
    s = create(scm, "DtDelete", SERVICE_ALL_ACCESS, SERVICE_DEMAND_START, "dt.sys");
    KT_TRUE(s != NULL);
    DeleteService(s);
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
}

/* Generic rights map to the service rights: GENERIC_READ queries but does
 * not start; GENERIC_EXECUTE starts and stops but does not query. */
KT_TEST(OpenService_generic_access)
{
    SC_HANDLE scm = scm_all();
    SC_HANDLE s = create(scm, "DtGeneric", SERVICE_ALL_ACCESS, SERVICE_DISABLED, "dt.sys");
    SC_HANDLE read = OpenServiceA(scm, "DtGeneric", GENERIC_READ);
    SC_HANDLE execute = OpenServiceA(scm, "DtGeneric", GENERIC_EXECUTE);
    SERVICE_STATUS st;

    KT_TRUE(QueryServiceStatus(read, &st));
    EXPECT_ERROR(StartServiceA(read, 0, NULL), ERROR_ACCESS_DENIED);
    EXPECT_ERROR(QueryServiceStatus(execute, &st), ERROR_ACCESS_DENIED);
    EXPECT_ERROR(StartServiceA(execute, 0, NULL), ERROR_SERVICE_DISABLED);
    EXPECT_ERROR(ControlService(execute, SERVICE_CONTROL_STOP, &st), ERROR_SERVICE_NOT_ACTIVE);
    DeleteService(s);
    CloseServiceHandle(execute);
    CloseServiceHandle(read);
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
}

/* CloseServiceHandle: FALSE and ERROR_INVALID_HANDLE for a handle that is
 * not open (closed already, or never one). */
KT_TEST(CloseServiceHandle_bad_handle)
{
    SC_HANDLE scm = scm_all();
    KT_TRUE(CloseServiceHandle(scm));
    EXPECT_ERROR(CloseServiceHandle(scm), ERROR_INVALID_HANDLE);
    EXPECT_ERROR(CloseServiceHandle(NULL), ERROR_INVALID_HANDLE);
    EXPECT_ERROR(CloseServiceHandle((SC_HANDLE)0x1234), ERROR_INVALID_HANDLE);
}
