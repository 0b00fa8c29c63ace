/* rtl/time_fields.c: system time <-> calendar: RtlTimeToTimeFields,
 * RtlTimeFieldsToTime, RtlTimeToSecondsSince1970, RtlSecondsSince1970ToTime,
 * RtlTimeToSecondsSince1980, RtlSecondsSince1980ToTime.
 *
 * System time counts 100-nanosecond ticks since 1601-01-01 00:00:00, a
 * Monday, in the Gregorian calendar (leap years: every fourth, except
 * centuries not divisible by 400). The day arithmetic is Howard Hinnant's
 * days-from-civil algorithm, exact over the whole LARGE_INTEGER range, whose
 * positive end is 30828-09-14 02:48:05.4775807. */
#include <ntddk.h>

#include <stdbool.h>

#define RTL_TICKS_PER_MILLISECOND 10000LL
#define RTL_TICKS_PER_SECOND 10000000LL
#define RTL_MILLISECONDS_PER_DAY 86400000LL
#define RTL_TICKS_PER_DAY (RTL_MILLISECONDS_PER_DAY * RTL_TICKS_PER_MILLISECOND)
/* Days from 0000-03-01 (the algorithm's origin) to 1601-01-01. */
#define RTL_DAYS_TO_1601 584694LL
#define RTL_TICKS_1601_TO_1970 (134774LL * RTL_TICKS_PER_DAY)
#define RTL_TICKS_1601_TO_1980 (138426LL * RTL_TICKS_PER_DAY)
#define RTL_WEEKDAY_OF_1601 1 /* Monday; 0 is Sunday */

static LONG64 rtl_floor_div(LONG64 a, LONG64 b)
{
    return a / b - (a % b < 0);
}

static bool rtl_is_leap(LONG64 year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned rtl_days_in_month(LONG64 year, unsigned month)
{
    static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return days[month - 1] + (month == 2 && rtl_is_leap(year));
}

/* Days since 1601-01-01 of a valid date (years counted from March, so the
 * leap day ends its year). */
static LONG64 rtl_days_from_civil(LONG64 year, unsigned month, unsigned day)
{
    year -= month <= 2;
    LONG64 era = rtl_floor_div(year, 400);
    LONG64 year_of_era = year - era * 400;
    LONG64 day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    LONG64 day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - RTL_DAYS_TO_1601;
}

static void rtl_civil_from_days(LONG64 days, PTIME_FIELDS fields)
{
    days += RTL_DAYS_TO_1601;
    LONG64 era = rtl_floor_div(days, 146097);
    LONG64 day_of_era = days - era * 146097;
    LONG64 year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    LONG64 day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    LONG64 month_from_march = (5 * day_of_year + 2) / 153;
    LONG64 month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;

    fields->Day = (CSHORT)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    fields->Month = (CSHORT)month;
    fields->Year = (CSHORT)(year_of_era + era * 400 + (month <= 2));
}

/* Whole seconds from `epoch` to *time, when that fits a ULONG. */
static BOOLEAN rtl_seconds_since(const LARGE_INTEGER *time, LONG64 epoch, PULONG seconds)
{
    if (time->QuadPart < epoch)
        return FALSE;
    ULONG64 elapsed = (ULONG64)(time->QuadPart - epoch) / RTL_TICKS_PER_SECOND;
    if (elapsed > MAXULONG)
        return FALSE;
    *seconds = (ULONG)elapsed;
    return TRUE;
}

/* Splits Time into year, month, day, hour, minute, second, millisecond
 * (the rest of the 100-ns ticks is dropped) and weekday, 0 being Sunday;
 * any IRQL (WDK, RtlTimeToTimeFields). Windows gives no meaningful fields
 * for a negative time; ntbox extends the calendar backwards. */
VOID NTAPI RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
    LONG64 days = rtl_floor_div(Time->QuadPart, RTL_TICKS_PER_DAY);
    LONG64 milliseconds = (Time->QuadPart - days * RTL_TICKS_PER_DAY) / RTL_TICKS_PER_MILLISECOND;

    rtl_civil_from_days(days, TimeFields);
    TimeFields->Hour = (CSHORT)(milliseconds / 3600000);
    TimeFields->Minute = (CSHORT)(milliseconds / 60000 % 60);
    TimeFields->Second = (CSHORT)(milliseconds / 1000 % 60);
    TimeFields->Milliseconds = (CSHORT)(milliseconds % 1000);
    TimeFields->Weekday = (CSHORT)((days + RTL_WEEKDAY_OF_1601) - rtl_floor_div(days + RTL_WEEKDAY_OF_1601, 7) * 7);
}

/* TRUE and *Time set when every field is in range (Month 1-12, Day within
 * the month, leap years counted, Hour 0-23, Minute and Second 0-59,
 * Milliseconds 0-999, Year 1601 or later) and the time fits a LARGE_INTEGER
 * (up to 30828-09-14 02:48:05.477); FALSE and *Time untouched otherwise.
 * Weekday is ignored; any IRQL (WDK, RtlTimeFieldsToTime). */
BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    const TIME_FIELDS f = *TimeFields;
    LONG64 ticks;

    if (f.Year < 1601 || f.Month < 1 || f.Month > 12 || f.Day < 1 ||
        f.Day > (CSHORT)rtl_days_in_month(f.Year, (unsigned)f.Month) || f.Hour < 0 || f.Hour > 23 ||
        f.Minute < 0 || f.Minute > 59 || f.Second < 0 || f.Second > 59 || f.Milliseconds < 0 ||
        f.Milliseconds > 999)
        return FALSE;
    LONG64 milliseconds = ((f.Hour * 60LL + f.Minute) * 60 + f.Second) * 1000 + f.Milliseconds;
    LONG64 days = rtl_days_from_civil(f.Year, (unsigned)f.Month, (unsigned)f.Day);
    if (__builtin_mul_overflow(days, RTL_TICKS_PER_DAY, &ticks) ||
        __builtin_add_overflow(ticks, milliseconds * RTL_TICKS_PER_MILLISECOND, &ticks))
        return FALSE;
    Time->QuadPart = ticks;
    return TRUE;
}

/* TRUE and the whole seconds since 1970-01-01 00:00:00 (fractions dropped)
 * for a Time from then to 2106-02-07 06:28:15.9999999; FALSE and
 * *ElapsedSeconds untouched outside; IRQL < DISPATCH_LEVEL (WDK,
 * RtlTimeToSecondsSince1970). */
BOOLEAN NTAPI RtlTimeToSecondsSince1970(PLARGE_INTEGER Time, PULONG ElapsedSeconds)
{
    return rtl_seconds_since(Time, RTL_TICKS_1601_TO_1970, ElapsedSeconds);
}

/* The system time ElapsedSeconds after 1970-01-01 00:00:00; IRQL <
 * DISPATCH_LEVEL (WDK, RtlSecondsSince1970ToTime). */
VOID NTAPI RtlSecondsSince1970ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time)
{
    Time->QuadPart = ElapsedSeconds * RTL_TICKS_PER_SECOND + RTL_TICKS_1601_TO_1970;
}

/* As RtlTimeToSecondsSince1970, from 1980-01-01 00:00:00 to 2116-02-07
 * 06:28:15.9999999; IRQL < DISPATCH_LEVEL (WDK, RtlTimeToSecondsSince1980). */
BOOLEAN NTAPI RtlTimeToSecondsSince1980(PLARGE_INTEGER Time, PULONG ElapsedSeconds)
{
    return rtl_seconds_since(Time, RTL_TICKS_1601_TO_1980, ElapsedSeconds);
}

/* The system time ElapsedSeconds after 1980-01-01 00:00:00; IRQL <
 * DISPATCH_LEVEL (WDK, RtlSecondsSince1980ToTime). */
VOID NTAPI RtlSecondsSince1980ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time)
{
    Time->QuadPart = ElapsedSeconds * RTL_TICKS_PER_SECOND + RTL_TICKS_1601_TO_1980;
}
