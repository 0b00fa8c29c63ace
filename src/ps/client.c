/* ps/client.c: a client program's process (see client.h). */
#include "ps/client.h"

#include "base/diag.h"
#include "ke/dispatcher.h"
#include "ps/process.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

struct ps_client {
    PEPROCESS process;
    int (*main_fn)(int, char **);
    int argc;
    char **argv;
    int status;
    sem_t started; /* the client's thread has its thread object */
};

static void *ps_client_thread(void *arg)
{
    struct ps_client *c = arg;
    ps_process_attach(c->process);
    ke_thread_current(); /* its thread object, in the client's process: inline KeGetCurrentThread reads it too */
    sem_post(&c->started);
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
    /* Waiting for the client is no kernel wait: hang reports leave it out,
     * once the client's thread is there to be seen. This thread's object
     * comes first, so thread ids do not race the client's. */
    struct ke_thread *self = ke_thread_current();
    sem_init(&c.started, 0, 0);
    if (pthread_create(&thread, NULL, ps_client_thread, &c) != 0) {
        sem_destroy(&c.started);
        ps_process_exit(c.process);
        return -1;
    }
    while (sem_wait(&c.started) != 0 && errno == EINTR)
        ;
    sem_destroy(&c.started);
    ke_thread_set_idle(self, true);
    pthread_join(thread, NULL);
    ke_thread_set_idle(self, false);
    diag_note("%s (process %u) exited with status %d; its handles are closed", image, ps_process_id(c.process),
              c.status);
    ps_process_exit(c.process);
    return c.status;
}
