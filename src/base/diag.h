/* base/diag.h: ntbox's own messages, as opposed to the driver's output.
 * Everything a run prints goes to stdout in order, one flushed line per
 * message, so driver output and ntbox's findings interleave as they happened. */
#ifndef NTBOX_BASE_DIAG_H
#define NTBOX_BASE_DIAG_H

#include <stddef.h>

/* Prints "ntbox: <message>\n" to stdout and flushes. */
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "ntbox: warning: <message>\n" and counts it: a finding about the
 * driver that is not fatal (a misused flag, a suspicious argument). */
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How many warnings diag_warn has printed in this run. */
unsigned diag_warning_count(void);

/* Writes raw text to stdout and flushes (driver debug output, reports). */
void diag_write(const char *text, size_t len);

#endif
