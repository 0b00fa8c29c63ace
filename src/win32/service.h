/* win32/service.h: the service control manager's database, for the ntbox
 * command: a driver `ntbox run` loads is an installed, running service, so
 * a client can open and stop it like one it installed itself. */
#ifndef NTBOX_WIN32_SERVICE_H
#define NTBOX_WIN32_SERVICE_H

#include "win32/win32.h"

struct io_driver;

/* Records a driver loaded outside the SCM as a running kernel driver
 * service. FALSE when a service of that name exists. */
BOOL win32_service_install_running(const char *name, const char *image, struct io_driver *driver);

/* The driver of a running service, now marked stopped, for the caller to
 * unload; NULL when the service is not running (a client stopped it). */
struct io_driver *win32_service_take_running(const char *name);

#endif
