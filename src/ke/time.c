/* ke/time.c: the clocks: KeQuerySystemTimePrecise, KeQueryInterruptTime,
 * both in 100-nanosecond units. System time is the host's wall clock
 * counted from 1601-01-01 UTC; interrupt time counts from boot, time asleep
 * included, as Windows' does. */
#include "ke/dispatcher.h"

#include <time.h>

static LONGLONG ke_hundred_ns(const struct timespec *ts)
{
    return (LONGLONG)ts->tv_sec * 10000000 + ts->tv_nsec / 100;
}

/* The current system time, to the host clock's precision; any IRQL (WDK,
 * KeQuerySystemTimePrecise). */
VOID NTAPI KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    CurrentTime->QuadPart = KE_SYSTEM_TIME_OF_UNIX_EPOCH + ke_hundred_ns(&ts);
}

/* Time since boot; any IRQL (WDK, KeQueryInterruptTime). */
ULONGLONG NTAPI KeQueryInterruptTime(VOID)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (ULONGLONG)ke_hundred_ns(&ts);
}
