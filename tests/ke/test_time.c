/* tests/ke/test_time.c: the clocks: KeQuerySystemTimePrecise (100 ns units
 * since 1601-01-01 UTC) and KeQueryInterruptTime (100 ns units since
 * boot). */
#include "ktest.h"

#include <time.h>

/* 100 ns units from 1601-01-01 to 1970-01-01: 369 years, 89 of them leap. */
#define UNIX_EPOCH_AS_SYSTEM_TIME ((369LL * 365 + 89) * 86400 * 10000000)

/* "The time is expressed in 100-nanosecond units since the start of 1601":
 * the host's Unix time, shifted by the epochs' difference. */
KT_TEST(KeQuerySystemTimePrecise_is_wall_clock_since_1601)
{
    LARGE_INTEGER t;
    time_t before = time(NULL);
    KeQuerySystemTimePrecise(&t);
    time_t after = time(NULL);
    KT_EQ_INT(UNIX_EPOCH_AS_SYSTEM_TIME, 116444736000000000LL);
    KT_TRUE(t.QuadPart >= UNIX_EPOCH_AS_SYSTEM_TIME + (LONGLONG)before * 10000000);
    KT_TRUE(t.QuadPart < UNIX_EPOCH_AS_SYSTEM_TIME + ((LONGLONG)after + 1) * 10000000);
}

/* Successive readings do not go back (the wall clock is not being set
 * during the test) and have sub-millisecond resolution. */
KT_TEST(KeQuerySystemTimePrecise_advances)
{
    LARGE_INTEGER a, b;
    KeQuerySystemTimePrecise(&a);
    do
        KeQuerySystemTimePrecise(&b);
    while (b.QuadPart == a.QuadPart);
    KT_TRUE(b.QuadPart > a.QuadPart);
    KT_TRUE(b.QuadPart - a.QuadPart < 10000);
}

/* Interrupt time counts from boot: the host's boot clock, never backwards. */
KT_TEST(KeQueryInterruptTime_since_boot)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    ULONGLONG boot = (ULONGLONG)ts.tv_sec * 10000000 + (ULONGLONG)ts.tv_nsec / 100;
    ULONGLONG a = KeQueryInterruptTime();
    ULONGLONG b = KeQueryInterruptTime();
    KT_TRUE(a >= boot);
    KT_TRUE(a - boot < 10000000ULL * 60);
    KT_TRUE(b >= a);
}
