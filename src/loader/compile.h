/* loader/compile.h: C and C++ sources compiled on the fly, with the
 * system's gcc/g++, into shared objects cached by content (NTBOX_CACHE,
 * else $XDG_CACHE_HOME/ntbox or ~/.cache/ntbox). Drivers and client
 * programs are built alike, each with its own profile of flags. */
#ifndef NTBOX_LOADER_COMPILE_H
#define NTBOX_LOADER_COMPILE_H

#include <stdbool.h>
#include <stddef.h>

struct ldr_build_profile {
    const char *what;         /* "driver", "client program": for messages */
    const char *common_flags; /* space-separated, for C and C++ */
    const char *c_flags, *cxx_flags;
    const char *link_last;    /* a library linked after the source, or NULL */
};

extern const struct ldr_build_profile ldr_driver_profile, ldr_client_profile;

/* The flags native drivers are built with, for `ntbox --help`. */
const char *ldr_native_flags(void);

bool ldr_has_suffix(const char *s, const char *suffix);
bool ldr_is_cxx_source(const char *path);
/* .c, .cpp, .cc or .cxx. */
bool ldr_is_source(const char *path);
/* The file name without directory and extension: "sample" for
 * examples/sample/sample.cpp. */
void ldr_file_stem(const char *path, char *name, size_t n);

/* Whether a driver or client is being compiled now: `--timeout` does not
 * count that time. */
bool ldr_compiler_running(void);

/* Compiles source (an absolute path) into the cache unless an image of the
 * same content is there; image receives its path. On failure the
 * compiler's messages are on stderr and err says what failed. */
bool ldr_build_image(const struct ldr_build_profile *profile, const char *source, const char *name, char *image,
                     size_t n, char *err, size_t errn);

#endif
