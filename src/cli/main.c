/* cli/main.c: the ntbox command line. */
#include "cli/run.h"
#include "ke/processor.h"
#include "loader/compile.h"
#include "rtl/version.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTBOX_VERSION "0.1.0"

static void cli_usage(FILE *out)
{
    fprintf(out,
            "usage: ntbox run [--pool] [--objects] [--os-version=M.m.B] [--allow-missing] DRIVER\n"
            "                 [--verifier=GROUPS] [--report FILE.json] [--cpus N] [--timeout SECONDS]\n"
            "                 [--client PROGRAM [ARGS...]]\n"
            "       ntbox info DRIVER.sys\n"
            "       ntbox --help | --version\n"
            "\n"
            "Runs a Windows kernel-mode driver on Linux: loads it, calls DriverEntry, then\n"
            "DriverUnload, and reports what went wrong the way Driver Verifier and WinDbg would.\n"
            "\n"
            "DRIVER is a C or C++ source file (.c, .cpp), compiled on the fly against ntbox's\n"
            "WDK-compatible headers and cached, a .so built from one, or an x64 PE driver\n"
            "image (.sys) built for Windows, whose imports from ntoskrnl.exe and hal.dll are\n"
            "bound to ntbox's routines.\n"
            "\n"
            "The run:\n"
            "  DriverEntry(DriverObject \\Driver\\NAME,\n"
            "              RegistryPath \\Registry\\Machine\\System\\CurrentControlSet\\Services\\NAME)\n"
            "  at PASSIVE_LEVEL, where NAME is the file name without extension; the driver's\n"
            "  DbgPrint output goes to stdout. If DriverEntry succeeds, DriverUnload is called\n"
            "  (a driver without one cannot be unloaded). Every pool allocation the driver\n"
            "  still holds then is a leak: listed with tag, size, pool type and the source line\n"
            "  that allocated it, ending the run with bugcheck 0xC4 (0x62), as Driver Verifier\n"
            "  does. A fault in the driver, a corrupt LIST_ENTRY or a bad pool call ends the\n"
            "  run with the bugcheck Windows would give (*** STOP: line, name, parameters,\n"
            "  source line, backtrace).\n"
            "\n"
            "Options:\n"
            "  --pool                 print a poolmon-style table of pool use (tag in memory\n"
            "                         order, type, allocs, frees, diff, bytes) after the run\n"
            "  --os-version=M.m.B     the Windows version RtlGetVersion reports\n"
            "                         (default 10.0.26200, Windows 11 25H2)\n"
            "  --objects              print the object namespace (as WinObj shows it) after\n"
            "                         DriverEntry\n"
            "  --client PROGRAM ARGS  run a user-mode client while the driver is loaded: a C\n"
            "                         or C++ source using <windows.h> (CreateFile,\n"
            "                         DeviceIoControl, ReadFile, WriteFile, the service control\n"
            "                         manager...), compiled on the fly, or a .so built from one;\n"
            "                         it runs as its own process, and its output interleaves\n"
            "                         with the driver's. Everything after PROGRAM is its\n"
            "                         arguments. The driver is unloaded when it exits.\n"
            "  --allow-missing        run a .sys that imports routines ntbox lacks: each is\n"
            "                         bound to a stub that stops the run (bugcheck 0x7E,\n"
            "                         STATUS_NOT_IMPLEMENTED) naming it if it is called\n"
            "  --verifier=GROUPS      which of Driver Verifier's checks run (default: all of\n"
            "                         them): a comma list of groups, each NAME, +NAME, -NAME,\n"
            "                         all or none; a list starting with a NAME selects exactly\n"
            "                         those, any other changes the default\n"
            "                         (--verifier=-special-pool: all but special pool)\n"
            "  --report FILE.json     also write how the run ended as JSON: the bugcheck (code,\n"
            "                         name, parameters, source line, backtrace, pool block...)\n"
            "                         or {\"result\": \"clean\", ...} (docs/report-schema.md)\n"
            "  --cpus N               the number of logical processors, 1 to 64 (default: the\n"
            "                         host's CPUs, at most 64): what KeQueryActiveProcessorCount\n"
            "                         and KeNumberProcessors say, the processors\n"
            "                         KeGetCurrentProcessorNumber and affinities name, one DPC\n"
            "                         queue each\n"
            "  --timeout SECONDS      bound the run (compiling the driver and client aside):\n"
            "                         when it has not ended by then, print each thread and\n"
            "                         what it waits for, and exit with status 3\n"
            "  --help                 this text\n"
            "  --version              ntbox's version\n"
            "\n"
            "Driver Verifier's check groups:\n");
    vf_print_groups(out, "  ");
    fprintf(out,
            "\n"
            "ntbox info DRIVER.sys prints the image's headers, sections and imports, each\n"
            "import marked implemented or missing in ntbox (exit status 0, or 1 when the\n"
            "file is not a valid x64 PE image).\n"
            "\n"
            "Hangs: when every thread is blocked for good (kernel waits without a timeout,\n"
            "lock waits, spin lock spins behind a blocked holder) and no timer, DPC or work\n"
            "item is left to wake one, or when threads wait for each other in a cycle (each\n"
            "for a lock the next one holds), the run ends within a second with a\n"
            "*** DEADLOCK report: each thread, what it waits for and who owns it, the\n"
            "driver's source line of the wait, and what it holds; exit status 3.\n"
            "\n"
            "Exit status:\n"
            "  0  the driver loaded, ran and unloaded cleanly (warnings may have been printed)\n"
            "  1  ntbox could not load or run the driver (the message says why)\n"
            "  2  DriverEntry failed (its NTSTATUS is printed by name and value)\n"
            "  3  a bugcheck or verifier finding, a deadlock, or --timeout ran out\n"
            "\n"
            "Environment:\n"
            "  NTBOX_CACHE            where compiled drivers are cached (default ~/.cache/ntbox)\n"
            "\n"
            "Native drivers are compiled with:\n"
            "  %s\n",
            ldr_native_flags());
}

/* A whole number from lo to hi, for --cpus and --timeout. */
static bool cli_number(const char *option, const char *text, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long value = text ? strtoul(text, &end, 10) : 0;

    if (!text || !*text || *end || text[0] == '-' || value < lo || value > hi) {
        fprintf(stderr, "ntbox: %s takes a whole number from %u to %u; got %s\n", option, lo, hi,
                text ? text : "nothing");
        return false;
    }
    *out = (unsigned)value;
    return true;
}

/* --verifier=LIST, applied to the groups chosen so far. */
static bool cli_verifier_option(const char *list)
{
    char err[256];
    unsigned mask = vf_group_mask;
    if (!vf_parse_groups(list, &mask, err, sizeof err)) {
        fprintf(stderr, "ntbox: --verifier: %s\n", err);
        return false;
    }
    vf_set_groups(mask);
    return true;
}

int main(int argc, char **argv)
{
    struct cli_run_options opt = { 0 };
    char err[4352];

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        cli_usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("ntbox %s\n", NTBOX_VERSION);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "info") == 0)
        return cli_info(argv[2]);
    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        cli_usage(stderr);
        return 1;
    }
    /* `ntbox run` is where drivers are tested: every check on. */
    vf_set_groups(VF_ALL);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--pool") == 0) {
            opt.pool_table = true;
        } else if (strcmp(argv[i], "--allow-missing") == 0) {
            opt.allow_missing = true;
        } else if (strcmp(argv[i], "--objects") == 0) {
            opt.objects = true;
        } else if (strcmp(argv[i], "--client") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ntbox: --client needs a PROGRAM (a .c/.cpp source using windows.h, or a .so)\n");
                return 1;
            }
            opt.client = argv[i + 1];
            opt.client_argc = argc - i - 2;
            opt.client_argv = argv + i + 2;
            break;
        } else if (strncmp(argv[i], "--verifier=", 11) == 0) {
            if (!cli_verifier_option(argv[i] + 11))
                return 1;
        } else if (strcmp(argv[i], "--report") == 0 || strncmp(argv[i], "--report=", 9) == 0) {
            const char *path = argv[i][8] == '=' ? argv[i] + 9 : i + 1 < argc ? argv[++i] : NULL;
            if (!path || !*path) {
                fprintf(stderr, "ntbox: --report needs a FILE (where the JSON report goes)\n");
                return 1;
            }
            if (!vf_report_open(path, err, sizeof err)) {
                fprintf(stderr, "ntbox: %s\n", err);
                return 1;
            }
        } else if (strcmp(argv[i], "--cpus") == 0) {
            unsigned cpus;
            if (!cli_number("--cpus", i + 1 < argc ? argv[++i] : NULL, 1, KE_MAX_PROCESSORS, &cpus))
                return 1;
            ke_processor_set_count(cpus);
        } else if (strcmp(argv[i], "--timeout") == 0) {
            if (!cli_number("--timeout", i + 1 < argc ? argv[++i] : NULL, 1, 86400, &opt.timeout))
                return 1;
        } else if (strncmp(argv[i], "--os-version=", 13) == 0) {
            if (!rtl_version_parse_and_set(argv[i] + 13)) {
                fprintf(stderr, "ntbox: --os-version takes MAJOR.MINOR.BUILD, e.g. 10.0.22631; got %s\n", argv[i] + 13);
                return 1;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "ntbox: unknown option %s (see ntbox --help)\n", argv[i]);
            return 1;
        } else if (!opt.driver) {
            opt.driver = argv[i];
        } else {
            fprintf(stderr, "ntbox: one driver at a time: %s and %s given\n", opt.driver, argv[i]);
            return 1;
        }
    }
    if (!opt.driver) {
        fprintf(stderr, "ntbox: run needs a DRIVER (a .c/.cpp source, a .so or a .sys); see ntbox --help\n");
        return 1;
    }
    vf_report_set_driver(opt.driver);
    int status = cli_run(&opt);
    vf_report_finish(status);
    return status;
}
