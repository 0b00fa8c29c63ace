/* win32/service.c: the service control manager, for kernel driver
 * services: the database of installed drivers (case-insensitive names),
 * SC_HANDLEs with the access they were opened with, and start/stop through
 * the I/O manager's driver load and unload. Error codes are the ones the
 * Windows SCM returns for each case. */
#include "win32/win32.h"

#include "win32/service.h"

#include "base/diag.h"
#include "io/driver_load.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct win32_service {
    struct win32_service *next;
    char name[256];
    char image[4096];
    DWORD type, start_type;
    DWORD state;             /* SERVICE_STOPPED or SERVICE_RUNNING */
    DWORD exit_code;         /* dwWin32ExitCode */
    BOOL delete_pending;
    unsigned handles;        /* open SC_HANDLEs to it */
    struct io_driver *driver; /* while running */
};

enum win32_sc_kind { WIN32_SC_MANAGER = 0x4D435348, WIN32_SC_SERVICE = 0x56435348 };

struct SC_HANDLE__ {
    enum win32_sc_kind kind;
    ACCESS_MASK access;
    struct win32_service *service;
    struct SC_HANDLE__ *next;
};

static pthread_mutex_t win32_scm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct win32_service *win32_services;
static struct SC_HANDLE__ *win32_sc_handles;

static struct win32_service *win32_service_find(const char *name)
{
    for (struct win32_service *s = win32_services; s; s = s->next)
        if (strcasecmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* Returns the live handle of the given kind, or NULL (last error
 * ERROR_INVALID_HANDLE). Called with the lock held. */
static SC_HANDLE win32_sc_handle_check(SC_HANDLE h, enum win32_sc_kind kind)
{
    for (SC_HANDLE p = win32_sc_handles; p; p = p->next)
        if (p == h && p->kind == kind)
            return p;
    SetLastError(ERROR_INVALID_HANDLE);
    return NULL;
}

static SC_HANDLE win32_sc_handle_new(enum win32_sc_kind kind, ACCESS_MASK access, struct win32_service *s)
{
    SC_HANDLE h = calloc(1, sizeof *h);
    if (!h) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    h->kind = kind;
    h->access = access;
    h->service = s;
    h->next = win32_sc_handles;
    win32_sc_handles = h;
    if (s)
        s->handles++;
    return h;
}

/* A new database entry, stopped (never started) or running `driver`.
 * Called with the lock held. */
static struct win32_service *win32_service_add(const char *name, const char *image, DWORD type, DWORD start_type,
                                               struct io_driver *driver)
{
    struct win32_service *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->image, sizeof s->image, "%s", image);
    s->type = type;
    s->start_type = start_type;
    s->state = driver ? SERVICE_RUNNING : SERVICE_STOPPED;
    s->exit_code = driver ? ERROR_SUCCESS : ERROR_SERVICE_NEVER_STARTED;
    s->driver = driver;
    s->next = win32_services;
    win32_services = s;
    return s;
}

static void win32_service_forget(struct win32_service *s)
{
    for (struct win32_service **p = &win32_services; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            free(s);
            return;
        }
}

/* Generic rights as the SCM maps them for services. */
static ACCESS_MASK win32_service_access(DWORD desired)
{
    if (desired & (GENERIC_ALL | MAXIMUM_ALLOWED))
        desired |= SERVICE_ALL_ACCESS;
    if (desired & GENERIC_READ)
        desired |= READ_CONTROL | SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS | SERVICE_INTERROGATE |
                   SERVICE_ENUMERATE_DEPENDENTS;
    if (desired & GENERIC_WRITE)
        desired |= READ_CONTROL | SERVICE_CHANGE_CONFIG;
    if (desired & GENERIC_EXECUTE)
        desired |= READ_CONTROL | SERVICE_START | SERVICE_STOP | SERVICE_PAUSE_CONTINUE |
                   SERVICE_USER_DEFINED_CONTROL;
    return desired & ~(GENERIC_ALL | GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | MAXIMUM_ALLOWED);
}

/* The W forms convert to UTF-8 and call the A forms (ntbox's paths are
 * Linux paths). NULL stays NULL. */
static BOOL win32_narrow(LPCWSTR wide, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; wide[i]; i++) {
        unsigned c = wide[i];
        if (c >= 0xD800 && c < 0xDC00 && wide[i + 1] >= 0xDC00 && wide[i + 1] < 0xE000)
            c = 0x10000 + ((c - 0xD800) << 10) + (wide[++i] - 0xDC00);
        unsigned char b[4];
        size_t k;
        if (c < 0x80) {
            b[0] = (unsigned char)c, k = 1;
        } else if (c < 0x800) {
            b[0] = (unsigned char)(0xC0 | c >> 6), b[1] = (unsigned char)(0x80 | (c & 0x3F)), k = 2;
        } else if (c < 0x10000) {
            b[0] = (unsigned char)(0xE0 | c >> 12), b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (c & 0x3F)), k = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | c >> 18), b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)), b[3] = (unsigned char)(0x80 | (c & 0x3F)), k = 4;
        }
        if (o + k >= n) {
            SetLastError(ERROR_INVALID_NAME);
            return FALSE;
        }
        memcpy(out + o, b, k);
        o += k;
    }
    out[o] = 0;
    return TRUE;
}

/* Converts an optional wide argument; *narrow is NULL for a NULL one. */
static BOOL win32_narrow_opt(LPCWSTR wide, char *buf, size_t n, const char **narrow)
{
    *narrow = NULL;
    if (!wide)
        return TRUE;
    if (!win32_narrow(wide, buf, n))
        return FALSE;
    *narrow = buf;
    return TRUE;
}

SC_HANDLE WINAPI OpenSCManagerA(LPCSTR lpMachineName, LPCSTR lpDatabaseName, DWORD dwDesiredAccess)
{
    if (lpMachineName && lpMachineName[0]) {
        SetLastError(RPC_S_SERVER_UNAVAILABLE); /* only the local SCM exists */
        return NULL;
    }
    if (lpDatabaseName && strcasecmp(lpDatabaseName, SERVICES_ACTIVE_DATABASEA) != 0) {
        SetLastError(ERROR_DATABASE_DOES_NOT_EXIST);
        return NULL;
    }
    ACCESS_MASK access = dwDesiredAccess;
    if (access & (GENERIC_ALL | MAXIMUM_ALLOWED))
        access |= SC_MANAGER_ALL_ACCESS;
    if (access & GENERIC_READ)
        access |= READ_CONTROL | SC_MANAGER_ENUMERATE_SERVICE | SC_MANAGER_QUERY_LOCK_STATUS;
    if (access & GENERIC_WRITE)
        access |= READ_CONTROL | SC_MANAGER_CREATE_SERVICE | SC_MANAGER_MODIFY_BOOT_CONFIG;
    if (access & GENERIC_EXECUTE)
        access |= READ_CONTROL | SC_MANAGER_CONNECT | SC_MANAGER_LOCK;
    access |= SC_MANAGER_CONNECT;
    pthread_mutex_lock(&win32_scm_lock);
    SC_HANDLE h = win32_sc_handle_new(WIN32_SC_MANAGER, access, NULL);
    pthread_mutex_unlock(&win32_scm_lock);
    return h;
}

SC_HANDLE WINAPI OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess)
{
    char machine[256], database[256];
    const char *m, *d;
    if (!win32_narrow_opt(lpMachineName, machine, sizeof machine, &m) ||
        !win32_narrow_opt(lpDatabaseName, database, sizeof database, &d))
        return NULL;
    return OpenSCManagerA(m, d, dwDesiredAccess);
}

/* A service name is 1..256 characters without slashes. */
static BOOL win32_service_name_ok(LPCSTR name)
{
    if (!name || !name[0] || strlen(name) > 256 || strchr(name, '/') || strchr(name, '\\')) {
        SetLastError(ERROR_INVALID_NAME);
        return FALSE;
    }
    return TRUE;
}

SC_HANDLE WINAPI CreateServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, LPCSTR lpDisplayName,
                                DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                LPCSTR lpBinaryPathName, LPCSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                LPCSTR lpDependencies, LPCSTR lpServiceStartName, LPCSTR lpPassword)
{
    SC_HANDLE h = NULL;
    (void)lpDisplayName, (void)lpLoadOrderGroup, (void)lpDependencies, (void)lpServiceStartName, (void)lpPassword;

    pthread_mutex_lock(&win32_scm_lock);
    SC_HANDLE scm = win32_sc_handle_check(hSCManager, WIN32_SC_MANAGER);
    if (!scm)
        goto out;
    if (!(scm->access & SC_MANAGER_CREATE_SERVICE)) {
        SetLastError(ERROR_ACCESS_DENIED);
        goto out;
    }
    if (!win32_service_name_ok(lpServiceName))
        goto out;
    if (dwServiceType != SERVICE_KERNEL_DRIVER && dwServiceType != SERVICE_FILE_SYSTEM_DRIVER) {
        /* ntbox runs drivers only; a Win32 service has no process to run in. */
        SetLastError((dwServiceType & ~(SERVICE_WIN32_OWN_PROCESS | SERVICE_WIN32_SHARE_PROCESS)) ?
                     ERROR_INVALID_PARAMETER : ERROR_NOT_SUPPORTED);
        goto out;
    }
    if (dwStartType > SERVICE_DISABLED || dwErrorControl > SERVICE_ERROR_CRITICAL || !lpBinaryPathName ||
        !lpBinaryPathName[0] || strlen(lpBinaryPathName) >= sizeof win32_services->image) {
        SetLastError(ERROR_INVALID_PARAMETER);
        goto out;
    }
    struct win32_service *s = win32_service_find(lpServiceName);
    if (s) {
        SetLastError(s->delete_pending ? ERROR_SERVICE_MARKED_FOR_DELETE : ERROR_SERVICE_EXISTS);
        goto out;
    }
    s = win32_service_add(lpServiceName, lpBinaryPathName, dwServiceType, dwStartType, NULL);
    if (!s) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    if (lpdwTagId)
        *lpdwTagId = 0;
    h = win32_sc_handle_new(WIN32_SC_SERVICE, win32_service_access(dwDesiredAccess), s);
out:
    pthread_mutex_unlock(&win32_scm_lock);
    return h;
}

SC_HANDLE WINAPI CreateServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, LPCWSTR lpDisplayName,
                                DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl,
                                LPCWSTR lpBinaryPathName, LPCWSTR lpLoadOrderGroup, LPDWORD lpdwTagId,
                                LPCWSTR lpDependencies, LPCWSTR lpServiceStartName, LPCWSTR lpPassword)
{
    char name[1024], image[4096];
    const char *n, *i;
    (void)lpDisplayName, (void)lpLoadOrderGroup, (void)lpDependencies, (void)lpServiceStartName, (void)lpPassword;
    if (!win32_narrow_opt(lpServiceName, name, sizeof name, &n) ||
        !win32_narrow_opt(lpBinaryPathName, image, sizeof image, &i))
        return NULL;
    return CreateServiceA(hSCManager, n, NULL, dwDesiredAccess, dwServiceType, dwStartType, dwErrorControl, i, NULL,
                          lpdwTagId, NULL, NULL, NULL);
}

SC_HANDLE WINAPI OpenServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, DWORD dwDesiredAccess)
{
    SC_HANDLE h = NULL;
    pthread_mutex_lock(&win32_scm_lock);
    if (!win32_sc_handle_check(hSCManager, WIN32_SC_MANAGER) || !win32_service_name_ok(lpServiceName))
        goto out;
    struct win32_service *s = win32_service_find(lpServiceName);
    if (!s) {
        SetLastError(ERROR_SERVICE_DOES_NOT_EXIST);
        goto out;
    }
    h = win32_sc_handle_new(WIN32_SC_SERVICE, win32_service_access(dwDesiredAccess), s);
out:
    pthread_mutex_unlock(&win32_scm_lock);
    return h;
}

SC_HANDLE WINAPI OpenServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, DWORD dwDesiredAccess)
{
    char name[1024];
    const char *n;
    if (!win32_narrow_opt(lpServiceName, name, sizeof name, &n))
        return NULL;
    return OpenServiceA(hSCManager, n, dwDesiredAccess);
}

/* The service behind a handle opened with `access`, or NULL with the last
 * error set. Called with the lock held. */
static struct win32_service *win32_service_for(SC_HANDLE h, ACCESS_MASK access)
{
    if (!win32_sc_handle_check(h, WIN32_SC_SERVICE))
        return NULL;
    if ((h->access & access) != access) {
        SetLastError(ERROR_ACCESS_DENIED);
        return NULL;
    }
    return h->service;
}

/* How NtLoadDriver's failures reach the SCM's caller. */
static DWORD win32_load_error(NTSTATUS status)
{
    if (status == STATUS_OBJECT_NAME_NOT_FOUND)
        return ERROR_FILE_NOT_FOUND;
    if (status == STATUS_INVALID_IMAGE_FORMAT)
        return ERROR_BAD_EXE_FORMAT;
    return RtlNtStatusToDosError(status);
}

BOOL WINAPI StartServiceA(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCSTR *lpServiceArgVectors)
{
    char err[4096] = "";
    (void)dwNumServiceArgs, (void)lpServiceArgVectors; /* drivers take no arguments */

    pthread_mutex_lock(&win32_scm_lock);
    struct win32_service *s = win32_service_for(hService, SERVICE_START);
    DWORD error = ERROR_SUCCESS;
    if (!s)
        error = GetLastError();
    else if (s->delete_pending)
        error = ERROR_SERVICE_MARKED_FOR_DELETE;
    else if (s->start_type == SERVICE_DISABLED)
        error = ERROR_SERVICE_DISABLED;
    else if (s->state != SERVICE_STOPPED)
        error = ERROR_SERVICE_ALREADY_RUNNING;
    else
        s->state = SERVICE_START_PENDING; /* a concurrent start sees it running */
    pthread_mutex_unlock(&win32_scm_lock);
    if (error != ERROR_SUCCESS) {
        SetLastError(error);
        return FALSE;
    }
    /* DriverEntry runs without the SCM's lock: it may call back into it. */
    struct io_driver *driver = NULL;
    NTSTATUS status = io_driver_load(s->name, s->image, &driver, err, sizeof err);
    if (err[0])
        diag_note("StartService(%s): %s", s->name, err); /* the SCM's event log entry */
    if (!NT_SUCCESS(status) && driver)
        io_driver_release(driver);
    pthread_mutex_lock(&win32_scm_lock);
    s->driver = NT_SUCCESS(status) ? driver : NULL;
    s->state = NT_SUCCESS(status) ? SERVICE_RUNNING : SERVICE_STOPPED;
    s->exit_code = NT_SUCCESS(status) ? ERROR_SUCCESS : win32_load_error(status);
    error = s->exit_code;
    pthread_mutex_unlock(&win32_scm_lock);
    SetLastError(error);
    return error == ERROR_SUCCESS;
}

BOOL WINAPI StartServiceW(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCWSTR *lpServiceArgVectors)
{
    (void)lpServiceArgVectors;
    return StartServiceA(hService, dwNumServiceArgs, NULL);
}

static void win32_fill_status(const struct win32_service *s, LPSERVICE_STATUS st)
{
    memset(st, 0, sizeof *st);
    st->dwServiceType = s->type;
    st->dwCurrentState = s->state;
    st->dwControlsAccepted = s->state == SERVICE_RUNNING && io_driver_can_unload(s->driver) ? SERVICE_ACCEPT_STOP : 0;
    st->dwWin32ExitCode = s->exit_code;
}

/* The access right a control code needs; 0 for a code that is not
 * defined (ERROR_INVALID_PARAMETER). SERVICE_CONTROL_SHUTDOWN is the
 * system's to send, not ControlService's. */
static ACCESS_MASK win32_control_access(DWORD control)
{
    switch (control) {
    case SERVICE_CONTROL_STOP:
        return SERVICE_STOP;
    case SERVICE_CONTROL_INTERROGATE:
        return SERVICE_INTERROGATE;
    case SERVICE_CONTROL_PAUSE:
    case SERVICE_CONTROL_CONTINUE:
    case SERVICE_CONTROL_PARAMCHANGE:
    case SERVICE_CONTROL_NETBINDADD:
    case SERVICE_CONTROL_NETBINDREMOVE:
    case SERVICE_CONTROL_NETBINDENABLE:
    case SERVICE_CONTROL_NETBINDDISABLE:
        return SERVICE_PAUSE_CONTINUE;
    default:
        return control >= 128 && control <= 255 ? SERVICE_USER_DEFINED_CONTROL : 0;
    }
}

/* "The service control manager fills in the structure only when
 * GetLastError returns one of the following error codes: NO_ERROR,
 * ERROR_INVALID_SERVICE_CONTROL, ERROR_SERVICE_CANNOT_ACCEPT_CTRL, or
 * ERROR_SERVICE_NOT_ACTIVE" (ControlService). */
BOOL WINAPI ControlService(SC_HANDLE hService, DWORD dwControl, LPSERVICE_STATUS lpServiceStatus)
{
    ACCESS_MASK need = win32_control_access(dwControl);
    DWORD error = ERROR_SUCCESS;
    struct io_driver *driver = NULL;

    pthread_mutex_lock(&win32_scm_lock);
    struct win32_service *s = win32_service_for(hService, need);
    if (!s)
        error = GetLastError();
    else if (!need)
        error = ERROR_INVALID_PARAMETER;
    else if (s->state != SERVICE_RUNNING)
        error = ERROR_SERVICE_NOT_ACTIVE;
    else if (dwControl != SERVICE_CONTROL_STOP && dwControl != SERVICE_CONTROL_INTERROGATE)
        error = ERROR_INVALID_SERVICE_CONTROL; /* drivers cannot pause */
    else if (dwControl == SERVICE_CONTROL_STOP && !io_driver_can_unload(s->driver))
        error = ERROR_INVALID_SERVICE_CONTROL; /* no DriverUnload: it cannot be stopped */
    else if (dwControl == SERVICE_CONTROL_STOP) {
        s->state = SERVICE_STOP_PENDING;
        driver = s->driver;
    }
    if (s && !driver && (error == ERROR_SUCCESS || error == ERROR_SERVICE_NOT_ACTIVE ||
                         error == ERROR_INVALID_SERVICE_CONTROL))
        win32_fill_status(s, lpServiceStatus);
    pthread_mutex_unlock(&win32_scm_lock);
    if (error != ERROR_SUCCESS) {
        SetLastError(error);
        return FALSE;
    }
    if (driver) {
        /* DriverUnload runs without the SCM's lock; with files still open
         * it runs, and the driver is released, when the last one closes. */
        if (io_driver_unload(driver) == STATUS_SUCCESS)
            io_driver_release(driver);
        pthread_mutex_lock(&win32_scm_lock);
        s->driver = NULL;
        s->state = SERVICE_STOPPED;
        s->exit_code = ERROR_SUCCESS;
        win32_fill_status(s, lpServiceStatus);
        if (s->delete_pending && s->handles == 0)
            win32_service_forget(s);
        pthread_mutex_unlock(&win32_scm_lock);
    }
    return TRUE;
}

BOOL WINAPI QueryServiceStatus(SC_HANDLE hService, LPSERVICE_STATUS lpServiceStatus)
{
    pthread_mutex_lock(&win32_scm_lock);
    struct win32_service *s = win32_service_for(hService, SERVICE_QUERY_STATUS);
    if (s)
        win32_fill_status(s, lpServiceStatus);
    pthread_mutex_unlock(&win32_scm_lock);
    return s != NULL;
}

BOOL WINAPI DeleteService(SC_HANDLE hService)
{
    BOOL ok = FALSE;
    pthread_mutex_lock(&win32_scm_lock);
    struct win32_service *s = win32_service_for(hService, DELETE);
    if (s && s->delete_pending)
        SetLastError(ERROR_SERVICE_MARKED_FOR_DELETE);
    else if (s)
        ok = s->delete_pending = TRUE; /* gone when stopped and its last handle closes */
    pthread_mutex_unlock(&win32_scm_lock);
    return ok;
}

BOOL WINAPI CloseServiceHandle(SC_HANDLE hSCObject)
{
    pthread_mutex_lock(&win32_scm_lock);
    SC_HANDLE *p = &win32_sc_handles;
    while (*p && *p != hSCObject)
        p = &(*p)->next;
    SC_HANDLE h = *p;
    if (h) {
        *p = h->next;
        struct win32_service *s = h->service;
        if (s && --s->handles == 0 && s->delete_pending && s->state == SERVICE_STOPPED)
            win32_service_forget(s);
        free(h);
    } else {
        SetLastError(ERROR_INVALID_HANDLE);
    }
    pthread_mutex_unlock(&win32_scm_lock);
    return h != NULL;
}

BOOL win32_service_install_running(const char *name, const char *image, struct io_driver *driver)
{
    pthread_mutex_lock(&win32_scm_lock);
    struct win32_service *s =
        win32_service_find(name) ? NULL : win32_service_add(name, image, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                                                             driver);
    pthread_mutex_unlock(&win32_scm_lock);
    return s != NULL;
}

struct io_driver *win32_service_take_running(const char *name)
{
    struct io_driver *driver = NULL;
    pthread_mutex_lock(&win32_scm_lock);
    struct win32_service *s = win32_service_find(name);
    if (s && s->state == SERVICE_RUNNING) {
        driver = s->driver;
        s->driver = NULL;
        s->state = SERVICE_STOPPED;
        s->exit_code = ERROR_SUCCESS;
    }
    pthread_mutex_unlock(&win32_scm_lock);
    return driver;
}
