/* loader/native.c: native drivers (see native.h): compiled by
 * loader/compile.c with the driver profile, checked against the export
 * table, mapped with dlopen. */
#include "loader/native.h"

#include "loader/compile.h"
#include "loader/elf_got.h"
#include "loader/elf_imports.h"
#include "loader/exports.h"
#include "loader/pe_load.h"
#include "verifier/verifier.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A native driver binds to what the dynamic linker finds for each name, so
 * an import is provided when the export table implements it and the name
 * resolves to that implementation inside ntbox: never to the host C library,
 * whose ABI and semantics are not the kernel's (a C runtime routine the
 * table maps to an rtl_crt_ routine is provided to .sys drivers only; native
 * drivers link their C runtime from src/crt). The client API (CreateFileW,
 * DeviceIoControl...) resolves inside ntbox too, for client programs: a
 * driver importing it is refused all the same. A variable the WDK declares
 * as a pointer to the kernel's (PsProcessType) binds to ntbox's pointer of
 * that name, whose value is the row's address (what a .sys's slot holds). */
static void ldr_check_import(const char *name, void *ctx)
{
    struct ldr_missing *missing = ctx;
    const struct ldr_export *e = ldr_export_find(NULL, name);
    void *bound = dlsym(RTLD_DEFAULT, name);

    if (e && e->address && !ldr_export_user_mode(e) && bound &&
        (bound == e->address || (e->kind == LDR_EXPORT_DATA && *(void **)bound == e->address)))
        return;
    ldr_missing_add(missing, NULL, name, 0);
}

/* The image's stack guard (src/crt/stack_guard.c), when it has one: a
 * random value, as a .sys image's /GS cookie gets, and ntbox's report of
 * an overrun. */
static void ldr_init_stack_guard(struct ldr_module *m)
{
    void **report = dlsym(m->handle, "__ntbox_stack_chk_fail");
    void *guard = dlsym(m->handle, "__stack_chk_guard");
    if (!report || !guard)
        return;
    *report = (void *)ldr_gs_stack_chk_fail;
    ldr_gs_init_cookie(guard);
    m->stack_guard = guard;
}

/* A GOT slot the dynamic linker bound to one of ntbox's routines goes to
 * the routine's IRQL thunk instead (loader/irql_thunk.h). */
static void *ldr_irql_rebind(const char *name, void *current, void *ctx)
{
    const struct ldr_export *e = ldr_export_find(NULL, name);
    (void)ctx;
    return e && e->irql_thunk && current == e->address ? ldr_export_target(e) : NULL;
}

static int ldr_find_range(struct dl_phdr_info *info, size_t size, void *ctx)
{
    struct ldr_module *m = ctx;
    (void)size;
    if (!info->dlpi_name || strcmp(info->dlpi_name, m->image) != 0)
        return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (start < lo)
            lo = start;
        if (start + ph->p_memsz > hi)
            hi = start + ph->p_memsz;
    }
    m->start = lo;
    m->end = hi;
    m->bias = info->dlpi_addr;
    return 1;
}

struct ldr_module *ldr_load_native(const char *path, bool allow_missing, char *err, size_t errn)
{
    struct ldr_module m;
    struct ldr_missing missing = { 0 };

    memset(&m, 0, sizeof m);
    ldr_file_stem(path, m.name, sizeof m.name);
    if (access(path, R_OK) != 0) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (ldr_is_source(path)) {
        if (!realpath(path, m.source)) {
            snprintf(err, errn, "%s: %s", path, strerror(errno));
            return NULL;
        }
        if (!ldr_build_image(&ldr_driver_profile, m.source, m.name, m.image, sizeof m.image, err, errn))
            return NULL;
    } else if (ldr_has_suffix(path, ".so")) {
        if (!realpath(path, m.image)) {
            snprintf(err, errn, "%s: %s", path, strerror(errno));
            return NULL;
        }
    } else {
        snprintf(err, errn, "%s: not a driver ntbox can load: give a .sys image, a .c or .cpp source file, or a .so "
                 "built from one", path);
        return NULL;
    }

    snprintf(m.image_name, sizeof m.image_name, "%s.so", m.name);
    if (!ldr_elf_imports(m.image, ldr_check_import, &missing, err, errn)) {
        ldr_missing_free(&missing);
        return NULL;
    }
    if (missing.count) {
        ldr_missing_message(&missing, m.name,
                            allow_missing ? " (--allow-missing binds stubs for .sys images only: the system's "
                                            "dynamic linker binds native ones)" : "", err, errn);
        ldr_missing_free(&missing);
        return NULL;
    }
    m.handle = dlopen(m.image, RTLD_NOW | RTLD_LOCAL);
    if (!m.handle) {
        snprintf(err, errn, "%s: cannot be loaded: %s", m.image, dlerror());
        return NULL;
    }
    m.entry = dlsym(m.handle, "DriverEntry");
    if (!m.entry) {
        snprintf(err, errn, "%s has no DriverEntry: define NTSTATUS DriverEntry(PDRIVER_OBJECT, PUNICODE_STRING)%s",
                 m.name, ldr_is_cxx_source(path) ? " as extern \"C\"" : "");
        dlclose(m.handle);
        return NULL;
    }
    if (vf_enabled(VF_IRQL) && ldr_elf_rebind_got(m.handle, ldr_irql_rebind, NULL) < 0) {
        snprintf(err, errn, "%s: its imports cannot be bound to the IRQL checks (its dynamic section or GOT "
                 "cannot be read or written)", m.name);
        dlclose(m.handle);
        return NULL;
    }
    ldr_init_stack_guard(&m);
    dl_iterate_phdr(ldr_find_range, &m);
    struct ldr_module *slot = ldr_module_add(&m);
    if (!slot) {
        snprintf(err, errn, "%s: too many drivers loaded", m.name);
        dlclose(m.handle);
    }
    return slot;
}

void ldr_unload_native(struct ldr_module *m)
{
    dlclose(m->handle);
    ldr_module_remove(m);
}
