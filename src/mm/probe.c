/* mm/probe.c: checks of buffers passed from user mode: ProbeForRead,
 * ProbeForWrite, the MmUserProbeAddress, MmHighestUserAddress and
 * MmSystemRangeStart variables, and the non-raising forms in mm.h.
 *
 * Like Windows, ProbeForRead checks only the range and the alignment, and
 * ProbeForWrite also proves each page writable by writing its first byte
 * back to itself. ntbox does that under a recovery point (base/safe_read.h),
 * so an unmapped or read-only page is a status, not a fault. A failed probe
 * raises STATUS_DATATYPE_MISALIGNMENT or STATUS_ACCESS_VIOLATION from the
 * driver's call (ex/raise.c), for its __except to take. */
#include "mm/mm.h"

#include "base/safe_read.h"
#include "ex/pool.h"

#include <stdio.h>

/* Windows x64's values. */
PVOID MmHighestUserAddress = (PVOID)0x7FFFFFFEFFFFULL;
ULONG_PTR MmUserProbeAddress = 0x7FFFFFFF0000ULL;
PVOID MmSystemRangeStart = (PVOID)0xFFFF800000000000ULL;

bool mm_safe_write(void *destination, const void *source, SIZE_T length)
{
    return safe_write(destination, source, length);
}

NTSTATUS mm_probe_for_read(const volatile void *address, SIZE_T length, ULONG alignment)
{
    ULONG_PTR start = (ULONG_PTR)address, end = start + length;

    if (!length)
        return STATUS_SUCCESS;
    if (start & (alignment - 1))
        return STATUS_DATATYPE_MISALIGNMENT;
    if (end < start || end > MmUserProbeAddress)
        return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

bool mm_pages_accessible(const volatile void *address, SIZE_T length, bool write)
{
    char byte;
    if (write)
        return safe_touch_writable((void *)address, length, PAGE_SIZE);
    /* A read of the first byte, then of each following page's first byte. */
    for (ULONG_PTR page = (ULONG_PTR)address, last = page + length - 1;; page = (page | (PAGE_SIZE - 1)) + 1) {
        if (!safe_read((const void *)page, &byte, 1))
            return false;
        if ((page | (PAGE_SIZE - 1)) >= last)
            return true;
    }
}
NTSTATUS mm_probe_for_write(volatile void *address, SIZE_T length, ULONG alignment)
{
    NTSTATUS status = mm_probe_for_read(address, length, alignment);
    if (NT_SUCCESS(status) && length && !mm_pages_accessible(address, length, true))
        status = STATUS_ACCESS_VIOLATION;
    return status;
}

/* Raises a failed probe's status from the driver's call site, saying why. */
__attribute__((noreturn)) static void mm_probe_raise(const char *routine, NTSTATUS status,
                                                     const volatile void *address, SIZE_T length, ULONG alignment,
                                                     const void *at)
{
    char detail[256];
    ULONG_PTR start = (ULONG_PTR)address;

    if (status == STATUS_DATATYPE_MISALIGNMENT)
        snprintf(detail, sizeof detail, "%s(0x%016llx, 0x%llx, %u): the address is not %u-byte aligned.", routine,
                 (unsigned long long)start, (unsigned long long)length, alignment, alignment);
    else if (start + length < start || start + length > MmUserProbeAddress)
        snprintf(detail, sizeof detail,
                 "%s(0x%016llx, 0x%llx, %u): the buffer is not all below MmUserProbeAddress (0x%016llx).", routine,
                 (unsigned long long)start, (unsigned long long)length, alignment,
                 (unsigned long long)MmUserProbeAddress);
    else
        snprintf(detail, sizeof detail, "%s(0x%016llx, 0x%llx, %u): a page of the buffer is not writable.",
                 routine, (unsigned long long)start, (unsigned long long)length, alignment);
    ex_raise_status(status, at, detail);
}

/* Length 0 does nothing; otherwise raises STATUS_DATATYPE_MISALIGNMENT if
 * Address is not Alignment-aligned and STATUS_ACCESS_VIOLATION if the
 * buffer wraps or ends above MmUserProbeAddress; IRQL <= APC_LEVEL (WDK,
 * ProbeForRead). */
VOID NTAPI ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    NTSTATUS status = mm_probe_for_read(Address, Length, Alignment);
    if (!NT_SUCCESS(status))
        mm_probe_raise("ProbeForRead", status, Address, Length, Alignment, __builtin_return_address(0));
}

/* As ProbeForRead, and STATUS_ACCESS_VIOLATION too when a page of the
 * buffer is not writable; IRQL <= APC_LEVEL (WDK, ProbeForWrite). */
VOID NTAPI ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    NTSTATUS status = mm_probe_for_write(Address, Length, Alignment);
    if (!NT_SUCCESS(status))
        mm_probe_raise("ProbeForWrite", status, Address, Length, Alignment, __builtin_return_address(0));
}
