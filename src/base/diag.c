/* base/diag.c: ntbox's own messages (see diag.h). */
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>

static void diag_vprint(const char *prefix, const char *fmt, va_list ap)
{
    fputs(prefix, stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
}

void diag_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vprint("ntbox: ", fmt, ap);
    va_end(ap);
}

static unsigned diag_warnings;

void diag_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vprint("ntbox: warning: ", fmt, ap);
    va_end(ap);
    __atomic_add_fetch(&diag_warnings, 1, __ATOMIC_RELAXED);
}

unsigned diag_warning_count(void)
{
    return __atomic_load_n(&diag_warnings, __ATOMIC_RELAXED);
}

void diag_write(const char *text, size_t len)
{
    fwrite(text, 1, len, stdout);
    fflush(stdout);
}
