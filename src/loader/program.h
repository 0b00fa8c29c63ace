/* loader/program.h: client programs, loaded into ntbox to run as user-mode
 * processes: a C or C++ source compiled against windows.h, or a .so built
 * from one, whose main ntbox calls. */
#ifndef NTBOX_LOADER_PROGRAM_H
#define NTBOX_LOADER_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

struct ldr_program {
    char name[64];                   /* "client" for examples/zero/client.c */
    void *handle;                    /* dlopen handle */
    int (*main_fn)(int, char **);
};

/* Loads PROGRAM; false with a message in err saying what was wrong. */
bool ldr_load_program(const char *path, struct ldr_program *program, char *err, size_t errn);

void ldr_unload_program(struct ldr_program *program);

#endif
