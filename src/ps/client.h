/* ps/client.h: running a user-mode client program as a process. */
#ifndef NTBOX_PS_CLIENT_H
#define NTBOX_PS_CLIENT_H

/* Runs main(argc, argv) of a loaded client program on a thread of its own,
 * in a new process named after the program: the process id, handle table
 * and PreviousMode UserMode for every system service it calls. When main
 * returns its thread ends, so the requests it left pending are cancelled
 * (see io_cancel_thread_io), then the process exits and its open handles
 * are closed (drivers see IRP_MJ_CLEANUP and IRP_MJ_CLOSE). Returns main's return value, or -1
 * when the process or thread could not be created. */
int ps_client_run(const char *name, int (*main_fn)(int, char **), int argc, char **argv);

#endif
