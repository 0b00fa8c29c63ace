/* base/safe_read.c: copies that survive faults (see safe_read.h). */
#include "base/safe_read.h"

#include <setjmp.h>
#include <stdint.h>

static __thread sigjmp_buf *base_recovery;

/* Word copies, not memcpy: the sanitizers intercept memcpy and would report
 * the very bad pointers these routines exist to survive. */
__attribute__((no_sanitize("address", "undefined"), noinline))
static void base_copy(volatile unsigned char *dst, const volatile unsigned char *src, size_t n)
{
    while (n >= 8 && !(((uintptr_t)dst | (uintptr_t)src) & 7)) {
        *(volatile uint64_t *)dst = *(const volatile uint64_t *)src;
        dst += 8, src += 8, n -= 8;
    }
    while (n--)
        *dst++ = *src++;
}

__attribute__((no_sanitize("address", "undefined"), noinline))
static void base_touch(volatile unsigned char *p, size_t n, size_t stride)
{
    for (size_t i = 0; i < n; i += stride)
        p[i] = p[i];
    if (n)
        p[n - 1] = p[n - 1];
}

/* Runs one copy under a recovery point; recovery points nest (a report
 * reading memory while a copy is in progress on the same thread). */
#define BASE_RECOVERABLE(stmt)                           \
    do {                                                 \
        sigjmp_buf env, *volatile outer = base_recovery; \
        if (sigsetjmp(env, 0)) {                         \
            base_recovery = outer;                       \
            return false;                                \
        }                                                \
        base_recovery = &env;                            \
        stmt;                                            \
        base_recovery = outer;                           \
        return true;                                     \
    } while (0)

bool safe_read(const void *addr, void *out, size_t n)
{
    BASE_RECOVERABLE(base_copy(out, addr, n));
}

bool safe_write(void *addr, const void *in, size_t n)
{
    BASE_RECOVERABLE(base_copy(addr, in, n));
}

bool safe_touch_writable(void *addr, size_t n, size_t stride)
{
    BASE_RECOVERABLE(base_touch(addr, n, stride));
}

void base_fault_recover(void)
{
    sigjmp_buf *env = base_recovery;
    if (env)
        siglongjmp(*env, 1);
}
