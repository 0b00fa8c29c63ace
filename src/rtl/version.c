/* rtl/version.c: the OS version (Rtl): RtlGetVersion, RtlVerifyVersionInfo,
 * VerSetConditionMask, and the NtBuildNumber variable.
 *
 * ntbox reports a workstation Windows, no service pack, by default Windows 11
 * 25H2 (10.0.26200); rtl_version_parse_and_set changes the three numbers.
 * NtBuildNumber is the build in the low 16 bits and 0xF in the top four, a
 * free (retail) build's mark (0xC marks a checked one); drivers declare it
 * PULONG (or PUSHORT), so the export table's row names the ULONG itself. */
#include "rtl/version.h"

#include <string.h>

#define RTL_VERSION_SUITE VER_SUITE_SINGLEUSERTS /* what a Windows 11 Pro reports */

static ULONG rtl_version_major = 10;
static ULONG rtl_version_minor = 0;
static ULONG rtl_version_build = 26200;

#define RTL_FREE_BUILD 0xF0000000u
ULONG rtl_nt_build_number = RTL_FREE_BUILD | 26200;
NTSYSAPI PULONG NtBuildNumber = &rtl_nt_build_number;

/* Reads one decimal ULONG at *p, moving *p past it; false when there is no
 * digit or the number overflows. */
static bool rtl_version_number(const char **p, ULONG *out)
{
    ULONGLONG v = 0;
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (ULONGLONG)(*s - '0');
        if (v > MAXULONG)
            return false;
    }
    *out = (ULONG)v;
    *p = s;
    return true;
}

bool rtl_version_parse_and_set(const char *text)
{
    ULONG major, minor, build;
    const char *p = text;
    if (!p || !rtl_version_number(&p, &major) || *p++ != '.' || !rtl_version_number(&p, &minor) ||
        *p++ != '.' || !rtl_version_number(&p, &build) || *p)
        return false;
    rtl_version_major = major;
    rtl_version_minor = minor;
    rtl_version_build = build;
    rtl_nt_build_number = RTL_FREE_BUILD | (build & 0xFFFF);
    return true;
}

void rtl_version_get(ULONG *major, ULONG *minor, ULONG *build)
{
    *major = rtl_version_major;
    *minor = rtl_version_minor;
    *build = rtl_version_build;
}

/* Fills the RTL_OSVERSIONINFOW fields; the RTL_OSVERSIONINFOEXW ones too when
 * dwOSVersionInfoSize is the size of that structure. Returns STATUS_SUCCESS
 * (WDK, RtlGetVersion). */
NTSYSAPI NTSTATUS NTAPI RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation)
{
    lpVersionInformation->dwMajorVersion = rtl_version_major;
    lpVersionInformation->dwMinorVersion = rtl_version_minor;
    lpVersionInformation->dwBuildNumber = rtl_version_build;
    lpVersionInformation->dwPlatformId = VER_PLATFORM_WIN32_NT;
    memset(lpVersionInformation->szCSDVersion, 0, sizeof lpVersionInformation->szCSDVersion);
    if (lpVersionInformation->dwOSVersionInfoSize == sizeof(RTL_OSVERSIONINFOEXW)) {
        PRTL_OSVERSIONINFOEXW ex = (PRTL_OSVERSIONINFOEXW)lpVersionInformation;
        ex->wServicePackMajor = 0;
        ex->wServicePackMinor = 0;
        ex->wSuiteMask = RTL_VERSION_SUITE;
        ex->wProductType = VER_NT_WORKSTATION;
        ex->wReserved = 0;
    }
    return STATUS_SUCCESS;
}

/* The 3-bit condition of the field whose VER_* bit is `type` (bit n of
 * TypeMask owns bits 3n..3n+2 of a condition mask). */
static UCHAR rtl_condition_of(ULONGLONG ConditionMask, ULONG type)
{
    return (UCHAR)((ConditionMask >> (3 * __builtin_ctz(type))) & VER_CONDITION_MASK);
}

/* Records Condition for the highest VER_* bit set in TypeMask; a TypeMask or
 * Condition of 0 leaves ConditionMask as it is (WDK, VerSetConditionMask:
 * one call per member). */
NTSYSAPI ULONGLONG NTAPI VerSetConditionMask(ULONGLONG ConditionMask, ULONG TypeMask, UCHAR Condition)
{
    TypeMask &= 0xFF;
    Condition &= VER_CONDITION_MASK;
    if (!TypeMask || !Condition)
        return ConditionMask;
    int field = 31 - __builtin_clz(TypeMask);
    return ConditionMask | ((ULONGLONG)Condition << (3 * field));
}

/* current <condition> required; -1 when condition is no comparison. */
static int rtl_version_compare(ULONG current, ULONG required, UCHAR condition)
{
    switch (condition) {
    case VER_EQUAL: return current == required;
    case VER_GREATER: return current > required;
    case VER_GREATER_EQUAL: return current >= required;
    case VER_LESS: return current < required;
    case VER_LESS_EQUAL: return current <= required;
    default: return -1;
    }
}

/* Major, minor, service pack major and minor are one number compared field
 * by field: the first requested field that differs decides. */
static NTSTATUS rtl_version_compare_sequence(const RTL_OSVERSIONINFOEXW *cur, const RTL_OSVERSIONINFOEXW *req,
                                             ULONG TypeMask, ULONGLONG ConditionMask)
{
    const struct { ULONG type, current, required; } fields[] = {
        { VER_MAJORVERSION, cur->dwMajorVersion, req->dwMajorVersion },
        { VER_MINORVERSION, cur->dwMinorVersion, req->dwMinorVersion },
        { VER_SERVICEPACKMAJOR, cur->wServicePackMajor, req->wServicePackMajor },
        { VER_SERVICEPACKMINOR, cur->wServicePackMinor, req->wServicePackMinor },
    };
    int ok = 1;
    for (size_t i = 0; i < RTL_NUMBER_OF(fields); i++) {
        if (!(TypeMask & fields[i].type))
            continue;
        UCHAR condition = rtl_condition_of(ConditionMask, fields[i].type);
        ok = rtl_version_compare(fields[i].current, fields[i].required, condition);
        if (ok < 0)
            return STATUS_INVALID_PARAMETER;
        if (fields[i].current != fields[i].required)
            break;
    }
    return ok ? STATUS_SUCCESS : STATUS_REVISION_MISMATCH;
}

/* Compares the members TypeMask names with the running system, each by its
 * condition in ConditionMask: STATUS_SUCCESS when all hold,
 * STATUS_REVISION_MISMATCH when one does not, STATUS_INVALID_PARAMETER for
 * an empty mask or a condition that does not apply. Suites: VER_AND needs
 * all, VER_OR one (WDK, RtlVerifyVersionInfo). */
NTSYSAPI NTSTATUS NTAPI RtlVerifyVersionInfo(PRTL_OSVERSIONINFOEXW VersionInfo, ULONG TypeMask,
                                             ULONGLONG ConditionMask)
{
    /* Filled here, not through RtlGetVersion's cast: inlined, that cast
     * breaks C's aliasing rules. */
    const RTL_OSVERSIONINFOEXW cur = {
        .dwOSVersionInfoSize = sizeof cur, .dwMajorVersion = rtl_version_major,
        .dwMinorVersion = rtl_version_minor, .dwBuildNumber = rtl_version_build,
        .dwPlatformId = VER_PLATFORM_WIN32_NT, .wSuiteMask = RTL_VERSION_SUITE, .wProductType = VER_NT_WORKSTATION,
    };
    if (!TypeMask || !ConditionMask)
        return STATUS_INVALID_PARAMETER;
    const struct { ULONG type, current, required; } single[] = {
        { VER_PRODUCT_TYPE, cur.wProductType, VersionInfo->wProductType },
        { VER_PLATFORMID, cur.dwPlatformId, VersionInfo->dwPlatformId },
        { VER_BUILDNUMBER, cur.dwBuildNumber, VersionInfo->dwBuildNumber },
    };
    for (size_t i = 0; i < RTL_NUMBER_OF(single); i++) {
        if (!(TypeMask & single[i].type))
            continue;
        UCHAR condition = rtl_condition_of(ConditionMask, single[i].type);
        int ok = rtl_version_compare(single[i].current, single[i].required, condition);
        if (ok <= 0)
            return ok < 0 ? STATUS_INVALID_PARAMETER : STATUS_REVISION_MISMATCH;
    }
    if (TypeMask & VER_SUITENAME) {
        USHORT want = VersionInfo->wSuiteMask, have = cur.wSuiteMask & want;
        UCHAR condition = rtl_condition_of(ConditionMask, VER_SUITENAME);
        if (condition != VER_AND && condition != VER_OR)
            return STATUS_INVALID_PARAMETER;
        if (condition == VER_AND ? have != want : (want && !have))
            return STATUS_REVISION_MISMATCH;
    }
    return rtl_version_compare_sequence(&cur, VersionInfo, TypeMask, ConditionMask);
}
