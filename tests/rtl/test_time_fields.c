/* tests/rtl/test_time_fields.c: RtlTimeToTimeFields, RtlTimeFieldsToTime,
 * RtlTimeToSecondsSince1970 / RtlSecondsSince1970ToTime,
 * RtlTimeToSecondsSince1980 / RtlSecondsSince1980ToTime. System time is
 * 100-ns ticks since 1601-01-01 00:00:00 (a Monday), Gregorian calendar.
 * The expected values were computed independently (Python's datetime,
 * extended past 9999 by the calendar's 400-year period). */
#include "ktest.h"

#define TICKS_PER_DAY 864000000000LL
#define TICKS_1970 116444736000000000LL
#define TICKS_1980 119600064000000000LL
#define MAX_TIME 0x7FFFFFFFFFFFFFFFLL

struct dated {
    LONGLONG time;
    TIME_FIELDS f; /* Year, Month, Day, Hour, Minute, Second, Milliseconds, Weekday */
};

static const struct dated dates[] = {
    { 0, { 1601, 1, 1, 0, 0, 0, 0, 1 } },
    { 314496000000000LL, { 1601, 12, 31, 0, 0, 0, 0, 1 } },
    { 94404960000000000LL, { 1900, 2, 28, 0, 0, 0, 0, 3 } },
    { 94405824000000000LL, { 1900, 3, 1, 0, 0, 0, 0, 4 } },
    { 116444736000000000LL, { 1970, 1, 1, 0, 0, 0, 0, 4 } },
    { 119600064000000000LL, { 1980, 1, 1, 0, 0, 0, 0, 2 } },
    { 125910720000000000LL, { 1999, 12, 31, 0, 0, 0, 0, 5 } },
    { 125962560000000000LL, { 2000, 2, 29, 0, 0, 0, 0, 2 } },
    { 125963424000000000LL, { 2000, 3, 1, 0, 0, 0, 0, 3 } },
    { 133536384000000000LL, { 2024, 2, 29, 0, 0, 0, 0, 4 } },
    { 133655247301230000LL, { 2024, 7, 15, 13, 45, 30, 123, 1 } },
    { 137919456000000000LL, { 2038, 1, 19, 0, 0, 0, 0, 2 } },
    { 159394408950000000LL, { 2106, 2, 7, 6, 28, 15, 0, 0 } },
    { 2650466880000000000LL, { 9999, 12, 31, 0, 0, 0, 0, 5 } },
    { 2650467744000000000LL, { 10000, 1, 1, 0, 0, 0, 0, 6 } },
    { 9223149024000000000LL, { 30827, 12, 31, 0, 0, 0, 0, 5 } },
    { 9223149887999990000LL, { 30827, 12, 31, 23, 59, 59, 999, 5 } },
    { 9223372036854770000LL, { 30828, 9, 14, 2, 48, 5, 477, 4 } },
};

static bool same_fields(const TIME_FIELDS *a, const TIME_FIELDS *b)
{
    return a->Year == b->Year && a->Month == b->Month && a->Day == b->Day && a->Hour == b->Hour &&
           a->Minute == b->Minute && a->Second == b->Second && a->Milliseconds == b->Milliseconds &&
           a->Weekday == b->Weekday;
}

static bool check_fields(const char *file, int line, LONGLONG time, const TIME_FIELDS *got, const TIME_FIELDS *want)
{
    if (same_fields(got, want))
        return true;
    return kt_fail(file, line,
                   "time %lld: %04d-%02d-%02d %02d:%02d:%02d.%03d weekday %d, expected "
                   "%04d-%02d-%02d %02d:%02d:%02d.%03d weekday %d",
                   time, got->Year, got->Month, got->Day, got->Hour, got->Minute, got->Second, got->Milliseconds,
                   got->Weekday, want->Year, want->Month, want->Day, want->Hour, want->Minute, want->Second,
                   want->Milliseconds, want->Weekday);
}
#define KT_EQ_FIELDS(t, got, want) check_fields(__FILE__, __LINE__, (t), (got), (want))

/* Year, month, day, time of day to the millisecond, and Weekday "0 ..
 * 6 == Sunday .. Saturday", for dates across the whole range: 1601-01-01,
 * centuries (1900 not leap, 2000 leap), the epochs, the 32-bit second
 * limits, and the last representable time in 30828. */
KT_TEST(RtlTimeToTimeFields_dates)
{
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        LARGE_INTEGER t = { .QuadPart = dates[i].time };
        TIME_FIELDS f;
        memset(&f, 0xA5, sizeof f);
        RtlTimeToTimeFields(&t, &f);
        KT_EQ_FIELDS(dates[i].time, &f, &dates[i].f);
    }
}

/* The ticks below a millisecond are dropped, not rounded. */
KT_TEST(RtlTimeToTimeFields_truncates_to_milliseconds)
{
    LARGE_INTEGER t = { .QuadPart = 133655247301234567LL };
    TIME_FIELDS f;
    const TIME_FIELDS want = { 2024, 7, 15, 13, 45, 30, 123, 1 };
    RtlTimeToTimeFields(&t, &f);
    KT_EQ_FIELDS(t.QuadPart, &f, &want);
    t.QuadPart = MAX_TIME;
    RtlTimeToTimeFields(&t, &f);
    const TIME_FIELDS max = { 30828, 9, 14, 2, 48, 5, 477, 4 };
    KT_EQ_FIELDS(t.QuadPart, &f, &max);
    t.QuadPart = TICKS_PER_DAY - 1;
    RtlTimeToTimeFields(&t, &f);
    const TIME_FIELDS last = { 1601, 1, 1, 23, 59, 59, 999, 1 };
    KT_EQ_FIELDS(t.QuadPart, &f, &last);
}

/* RtlTimeFieldsToTime is the inverse for every date of the table. */
KT_TEST(RtlTimeFieldsToTime_dates)
{
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        TIME_FIELDS f = dates[i].f;
        LARGE_INTEGER t = { .QuadPart = -1 };
        KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), TRUE);
        KT_EQ_INT(t.QuadPart, dates[i].time);
    }
}

/* "RtlTimeFieldsToTime ignores the Weekday value in TimeFields." */
KT_TEST(RtlTimeFieldsToTime_ignores_weekday)
{
    TIME_FIELDS f = { 2000, 2, 29, 12, 0, 0, 0, 6 };
    LARGE_INTEGER t;
    KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), TRUE);
    KT_EQ_INT(t.QuadPart, 125962560000000000LL + TICKS_PER_DAY / 2);
    f.Weekday = -7;
    KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), TRUE);
    KT_EQ_INT(t.QuadPart, 125962560000000000LL + TICKS_PER_DAY / 2);
}

/* FALSE, and Time left alone, for fields out of range: month 0 or 13, day
 * 0 or past the month's end (Feb 29 in a year that is not leap, Feb 30,
 * Apr 31), hour 24, minute or second 60, millisecond 1000, negative values,
 * a year before 1601. */
KT_TEST(RtlTimeFieldsToTime_invalid_fields)
{
    static const TIME_FIELDS bad[] = {
        { 2024, 0, 1, 0, 0, 0, 0, 0 },   { 2024, 13, 1, 0, 0, 0, 0, 0 },  { 2024, 1, 0, 0, 0, 0, 0, 0 },
        { 2024, 1, 32, 0, 0, 0, 0, 0 },  { 1900, 2, 29, 0, 0, 0, 0, 0 },  { 2100, 2, 29, 0, 0, 0, 0, 0 },
        { 2023, 2, 29, 0, 0, 0, 0, 0 },  { 2000, 2, 30, 0, 0, 0, 0, 0 },  { 2024, 4, 31, 0, 0, 0, 0, 0 },
        { 2024, 6, 31, 0, 0, 0, 0, 0 },  { 2024, 9, 31, 0, 0, 0, 0, 0 },  { 2024, 11, 31, 0, 0, 0, 0, 0 },
        { 2024, 1, 1, 24, 0, 0, 0, 0 },  { 2024, 1, 1, 0, 60, 0, 0, 0 },  { 2024, 1, 1, 0, 0, 60, 0, 0 },
        { 2024, 1, 1, 0, 0, 0, 1000, 0 }, { 2024, 1, 1, -1, 0, 0, 0, 0 }, { 2024, 1, 1, 0, -1, 0, 0, 0 },
        { 2024, 1, 1, 0, 0, -1, 0, 0 },  { 2024, 1, 1, 0, 0, 0, -1, 0 },  { 2024, -1, 1, 0, 0, 0, 0, 0 },
        { 2024, 1, -1, 0, 0, 0, 0, 0 },  { 1600, 12, 31, 0, 0, 0, 0, 0 }, { 1, 1, 1, 0, 0, 0, 0, 0 },
        { -2024, 1, 1, 0, 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TIME_FIELDS f = bad[i];
        LARGE_INTEGER t = { .QuadPart = 0x1234 };
        if (!KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), FALSE))
            kt_fail(__FILE__, __LINE__, "accepted %d-%d-%d %d:%d:%d.%d", f.Year, f.Month, f.Day, f.Hour, f.Minute,
                    f.Second, f.Milliseconds);
        KT_EQ_HEX(t.QuadPart, 0x1234);
    }
}

/* Leap days: 2000 (divisible by 400) and 2024 have a February 29; 1900
 * and 2100 (centuries) do not. */
KT_TEST(RtlTimeFieldsToTime_leap_years)
{
    static const CSHORT leap[] = { 1604, 1996, 2000, 2024, 2400 }, common[] = { 1700, 1800, 1900, 2023, 2100 };
    LARGE_INTEGER t;
    for (size_t i = 0; i < sizeof leap / sizeof leap[0]; i++) {
        TIME_FIELDS f = { leap[i], 2, 29, 0, 0, 0, 0, 0 };
        KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), TRUE);
    }
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        TIME_FIELDS f = { common[i], 2, 29, 0, 0, 0, 0, 0 };
        KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), FALSE);
    }
}

/* A time past the largest LARGE_INTEGER (30828-09-14 02:48:05.477) cannot
 * be converted. */
KT_TEST(RtlTimeFieldsToTime_beyond_range)
{
    TIME_FIELDS f = { 30828, 9, 14, 2, 48, 5, 477, 0 };
    LARGE_INTEGER t = { .QuadPart = 7 };
    KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), TRUE);
    KT_EQ_INT(t.QuadPart, 9223372036854770000LL);
    f.Milliseconds = 478;
    t.QuadPart = 7;
    KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), FALSE);
    KT_EQ_INT(t.QuadPart, 7);
    f = (TIME_FIELDS){ 30829, 1, 1, 0, 0, 0, 0, 0 };
    KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), FALSE);
    f = (TIME_FIELDS){ 32767, 12, 31, 23, 59, 59, 999, 0 };
    KT_EQ_INT(RtlTimeFieldsToTime(&f, &t), FALSE);
}

/* Every day from 1601-01-01 to 30827-12-31, against a calendar walked one
 * day at a time: RtlTimeToTimeFields gives the date and weekday, and
 * RtlTimeFieldsToTime gives the time back. */
static int days_in(int year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

KT_TEST(RtlTimeToTimeFields_every_day)
{
    int year = 1601, month = 1, day = 1, weekday = 1, failures = 0;
    for (LONGLONG n = 0; year <= 30827 && failures < 5; n++) {
        /* a different time of day each day, so hours and minutes are covered too */
        LONGLONG ms = (n * 7919 * 1000 + n % 1000) % 86400000;
        LARGE_INTEGER t = { .QuadPart = n * TICKS_PER_DAY + ms * 10000 + n % 10000 }, back;
        TIME_FIELDS f, want = { (CSHORT)year, (CSHORT)month, (CSHORT)day, (CSHORT)(ms / 3600000),
                                (CSHORT)(ms / 60000 % 60), (CSHORT)(ms / 1000 % 60), (CSHORT)(ms % 1000),
                                (CSHORT)weekday };
        RtlTimeToTimeFields(&t, &f);
        if (!KT_EQ_FIELDS(t.QuadPart, &f, &want))
            failures++;
        else if (!RtlTimeFieldsToTime(&f, &back) || back.QuadPart != t.QuadPart - n % 10000)
            failures += !kt_fail(__FILE__, __LINE__, "%04d-%02d-%02d does not convert back to %lld", year, month,
                                 day, t.QuadPart - n % 10000);
        weekday = (weekday + 1) % 7;
        if (++day > days_in(year, month)) {
            day = 1;
            if (++month > 12) {
                month = 1;
                year++;
            }
        }
    }
    KT_EQ_INT(failures, 0);
}

/* The 1970 and 1980 routines: "seconds since midnight, December 31, 1969"
 * (that is, since 1970-01-01 00:00:00), and since 1980-01-01 00:00:00.
 * `last` is the last second whose count fits a ULONG. */
struct seconds_since {
    const char *name;
    BOOLEAN(NTAPI *to_seconds)(PLARGE_INTEGER, PULONG);
    VOID(NTAPI *to_time)(ULONG, PLARGE_INTEGER);
    LONGLONG epoch, last;
    TIME_FIELDS last_fields;
};

static const struct seconds_since since[] = {
    { "1970", RtlTimeToSecondsSince1970, RtlSecondsSince1970ToTime, TICKS_1970, 159394408950000000LL,
      { 2106, 2, 7, 6, 28, 15, 0, 0 } },
    { "1980", RtlTimeToSecondsSince1980, RtlSecondsSince1980ToTime, TICKS_1980, 162549736950000000LL,
      { 2116, 2, 7, 6, 28, 15, 0, 5 } },
};

/* Seconds since the epoch, the fraction dropped: TRUE from the epoch to
 * the end of the last second that fits (2106-02-07 06:28:15.9999999, and
 * 2116-02-07 06:28:15.9999999); FALSE before or after, with ElapsedSeconds
 * untouched. */
KT_TEST(RtlTimeToSecondsSince_range)
{
    for (size_t i = 0; i < sizeof since / sizeof since[0]; i++) {
        const struct seconds_since *r = &since[i];
        LARGE_INTEGER t;
        ULONG s = 0xDEAD;
        bool ok = true;
        t.QuadPart = r->epoch;
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), TRUE);
        ok &= KT_EQ_INT(s, 0);
        t.QuadPart = r->epoch + 15000000;
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), TRUE);
        ok &= KT_EQ_INT(s, 1);
        t.QuadPart = 133655247301234567LL; /* 2024-07-15 13:45:30.1234567 */
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), TRUE);
        ok &= KT_EQ_HEX(s, (133655247300000000LL - r->epoch) / 10000000);
        t.QuadPart = r->last + 9999999;
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), TRUE);
        ok &= KT_EQ_HEX(s, 0xFFFFFFFF);
        s = 0xDEAD;
        t.QuadPart = r->last + 10000000;
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), FALSE);
        t.QuadPart = r->epoch - 1;
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), FALSE);
        t.QuadPart = -1;
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), FALSE);
        t.QuadPart = MAX_TIME;
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), FALSE);
        ok &= KT_EQ_HEX(s, 0xDEAD);
        if (!ok)
            kt_fail(__FILE__, __LINE__, "in RtlTimeToSecondsSince%s", r->name);
    }
}

/* The system time that many seconds after the epoch; the inverse of the
 * above over the whole ULONG range. */
KT_TEST(RtlSecondsSinceToTime_values)
{
    for (size_t i = 0; i < sizeof since / sizeof since[0]; i++) {
        const struct seconds_since *r = &since[i];
        LARGE_INTEGER t;
        TIME_FIELDS f;
        ULONG s;
        bool ok = true;
        r->to_time(0, &t);
        ok &= KT_EQ_INT(t.QuadPart, r->epoch);
        r->to_time(1721051130 - (ULONG)((r->epoch - TICKS_1970) / 10000000), &t);
        ok &= KT_EQ_INT(t.QuadPart, 133655247300000000LL);
        r->to_time(0xFFFFFFFF, &t);
        ok &= KT_EQ_INT(t.QuadPart, r->last);
        ok &= KT_EQ_INT(r->to_seconds(&t, &s), TRUE);
        ok &= KT_EQ_HEX(s, 0xFFFFFFFF);
        RtlTimeToTimeFields(&t, &f);
        ok &= KT_EQ_FIELDS(t.QuadPart, &f, &r->last_fields);
        if (!ok)
            kt_fail(__FILE__, __LINE__, "in RtlSecondsSince%sToTime", r->name);
    }
}
