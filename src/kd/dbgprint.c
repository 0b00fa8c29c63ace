/* kd/dbgprint.c: debug output: DbgPrint, DbgPrintEx, DbgPrintReturnControlC,
 * vDbgPrintEx, vDbgPrintExWithPrefix.
 *
 * The kernel debugger is ntbox's stdout: each message is written whole, as
 * one or more lines (a newline is added when the message lacks one, so
 * driver output and ntbox's findings never share a line). Windows shows a
 * message only when the component's filter mask allows its level; ntbox
 * shows everything unless kd_set_windows_filtering(true). Where Windows
 * would silently lose or mangle output (over 512 bytes, Unicode codes above
 * PASSIVE_LEVEL, %n, floating point), ntbox prints and also warns. */
#include "kd/dbgprint.h"

#include "base/diag.h"
#include "ke/irql.h"
#include "loader/symbols.h"
#include "rtl/format.h"

#include <string.h>

#define KD_WIN2000_MASK 0x1u /* ORed into every component's mask; 0x1 by default */

static bool kd_windows_filtering;

void kd_set_windows_filtering(bool on)
{
    __atomic_store_n(&kd_windows_filtering, on, __ATOMIC_RELAXED);
}

/* Level 0..31 is a bit number, larger values the bit field itself; the
 * message passes when the field meets the component's mask (WDK, Reading
 * and Filtering Debugging Messages). Windows' default masks are all 0. */
static bool kd_filter_passes(ULONG Level)
{
    ULONG importance = Level < 32 ? 1u << Level : Level;
    if (!__atomic_load_n(&kd_windows_filtering, __ATOMIC_RELAXED))
        return true;
    return (importance & KD_WIN2000_MASK) != 0;
}

static void kd_report(const char *routine, const struct rtl_format_info *info, bool truncated, const void *caller)
{
    char where[256];
    KIRQL irql = KeGetCurrentIrql();
    if (!info->unicode_code && !info->refused_code && !truncated)
        return;
    ldr_source_line(caller, true, where, sizeof where);
    if (info->unicode_code && irql > PASSIVE_LEVEL)
        diag_warn("%s: Unicode format code %.*s used at %s; Windows allows %%C %%S %%lc %%ls %%wc %%ws "
                  "%%wZ only at PASSIVE_LEVEL (at %s)",
                  routine, info->unicode_len, info->unicode_code, ke_irql_name(irql), where);
    if (info->refused_code)
        diag_warn("%s: format code %.*s is not supported by the kernel's formatter; nothing printed for it (at %s)",
                  routine, info->refused_len, info->refused_code, where);
    if (truncated)
        diag_warn("%s: message longer than %d bytes cut to %d (the last one a newline), as Windows transmits at most "
                  "%d bytes per call (at %s)",
                  routine, KD_MESSAGE_MAX, KD_MESSAGE_MAX, KD_MESSAGE_MAX, where);
}

/* The one path of every routine here (Windows' vDbgPrintExWithPrefixInternal
 * shape): filter, format prefix + message into 512 bytes, transmit. */
static ULONG kd_print(const char *routine, PCCH Prefix, ULONG Level, PCCH Format, __builtin_ms_va_list ap,
                      const void *caller)
{
    char msg[KD_MESSAGE_MAX + 1]; /* + the formatter's NUL, later the added newline */
    struct rtl_format_info info;
    size_t cb = Prefix ? strnlen(Prefix, KD_MESSAGE_MAX) : 0;
    int n;
    bool truncated;

    if (!kd_filter_passes(Level))
        return STATUS_SUCCESS; /* suppressed output is success */
    if (!Format) {
        char where[256];
        /* Windows formats inside try/except and returns the exception code. */
        diag_warn("%s: Format is NULL (at %s)", routine, ldr_source_line(caller, true, where, sizeof where));
        return (ULONG)STATUS_ACCESS_VIOLATION;
    }
    /* FIXME: a wild string pointer among the arguments faults here (a
     * bugcheck report); Windows catches it and returns the exception code. */
    if (cb)
        memcpy(msg, Prefix, cb);
    n = rtl_format_info(msg + cb, sizeof msg - cb, Format, ap, &info);
    truncated = n < 0;
    size_t len = truncated ? KD_MESSAGE_MAX : cb + (size_t)n;
    if (truncated)
        msg[KD_MESSAGE_MAX - 1] = '\n'; /* Windows ends a cut message with a newline */
    if (len && msg[len - 1] != '\n')
        msg[len++] = '\n';
    if (len)
        diag_write(msg, len);
    kd_report(routine, &info, truncated, caller);
    return STATUS_SUCCESS;
}

/* Sends a message as DbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_INFO_LEVEL, ...)
 * does (Windows Vista and later); at most 512 bytes per call; Unicode codes
 * only at PASSIVE_LEVEL; returns STATUS_SUCCESS (WDK, DbgPrint). */
ULONG __cdecl DbgPrint(PCSTR Format, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, Format);
    ULONG status = kd_print("DbgPrint", NULL, DPFLTR_INFO_LEVEL, Format, ap, __builtin_return_address(0));
    __builtin_ms_va_end(ap);
    return status;
}

/* DbgPrint that returns instead of breaking into the debugger on Control-C;
 * ntbox's debugger never sends one, so it is DbgPrint (WDK). */
ULONG __cdecl DbgPrintReturnControlC(PCCH Format, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, Format);
    ULONG status = kd_print("DbgPrintReturnControlC", NULL, DPFLTR_INFO_LEVEL, Format, ap,
                            __builtin_return_address(0));
    __builtin_ms_va_end(ap);
    return status;
}

/* Sends the message only when Level passes ComponentId's filter mask;
 * returns STATUS_SUCCESS, also when filtered out (WDK, DbgPrintEx). */
ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    __builtin_ms_va_list ap;
    (void)ComponentId; /* FIXME: per-component masks (Kd_<NAME>_Mask) not modelled; all are 0 */
    __builtin_ms_va_start(ap, Format);
    ULONG status = kd_print("DbgPrintEx", NULL, Level, Format, ap, __builtin_return_address(0));
    __builtin_ms_va_end(ap);
    return status;
}

/* DbgPrintEx with the arguments in a va_list, used as vprintf does (WDK,
 * vDbgPrintEx). */
ULONG NTAPI vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, __builtin_ms_va_list arglist)
{
    (void)ComponentId;
    return kd_print("vDbgPrintEx", NULL, Level, Format, arglist, __builtin_return_address(0));
}

/* vDbgPrintEx with Prefix put at the start of the output; prefix and
 * message share the 512 bytes (WDK, vDbgPrintExWithPrefix). */
ULONG NTAPI vDbgPrintExWithPrefix(PCCH Prefix, ULONG ComponentId, ULONG Level, PCCH Format,
                                  __builtin_ms_va_list arglist)
{
    (void)ComponentId;
    return kd_print("vDbgPrintExWithPrefix", Prefix, Level, Format, arglist, __builtin_return_address(0));
}
