/* ps/client.c: a client program's process (see client.h). */
#include "ps/client.h"

#include "ps/process.h"

#include "ke/dispatcher.h"

#include "base/diag.h"

#include <pthread.h>
#include <stdio.h>

struct ps_client {
    PEPROCESS process;
    int (*main_fn)(int, char **);
    int argc;
    char **argv;
    int status;
};

static void *ps_client_thread(void *arg)
{
    struct ps_client *c = arg;
    ps_process_attach(c->process);
    ke_thread_current(); /* its thread object, in the client's process: inline KeGetCurrentThread reads it too */
    c->status = c->main_fn(c->argc, c->argv);
    fflush(stdout);
    /* Still in the client's process as the thread ends: the I/O manager
     * cancels the requests it left pending there (ps/thread.c). */
    return NULL;
}

int ps_client_run(const char *name, int (*main_fn)(int, char **), int argc, char **argv)
{
    char image[64];
    snprintf(image, sizeof image, "%s.exe", name);
    struct ps_client c = { .process = ps_process_create(image), .main_fn = main_fn, .argc = argc, .argv = argv };
    pthread_t thread;

    if (!c.process)
        return -1;
    diag_note("%s started as process %u", image, ps_process_id(c.process));
    if (pthread_create(&thread, NULL, ps_client_thread, &c) != 0) {
        ps_process_exit(c.process);
        return -1;
    }
    pthread_join(thread, NULL);
    diag_note("%s (process %u) exited with status %d; its handles are closed", image, ps_process_id(c.process),
              c.status);
    ps_process_exit(c.process);
    return c.status;
}
