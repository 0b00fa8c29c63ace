/* rtl/crt_exports.c: the C runtime routines ntoskrnl exports (memcpy,
 * strlen, wcscpy_s, _vsnprintf, _snwprintf, ...), for .sys drivers, which
 * import them from ntoskrnl.exe.
 *
 * They keep the Microsoft ABI and Windows' semantics: 16-bit wchar_t, the
 * kernel's printf rules (rtl/format.h), the legacy _vsnprintf truncation
 * (no terminator when the output fills the buffer, -1 when it does not fit),
 * the secure-CRT error codes. glibc defines the same names with the System V
 * ABI and 32-bit wchar_t, and ntbox itself calls glibc's, so these are
 * defined under rtl_crt_ names and the export table (src/loader/exports.list)
 * maps each Windows name to its rtl_crt_ routine. Native drivers get their C
 * runtime from src/crt instead, linked into each image.
 *
 * Case mapping (tolower, _stricmp, towupper...) is the "C" locale's: ASCII
 * letters only, as the kernel's CRT does. The secure routines return their
 * documented errno values; the user-mode CRT's invalid-parameter handler has
 * no kernel counterpart and is not modelled. */
#include "rtl/format.h"

#include <ntddk.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef int errno_t;
#define CRT_EINVAL 22
#define CRT_ERANGE 34
#define CRT_STRUNCATE 80
#define CRT_TRUNCATE ((SIZE_T)-1)

#define CRT NTAPI

/* --- memory --- */

void *CRT rtl_crt_memcpy(void *dst, const void *src, SIZE_T n)
{
    return n ? memcpy(dst, src, n) : dst;
}

/* Also RtlCopyMemory and RtlMoveMemory: on x64 the exported RtlCopyMemory
 * tolerates overlap. */
void *CRT rtl_crt_memmove(void *dst, const void *src, SIZE_T n)
{
    return n ? memmove(dst, src, n) : dst;
}

void *CRT rtl_crt_memset(void *dst, int c, SIZE_T n)
{
    return n ? memset(dst, c, n) : dst;
}

int CRT rtl_crt_memcmp(const void *a, const void *b, SIZE_T n)
{
    int r = n ? memcmp(a, b, n) : 0;
    return (r > 0) - (r < 0);
}

void *CRT rtl_crt_memchr(const void *s, int c, SIZE_T n)
{
    return n ? memchr(s, c, n) : NULL;
}

/* RtlFillMemory(Destination, Length, Fill): the exported routine behind the
 * WDK macro. */
VOID CRT rtl_crt_fill_memory(PVOID dst, SIZE_T n, UCHAR fill)
{
    rtl_crt_memset(dst, fill, n);
}

VOID CRT rtl_crt_zero_memory(PVOID dst, SIZE_T n)
{
    rtl_crt_memset(dst, 0, n);
}

/* memcpy_s: count 0 succeeds; a NULL source or a destination too small
 * zero-fills the destination. */
errno_t CRT rtl_crt_memcpy_s(void *dst, SIZE_T dst_size, const void *src, SIZE_T count)
{
    if (count == 0)
        return 0;
    if (!dst)
        return CRT_EINVAL;
    if (!src || dst_size < count) {
        memset(dst, 0, dst_size);
        return src ? CRT_ERANGE : CRT_EINVAL;
    }
    memcpy(dst, src, count);
    return 0;
}

/* memmove_s: as memcpy_s, but the destination is left alone on failure. */
errno_t CRT rtl_crt_memmove_s(void *dst, SIZE_T dst_size, const void *src, SIZE_T count)
{
    if (count == 0)
        return 0;
    if (!dst || !src)
        return CRT_EINVAL;
    if (dst_size < count)
        return CRT_ERANGE;
    memmove(dst, src, count);
    return 0;
}

/* --- character classes and case, "C" locale --- */

static int crt_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int crt_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

int CRT rtl_crt_tolower(int c)
{
    return crt_lower(c);
}

int CRT rtl_crt_toupper(int c)
{
    return crt_upper(c);
}

WCHAR CRT rtl_crt_towlower(WCHAR c)
{
    return (WCHAR)crt_lower(c);
}

WCHAR CRT rtl_crt_towupper(WCHAR c)
{
    return (WCHAR)crt_upper(c);
}

/* --- narrow and wide strings, one generic body each --- */

/* The string routines exist twice, for CHAR and for WCHAR, with the same
 * bodies: CRT_STRINGS(T, U, prefix) defines them for character type T,
 * compared as the unsigned type U. */
#define CRT_STRINGS(T, U, P) \
    SIZE_T CRT rtl_crt_##P##len(const T *s) \
    { \
        const T *p = s; \
        while (*p) \
            p++; \
        return (SIZE_T)(p - s); \
    } \
    SIZE_T CRT rtl_crt_##P##nlen(const T *s, SIZE_T max) \
    { \
        SIZE_T n = 0; \
        while (n < max && s[n]) \
            n++; \
        return n; \
    } \
    static int crt_##P##compare(const T *a, const T *b, SIZE_T n, bool fold) \
    { \
        for (; n; n--, a++, b++) { \
            U x = (U)(fold ? crt_lower((U)*a) : (U)*a), y = (U)(fold ? crt_lower((U)*b) : (U)*b); \
            if (x != y) \
                return x < y ? -1 : 1; \
            if (!x) \
                break; \
        } \
        return 0; \
    } \
    int CRT rtl_crt_##P##cmp(const T *a, const T *b) { return crt_##P##compare(a, b, (SIZE_T)-1, false); } \
    int CRT rtl_crt_##P##ncmp(const T *a, const T *b, SIZE_T n) { return crt_##P##compare(a, b, n, false); } \
    int CRT rtl_crt_##P##icmp(const T *a, const T *b) { return crt_##P##compare(a, b, (SIZE_T)-1, true); } \
    int CRT rtl_crt_##P##nicmp(const T *a, const T *b, SIZE_T n) { return crt_##P##compare(a, b, n, true); } \
    T *CRT rtl_crt_##P##cpy(T *dst, const T *src) \
    { \
        T *d = dst; \
        while ((*d++ = *src++)) \
            ; \
        return dst; \
    } \
    /* strncpy: pads with NULs up to n; no terminator when src is n long or more. */ \
    T *CRT rtl_crt_##P##ncpy(T *dst, const T *src, SIZE_T n) \
    { \
        SIZE_T i = 0; \
        for (; i < n && src[i]; i++) \
            dst[i] = src[i]; \
        for (; i < n; i++) \
            dst[i] = 0; \
        return dst; \
    } \
    T *CRT rtl_crt_##P##cat(T *dst, const T *src) \
    { \
        rtl_crt_##P##cpy(dst + rtl_crt_##P##len(dst), src); \
        return dst; \
    } \
    T *CRT rtl_crt_##P##chr(const T *s, int c) \
    { \
        for (;; s++) { \
            if (*s == (T)c) \
                return (T *)s; \
            if (!*s) \
                return NULL; \
        } \
    } \
    T *CRT rtl_crt_##P##rchr(const T *s, int c) \
    { \
        const T *last = NULL; \
        for (;; s++) { \
            if (*s == (T)c) \
                last = s; \
            if (!*s) \
                return (T *)last; \
        } \
    } \
    T *CRT rtl_crt_##P##str(const T *hay, const T *needle) \
    { \
        SIZE_T n = rtl_crt_##P##len(needle); \
        for (; *hay; hay++) \
            if (crt_##P##compare(hay, needle, n, false) == 0) \
                return (T *)hay; \
        return n ? NULL : (T *)hay; \
    } \
    /* strncpy_s: count characters at most (_TRUNCATE: as many as fit, \
     * STRUNCATE when cut); always terminated; on failure dst is "". */ \
    errno_t CRT rtl_crt_##P##ncpy_s(T *dst, SIZE_T size, const T *src, SIZE_T count) \
    { \
        if (!dst && !size && !count) \
            return 0; \
        if (!dst || !size) \
            return CRT_EINVAL; \
        if (!src) { \
            dst[0] = 0; \
            return count ? CRT_EINVAL : 0; \
        } \
        SIZE_T n = rtl_crt_##P##nlen(src, count); \
        if (n >= size) { \
            if (count == CRT_TRUNCATE) { \
                memcpy(dst, src, (size - 1) * sizeof(T)); \
                dst[size - 1] = 0; \
                return CRT_STRUNCATE; \
            } \
            dst[0] = 0; \
            return CRT_ERANGE; \
        } \
        memcpy(dst, src, n * sizeof(T)); \
        dst[n] = 0; \
        return 0; \
    } \
    errno_t CRT rtl_crt_##P##cpy_s(T *dst, SIZE_T size, const T *src) \
    { \
        if (!dst || !size) \
            return CRT_EINVAL; \
        if (!src) { \
            dst[0] = 0; \
            return CRT_EINVAL; \
        } \
        SIZE_T n = rtl_crt_##P##nlen(src, size); \
        if (n == size) { \
            dst[0] = 0; \
            return CRT_ERANGE; \
        } \
        memcpy(dst, src, (n + 1) * sizeof(T)); \
        return 0; \
    } \
    /* strcat_s: dst must be terminated within size; on failure dst is "". */ \
    errno_t CRT rtl_crt_##P##cat_s(T *dst, SIZE_T size, const T *src) \
    { \
        if (!dst || !size) \
            return CRT_EINVAL; \
        SIZE_T used = rtl_crt_##P##nlen(dst, size); \
        if (!src || used == size) { \
            dst[0] = 0; \
            return CRT_EINVAL; \
        } \
        errno_t r = rtl_crt_##P##cpy_s(dst + used, size - used, src); \
        if (r) \
            dst[0] = 0; \
        return r; \
    }

CRT_STRINGS(char, unsigned char, str)
CRT_STRINGS(WCHAR, WCHAR, wcs)

/* --- printf family --- */

/* The whole output of fmt (malloc'd, NUL-terminated) and its length, or
 * NULL when fmt is NULL or memory runs out. */
static char *crt_format(const char *fmt, __builtin_ms_va_list ap, size_t *len)
{
    for (size_t size = 256; size && size <= (size_t)INT_MAX + 1; size *= 2) {
        char *buf = malloc(size);
        if (!buf)
            return NULL;
        int n = rtl_format(buf, size, fmt, ap);
        if (n >= 0) {
            *len = (size_t)n;
            return buf;
        }
        free(buf);
        if (!fmt)
            return NULL;
    }
    return NULL;
}

/* _vsnprintf: when the output and its NUL fit, both are written and the
 * length returned; when the output is exactly count long it is written
 * without a NUL and count returned; when longer, its first count characters
 * are written and -1 returned. */
/* The secure forms' copy of len elements of elem bytes at text into buf
 * (size elements): at most count of them (CRT_TRUNCATE: as many as fit
 * before the NUL), always NUL-terminated. -1 when truncated; when not even
 * count fit, buf is "" and -1 returned (the invalid-parameter case). */
static int crt_copy_s(void *buf, SIZE_T size, SIZE_T count, const void *text, size_t len, size_t elem)
{
    size_t want = count == CRT_TRUNCATE ? (len < size ? len : size - 1) : (len < count ? len : count);
    if (want >= size) {
        memset(buf, 0, elem);
        return -1;
    }
    memcpy(buf, text, want * elem);
    memset((char *)buf + want * elem, 0, elem);
    return want == len ? (int)len : -1;
}

int CRT rtl_crt_vsnprintf(char *buf, SIZE_T count, const char *fmt, __builtin_ms_va_list ap)
{
    size_t len;
    char *text = crt_format(fmt, ap, &len);
    if (!text)
        return -1;
    if (count)
        memcpy(buf, text, len < count ? len + 1 : count);
    free(text);
    return len <= count ? (int)len : -1;
}

/* _vsnprintf_s: as _vsnprintf within size bytes, always terminated (see
 * crt_copy_s); a NULL buffer or format, or size 0, is -1 (EINVAL). */
int CRT rtl_crt_vsnprintf_s(char *buf, SIZE_T size, SIZE_T count, const char *fmt, __builtin_ms_va_list ap)
{
    size_t len;
    if (!buf || !size || !fmt)
        return -1;
    char *text = crt_format(fmt, ap, &len);
    int n = text ? crt_copy_s(buf, size, count, text, len, 1) : -1;
    free(text);
    return n;
}

int CRT rtl_crt_snprintf(char *buf, SIZE_T count, const char *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = rtl_crt_vsnprintf(buf, count, fmt, ap);
    __builtin_ms_va_end(ap);
    return n;
}

int CRT rtl_crt_vsprintf(char *buf, const char *fmt, __builtin_ms_va_list ap)
{
    return rtl_crt_vsnprintf(buf, (SIZE_T)INT_MAX, fmt, ap);
}

int CRT rtl_crt_sprintf(char *buf, const char *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = rtl_crt_vsprintf(buf, fmt, ap);
    __builtin_ms_va_end(ap);
    return n;
}

/* UTF-16 -> UTF-8 for one code unit sequence; an unpaired surrogate becomes
 * '?'. Returns bytes written to out (at most 4). */
static size_t crt_utf8(const WCHAR *s, size_t *i, char *out)
{
    unsigned c = s[*i];
    if (c >= 0xD800 && c < 0xDC00 && s[*i + 1] >= 0xDC00 && s[*i + 1] < 0xE000)
        c = 0x10000 + ((c - 0xD800) << 10) + (s[++*i] - 0xDC00);
    else if (c >= 0xD800 && c < 0xE000)
        c = '?';
    if (c < 0x80)
        return out[0] = (char)c, 1;
    if (c < 0x800)
        return out[0] = (char)(0xC0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000)
        return out[0] = (char)(0xE0 | c >> 12), out[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
               out[2] = (char)(0x80 | (c & 0x3F)), 3;
    return out[0] = (char)(0xF0 | c >> 18), out[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
           out[2] = (char)(0x80 | ((c >> 6) & 0x3F)), out[3] = (char)(0x80 | (c & 0x3F)), 4;
}

/* A wide format as the narrow formatter reads it: the text in UTF-8, and the
 * codes whose meaning flips in wide printf made explicit (%s and %c take
 * wide text there, %S and %C narrow). NULL when memory runs out. */
static char *crt_narrow_format(const WCHAR *fmt)
{
    size_t n = rtl_crt_wcslen(fmt), used = 0;
    char *out = malloc(n * 4 + n + 1); /* UTF-8 at most 4 bytes a unit, plus one size letter per code */
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (fmt[i] != '%') {
            used += crt_utf8(fmt, &i, out + used);
            continue;
        }
        out[used++] = '%';
        bool sized = false;
        for (i++; i < n && fmt[i] < 0x80 && strchr("-+ #0123456789.*hlwIzjtL", (char)fmt[i]); i++) {
            sized |= fmt[i] == 'h' || fmt[i] == 'l' || fmt[i] == 'w';
            out[used++] = (char)fmt[i];
        }
        if (i == n)
            break;
        if (!sized && (fmt[i] == 's' || fmt[i] == 'c'))
            out[used++] = 'w';
        else if (!sized && (fmt[i] == 'S' || fmt[i] == 'C'))
            out[used++] = 'h';
        used += crt_utf8(fmt, &i, out + used);
    }
    out[used] = 0;
    return out;
}

/* UTF-8 -> UTF-16 into out (room for the whole text); a byte that starts
 * no valid sequence is taken as the Latin-1 character of that value.
 * Returns the number of code units. */
static size_t crt_utf16(const unsigned char *s, size_t len, WCHAR *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        unsigned need = c >= 0xC2 && c < 0xE0 ? 1 : c >= 0xE0 && c < 0xF0 ? 2 : c >= 0xF0 && c < 0xF5 ? 3 : 0;
        bool ok = need && i + need < len;
        for (unsigned k = 1; ok && k <= need; k++)
            ok = (s[i + k] & 0xC0) == 0x80;
        if (!ok) {
            out[n++] = (WCHAR)c;
            i++;
            continue;
        }
        unsigned v = c & (0x3F >> need);
        for (unsigned k = 1; k <= need; k++)
            v = v << 6 | (s[i + k] & 0x3F);
        i += need + 1;
        if (v >= 0x10000) {
            out[n++] = (WCHAR)(0xD800 + ((v - 0x10000) >> 10));
            out[n++] = (WCHAR)(0xDC00 + ((v - 0x10000) & 0x3FF));
        } else {
            out[n++] = (WCHAR)v;
        }
    }
    return n;
}

/* _vsnwprintf: _vsnprintf's rules, counted in WCHARs. Narrow text in the
 * output (%S, %hs) that is not UTF-8 is taken as Latin-1. */
static WCHAR *crt_wformat(const WCHAR *fmt, __builtin_ms_va_list ap, size_t *len)
{
    size_t len8;
    char *narrow = fmt ? crt_narrow_format(fmt) : NULL;
    char *text = narrow ? crt_format(narrow, ap, &len8) : NULL;
    WCHAR *wide = text ? malloc((len8 + 1) * sizeof(WCHAR)) : NULL;

    if (wide) {
        *len = crt_utf16((const unsigned char *)text, len8, wide);
        wide[*len] = 0;
    }
    free(text);
    free(narrow);
    return wide;
}

int CRT rtl_crt_vsnwprintf(WCHAR *buf, SIZE_T count, const WCHAR *fmt, __builtin_ms_va_list ap)
{
    size_t len;
    WCHAR *wide = crt_wformat(fmt, ap, &len);
    int result = -1;

    if (wide) {
        if (count)
            memcpy(buf, wide, (len < count ? len + 1 : count) * sizeof(WCHAR));
        result = len <= count ? (int)len : -1;
    }
    free(wide);
    return result;
}

/* _vsnwprintf_s: _vsnprintf_s's rules, counted in WCHARs. */
int CRT rtl_crt_vsnwprintf_s(WCHAR *buf, SIZE_T size, SIZE_T count, const WCHAR *fmt, __builtin_ms_va_list ap)
{
    size_t len;
    if (!buf || !size || !fmt)
        return -1;
    WCHAR *wide = crt_wformat(fmt, ap, &len);
    int n = wide ? crt_copy_s(buf, size, count, wide, len, sizeof(WCHAR)) : -1;
    free(wide);
    return n;
}

int CRT rtl_crt_snwprintf(WCHAR *buf, SIZE_T count, const WCHAR *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = rtl_crt_vsnwprintf(buf, count, fmt, ap);
    __builtin_ms_va_end(ap);
    return n;
}

/* swprintf as ntoskrnl exports it: the pre-ISO form, without a count. */
int CRT rtl_crt_swprintf(WCHAR *buf, const WCHAR *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = rtl_crt_vsnwprintf(buf, (SIZE_T)INT_MAX, fmt, ap);
    __builtin_ms_va_end(ap);
    return n;
}
