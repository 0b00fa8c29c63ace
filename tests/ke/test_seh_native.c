/* tests/ke/test_seh_native.c: __try, __except, __finally and __leave as
 * ntbox gives them to drivers gcc compiles (include/ntbox/km_seh.h), here
 * in optimized C: filters run innermost first when the exception is
 * raised, __finally blocks run as the stack unwinds, then the chosen
 * __except block; GetExceptionCode, GetExceptionInformation,
 * AbnormalTermination; nesting; and the uses ntbox cannot follow, which
 * stop the run saying so. */
#include "ktest.h"

#include "ke/seh.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

static volatile LONG g_log[16];
static volatile int g_logged;

static void log_step(LONG step)
{
    g_log[g_logged++] = step;
}

__attribute__((noinline)) static void raise_status(NTSTATUS status)
{
    ExRaiseStatus(status);
}

/* "If the filter returns EXCEPTION_EXECUTE_HANDLER, control passes to the
 * exception handler": the rest of the __try body does not run. */
KT_TEST(except_takes_the_exception)
{
    volatile int reached = 0, handled = 0;
    volatile NTSTATUS code = 0;

    __try {
        raise_status(STATUS_INVALID_PARAMETER);
        reached = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        handled = 1;
        code = GetExceptionCode();
    }
    KT_EQ_INT(reached, 0);
    KT_EQ_INT(handled, 1);
    KT_EQ_STATUS(code, STATUS_INVALID_PARAMETER);
    KT_FALSE(ke_seh_native_active());
}

static volatile ULONG_PTR g_seen[6];

static LONG record_pointers(PEXCEPTION_POINTERS p, NTSTATUS code)
{
    g_seen[0] = (ULONG)code;
    g_seen[1] = (ULONG)p->ExceptionRecord->ExceptionCode;
    g_seen[2] = p->ExceptionRecord->ExceptionFlags;
    g_seen[3] = (ULONG_PTR)p->ExceptionRecord->ExceptionAddress;
    g_seen[4] = p->ExceptionRecord->NumberParameters;
    g_seen[5] = p->ContextRecord->Rip;
    return EXCEPTION_EXECUTE_HANDLER;
}

/* The filter sees GetExceptionCode() and GetExceptionInformation(): a
 * noncontinuable record raised at the return address into raise_status,
 * with the context of that call. */
KT_TEST(filter_sees_the_exception)
{
    __try {
        raise_status(STATUS_ACCESS_DENIED);
    } __except (record_pointers(GetExceptionInformation(), GetExceptionCode())) {
    }
    KT_EQ_HEX(g_seen[0], (ULONG)STATUS_ACCESS_DENIED);
    KT_EQ_HEX(g_seen[1], (ULONG)STATUS_ACCESS_DENIED);
    KT_EQ_HEX(g_seen[2], EXCEPTION_NONCONTINUABLE);
    KT_TRUE(g_seen[3] > (uintptr_t)raise_status && g_seen[3] < (uintptr_t)raise_status + 64);
    KT_EQ_INT(g_seen[4], 0);
    KT_EQ_HEX(g_seen[5], g_seen[3]);
}

/* Windows' order: every filter first, innermost outward, until one takes
 * the exception; then the __finally blocks of the frames unwound, innermost
 * first (AbnormalTermination() true); then the __except block. */
KT_TEST(filters_then_finally_blocks_then_handler)
{
    g_logged = 0;
    __try {
        __try {
            __try {
                raise_status(STATUS_UNSUCCESSFUL);
            } __finally {
                log_step(AbnormalTermination() ? 3 : 30);
            }
        } __except (log_step(1), EXCEPTION_CONTINUE_SEARCH) {
            log_step(99);
        }
    } __except (log_step(2), EXCEPTION_EXECUTE_HANDLER) {
        log_step(4);
    }
    KT_EQ_INT(g_logged, 4);
    KT_EQ_INT(g_log[0], 1);
    KT_EQ_INT(g_log[1], 2);
    KT_EQ_INT(g_log[2], 3);
    KT_EQ_INT(g_log[3], 4);
}

/* "The __finally block runs when the __try block ends normally", with
 * AbnormalTermination() false. */
KT_TEST(finally_after_normal_end)
{
    volatile int body = 0, abnormal = -1;
    __try {
        body = 1;
    } __finally {
        abnormal = AbnormalTermination();
    }
    KT_EQ_INT(body, 1);
    KT_EQ_INT(abnormal, FALSE);
    KT_FALSE(ke_seh_native_active());
}

__attribute__((noinline)) static void nest(int level, volatile int *finallies)
{
    __try {
        if (level)
            nest(level - 1, finallies);
        else
            raise_status(STATUS_NO_MEMORY);
    } __finally {
        if (_abnormal_termination())
            (*finallies)++;
    }
}

/* An exception raised 100 calls down runs the 100 __finally blocks on the
 * way out, each abnormally, then the handler at the top. */
KT_TEST(finally_blocks_of_every_frame_unwound)
{
    volatile int finallies = 0;
    volatile NTSTATUS code = 0;
    __try {
        nest(99, &finallies);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    KT_EQ_INT(finallies, 100);
    KT_EQ_STATUS(code, STATUS_NO_MEMORY);
    KT_FALSE(ke_seh_native_active());
}

/* "__leave ... jump to the end of the __try block": the __finally then runs
 * as after a normal end; after a __try/__except, execution goes on past it. */
KT_TEST(leave_ends_the_body)
{
    volatile int rest = 0, abnormal = -1, after = 0;
    __try {
        if (!rest)
            __leave;
        rest = 1;
    } __finally {
        abnormal = AbnormalTermination();
    }
    KT_EQ_INT(rest, 0);
    KT_EQ_INT(abnormal, FALSE);
    __try {
        for (int i = 0; i < 10; i++)
            if (i == 3)
                __leave;
        rest = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        rest = 2;
    }
    after = 1;
    KT_EQ_INT(rest, 0);
    KT_EQ_INT(after, 1);
    KT_FALSE(ke_seh_native_active());
}

/* An exception raised in an __except block is dispatched from there: the
 * frames outside take it. */
KT_TEST(exception_in_handler_goes_outward)
{
    volatile NTSTATUS outer = 0;
    __try {
        __try {
            raise_status(STATUS_UNSUCCESSFUL);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            raise_status(STATUS_TIMEOUT);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = GetExceptionCode();
    }
    KT_EQ_STATUS(outer, STATUS_TIMEOUT);
}

/* An exception a __finally raises during an unwind replaces the first: the
 * frames still on the stack, the first one's target included, may take it. */
KT_TEST(exception_in_finally_during_unwind)
{
    volatile NTSTATUS code = 0;
    volatile int filters = 0;
    __try {
        __try {
            raise_status(STATUS_UNSUCCESSFUL);
        } __finally {
            raise_status(STATUS_CANCELLED);
        }
    } __except (filters++, EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_CANCELLED);
    KT_EQ_INT(filters, 2);
}

static LONG filter_with_its_own_try(void)
{
    volatile LONG result = EXCEPTION_CONTINUE_SEARCH;
    __try {
        raise_status(STATUS_CANCELLED);
    } __except (GetExceptionCode() == STATUS_CANCELLED ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) {
        result = EXCEPTION_EXECUTE_HANDLER;
    }
    return result;
}

/* A filter may use __try itself: its exception is dispatched and taken
 * inside it, and the outer dispatch goes on with the filter's result. */
KT_TEST(filter_with_a_try_of_its_own)
{
    volatile NTSTATUS code = 0;
    __try {
        raise_status(STATUS_UNSUCCESSFUL);
    } __except (filter_with_its_own_try()) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_UNSUCCESSFUL);
    KT_FALSE(ke_seh_native_active());
}

static LONG filter_that_raises(void)
{
    raise_status(STATUS_NO_SUCH_DEVICE);
    return EXCEPTION_EXECUTE_HANDLER;
}

/* An exception raised by a filter and not taken inside it goes to the
 * frames outside the one whose filter raised it; the __finally blocks of the
 * frames inside still run as the stack unwinds. */
KT_TEST(exception_raised_by_a_filter)
{
    volatile NTSTATUS code = 0;
    volatile int inner_finally = 0, inner_handler = 0;
    __try {
        __try {
            __try {
                raise_status(STATUS_UNSUCCESSFUL);
            } __finally {
                inner_finally = AbnormalTermination();
            }
        } __except (filter_that_raises()) {
            inner_handler = 1;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_NO_SUCH_DEVICE);
    KT_EQ_INT(inner_finally, TRUE);
    KT_EQ_INT(inner_handler, 0);
    KT_FALSE(ke_seh_native_active());
}

__attribute__((noinline)) static int return_from_try(void)
{
    __try {
        return 7;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return -1;
    }
    return 0; /* not reached: gcc cannot tell, __try being a loop */
}

/* `return` out of a __try/__except body is fine: the frame goes with the
 * function, and a later exception does not reach it. */
KT_TEST(return_out_of_try_except)
{
    volatile NTSTATUS code = 0;
    KT_EQ_INT(return_from_try(), 7);
    KT_FALSE(ke_seh_native_active());
    __try {
        raise_status(STATUS_UNSUCCESSFUL);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_UNSUCCESSFUL);
}

static void return_from_try_finally(void *arg)
{
    volatile int *ran = arg;
    __try {
        if (ran)
            return;
    } __finally {
        *ran = 1;
    }
}

/* `return` out of a __try/__finally body cannot run the __finally: ntbox
 * stops the run saying so, charged to the driver. */
KT_TEST(return_out_of_try_finally_stops)
{
    static volatile int ran;
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_NOT_IMPLEMENTED,
                                         return_from_try_finally, (void *)&ran);
    KT_CONTAINS(out, "cannot run the __finally block on that path (use __leave");
}

static void break_out_of_try(void *arg)
{
    (void)arg;
    for (;;) {
        __try {
            break;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
        }
    }
}

/* `break` cannot reach the driver's loop from inside a __try: the run stops. */
KT_TEST(break_out_of_try_stops)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_NOT_IMPLEMENTED,
                                         break_out_of_try, NULL);
    KT_CONTAINS(out, "left a __try statement's block with `break`");
}

static void raise_past_declining_filters(void *arg)
{
    (void)arg;
    __try {
        raise_status(STATUS_DEVICE_NOT_READY);
    } __except (EXCEPTION_CONTINUE_SEARCH) {
    }
}

/* No filter takes it: bug check 0x7E, P1 the status, as without handlers. */
KT_TEST(no_filter_takes_it_is_0x7E)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_DEVICE_NOT_READY,
                                         raise_past_declining_filters, NULL);
    KT_CONTAINS(out, "The driver called ExRaiseStatus.");
}

/* A __try in a loop costs no stack: 100000 of them, every thousandth
 * raising, leave the list empty. */
KT_TEST(many_tries_in_a_loop)
{
    volatile int caught = 0;
    for (int i = 0; i < 100000; i++) {
        __try {
            if (i % 1000 == 0)
                raise_status(STATUS_UNSUCCESSFUL);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            caught++;
        }
    }
    KT_EQ_INT(caught, 100);
    KT_FALSE(ke_seh_native_active());
}

static void *raise_on_a_thread(void *arg)
{
    volatile int caught = 0;
    for (int i = 0; i < 1000; i++) {
        __try {
            raise_status((NTSTATUS)(0xE0000000 | (ULONG)(uintptr_t)arg));
        } __except (GetExceptionCode() == (NTSTATUS)(0xE0000000 | (ULONG)(uintptr_t)arg) ? EXCEPTION_EXECUTE_HANDLER
                                                                                        : EXCEPTION_CONTINUE_SEARCH) {
            caught++;
        }
    }
    return (void *)(uintptr_t)caught;
}

/* Each thread has its own frames: exceptions on four threads at once each
 * reach their own thread's handler. */
KT_TEST(threads_have_their_own_frames)
{
    pthread_t threads[4];
    for (uintptr_t i = 0; i < 4; i++)
        KT_REQUIRE(KT_EQ_INT(pthread_create(&threads[i], NULL, raise_on_a_thread, (void *)i), 0));
    for (int i = 0; i < 4; i++) {
        void *caught;
        pthread_join(threads[i], &caught);
        KT_EQ_INT((uintptr_t)caught, 1000);
    }
}
