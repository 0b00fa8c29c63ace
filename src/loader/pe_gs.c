/* loader/pe_gs.c: stack-overrun protection for PE drivers.
 *
 * The Microsoft compiler's /GS keeps one cookie per image,
 * __security_cookie, which the image's load configuration points to; the
 * linker stores 0x2B992DDFA232 there and the kernel's loader replaces it with
 * a random value before the driver runs. The image's own
 * __security_check_cookie (linked from the WDK's BufferOverflow library)
 * reports a mismatch itself, as bugcheck 0xF7 or a fast fail.
 *
 * gcc's -fstack-protector compares with a guard variable, __stack_chk_guard,
 * and calls __stack_chk_fail on a mismatch. mingw takes both from libssp,
 * which a driver linked with -nostdlib against ntoskrnl does not have, and
 * gcc's code cannot import a variable from another image. So such a driver
 * defines __stack_chk_guard itself, as the linker's default cookie, and
 * points its load configuration's SecurityCookie at it: the loader then
 * initializes it like any /GS cookie. ntbox exports __stack_chk_fail
 * (Windows does not) and reports it as Windows reports a /GS failure:
 * bugcheck 0xF7 DRIVER_OVERRAN_STACK_BUFFER. Native drivers have the same
 * guard in their C runtime (src/crt/stack_guard.c), initialized here too. */
#include "loader/pe_load.h"

#include "ke/bugcheck.h"
#include "loader/pe.h"

#include <string.h>
#include <sys/random.h>

/* A cookie as the x64 kernel makes them: 48 random bits (the top 16 are zero,
 * which the x64 __security_check_cookie verifies), never 0 or the linker's
 * default. */
static ULONG64 ldr_gs_random_cookie(void)
{
    ULONG64 v = 0;
    while (v == 0 || v == PE_DEFAULT_SECURITY_COOKIE) {
        if (getrandom(&v, sizeof v, 0) != sizeof v)
            v ^= (ULONG64)(uintptr_t)&v * 0x9E3779B97F4A7C15ULL; /* no entropy source: ASLR bits */
        v &= 0x0000FFFFFFFFFFFFULL;
    }
    return v;
}

/* Windows' loader initializes the cookie only while it holds the linker's
 * value; an image that set its own keeps it. */
bool ldr_gs_init_cookie(void *cookie)
{
    ULONG64 v;
    memcpy(&v, cookie, sizeof v);
    if (v != PE_DEFAULT_SECURITY_COOKIE)
        return false;
    v = ldr_gs_random_cookie();
    memcpy(cookie, &v, sizeof v);
    return true;
}

/* The guard of the image m: a native image's, or a PE image's /GS cookie. */
static ULONG64 ldr_gs_cookie(const struct ldr_module *m)
{
    ULONG64 v = 0;
    if (m && m->stack_guard)
        memcpy(&v, m->stack_guard, sizeof v);
    else
        v = ldr_pe_cookie(m);
    return v;
}

/* gcc's -fstack-protector found its guard overwritten in the caller's frame
 * (exported as __stack_chk_fail). The frame's value is not passed, so P1 is
 * 0; P2/P3 are the calling image's cookie and its complement, as for /GS. */
__attribute__((noreturn)) VOID NTAPI ldr_gs_stack_chk_fail(VOID)
{
    const void *at = __builtin_return_address(0);
    ULONG64 expected = ldr_gs_cookie(ldr_module_at(at));
    ke_bugcheck(0xF7, 0, expected, ~expected, 0, at,
                "The driver overran a buffer on its stack: the function returning here found its stack guard "
                "(gcc's -fstack-protector) overwritten.");
}
