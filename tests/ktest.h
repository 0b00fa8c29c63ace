/* tests/ktest.h: ntbox's unit-test harness, in the spirit of KUnit.
 *
 * A test file defines one static function per documented rule with KT_TEST;
 * the runner executes them in file order and prints KTAP:
 *     KTAP version 1
 *     1..N
 *     ok 1 RtlInitUnicodeString_null_source
 *     not ok 2 RtlAppendUnicodeToString_too_small
 *     # tests/rtl/test_unicode.c:41: status 0x00000000 (STATUS_SUCCESS), expected 0xC0000023 (STATUS_BUFFER_TOO_SMALL)
 * Checks do not stop the test; KT_REQUIRE does. The exit status is 1 when
 * any test failed. A test can run a statement in a child process and expect
 * it to bugcheck (KT_EXPECT_BUGCHECK), since a bugcheck ends the process. */
#ifndef NTBOX_TESTS_KTEST_H
#define NTBOX_TESTS_KTEST_H

#include <ntddk.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef void kt_fn(void);
void kt_register(const char *name, kt_fn *fn);
/* Records a failure of the running test; returns false. */
bool kt_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define KT_TEST(name) \
    static void name(void); \
    __attribute__((constructor)) static void kt_register_##name(void) { kt_register(#name, name); } \
    static void name(void)

bool kt_check_int(const char *file, int line, const char *expr, long long actual, long long expected);
bool kt_check_hex(const char *file, int line, const char *expr, unsigned long long actual, unsigned long long expected);
bool kt_check_status(const char *file, int line, const char *expr, NTSTATUS actual, NTSTATUS expected);
bool kt_check_ptr(const char *file, int line, const char *expr, const void *actual, const void *expected);
bool kt_check_mem(const char *file, int line, const char *expr, const void *actual, const void *expected, size_t n);
bool kt_check_str(const char *file, int line, const char *expr, const char *actual, const char *expected);
/* Compares a counted UTF-16 string (Length in bytes) with a UTF-8/ASCII literal. */
bool kt_check_ustr(const char *file, int line, const char *expr, const UNICODE_STRING *actual, const char *expected);
/* True when haystack contains needle; else records the failure showing both. */
bool kt_check_contains(const char *file, int line, const char *expr, const char *haystack, const char *needle);

#define KT_TRUE(e) ((e) ? true : kt_fail(__FILE__, __LINE__, "%s is false", #e))
#define KT_FALSE(e) (!(e) ? true : kt_fail(__FILE__, __LINE__, "%s is true", #e))
#define KT_EQ_INT(a, e) kt_check_int(__FILE__, __LINE__, #a, (long long)(a), (long long)(e))
#define KT_EQ_HEX(a, e) kt_check_hex(__FILE__, __LINE__, #a, (unsigned long long)(a), (unsigned long long)(e))
#define KT_EQ_STATUS(a, e) kt_check_status(__FILE__, __LINE__, #a, (a), (e))
#define KT_EQ_PTR(a, e) kt_check_ptr(__FILE__, __LINE__, #a, (const void *)(a), (const void *)(e))
#define KT_EQ_MEM(a, e, n) kt_check_mem(__FILE__, __LINE__, #a, (a), (e), (n))
#define KT_EQ_STR(a, e) kt_check_str(__FILE__, __LINE__, #a, (a), (e))
#define KT_EQ_USTR(a, e) kt_check_ustr(__FILE__, __LINE__, #a, (a), (e))
#define KT_CONTAINS(h, n) kt_check_contains(__FILE__, __LINE__, #h, (h), (n))
/* Stops the test when the check fails. */
#define KT_REQUIRE(check) do { if (!(check)) return; } while (0)

/* Runs fn(arg) in a child process with stdout captured. Returns the child's
 * output (valid until the next call) and stores its exit status (or 128+signal)
 * in *status. */
const char *kt_run_child(void (*fn)(void *), void *arg, int *status);

/* Expects fn(arg), run in a child process, to end the run with bugcheck
 * `code` whose first parameter is `p1`: exit status 3 and a
 * "*** STOP: 0x%08X (0x%016llX," line. Returns the child's output (for further
 * KT_CONTAINS checks), or NULL after recording the failure. */
const char *kt_expect_bugcheck(const char *file, int line, const char *what, void (*fn)(void *), void *arg,
                               ULONG code, ULONG_PTR p1);
#define KT_EXPECT_BUGCHECK(code, p1, fn, arg) \
    kt_expect_bugcheck(__FILE__, __LINE__, #fn, (fn), (arg), (code), (p1))

#endif
