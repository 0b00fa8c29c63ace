/* tests/ke/test_clock.c: the clocks beyond test_time.c's:
 * KeQuerySystemTime (tick granularity), KeQueryTickCount,
 * KeQueryTimeIncrement, KeQueryPerformanceCounter,
 * KeQueryInterruptTimePrecise, KeQueryUnbiasedInterruptTime, and the
 * local-time conversions under a known time zone; KeDelayExecutionThread
 * with relative, absolute and zero intervals, and its IRQL rule. */
#include "ktest.h"

#include <stdlib.h>
#include <time.h>

#define MS(n) ((LONGLONG)(n) * 10000)
#define HOURS(n) ((LONGLONG)(n) * 36000000000LL)

static LONGLONG now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (LONGLONG)ts.tv_sec * 10000000 + ts.tv_nsec / 100;
}

/* The x64 clock tick: 15.625 ms. */
KT_TEST(KeQueryTimeIncrement_x64)
{
    KT_EQ_INT(KeQueryTimeIncrement(), 156250);
}

/* KeQuerySystemTime lags the precise time by at most a tick or so. */
KT_TEST(KeQuerySystemTime_tick_granular)
{
    LARGE_INTEGER coarse, precise;
    KeQuerySystemTime(&coarse);
    KeQuerySystemTimePrecise(&precise);
    KT_TRUE(coarse.QuadPart <= precise.QuadPart);
    KT_TRUE(precise.QuadPart - coarse.QuadPart < MS(1000));
}

/* Ticks since boot: interrupt time divided by the increment. */
KT_TEST(KeQueryTickCount_from_interrupt_time)
{
    LARGE_INTEGER ticks;
    ULONGLONG before = KeQueryInterruptTime() / 156250;
    KeQueryTickCount(&ticks);
    ULONGLONG after = KeQueryInterruptTime() / 156250;
    KT_TRUE((ULONGLONG)ticks.QuadPart >= before && (ULONGLONG)ticks.QuadPart <= after);
}

/* The performance counter runs at 10 MHz and never goes back. */
KT_TEST(KeQueryPerformanceCounter_10mhz)
{
    LARGE_INTEGER frequency = { .QuadPart = 0 };
    LARGE_INTEGER a = KeQueryPerformanceCounter(&frequency);
    LARGE_INTEGER b = KeQueryPerformanceCounter(NULL);
    KT_EQ_INT(frequency.QuadPart, 10000000);
    KT_TRUE(a.QuadPart > 0);
    KT_TRUE(b.QuadPart >= a.QuadPart);
}

/* The precise interrupt time, with the performance counter read with it. */
KT_TEST(KeQueryInterruptTimePrecise_with_counter)
{
    ULONG64 qpc = 0;
    ULONGLONG before = KeQueryInterruptTime();
    LARGE_INTEGER counter_before = KeQueryPerformanceCounter(NULL);
    ULONGLONG precise = KeQueryInterruptTimePrecise(&qpc);
    LARGE_INTEGER counter_after = KeQueryPerformanceCounter(NULL);
    KT_TRUE(precise >= before);
    KT_TRUE(precise - before < (ULONGLONG)MS(1000));
    KT_TRUE(qpc >= (ULONG64)counter_before.QuadPart && qpc <= (ULONG64)counter_after.QuadPart);
}

/* Unbiased interrupt time leaves sleep out: never ahead of interrupt time. */
KT_TEST(KeQueryUnbiasedInterruptTime_not_ahead)
{
    ULONGLONG unbiased = KeQueryUnbiasedInterruptTime();
    KT_TRUE(unbiased <= KeQueryInterruptTime());
    KT_TRUE(KeQueryUnbiasedInterruptTime() >= unbiased);
}

/* Local time is system time plus the zone's offset east of UTC; the
 * conversions are inverse. POSIX "UTC-2" is two hours east. */
KT_TEST(ExSystemTimeToLocalTime_host_zone)
{
    char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    LARGE_INTEGER system = { .QuadPart = 132000000000000000LL }, local, back;

    setenv("TZ", "UTC-2", 1);
    tzset();
    ExSystemTimeToLocalTime(&system, &local);
    KT_EQ_INT(local.QuadPart - system.QuadPart, HOURS(2));
    ExLocalTimeToSystemTime(&local, &back);
    KT_EQ_INT(back.QuadPart, system.QuadPart);
    setenv("TZ", "UTC+5", 1);
    tzset();
    ExSystemTimeToLocalTime(&system, &local);
    KT_EQ_INT(local.QuadPart - system.QuadPart, -HOURS(5));
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

/* A negative interval is relative: STATUS_SUCCESS after at least that
 * long (alertable or not: ntbox delivers no alerts). */
KT_TEST(KeDelayExecutionThread_relative)
{
    LARGE_INTEGER interval = { .QuadPart = -MS(20) };
    LONGLONG start = now_monotonic();
    KT_EQ_STATUS(KeDelayExecutionThread(KernelMode, TRUE, &interval), STATUS_SUCCESS);
    LONGLONG elapsed = now_monotonic() - start;
    KT_TRUE(elapsed >= MS(20));
    KT_TRUE(elapsed < MS(20000));
}

/* A positive interval is an absolute system time. */
KT_TEST(KeDelayExecutionThread_absolute)
{
    LARGE_INTEGER when;
    KeQuerySystemTimePrecise(&when);
    when.QuadPart += MS(20);
    LONGLONG start = now_monotonic();
    KT_EQ_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &when), STATUS_SUCCESS);
    LONGLONG elapsed = now_monotonic() - start;
    KT_TRUE(elapsed >= MS(15));
    KT_TRUE(elapsed < MS(20000));
}

/* Zero only yields. */
KT_TEST(KeDelayExecutionThread_zero)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    LONGLONG start = now_monotonic();
    KT_EQ_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_TRUE(now_monotonic() - start < MS(5000));
}

static LARGE_INTEGER one_ms = { .QuadPart = -MS(1) };

static void delay_at_dispatch(void *arg)
{
    KIRQL old;
    (void)arg;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeDelayExecutionThread(KernelMode, FALSE, &one_ms);
}

/* IRQL <= APC_LEVEL: a sleep at DISPATCH_LEVEL is bug check 0xA (P1 the
 * interval, P2 the IRQL). */
KT_TEST(KeDelayExecutionThread_at_dispatch)
{
    const char *out = KT_EXPECT_BUGCHECK(0x0A, (ULONG_PTR)&one_ms, delay_at_dispatch, NULL);
    if (out)
        KT_CONTAINS(out, ",0x0000000000000002,0x0000000000000000,");
}
