/* tests/cli/drivers_pe/stack_guard.h: gcc's stack guard as a mingw-built
 * driver's /GS cookie. mingw takes __stack_chk_guard from libssp, which a
 * driver linked with -nostdlib lacks, so the driver defines it and its load
 * configuration names it as the SecurityCookie, which the loader then
 * initializes. The build points the image's load configuration directory
 * at _load_config_used (set_load_config.sh). Included by one source file
 * of a driver built with -fstack-protector. */
#ifndef NTBOX_TESTS_STACK_GUARD_H
#define NTBOX_TESTS_STACK_GUARD_H

#include <ntddk.h>

#define LINKER_DEFAULT_COOKIE 0x2B992DDFA232ULL

ULONG_PTR __stack_chk_guard = LINKER_DEFAULT_COOKIE;

/* IMAGE_LOAD_CONFIG_DIRECTORY64 up to SecurityCookie and the SEH fields
 * after it. */
typedef struct {
    ULONG Size, TimeDateStamp;
    USHORT MajorVersion, MinorVersion;
    ULONG GlobalFlagsClear, GlobalFlagsSet, CriticalSectionDefaultTimeout;
    ULONGLONG DeCommitFreeBlockThreshold, DeCommitTotalFreeThreshold, LockPrefixTable, MaximumAllocationSize,
        VirtualMemoryThreshold, ProcessAffinityMask;
    ULONG ProcessHeapFlags;
    USHORT CSDVersion, DependentLoadFlags;
    ULONGLONG EditList, SecurityCookie, SEHandlerTable, SEHandlerCount;
} LOAD_CONFIG_DIRECTORY64;

const LOAD_CONFIG_DIRECTORY64 _load_config_used = {
    sizeof(LOAD_CONFIG_DIRECTORY64), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    (ULONGLONG)&__stack_chk_guard, 0, 0,
};

#endif
