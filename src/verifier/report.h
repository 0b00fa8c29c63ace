/* verifier/report.h: the run's report as JSON (`ntbox run --report FILE`),
 * for CI systems to archive and compare: the bugcheck the run ended in,
 * with what the text report says, or how it ended otherwise. The schema:
 * docs/report-schema.md. */
#ifndef NTBOX_VERIFIER_REPORT_H
#define NTBOX_VERIFIER_REPORT_H

#include <ntddk.h>
#include <stdbool.h>
#include <stddef.h>

/* Where the report goes. The file is created (emptied) at once, so a path
 * that cannot be written is refused before the run: false, err says why. */
bool vf_report_open(const char *path, char *err, size_t errn);

/* The driver file the run loads, as given on the command line. */
void vf_report_set_driver(const char *driver_file);

/* A pool block a bugcheck is about. */
struct vf_block {
    const void *address;
    SIZE_T size;
    ULONG tag;
    ULONG type;               /* POOL_TYPE without modifiers */
    const void *allocated_at; /* return address of the allocating call */
    const void *freed_at;     /* of the freeing call, NULL while live */
};

/* Names the block the calling thread's next bugcheck is about (the pool
 * calls it just before a bugcheck over one of its blocks). */
void vf_report_note_block(const struct vf_block *block);

/* Everything the text report of a bugcheck shows. */
struct vf_bugcheck {
    ULONG code;
    ULONG_PTR parameters[4];
    const char *name;    /* NULL when unknown */
    const char *meaning; /* NULL when unknown */
    const char *detail;
    const char *driver;  /* the driver charged, or NULL */
    const void *at;      /* the address charged, or NULL */
    bool at_is_return;
    const void *const *frames; /* the backtrace shown; frames[0] is at itself when !at_is_return */
    int frame_count;
    KIRQL irql;
    long thread;
    const char *process;
    ULONG process_id;
};

/* Writes the report of a run ending in this bugcheck (exit status 3);
 * nothing when no report was asked for. */
void vf_report_bugcheck(const struct vf_bugcheck *bugcheck);

/* Writes the report of a run ended by a hang (exit status 3): result
 * "deadlock" or "timeout", text the report as printed. */
void vf_report_hang(const char *result, const char *text);

/* Writes the report of a run that ended with exit_status without a
 * bugcheck: 0 clean, 1 ntbox could not run the driver, 2 DriverEntry
 * failed. */
void vf_report_finish(int exit_status);

#endif
