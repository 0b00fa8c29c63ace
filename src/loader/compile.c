/* loader/compile.c: source files compiled on the fly into cached shared
 * objects (see compile.h). Images are cached by content: the source, the
 * flags, and this ntbox build. */
#include "loader/compile.h"

#include "verifier/verifier.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LDR_DRIVER_FLAGS \
    "-shared -fPIC -g -O0 -mabi=ms -fshort-wchar -fno-omit-frame-pointer -fno-strict-aliasing " \
    "-fstack-protector-strong -mstack-protector-guard=global -nostdlib -Wno-multichar -Wno-unknown-pragmas " \
    "-fvisibility=default"
#define LDR_DRIVER_CXX_FLAGS "-std=gnu++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics"
#define LDR_C_FLAGS "-std=gnu11"

/* Drivers: the Microsoft x64 calling convention by default (-mabi=ms), so
 * DriverEntry, dispatch routines and callbacks written without NTAPI still
 * match the kernel's ABI; 16-bit wchar_t; no C library (-nostdlib) but
 * ntbox's Microsoft-ABI C runtime; no exceptions or RTTI in C++, as in the
 * kernel; a stack guard in the image, as the WDK's /GS has
 * (src/crt/stack_guard.c). */
const struct ldr_build_profile ldr_driver_profile = {
    "driver", LDR_DRIVER_FLAGS " -I" NTBOX_INCLUDE_DIR, LDR_C_FLAGS, LDR_DRIVER_CXX_FLAGS, NTBOX_CRT_LIB,
};

/* Clients: ordinary Linux programs with the host's C library, whose
 * Win32-style calls (windows.h) bind to ntbox when it loads them; 16-bit
 * wchar_t so L"\\\\.\\Zero" is UTF-16 as on Windows. */
const struct ldr_build_profile ldr_client_profile = {
    "client program",
    "-shared -fPIC -g -O0 -fshort-wchar -fno-omit-frame-pointer -Wno-multichar -Wno-unknown-pragmas -I" NTBOX_INCLUDE_DIR,
    LDR_C_FLAGS, "-std=gnu++17", NULL,
};

/* A driver built while the verifier's lists group is off has the WDK's
 * unchecked list routines (km_list.h), as a driver built with
 * NO_KERNEL_LIST_ENTRY_CHECKS; a .sys keeps what it was compiled with. */
static const char *ldr_group_flags(const struct ldr_build_profile *profile)
{
    return profile == &ldr_driver_profile && !vf_enabled(VF_LISTS) ? "-DNO_KERNEL_LIST_ENTRY_CHECKS" : "";
}

const char *ldr_native_flags(void)
{
    return LDR_DRIVER_FLAGS " -I" NTBOX_INCLUDE_DIR " (C++: " LDR_DRIVER_CXX_FLAGS ") ... " NTBOX_CRT_LIB;
}

bool ldr_is_source(const char *path)
{
    return ldr_has_suffix(path, ".c") || ldr_is_cxx_source(path);
}

void ldr_file_stem(const char *path, char *name, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(name, n, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = 0;
}


bool ldr_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool ldr_is_cxx_source(const char *path)
{
    return ldr_has_suffix(path, ".cpp") || ldr_has_suffix(path, ".cc") || ldr_has_suffix(path, ".cxx");
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

static int ldr_compilers;

bool ldr_compiler_running(void)
{
    return __atomic_load_n(&ldr_compilers, __ATOMIC_RELAXED) != 0;
}

/* Runs the compiler (no shell: paths may hold any character); its messages
 * are shown only when it fails. */
static bool ldr_compile(const struct ldr_build_profile *profile, const char *source, const char *out, char *err,
                        size_t errn)
{
    bool cxx = ldr_is_cxx_source(source);
    const char *compiler = cxx ? "g++" : "gcc";
    char flags[1024];
    char *argv[64];
    int argc = 0;
    FILE *log = tmpfile();

    argv[argc++] = (char *)compiler;
    snprintf(flags, sizeof flags, "%s %s", profile->common_flags, cxx ? profile->cxx_flags : profile->c_flags);
    for (char *tok = strtok(flags, " "); tok && argc < 56; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc++] = "-I" NTBOX_INCLUDE_DIR;
    if (*ldr_group_flags(profile))
        argv[argc++] = (char *)ldr_group_flags(profile);
    argv[argc++] = "-o";
    argv[argc++] = (char *)out;
    argv[argc++] = (char *)source;
    if (profile->link_last)
        argv[argc++] = (char *)profile->link_last;
    argv[argc] = NULL;

    fflush(stdout);
    __atomic_add_fetch(&ldr_compilers, 1, __ATOMIC_RELAXED);
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
    __atomic_sub_fetch(&ldr_compilers, 1, __ATOMIC_RELAXED);
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
    snprintf(err, errn, "%s: %s could not build the %s (its messages are above)", source, compiler,
             profile->what);
    return false;
}

/* Compiles source into the cache unless an image of the same content is
 * there; image receives its path. */
bool ldr_build_image(const struct ldr_build_profile *profile, const char *source, const char *name, char *image,
                     size_t n, char *err, size_t errn)
{
    char dir[PATH_MAX - 128], tmp[PATH_MAX + 32];
    uint64_t h = 0xcbf29ce484222325ULL;

    if (!ldr_hash_file(source, &h)) {
        snprintf(err, errn, "%s: cannot read the %s source (%s)", source, profile->what, strerror(errno));
        return false;
    }
    h = ldr_fnv1a(h, profile->common_flags, strlen(profile->common_flags));
    h = ldr_fnv1a(h, profile->c_flags, strlen(profile->c_flags));
    h = ldr_fnv1a(h, profile->cxx_flags, strlen(profile->cxx_flags));
    h = ldr_fnv1a(h, ldr_group_flags(profile), strlen(ldr_group_flags(profile)));
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
    if (!ldr_compile(profile, source, tmp, err, errn))
        return false;
    if (rename(tmp, image) != 0) {
        snprintf(err, errn, "%s: cannot store the compiled %s (%s)", image, profile->what, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

