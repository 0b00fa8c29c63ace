/* rtl/format.c: Windows' kernel printf rules (the formatter of DbgPrint,
 * _vsnprintf, RtlStringCbPrintf); see format.h for the contract.
 *
 * Surprises, all Windows' and not glibc's: %lx is 32-bit (LLP64); %p is 16
 * uppercase hex digits, zero-padded, no "0x"; %s, %ws and %Z of NULL print
 * "(null)"; %wZ prints Length/2 characters of a counted UNICODE_STRING (no
 * terminator needed, an odd Length drops the last byte); %S and %C are wide
 * in a narrow format; %n writes nothing. */
#include "rtl/format.h"

#include <ntdef.h>
#include <string.h>

struct fmt_out {
    char *buf;
    size_t cap; /* bytes of text buf can take (size - 1) */
    size_t used;
    bool truncated;
};

enum fmt_size { FMT_INT, FMT_CHAR, FMT_SHORT, FMT_LONG, FMT_INT64 };

struct fmt_spec {
    bool left, plus, space, zero, alt;
    bool wide, narrow; /* 'w' or 'l' / 'h' prefixes, for strings and chars */
    int width;
    int precision; /* -1: none */
    enum fmt_size size;
    char conv;
};

static void out_bytes(struct fmt_out *o, const char *s, size_t n)
{
    size_t room = o->cap - o->used;
    if (n > room) {
        n = room;
        o->truncated = true;
    }
    memcpy(o->buf + o->used, s, n);
    o->used += n;
}

static void out_fill(struct fmt_out *o, char c, long long n)
{
    size_t room = o->cap - o->used;
    if (n <= 0)
        return;
    if ((unsigned long long)n > room) {
        n = (long long)room;
        o->truncated = true;
    }
    memset(o->buf + o->used, c, (size_t)n);
    o->used += (size_t)n;
}

/* One UTF-16 string as UTF-8; a surrogate without its partner becomes '?'. */
static void out_utf16(struct fmt_out *o, const WCHAR *s, size_t n)
{
    for (size_t i = 0; i < n && !o->truncated; i++) {
        unsigned c = s[i];
        char u[4];
        size_t k;
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000)
            c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00u);
        else if (c >= 0xD800 && c < 0xE000)
            c = '?';
        if (c < 0x80) {
            u[0] = (char)c, k = 1;
        } else if (c < 0x800) {
            u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), k = 2;
        } else if (c < 0x10000) {
            u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[2] = (char)(0x80 | (c & 0x3F)), k = 3;
        } else {
            u[0] = (char)(0xF0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F)), k = 4;
        }
        out_bytes(o, u, k);
    }
}

/* Text of n units (bytes, or UTF-16 units when wide) padded to the width. */
static void out_padded(struct fmt_out *o, const struct fmt_spec *s, const void *text, size_t n, bool wide)
{
    long long pad = (long long)s->width - (long long)n;
    if (!s->left)
        out_fill(o, ' ', pad);
    if (wide)
        out_utf16(o, text, n);
    else
        out_bytes(o, text, n);
    if (s->left)
        out_fill(o, ' ', pad);
}

/* Flags, width, precision and size prefixes of the code after '%'. Returns
 * the position of the conversion character. */
static const char *fmt_parse(const char *p, struct fmt_spec *s, __builtin_ms_va_list *ap)
{
    memset(s, 0, sizeof *s);
    s->precision = -1;
    for (;; p++) {
        if (*p == '-') s->left = true;
        else if (*p == '+') s->plus = true;
        else if (*p == ' ') s->space = true;
        else if (*p == '0') s->zero = true;
        else if (*p == '#') s->alt = true;
        else break;
    }
    if (*p == '*') {
        s->width = __builtin_va_arg(*ap, int);
        if (s->width < 0) {
            s->left = true; /* a negative '*' width means '-' */
            s->width = s->width == -2147483647 - 1 ? 2147483647 : -s->width;
        }
        p++;
    } else {
        for (; *p >= '0' && *p <= '9'; p++)
            s->width = s->width > 100000000 ? s->width : s->width * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        s->precision = 0;
        if (*p == '*') {
            s->precision = __builtin_va_arg(*ap, int);
            if (s->precision < 0)
                s->precision = -1; /* a negative '*' precision is no precision */
            p++;
        } else {
            for (; *p >= '0' && *p <= '9'; p++)
                s->precision = s->precision > 100000000 ? s->precision : s->precision * 10 + (*p - '0');
        }
    }
    for (;;) {
        if (p[0] == 'h' && p[1] == 'h') s->size = FMT_CHAR, s->narrow = true, p += 2;
        else if (p[0] == 'h') s->size = FMT_SHORT, s->narrow = true, p++;
        else if (p[0] == 'l' && p[1] == 'l') s->size = FMT_INT64, p += 2;
        else if (p[0] == 'l') s->size = FMT_LONG, s->wide = true, p++;
        else if (p[0] == 'w') s->wide = true, p++;
        else if (p[0] == 'I' && p[1] == '6' && p[2] == '4') s->size = FMT_INT64, p += 3;
        else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') s->size = FMT_LONG, p += 3;
        else if (p[0] == 'I' && p[1] && strchr("diouxX", p[1])) s->size = FMT_INT64, p++; /* pointer-sized */
        else if ((p[0] == 'z' || p[0] == 't' || p[0] == 'j') && p[1] && strchr("diouxX", p[1]))
            s->size = FMT_INT64, p++; /* size_t, ptrdiff_t, intmax_t: 64-bit on x64 */
        else break;
    }
    s->conv = *p;
    return p;
}

/* The integer argument of an integer code, as its magnitude and sign. */
static unsigned long long fmt_int_arg(const struct fmt_spec *s, __builtin_ms_va_list *ap, bool *negative)
{
    bool is_signed = s->conv == 'd' || s->conv == 'i';
    long long v;
    if (s->size == FMT_INT64) {
        v = __builtin_va_arg(*ap, long long);
        if (!is_signed)
            return (unsigned long long)v;
    } else {
        unsigned u = __builtin_va_arg(*ap, unsigned);
        if (s->size == FMT_SHORT)
            u = is_signed ? (unsigned)(int)(short)u : (unsigned short)u;
        else if (s->size == FMT_CHAR)
            u = is_signed ? (unsigned)(int)(signed char)u : (unsigned char)u;
        if (!is_signed)
            return u;
        v = (int)u;
    }
    *negative = v < 0;
    return v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
}

/* An integer: sign or 0x prefix, precision zeros, digits, width padding
 * ('0' flag ignored with '-' or with a precision, as the CRT documents). */
static void fmt_number(struct fmt_out *o, const struct fmt_spec *s, unsigned long long v, bool negative)
{
    unsigned base = s->conv == 'o' ? 8 : (s->conv == 'x' || s->conv == 'X' || s->conv == 'p') ? 16 : 10;
    const char *digit = s->conv == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
    char tmp[24], prefix[2];
    size_t nd = 0, np = 0;
    for (unsigned long long x = v; x; x /= base)
        tmp[sizeof tmp - 1 - nd++] = digit[x % base];
    long long zeros = s->precision < 0 ? (v == 0) : (long long)s->precision - (long long)nd;
    if (zeros < 0)
        zeros = 0;
    if (negative) prefix[np++] = '-';
    else if ((s->conv == 'd' || s->conv == 'i') && s->plus) prefix[np++] = '+';
    else if ((s->conv == 'd' || s->conv == 'i') && s->space) prefix[np++] = ' ';
    if (s->alt && v != 0 && base == 16)
        prefix[np++] = '0', prefix[np++] = s->conv == 'x' ? 'x' : 'X';
    if (s->alt && base == 8 && zeros == 0 && (nd == 0 || tmp[sizeof tmp - nd] != '0'))
        zeros = 1;
    long long pad = (long long)s->width - (long long)np - zeros - (long long)nd;
    bool zero_pad = s->zero && !s->left && s->precision < 0;
    if (!s->left && !zero_pad)
        out_fill(o, ' ', pad);
    out_bytes(o, prefix, np);
    if (zero_pad)
        out_fill(o, '0', pad);
    out_fill(o, '0', zeros);
    out_bytes(o, tmp + sizeof tmp - nd, nd);
    if (s->left)
        out_fill(o, ' ', pad);
}

static size_t fmt_strnlen16(const WCHAR *s, int precision)
{
    size_t n = 0;
    while ((precision < 0 || n < (size_t)precision) && s[n])
        n++;
    return n;
}

/* %s %S %ws %ls %hs and %Z %wZ; NULL (or a NULL Buffer) prints "(null)". */
static void fmt_string(struct fmt_out *o, const struct fmt_spec *s, bool wide, __builtin_ms_va_list *ap)
{
    const void *arg = __builtin_va_arg(*ap, const void *);
    const void *text = arg;
    size_t n;
    if (s->conv == 'Z' && arg) {
        const STRING *str = arg; /* UNICODE_STRING has the same layout */
        text = str->Buffer;
        n = wide ? str->Length / sizeof(WCHAR) : str->Length; /* precision not applied, as msvcrt */
        if (text) {
            out_padded(o, s, text, n, wide);
            return;
        }
    }
    if (!text) {
        text = "(null)";
        wide = false;
    }
    if (wide)
        n = fmt_strnlen16(text, s->precision);
    else
        n = s->precision < 0 ? strlen(text) : strnlen(text, (size_t)s->precision);
    out_padded(o, s, text, n, wide);
}

/* Which codes take wide text: 'h' forces narrow, 'l'/'w' wide; otherwise
 * %S and %C are the wide ones in a narrow format. %Z is wide only with 'w'. */
static bool fmt_is_wide(const struct fmt_spec *s)
{
    if (s->conv == 'Z')
        return s->wide && !s->narrow;
    if (s->narrow)
        return false;
    return s->wide || s->conv == 'S' || s->conv == 'C';
}

static void fmt_note(const char **code, int *len, const char *start, const char *end)
{
    if (!*code) {
        *code = start;
        *len = (int)(end - start + 1);
    }
}

/* One code; start is its '%', p its conversion character. */
static void fmt_one(struct fmt_out *o, const struct fmt_spec *s, __builtin_ms_va_list *ap,
                    struct rtl_format_info *info, const char *start, const char *p)
{
    bool negative = false, wide = fmt_is_wide(s);
    switch (s->conv) {
    case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': {
        unsigned long long v = fmt_int_arg(s, ap, &negative);
        fmt_number(o, s, v, negative);
        break;
    }
    case 'p': {
        struct fmt_spec ps = *s;
        ps.precision = 16; /* 2 * sizeof(void *) digits, uppercase, as 'X' */
        ps.zero = false;
        fmt_number(o, &ps, (ULONG_PTR)__builtin_va_arg(*ap, void *), false);
        break;
    }
    case 'c': case 'C': {
        WCHAR c = (WCHAR)__builtin_va_arg(*ap, int);
        char narrow = (char)c;
        out_padded(o, s, wide ? (const void *)&c : &narrow, 1, wide);
        break;
    }
    case 's': case 'S': case 'Z':
        fmt_string(o, s, wide, ap);
        break;
    case 'n': /* refused: Windows' CRTs disable %n; nothing is written */
        (void)__builtin_va_arg(*ap, void *);
        fmt_note(&info->refused_code, &info->refused_len, start, p);
        return;
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
        (void)__builtin_va_arg(*ap, double); /* the kernel formatter has no floating point */
        fmt_note(&info->refused_code, &info->refused_len, start, p);
        return;
    default: /* unknown conversion: the character itself, as msvcrt prints it */
        out_bytes(o, p, 1);
        return;
    }
    if (wide && strchr("cCsSZ", s->conv))
        fmt_note(&info->unicode_code, &info->unicode_len, start, p);
}

int rtl_format_info(char *buf, size_t size, const char *fmt, __builtin_ms_va_list ap, struct rtl_format_info *info)
{
    struct fmt_out o = { buf, size ? size - 1 : 0, 0, size == 0 };
    struct rtl_format_info ignored;
    struct fmt_spec s;
    if (!info)
        info = &ignored;
    memset(info, 0, sizeof *info);
    if (!fmt) {
        if (size)
            buf[0] = 0;
        return -1;
    }
    for (const char *p = fmt; *p && !o.truncated;) {
        const char *pct = strchr(p, '%');
        size_t run = pct ? (size_t)(pct - p) : strlen(p);
        out_bytes(&o, p, run);
        if (!pct)
            break;
        if (pct[1] == '%') {
            out_bytes(&o, "%", 1);
            p = pct + 2;
            continue;
        }
        const char *conv = fmt_parse(pct + 1, &s, &ap);
        if (!*conv)
            break; /* the format ends inside a code: nothing more to print */
        fmt_one(&o, &s, &ap, info, pct, conv);
        p = conv + 1;
    }
    if (size)
        buf[o.used] = 0;
    return o.truncated ? -1 : (int)o.used;
}

int rtl_format(char *buf, size_t size, const char *fmt, __builtin_ms_va_list ap)
{
    return rtl_format_info(buf, size, fmt, ap, NULL);
}

int __attribute__((ms_abi)) rtl_formatf(char *buf, size_t size, const char *fmt, ...)
{
    __builtin_ms_va_list ap;
    __builtin_ms_va_start(ap, fmt);
    int n = rtl_format_info(buf, size, fmt, ap, NULL);
    __builtin_ms_va_end(ap);
    return n;
}
