/* crt/crt.c: the C runtime routines ntoskrnl exports, linked into native
 * drivers. Built with the Microsoft ABI (-mabi=ms) like the driver itself, so
 * the memcpy a driver calls, or that the compiler emits for a struct copy, is
 * never glibc's System V one. Hidden: each driver image has its own copy. */
#include <ntdef.h>

typedef __SIZE_TYPE__ crt_size_t;

void *memcpy(void *dst, const void *src, crt_size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, crt_size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, crt_size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, crt_size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

crt_size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (crt_size_t)(p - s);
}

crt_size_t wcslen(const WCHAR *s)
{
    const WCHAR *p = s;
    while (*p)
        p++;
    return (crt_size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int wcscmp(const WCHAR *a, const WCHAR *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a < *b ? -1 : *a > *b;
}
