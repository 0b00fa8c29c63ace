/* tests/ktest.c: the runner behind ktest.h (KTAP output, child processes). */
#include "ktest.h"

#include "ke/bugcheck.h"
#include "rtl/status_name.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define KT_MAX_TESTS 512

static struct { const char *name; kt_fn *fn; } kt_tests[KT_MAX_TESTS];
static int kt_count;
static int kt_current_failures;

void kt_register(const char *name, kt_fn *fn)
{
    if (kt_count == KT_MAX_TESTS) {
        fprintf(stderr, "ktest: more than %d tests in one file\n", KT_MAX_TESTS);
        exit(2);
    }
    kt_tests[kt_count].name = name;
    kt_tests[kt_count].fn = fn;
    kt_count++;
}

bool kt_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("    # %s:%d: ", file, line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    kt_current_failures++;
    return false;
}

bool kt_check_int(const char *file, int line, const char *expr, long long actual, long long expected)
{
    if (actual == expected)
        return true;
    return kt_fail(file, line, "%s is %lld, expected %lld", expr, actual, expected);
}

bool kt_check_hex(const char *file, int line, const char *expr, unsigned long long actual, unsigned long long expected)
{
    if (actual == expected)
        return true;
    return kt_fail(file, line, "%s is 0x%llx, expected 0x%llx", expr, actual, expected);
}

bool kt_check_status(const char *file, int line, const char *expr, NTSTATUS actual, NTSTATUS expected)
{
    char a[96], e[96];
    if (actual == expected)
        return true;
    return kt_fail(file, line, "%s: status %s, expected %s", expr, rtl_status_describe(actual, a, sizeof a),
                   rtl_status_describe(expected, e, sizeof e));
}

bool kt_check_ptr(const char *file, int line, const char *expr, const void *actual, const void *expected)
{
    if (actual == expected)
        return true;
    return kt_fail(file, line, "%s is %p, expected %p", expr, actual, expected);
}

static void kt_hexdump(char *out, size_t outn, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && used + 4 < outn; i++)
        used += (size_t)snprintf(out + used, outn - used, "%02x ", b[i]);
}

bool kt_check_mem(const char *file, int line, const char *expr, const void *actual, const void *expected, size_t n)
{
    char a[512], e[512];
    if (memcmp(actual, expected, n) == 0)
        return true;
    kt_hexdump(a, sizeof a, actual, n);
    kt_hexdump(e, sizeof e, expected, n);
    return kt_fail(file, line, "%s: bytes %s, expected %s", expr, a, e);
}

bool kt_check_str(const char *file, int line, const char *expr, const char *actual, const char *expected)
{
    if (actual && expected && strcmp(actual, expected) == 0)
        return true;
    return kt_fail(file, line, "%s is \"%s\", expected \"%s\"", expr, actual ? actual : "(null)",
                   expected ? expected : "(null)");
}

bool kt_check_ustr(const char *file, int line, const char *expr, const UNICODE_STRING *actual, const char *expected)
{
    char a[1024];
    size_t n = actual->Length / 2, i;
    for (i = 0; i < n && i + 1 < sizeof a; i++) {
        unsigned c = actual->Buffer[i];
        a[i] = c < 0x80 ? (char)c : '?';
    }
    a[i] = 0;
    if (strlen(expected) == n && strcmp(a, expected) == 0)
        return true;
    return kt_fail(file, line, "%s is L\"%s\" (Length %u), expected L\"%s\"", expr, a, actual->Length, expected);
}

bool kt_check_contains(const char *file, int line, const char *expr, const char *haystack, const char *needle)
{
    if (haystack && strstr(haystack, needle))
        return true;
    return kt_fail(file, line, "%s does not contain \"%s\"; it is:\n%s", expr, needle, haystack ? haystack : "(null)");
}

static char kt_child_output[65536];

const char *kt_run_child(void (*fn)(void *), void *arg, int *status)
{
    int fds[2];
    fflush(stdout);
    if (pipe(fds) != 0) {
        perror("ktest: pipe");
        exit(2);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("ktest: fork");
        exit(2);
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
        ke_bugcheck_install_fault_handlers();
        fn(arg);
        fflush(stdout);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t got;
    while ((got = read(fds[0], kt_child_output + used, sizeof kt_child_output - 1 - used)) > 0)
        used += (size_t)got;
    kt_child_output[used] = 0;
    close(fds[0]);
    int ws;
    waitpid(pid, &ws, 0);
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return kt_child_output;
}

const char *kt_expect_bugcheck(const char *file, int line, const char *what, void (*fn)(void *), void *arg,
                               ULONG code, ULONG_PTR p1)
{
    int status;
    char stop[64];
    const char *out = kt_run_child(fn, arg, &status);
    snprintf(stop, sizeof stop, "*** STOP: 0x%08X (0x%016llX,", (unsigned)code, (unsigned long long)p1);
    if (status != 3) {
        kt_fail(file, line, "%s: exit status %d, expected 3 (bugcheck 0x%X); output:\n%s", what, status,
                (unsigned)code, out);
        return NULL;
    }
    if (!strstr(out, stop)) {
        kt_fail(file, line, "%s: output lacks \"%s\"; it is:\n%s", what, stop, out);
        return NULL;
    }
    return out;
}

int main(void)
{
    int failed = 0;
    printf("KTAP version 1\n1..%d\n", kt_count);
    for (int i = 0; i < kt_count; i++) {
        kt_current_failures = 0;
        kt_tests[i].fn();
        if (kt_current_failures)
            failed++;
        printf("%sok %d %s\n", kt_current_failures ? "not " : "", i + 1, kt_tests[i].name);
        fflush(stdout);
    }
    printf("# %d/%d passed\n", kt_count - failed, kt_count);
    return failed ? 1 : 0;
}
