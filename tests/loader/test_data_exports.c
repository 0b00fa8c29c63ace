/* tests/loader/test_data_exports.c: the variables ntoskrnl exports and
 * what a .sys's import slot holds for each: the variable's address, so a
 * .sys reads the same value a native driver binds to (one ABI). For the
 * variables the WDK declares as pointers to the kernel's (POBJECT_TYPE
 * *PsProcessType, PBOOLEAN KdDebuggerNotPresent, PULONG NtBuildNumber) the
 * slot is the pointer itself; for the others (KeNumberProcessors,
 * MmSystemRangeStart, SeExports) it holds the variable's address. And the
 * routines that answer from the table: MmGetSystemRoutineAddress, hal.dll's
 * routines found in ntoskrnl.exe. */
#include "ktest.h"

#include "loader/exports.h"
#include "ob/ob.h"
#include "rtl/version.h"

#include <ntifs.h>
#include <string.h>

static void *slot(const char *name)
{
    const struct ldr_export *e = ldr_export_find("ntoskrnl.exe", name);
    if (!e || !e->address || e->kind != LDR_EXPORT_DATA) {
        kt_fail(__FILE__, __LINE__, "ntoskrnl.exe!%s is not an implemented variable", name);
        return NULL;
    }
    return e->address;
}

/* The slot is the pointer a native driver reads. */
KT_TEST(pointer_kind_variables_slot_is_the_pointer)
{
    KT_EQ_PTR(slot("PsProcessType"), PsProcessType);
    KT_EQ_PTR(slot("PsThreadType"), PsThreadType);
    KT_EQ_PTR(slot("IoFileObjectType"), IoFileObjectType);
    KT_EQ_PTR(slot("IoDeviceObjectType"), IoDeviceObjectType);
    KT_EQ_PTR(slot("IoDriverObjectType"), IoDriverObjectType);
    KT_EQ_PTR(slot("ExEventObjectType"), ExEventObjectType);
    KT_EQ_PTR(slot("ExSemaphoreObjectType"), ExSemaphoreObjectType);
    KT_EQ_PTR(slot("KdDebuggerEnabled"), KdDebuggerEnabled);
    KT_EQ_PTR(slot("KdDebuggerNotPresent"), KdDebuggerNotPresent);
    KT_EQ_PTR(slot("InitSafeBootMode"), InitSafeBootMode);
    KT_EQ_PTR(slot("NtBuildNumber"), NtBuildNumber);
}

/* The slot is the variable's address. */
KT_TEST(value_kind_variables_slot_is_the_address)
{
    KT_EQ_PTR(slot("KeNumberProcessors"), &KeNumberProcessors);
    KT_EQ_PTR(slot("MmSystemRangeStart"), &MmSystemRangeStart);
    KT_EQ_PTR(slot("MmHighestUserAddress"), &MmHighestUserAddress);
    KT_EQ_PTR(slot("MmUserProbeAddress"), &MmUserProbeAddress);
    KT_EQ_PTR(slot("PsInitialSystemProcess"), &PsInitialSystemProcess);
    KT_EQ_PTR(slot("SeExports"), &SeExports);
}

/* No kernel debugger; a normal boot; the processor count; Windows x64's
 * first system address. */
KT_TEST(system_state_variables)
{
    KT_EQ_INT(*KdDebuggerEnabled, FALSE);
    KT_EQ_INT(*KdDebuggerNotPresent, TRUE);
    KT_EQ_INT(KD_DEBUGGER_NOT_PRESENT, TRUE);
    KT_EQ_INT(*InitSafeBootMode, 0);
    KT_EQ_INT(KeNumberProcessors, KeQueryActiveProcessorCount(NULL));
    KT_EQ_PTR(MmSystemRangeStart, (PVOID)0xFFFF800000000000ULL);
    KT_EQ_PTR(MM_SYSTEM_RANGE_START, MmSystemRangeStart);
}

/* 0xF0000000 (a free build) with the build number, following --os-version. */
KT_TEST(NtBuildNumber_follows_the_version)
{
    KT_EQ_HEX(*NtBuildNumber, 0xF0000000u | 26200);
    KT_TRUE(rtl_version_parse_and_set("6.1.7601"));
    KT_EQ_HEX(*NtBuildNumber, 0xF0001DB1u);
    KT_TRUE(rtl_version_parse_and_set("10.0.26200"));
    KT_EQ_HEX(*NtBuildNumber, 0xF0006658u);
}

static void kt_sid_is(PSID sid, UCHAR authority, UCHAR count, const ULONG *sub)
{
    const SID *s = sid;
    KT_EQ_INT(s->Revision, SID_REVISION);
    KT_EQ_INT(s->SubAuthorityCount, count);
    KT_EQ_MEM(s->IdentifierAuthority.Value, ((UCHAR[6]){ 0, 0, 0, 0, 0, authority }), 6);
    if (count)
        KT_EQ_MEM(s->SubAuthority, sub, count * sizeof(ULONG));
}

/* Privileges are {SE_*_PRIVILEGE, 0}; SIDs as Windows' well-known ones. */
KT_TEST(SeExports_privileges_and_sids)
{
    KT_EQ_INT(SeExports->SeCreateTokenPrivilege.LowPart, 2);
    KT_EQ_INT(SeExports->SeTcbPrivilege.LowPart, 7);
    KT_EQ_INT(SeExports->SeLoadDriverPrivilege.LowPart, 10);
    KT_EQ_INT(SeExports->SeDebugPrivilege.LowPart, 20);
    KT_EQ_INT(SeExports->SeDebugPrivilege.HighPart, 0);
    KT_EQ_INT(SeExports->SeChangeNotifyPrivilege.LowPart, 23);
    KT_EQ_INT(SeExports->SeImpersonatePrivilege.LowPart, 29);
    KT_EQ_INT(SeExports->SeCreateSymbolicLinkPrivilege.LowPart, 35);
    KT_EQ_INT(SeExports->SeDelegateSessionUserImpersonatePrivilege.LowPart, 36);
    kt_sid_is(SeExports->SeWorldSid, 1, 1, (ULONG[]){ 0 });
    kt_sid_is(SeExports->SeNtAuthoritySid, 5, 0, NULL);
    kt_sid_is(SeExports->SeLocalSystemSid, 5, 1, (ULONG[]){ 18 });
    kt_sid_is(SeExports->SeAuthenticatedUsersSid, 5, 1, (ULONG[]){ 11 });
    kt_sid_is(SeExports->SeAliasAdminsSid, 5, 2, (ULONG[]){ 32, 544 });
    kt_sid_is(SeExports->SeAliasBackupOpsSid, 5, 2, (ULONG[]){ 32, 551 });
    kt_sid_is(SeExports->SeHighMandatorySid, 16, 1, (ULONG[]){ 0x3000 });
    kt_sid_is(SeExports->SeAllAppPackagesSid, 15, 2, (ULONG[]){ 2, 1 });
    kt_sid_is(SeExports->SeTrustedInstallerSid, 5, 6,
              (ULONG[]){ 80, 956008885, 3418522649u, 1831038044, 1853292631, 2271478464u });
}

KT_TEST(ExSemaphoreObjectType_is_Semaphore)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"Semaphore");
    KT_TRUE(*ExSemaphoreObjectType != NULL);
    KT_EQ_INT(RtlEqualUnicodeString(ob_type_name(*ExSemaphoreObjectType), &name, FALSE), TRUE);
}

static PVOID kt_routine(const WCHAR *name)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, name);
    return MmGetSystemRoutineAddress(&s);
}

/* A routine's entry, a variable's address (the slot's value), hal.dll's
 * routines too; NULL for a name ntbox lacks or no export has. */
KT_TEST(MmGetSystemRoutineAddress_from_the_export_table)
{
    KT_EQ_PTR(kt_routine(L"KeSetEvent"), (PVOID)KeSetEvent);
    KT_EQ_PTR(kt_routine(L"PsProcessType"), PsProcessType);
    KT_EQ_PTR(kt_routine(L"KeNumberProcessors"), &KeNumberProcessors);
    KT_EQ_PTR(kt_routine(L"KeStallExecutionProcessor"), (PVOID)KeStallExecutionProcessor);
    KT_EQ_PTR(kt_routine(L"ZwCreateKey"), NULL);      /* a row, not implemented */
    KT_EQ_PTR(kt_routine(L"NoSuchRoutine"), NULL);
    KT_EQ_PTR(kt_routine(L"kesetevent"), NULL);       /* names are case-sensitive */
    KT_EQ_PTR(kt_routine(L"KeSetEvent\x00e9"), NULL);
}

/* hal.dll's routines are ntoskrnl.exe's too (modern Windows); ntoskrnl's
 * are not hal.dll's. */
KT_TEST(hal_routines_bind_from_ntoskrnl)
{
    const struct ldr_export *hal = ldr_export_find("hal.dll", "KeQueryPerformanceCounter");
    KT_REQUIRE(KT_TRUE(hal != NULL));
    KT_EQ_PTR(ldr_export_find("ntoskrnl.exe", "KeQueryPerformanceCounter"), hal);
    KT_EQ_PTR(ldr_export_find("NTOSKRNL.EXE", "KeStallExecutionProcessor"),
              ldr_export_find("HAL.dll", "KeStallExecutionProcessor"));
    KT_EQ_PTR(ldr_export_find("hal.dll", "KeSetEvent"), NULL);
}

KT_TEST(MmIsAddressValid_readable_memory_only)
{
    static char data[16];
    PVOID pool = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, 'tseT');
    KT_EQ_INT(MmIsAddressValid(data), TRUE);
    KT_EQ_INT(MmIsAddressValid(pool), TRUE);
    ExFreePoolWithTag(pool, 'tseT');
    KT_EQ_INT(MmIsAddressValid(NULL), FALSE);
    KT_EQ_INT(MmIsAddressValid((PVOID)0xFFFF800000001000ULL), FALSE);
}

/* The same seed gives the same sequence through a fresh generator state,
 * every value below MAXLONG, the seed advanced. */
KT_TEST(RtlRandomEx_range_and_seed)
{
    ULONG seed = 1234, before = seed, seen_high = 0;
    for (int i = 0; i < 1000; i++) {
        ULONG r = RtlRandomEx(&seed);
        KT_TRUE(r < 0x7FFFFFFFu);
        seen_high |= r >= 0x40000000;
    }
    KT_TRUE(seed != before);
    KT_TRUE(seed < 0x7FFFFFFFu);
    KT_TRUE(seen_high != 0);
}

static void kt_assert(void *arg)
{
    (void)arg;
    RtlAssert((PVOID) "Count > 0", (PVOID) "driver.c", 42, (PSTR) "queue: ");
}

/* ASSERT() with no debugger: the message, then STATUS_ASSERTION_FAILURE
 * unhandled, bugcheck 0x7E. */
KT_TEST(RtlAssert_prints_then_bugchecks)
{
    const char *out = KT_EXPECT_BUGCHECK(0x7E, (ULONG)STATUS_ASSERTION_FAILURE, kt_assert, NULL);
    KT_REQUIRE(out != NULL);
    KT_CONTAINS(out, "*** Assertion failed: queue: Count > 0\n***   Source File: driver.c, line 42\n");
    KT_CONTAINS(out, "The driver's assertion Count > 0 failed (RtlAssert, driver.c:42)");
}
