/* loader/native.c: native drivers (see native.h).
 *
 * Source is compiled the way the driver's world needs: the Microsoft x64
 * calling convention by default (-mabi=ms), so DriverEntry, dispatch routines
 * and callbacks written without NTAPI still match the kernel's ABI; 16-bit
 * wchar_t; no C library (-nostdlib) but ntbox's Microsoft-ABI C runtime; no
 * exceptions or RTTI in C++, as in the kernel. Images are cached by content. */
#include "loader/native.h"

#include "loader/elf_imports.h"
#include "loader/exports.h"

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

#define LDR_COMMON_FLAGS \
    "-shared -fPIC -g -O0 -mabi=ms -fshort-wchar -fno-omit-frame-pointer -fno-strict-aliasing -fno-stack-protector " \
    "-nostdlib -Wno-multichar -Wno-unknown-pragmas -fvisibility=default"
#define LDR_CXX_FLAGS "-std=gnu++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics"
#define LDR_C_FLAGS "-std=gnu11"

const char *ldr_native_flags(void)
{
    return LDR_COMMON_FLAGS " -I" NTBOX_INCLUDE_DIR " (C++: " LDR_CXX_FLAGS ") ... " NTBOX_CRT_LIB;
}

static bool ldr_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool ldr_is_cxx(const char *path)
{
    return ldr_has_suffix(path, ".cpp") || ldr_has_suffix(path, ".cc") || ldr_has_suffix(path, ".cxx");
}

/* The driver's name: the file name without directory and extension. */
static void ldr_driver_name(const char *path, char *name, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(name, n, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = 0;
}

static uint64_t ldr_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n--)
        h = (h ^ *b++) * 0x100000001b3ULL;
    return h;
}

static bool ldr_hash_file(const char *path, uint64_t *h)
{
    FILE *f = fopen(path, "rb");
    char buf[8192];
    size_t got;
    if (!f)
        return false;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        *h = ldr_fnv1a(*h, buf, got);
    fclose(f);
    return true;
}

/* The identity of this ntbox build: a rebuilt ntbox (new headers, new
 * runtime) must not reuse images built against the old one. */
static uint64_t ldr_hash_build(uint64_t h)
{
    struct stat st;
    const char *files[] = { "/proc/self/exe", NTBOX_CRT_LIB };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (stat(files[i], &st) == 0) {
            h = ldr_fnv1a(h, &st.st_mtim, sizeof st.st_mtim);
            h = ldr_fnv1a(h, &st.st_size, sizeof st.st_size);
        }
    }
    return h;
}

static void ldr_cache_dir(char *dir, size_t n)
{
    const char *env = getenv("NTBOX_CACHE");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(dir, n, "%s", env);
    else if (xdg && *xdg)
        snprintf(dir, n, "%s/ntbox", xdg);
    else if (home && *home)
        snprintf(dir, n, "%s/.cache/ntbox", home);
    else
        snprintf(dir, n, "/tmp/ntbox-cache-%u", (unsigned)getuid());
}

static bool ldr_mkdirs(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST;
}

/* Runs the compiler (no shell: paths may hold any character); its messages
 * are shown only when it fails. */
static bool ldr_compile(const char *source, const char *out, char *err, size_t errn)
{
    bool cxx = ldr_is_cxx(source);
    const char *compiler = cxx ? "g++" : "gcc";
    char common[] = LDR_COMMON_FLAGS, cxx_flags[] = LDR_CXX_FLAGS, c_flags[] = LDR_C_FLAGS;
    char *argv[64];
    int argc = 0;
    FILE *log = tmpfile();

    argv[argc++] = (char *)compiler;
    for (char *tok = strtok(common, " "); tok; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    for (char *tok = strtok(cxx ? cxx_flags : c_flags, " "); tok; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc++] = "-I" NTBOX_INCLUDE_DIR;
    argv[argc++] = "-o";
    argv[argc++] = (char *)out;
    argv[argc++] = (char *)source;
    argv[argc++] = NTBOX_CRT_LIB;
    argv[argc] = NULL;

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (log) {
            dup2(fileno(log), STDOUT_FILENO);
            dup2(fileno(log), STDERR_FILENO);
        }
        execvp(compiler, argv);
        fprintf(stderr, "cannot run %s: %s\n", compiler, strerror(errno));
        _exit(127);
    }
    int status = -1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (log)
            fclose(log);
        return true;
    }
    if (log) {
        char line[1024];
        rewind(log);
        while (fgets(line, sizeof line, log))
            fputs(line, stderr);
        fclose(log);
    }
    snprintf(err, errn, "%s: %s could not build the driver (its messages are above)", source, compiler);
    return false;
}

/* Compiles source into the cache unless an image of the same content is
 * there; image receives its path. */
static bool ldr_build_image(const char *source, const char *name, char *image, size_t n, char *err, size_t errn)
{
    char dir[PATH_MAX - 128], tmp[PATH_MAX + 32];
    uint64_t h = 0xcbf29ce484222325ULL;

    if (!ldr_hash_file(source, &h)) {
        snprintf(err, errn, "%s: cannot read the driver source (%s)", source, strerror(errno));
        return false;
    }
    h = ldr_fnv1a(h, LDR_COMMON_FLAGS LDR_CXX_FLAGS LDR_C_FLAGS, sizeof(LDR_COMMON_FLAGS LDR_CXX_FLAGS LDR_C_FLAGS));
    h = ldr_hash_build(h);
    ldr_cache_dir(dir, sizeof dir);
    if (!ldr_mkdirs(dir)) {
        snprintf(err, errn, "%s: cannot create the driver cache directory (%s); set NTBOX_CACHE to a writable one",
                 dir, strerror(errno));
        return false;
    }
    snprintf(image, n, "%s/%s-%016llx.so", dir, name, (unsigned long long)h);
    if (access(image, R_OK) == 0)
        return true;
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", image, (int)getpid());
    if (!ldr_compile(source, tmp, err, errn))
        return false;
    if (rename(tmp, image) != 0) {
        snprintf(err, errn, "%s: cannot store the compiled driver (%s)", image, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

/* A native driver binds to what the dynamic linker finds for each name, so
 * an import is provided when the export table implements it and the name
 * resolves to that implementation inside ntbox: never to the host C library,
 * whose ABI and semantics are not the kernel's (a C runtime routine the
 * table maps to an rtl_crt_ routine is provided to .sys drivers only; native
 * drivers link their C runtime from src/crt). */
static void ldr_check_import(const char *name, void *ctx)
{
    struct ldr_missing *missing = ctx;
    const struct ldr_export *e = ldr_export_find(NULL, name);

    if (e && e->address && dlsym(RTLD_DEFAULT, name) == e->address)
        return;
    ldr_missing_add(missing, NULL, name, 0);
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
    ldr_driver_name(path, m.name, sizeof m.name);
    if (access(path, R_OK) != 0) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (ldr_has_suffix(path, ".c") || ldr_is_cxx(path)) {
        if (!realpath(path, m.source)) {
            snprintf(err, errn, "%s: %s", path, strerror(errno));
            return NULL;
        }
        if (!ldr_build_image(m.source, m.name, m.image, sizeof m.image, err, errn))
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
                 m.name, ldr_is_cxx(path) ? " as extern \"C\"" : "");
        dlclose(m.handle);
        return NULL;
    }
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
