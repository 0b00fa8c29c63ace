/* loader/program.c: client programs (see program.h). */
#include "loader/program.h"

#include "loader/compile.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool ldr_load_program(const char *path, struct ldr_program *program, char *err, size_t errn)
{
    char source[PATH_MAX], image[PATH_MAX];

    memset(program, 0, sizeof *program);
    ldr_file_stem(path, program->name, sizeof program->name);
    if (access(path, R_OK) != 0 || !realpath(path, ldr_is_source(path) ? source : image)) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return false;
    }
    if (ldr_is_source(path)) {
        if (!ldr_build_image(&ldr_client_profile, source, program->name, image, sizeof image, err, errn))
            return false;
    } else if (!ldr_has_suffix(path, ".so")) {
        snprintf(err, errn, "%s: not a client program ntbox can run: give a .c or .cpp source file or a .so built "
                 "from one", path);
        return false;
    }
    program->handle = dlopen(image, RTLD_NOW | RTLD_LOCAL);
    if (!program->handle) {
        snprintf(err, errn, "%s: cannot be loaded: %s", path, dlerror());
        return false;
    }
    program->main_fn = (int (*)(int, char **))dlsym(program->handle, "main");
    if (!program->main_fn) {
        snprintf(err, errn, "%s has no main: define int main(int argc, char **argv)", path);
        dlclose(program->handle);
        return false;
    }
    return true;
}

void ldr_unload_program(struct ldr_program *program)
{
    dlclose(program->handle);
}
