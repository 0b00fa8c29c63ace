/* loader/native.h: native drivers — C/C++ source compiled against ntbox's
 * headers into a shared object, or a prebuilt one, loaded with dlopen. */
#ifndef NTBOX_LOADER_NATIVE_H
#define NTBOX_LOADER_NATIVE_H

#include "loader/module.h"

#include <stdbool.h>
#include <stddef.h>

/* Loads DRIVER (a .c/.cpp source, compiled on the fly and cached, or a .so):
 * checks that every routine it imports is one the export table says ntbox
 * provides, maps it and finds DriverEntry. On failure returns NULL with a
 * message in err saying what was wrong and what to do (allow_missing only
 * changes that message: stubs are for .sys images). */
struct ldr_module *ldr_load_native(const char *path, bool allow_missing, char *err, size_t errn);

/* Unmaps the image and forgets it. */
void ldr_unload_native(struct ldr_module *m);

#endif
