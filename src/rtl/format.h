/* rtl/format.h: the printf formatter behind DbgPrint, _vsnprintf and the
 * RtlStringCb* routines, following Windows' kernel CRT rules, not glibc's.
 *
 * Arguments come from a Microsoft x64 va_list (every argument one 8-byte
 * slot), since the callers are ms_abi variadic routines. Sizes are LLP64:
 * %ld/%lu/%lx read 32 bits; %I64d/%lld/%Id/%zd read 64. Wide strings and
 * characters (%ws %ls %S %wc %lc %C %wZ) are converted UTF-16 -> UTF-8 for
 * ntbox's stdout (Windows would use the ANSI code page; a Linux terminal is
 * UTF-8); an unpaired surrogate becomes '?', as unmappable characters do on
 * Windows. Width and precision of wide strings count UTF-16 units. */
#ifndef NTBOX_RTL_FORMAT_H
#define NTBOX_RTL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

/* What a format asked for that its caller may want to report. The pointers
 * point into the format; the lengths are those of the whole code ("%wZ"). */
struct rtl_format_info {
    const char *unicode_code; /* first Unicode format code, or NULL */
    int unicode_len;
    const char *refused_code; /* first %n or floating-point code, or NULL */
    int refused_len;
};

/* Formats into buf (size bytes) with _vsnprintf_s(..., _TRUNCATE)
 * semantics: when the whole output and its terminating NUL fit, returns the
 * output's length (NUL not counted); otherwise writes the first size-1 bytes
 * and a NUL and returns -1 (size 0: writes nothing, returns -1). A NULL fmt is
 * an error: buf "" and -1.
 *   %n is refused: its pointer argument is consumed and nothing is written
 * through it (Windows' CRTs disable %n). Floating-point codes (%f %e %E %g %G
 * %a %A, unsupported by the kernel's formatter) consume their 8-byte slot and
 * print nothing. Both are reported in *info when info is not NULL. A code
 * with an unknown conversion character prints that character, as msvcrt
 * does ("%y" -> "y"). */
int rtl_format_info(char *buf, size_t size, const char *fmt, __builtin_ms_va_list ap, struct rtl_format_info *info);

/* rtl_format_info without the report. */
int rtl_format(char *buf, size_t size, const char *fmt, __builtin_ms_va_list ap);

/* rtl_format with the arguments given inline (ms_abi variadic). */
int __attribute__((ms_abi)) rtl_formatf(char *buf, size_t size, const char *fmt, ...);

#endif
