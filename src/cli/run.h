/* cli/run.h: `ntbox run`. */
#ifndef NTBOX_CLI_RUN_H
#define NTBOX_CLI_RUN_H

#include <stdbool.h>

/* Exit statuses of `ntbox run`. */
enum cli_exit {
    CLI_EXIT_CLEAN = 0,          /* the driver loaded, ran and unloaded cleanly */
    CLI_EXIT_HOST_ERROR = 1,     /* ntbox could not load or run the driver */
    CLI_EXIT_ENTRY_FAILED = 2,   /* DriverEntry returned an error status */
    CLI_EXIT_BUGCHECK = 3,       /* a bugcheck or verifier finding */
};

struct cli_run_options {
    const char *driver;
    bool pool_table;
    bool allow_missing;  /* --allow-missing: missing imports become stubs that stop the run when called */
    bool objects;        /* --objects: the object namespace after DriverEntry */
    unsigned timeout;    /* --timeout SECONDS: the run's bound; 0 none */
    const char *client;  /* --client PROGRAM: run it as a process while the driver is loaded */
    int client_argc;     /* and the arguments after it */
    char **client_argv;
};

int cli_run(const struct cli_run_options *opt);

/* `ntbox info DRIVER.sys`: the image's headers, sections and imports, each
 * import marked implemented or missing in ntbox. Exit status 0, or 1 when
 * the file cannot be read or is not a valid x64 PE image. */
int cli_info(const char *path);

#endif
