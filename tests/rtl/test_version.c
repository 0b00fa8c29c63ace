/* tests/rtl/test_version.c: RtlGetVersion and the --os-version setting. */
#include "ktest.h"

#include "rtl/version.h"

/* Default: Windows 11 25H2, 10.0.26200, VER_PLATFORM_WIN32_NT, no service
 * pack string; "RtlGetVersion returns STATUS_SUCCESS". */
KT_TEST(RtlGetVersion_default_windows_11_25h2)
{
    OSVERSIONINFOW osv = { 0 };
    osv.dwOSVersionInfoSize = sizeof osv;
    osv.szCSDVersion[0] = 'x';
    KT_EQ_STATUS(RtlGetVersion(&osv), STATUS_SUCCESS);
    KT_EQ_INT(osv.dwMajorVersion, 10);
    KT_EQ_INT(osv.dwMinorVersion, 0);
    KT_EQ_INT(osv.dwBuildNumber, 26200);
    KT_EQ_INT(osv.dwPlatformId, VER_PLATFORM_WIN32_NT);
    KT_EQ_HEX(osv.szCSDVersion[0], 0);
    KT_EQ_INT(osv.dwOSVersionInfoSize, sizeof(RTL_OSVERSIONINFOW));
}

/* dwOSVersionInfoSize = sizeof(RTL_OSVERSIONINFOEXW) selects the extended
 * structure: no service pack, a workstation. */
KT_TEST(RtlGetVersion_extended)
{
    RTL_OSVERSIONINFOEXW ex;
    memset(&ex, 0xCC, sizeof ex);
    ex.dwOSVersionInfoSize = sizeof ex;
    KT_EQ_STATUS(RtlGetVersion((PRTL_OSVERSIONINFOW)&ex), STATUS_SUCCESS);
    KT_EQ_INT(ex.dwBuildNumber, 26200);
    KT_EQ_INT(ex.wServicePackMajor, 0);
    KT_EQ_INT(ex.wServicePackMinor, 0);
    KT_EQ_INT(ex.wProductType, VER_NT_WORKSTATION);
    KT_EQ_HEX(ex.wSuiteMask, VER_SUITE_SINGLEUSERTS);
    KT_EQ_INT(ex.wReserved, 0);
}

/* With the basic size, the extended fields past the structure are not
 * touched. */
KT_TEST(RtlGetVersion_basic_size_leaves_extended_fields)
{
    RTL_OSVERSIONINFOEXW ex;
    memset(&ex, 0xCC, sizeof ex);
    ex.dwOSVersionInfoSize = sizeof(RTL_OSVERSIONINFOW);
    KT_EQ_STATUS(RtlGetVersion((PRTL_OSVERSIONINFOW)&ex), STATUS_SUCCESS);
    KT_EQ_INT(ex.dwMajorVersion, 10);
    KT_EQ_HEX(ex.wServicePackMajor, 0xCCCC);
    KT_EQ_HEX(ex.wProductType, 0xCC);
}

/* rtl_version_parse_and_set accepts exactly "MAJOR.MINOR.BUILD"; anything
 * else is refused and changes nothing. */
KT_TEST(rtl_version_parse_and_set_rules)
{
    ULONG major, minor, build;
    static const char *const bad[] = { "", "10", "10.0", "10.0.", "10..1", "a.b.c", "10.0.1.2", " 10.0.1",
                                       "10.0.1 ", "-1.0.0", "10.0.4294967296", "10.+0.1" };
    for (size_t i = 0; i < RTL_NUMBER_OF(bad); i++)
        if (rtl_version_parse_and_set(bad[i]))
            kt_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
    KT_FALSE(rtl_version_parse_and_set(NULL));
    rtl_version_get(&major, &minor, &build);
    KT_EQ_INT(build, 26200);
    KT_TRUE(rtl_version_parse_and_set("6.1.7601"));
    rtl_version_get(&major, &minor, &build);
    KT_EQ_INT(major, 6);
    KT_EQ_INT(minor, 1);
    KT_EQ_INT(build, 7601);
    KT_TRUE(rtl_version_parse_and_set("10.0.4294967295"));
    rtl_version_get(&major, &minor, &build);
    KT_EQ_HEX(build, 0xFFFFFFFF);
}

/* RtlGetVersion reports the configured version. */
KT_TEST(RtlGetVersion_reports_configured_version)
{
    OSVERSIONINFOW osv;
    KT_REQUIRE(KT_TRUE(rtl_version_parse_and_set("10.0.19045")));
    osv.dwOSVersionInfoSize = sizeof osv;
    KT_EQ_STATUS(RtlGetVersion(&osv), STATUS_SUCCESS);
    KT_EQ_INT(osv.dwMajorVersion, 10);
    KT_EQ_INT(osv.dwBuildNumber, 19045);
    KT_TRUE(rtl_version_parse_and_set("10.0.26200"));
}

/* VER_SET_CONDITION: the condition goes to the 3 bits of the member's type
 * bit (bit n: bits 3n..3n+2); one member per call, the highest bit given;
 * a zero type or condition changes nothing. */
KT_TEST(VerSetConditionMask_layout)
{
    ULONGLONG m = 0;
    VER_SET_CONDITION(m, VER_MAJORVERSION, VER_GREATER_EQUAL);
    KT_EQ_HEX(m, 3ULL << 3);
    VER_SET_CONDITION(m, VER_MINORVERSION, VER_LESS);
    KT_EQ_HEX(m, (3ULL << 3) | 4);
    KT_EQ_HEX(VerSetConditionMask(0, VER_PRODUCT_TYPE, VER_EQUAL), 1ULL << 21);
    KT_EQ_HEX(VerSetConditionMask(0, VER_SUITENAME, VER_OR), 7ULL << 18);
    KT_EQ_HEX(VerSetConditionMask(0, VER_MAJORVERSION | VER_MINORVERSION, VER_EQUAL), 1ULL << 3);
    KT_EQ_HEX(VerSetConditionMask(5, 0, VER_EQUAL), 5);
    KT_EQ_HEX(VerSetConditionMask(5, VER_BUILDNUMBER, 0), 5);
}

/* Checks major.minor (and service pack) >= the given version. */
static NTSTATUS at_least(ULONG major, ULONG minor, USHORT sp_major)
{
    RTL_OSVERSIONINFOEXW v = { .dwOSVersionInfoSize = sizeof v, .dwMajorVersion = major, .dwMinorVersion = minor,
                               .wServicePackMajor = sp_major };
    ULONGLONG m = 0;
    VER_SET_CONDITION(m, VER_MAJORVERSION, VER_GREATER_EQUAL);
    VER_SET_CONDITION(m, VER_MINORVERSION, VER_GREATER_EQUAL);
    VER_SET_CONDITION(m, VER_SERVICEPACKMAJOR, VER_GREATER_EQUAL);
    return RtlVerifyVersionInfo(&v, VER_MAJORVERSION | VER_MINORVERSION | VER_SERVICEPACKMAJOR, m);
}

/* "If the major version exceeds the minimum required, the minor version and
 * service pack version are not tested"; the same for the minor version. */
KT_TEST(RtlVerifyVersionInfo_sequential_versions)
{
    KT_EQ_STATUS(at_least(10, 0, 0), STATUS_SUCCESS);
    KT_EQ_STATUS(at_least(6, 3, 5), STATUS_SUCCESS);
    KT_EQ_STATUS(at_least(10, 1, 0), STATUS_REVISION_MISMATCH);
    KT_EQ_STATUS(at_least(10, 0, 1), STATUS_REVISION_MISMATCH);
    KT_EQ_STATUS(at_least(11, 0, 0), STATUS_REVISION_MISMATCH);
    KT_REQUIRE(KT_TRUE(rtl_version_parse_and_set("6.3.9600")));
    KT_EQ_STATUS(at_least(6, 2, 9), STATUS_SUCCESS);
    KT_EQ_STATUS(at_least(10, 0, 0), STATUS_REVISION_MISMATCH);
    KT_TRUE(rtl_version_parse_and_set("10.0.26200"));
}

/* Build number, platform and product type compare on their own; suites:
 * VER_AND needs every suite given, VER_OR one. */
KT_TEST(RtlVerifyVersionInfo_members)
{
    RTL_OSVERSIONINFOEXW v = { .dwOSVersionInfoSize = sizeof v, .dwBuildNumber = 22000,
                               .dwPlatformId = VER_PLATFORM_WIN32_NT, .wProductType = VER_NT_WORKSTATION,
                               .wSuiteMask = VER_SUITE_SINGLEUSERTS };
    ULONGLONG ge = VerSetConditionMask(0, VER_BUILDNUMBER, VER_GREATER_EQUAL);
    ULONGLONG eq = VerSetConditionMask(VerSetConditionMask(0, VER_PLATFORMID, VER_EQUAL), VER_PRODUCT_TYPE, VER_EQUAL);
    ULONGLONG and_ = VerSetConditionMask(0, VER_SUITENAME, VER_AND);
    ULONGLONG or_ = VerSetConditionMask(0, VER_SUITENAME, VER_OR);
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_BUILDNUMBER, ge), STATUS_SUCCESS);
    v.dwBuildNumber = 26201;
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_BUILDNUMBER, ge), STATUS_REVISION_MISMATCH);
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_PLATFORMID | VER_PRODUCT_TYPE, eq), STATUS_SUCCESS);
    v.wProductType = VER_NT_SERVER;
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_PLATFORMID | VER_PRODUCT_TYPE, eq), STATUS_REVISION_MISMATCH);
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_SUITENAME, and_), STATUS_SUCCESS);
    v.wSuiteMask = VER_SUITE_SINGLEUSERTS | VER_SUITE_PERSONAL;
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_SUITENAME, and_), STATUS_REVISION_MISMATCH);
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_SUITENAME, or_), STATUS_SUCCESS);
}

/* "STATUS_INVALID_PARAMETER: the input parameters are not valid": no
 * member, no condition, or a condition that does not apply to the member. */
KT_TEST(RtlVerifyVersionInfo_invalid_parameter)
{
    RTL_OSVERSIONINFOEXW v = { .dwOSVersionInfoSize = sizeof v, .wSuiteMask = VER_SUITE_SINGLEUSERTS };
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, 0, VerSetConditionMask(0, VER_BUILDNUMBER, VER_EQUAL)),
                 STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_BUILDNUMBER, 0), STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_SUITENAME, VerSetConditionMask(0, VER_SUITENAME, VER_EQUAL)),
                 STATUS_INVALID_PARAMETER);
    KT_EQ_STATUS(RtlVerifyVersionInfo(&v, VER_BUILDNUMBER, VerSetConditionMask(0, VER_BUILDNUMBER, VER_AND)),
                 STATUS_INVALID_PARAMETER);
}
