/* ke/time.c: the clocks: KeQuerySystemTime, KeQuerySystemTimePrecise,
 * KeQueryInterruptTime, KeQueryInterruptTimePrecise,
 * KeQueryUnbiasedInterruptTime, KeQueryTickCount, KeQueryTimeIncrement,
 * KeQueryPerformanceCounter (hal), and the executive's local-time
 * conversions ExSystemTimeToLocalTime, ExLocalTimeToSystemTime.
 *
 * All count 100-nanosecond units. System time is the host's wall clock
 * counted from 1601-01-01 UTC; interrupt time counts from boot, time asleep
 * included, as Windows' does; unbiased interrupt time leaves sleep out.
 * The clock ticks every 15.625 ms (KeQueryTimeIncrement, 156250), the
 * x64 default; the performance counter runs at 10 MHz, as on Windows 10.
 * Local time uses the host's time zone (TZ), at its current offset from
 * UTC, as Windows applies the current bias to any time it converts. */
#include "ke/dispatcher.h"

#include <time.h>

#define KE_TIME_INCREMENT 156250
#define KE_PERFORMANCE_FREQUENCY 10000000

static LONGLONG ke_hundred_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (LONGLONG)ts.tv_sec * 10000000 + ts.tv_nsec / 100;
}

/* The current system time as of the last clock tick, a few milliseconds
 * old at most; any IRQL (WDK, KeQuerySystemTime). */
VOID NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = KE_SYSTEM_TIME_OF_UNIX_EPOCH + ke_hundred_ns(CLOCK_REALTIME_COARSE);
}

/* The current system time, to the host clock's precision; any IRQL (WDK,
 * KeQuerySystemTimePrecise). */
VOID NTAPI KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = KE_SYSTEM_TIME_OF_UNIX_EPOCH + ke_hundred_ns(CLOCK_REALTIME);
}

/* Time since boot; any IRQL (WDK, KeQueryInterruptTime). */
ULONGLONG NTAPI KeQueryInterruptTime(VOID)
{
    return (ULONGLONG)ke_hundred_ns(CLOCK_BOOTTIME);
}

/* Time since boot, precise, and the performance counter read with it in
 * *QpcTimeStamp; any IRQL (WDK, KeQueryInterruptTimePrecise). */
ULONGLONG NTAPI KeQueryInterruptTimePrecise(PULONG64 QpcTimeStamp)
{
    *QpcTimeStamp = (ULONG64)ke_hundred_ns(CLOCK_MONOTONIC);
    return (ULONGLONG)ke_hundred_ns(CLOCK_BOOTTIME);
}

/* Time since boot without the time spent asleep; any IRQL (WDK,
 * KeQueryUnbiasedInterruptTime). */
ULONGLONG NTAPI KeQueryUnbiasedInterruptTime(VOID)
{
    return (ULONGLONG)ke_hundred_ns(CLOCK_MONOTONIC);
}

/* Clock ticks since boot; any IRQL (WDK, KeQueryTickCount). */
VOID NTAPI KeQueryTickCount(PLARGE_INTEGER TickCount)
{
    TickCount->QuadPart = ke_hundred_ns(CLOCK_BOOTTIME) / KE_TIME_INCREMENT;
}

/* The 100-ns units added to interrupt time at each clock tick; any IRQL
 * (WDK, KeQueryTimeIncrement). */
ULONG NTAPI KeQueryTimeIncrement(VOID)
{
    return KE_TIME_INCREMENT;
}

/* The performance counter, and its frequency in counts per second in
 * *PerformanceFrequency if given; any IRQL (WDK,
 * KeQueryPerformanceCounter). */
LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER counter;
    counter.QuadPart = ke_hundred_ns(CLOCK_MONOTONIC);
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = KE_PERFORMANCE_FREQUENCY;
    return counter;
}

/* The host time zone's current offset east of UTC, in 100-ns units. */
static LONGLONG ke_local_offset(void)
{
    time_t now = time(NULL);
    struct tm local;
    localtime_r(&now, &local);
    return (LONGLONG)local.tm_gmtoff * 10000000;
}

/* SystemTime (UTC) plus the time zone's offset, in *LocalTime; any IRQL
 * (WDK, ExSystemTimeToLocalTime). */
VOID NTAPI ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime)
{
    LocalTime->QuadPart = SystemTime->QuadPart + ke_local_offset();
}

/* LocalTime minus the time zone's offset: UTC, in *SystemTime; any IRQL
 * (WDK, ExLocalTimeToSystemTime). */
VOID NTAPI ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime)
{
    SystemTime->QuadPart = LocalTime->QuadPart - ke_local_offset();
}
