/* tests/mm/test_probe.c: ProbeForRead and ProbeForWrite (raising, as an
 * unhandled exception: bug check 0x7E with the status as P1), their
 * non-raising forms for the I/O manager and services, and the user-space
 * limits MmUserProbeAddress and MmHighestUserAddress. */
#include "ktest.h"

#include "mm/mm.h"

#include <sys/mman.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E

/* Windows x64's user-space limits, exported as data. */
KT_TEST(MmUserProbeAddress_values)
{
    KT_EQ_HEX(MmUserProbeAddress, 0x7FFFFFFF0000ULL);
    KT_EQ_HEX((ULONG_PTR)MmHighestUserAddress, 0x7FFFFFFEFFFFULL);
    KT_EQ_HEX(MM_USER_PROBE_ADDRESS, 0x7FFFFFFF0000ULL);
}

/* Pages to probe: one read-write, one read-only, one inaccessible, in a
 * row. */
static char *pages;

static void map_pages(void)
{
    if (pages)
        return;
    pages = mmap(NULL, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(pages, 'w', PAGE_SIZE);
    memset(pages + PAGE_SIZE, 'r', PAGE_SIZE);
    mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_READ);
    mprotect(pages + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE);
}

/* "If Length = 0, ProbeForRead does no checking" (nor ProbeForWrite). */
KT_TEST(ProbeFor_zero_length_checks_nothing)
{
    ProbeForRead((PVOID)(ULONG_PTR)0xFFFF800000000001ULL, 0, 8);
    ProbeForWrite((PVOID)(ULONG_PTR)0xFFFF800000000001ULL, 0, 8);
    KT_EQ_STATUS(mm_probe_for_read((PVOID)(ULONG_PTR)3, 0, 4), STATUS_SUCCESS);
}

/* The range and the alignment: [Address, Address + Length) must not wrap
 * and must stay at or below MmUserProbeAddress; Address must be a multiple
 * of Alignment. ProbeForRead does not touch the memory. */
KT_TEST(mm_probe_for_read_statuses)
{
    map_pages();
    KT_EQ_STATUS(mm_probe_for_read(pages, 16, 8), STATUS_SUCCESS);
    KT_EQ_STATUS(mm_probe_for_read(pages + 2 * PAGE_SIZE, 16, 1), STATUS_SUCCESS);
    KT_EQ_STATUS(mm_probe_for_read(pages + 2, 16, 4), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ_STATUS(mm_probe_for_read((PVOID)(MmUserProbeAddress - 16), 16, 1), STATUS_SUCCESS);
    KT_EQ_STATUS(mm_probe_for_read((PVOID)(MmUserProbeAddress - 16), 17, 1), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(mm_probe_for_read((PVOID)MmUserProbeAddress, 1, 1), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(mm_probe_for_read((PVOID)(ULONG_PTR)0xFFFFFFFFFFFFFF00ULL, 0x200, 1), STATUS_ACCESS_VIOLATION);
}

/* ProbeForWrite also proves every page writable, leaving the bytes as they
 * were. */
KT_TEST(mm_probe_for_write_statuses)
{
    map_pages();
    KT_EQ_STATUS(mm_probe_for_write(pages, PAGE_SIZE, 4), STATUS_SUCCESS);
    KT_EQ_INT(pages[0], 'w');
    KT_EQ_STATUS(mm_probe_for_write(pages + PAGE_SIZE - 8, 8, 1), STATUS_SUCCESS);
    KT_EQ_STATUS(mm_probe_for_write(pages + PAGE_SIZE - 8, 9, 1), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(mm_probe_for_write(pages + PAGE_SIZE, 1, 1), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(mm_probe_for_write(pages + 2 * PAGE_SIZE, 1, 1), STATUS_ACCESS_VIOLATION);
    KT_EQ_STATUS(mm_probe_for_write(pages + 1, 4, 2), STATUS_DATATYPE_MISALIGNMENT);
    KT_EQ_INT(pages[PAGE_SIZE], 'r');
}

/* Valid buffers pass the raising forms silently. */
KT_TEST(ProbeFor_valid_buffers)
{
    char stack_buffer[64];
    map_pages();
    ProbeForRead(stack_buffer, sizeof stack_buffer, 1);
    ProbeForWrite(stack_buffer, sizeof stack_buffer, 1);
    ProbeForRead(pages + PAGE_SIZE, PAGE_SIZE, 8);
    ProbeForWrite(pages, 2 * sizeof(LONG), sizeof(LONG));
    KT_EQ_INT(pages[0], 'w');
}

/* mm_safe_write copies, or reports the unwritable destination. */
KT_TEST(mm_safe_write_copies_or_fails)
{
    map_pages();
    KT_TRUE(mm_safe_write(pages + 10, "abc", 3));
    KT_EQ_MEM(pages + 10, "abc", 3);
    KT_FALSE(mm_safe_write(pages + PAGE_SIZE, "abc", 3));
    KT_FALSE(mm_safe_write(pages + 2 * PAGE_SIZE, "abc", 3));
    KT_EQ_INT(pages[PAGE_SIZE], 'r');
}

/* Raising: with no handler, bug check 0x7E with the status as P1. */
struct probe_args {
    bool write;
    PVOID address;
    SIZE_T length;
    ULONG alignment;
};

static void probe(void *arg)
{
    struct probe_args *a = arg;
    map_pages();
    if (a->write)
        ProbeForWrite(a->address ? a->address : pages + PAGE_SIZE, a->length, a->alignment);
    else
        ProbeForRead(a->address, a->length, a->alignment);
}

/* "If the start of the buffer is not aligned on the Alignment boundary,
 * ProbeForRead raises STATUS_DATATYPE_MISALIGNMENT." */
KT_TEST(ProbeForRead_misaligned_raises)
{
    struct probe_args a = { false, (PVOID)(ULONG_PTR)0x10002, 8, 4 };
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_DATATYPE_MISALIGNMENT,
                                         probe, &a);
    if (out)
        KT_CONTAINS(out, "is not 4-byte aligned");
}

/* "If the specified range of memory is not within the user-mode address
 * range, ProbeForRead raises STATUS_ACCESS_VIOLATION." */
KT_TEST(ProbeForRead_kernel_range_raises)
{
    struct probe_args a = { false, (PVOID)(MmUserProbeAddress - 4), 8, 1 };
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION,
                                         probe, &a);
    if (out)
        KT_CONTAINS(out, "is not all below MmUserProbeAddress");
    struct probe_args wrap = { false, (PVOID)(ULONG_PTR)0x10000, (SIZE_T)-0x8000, 1 };
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, probe, &wrap);
}

/* ProbeForWrite: a page that cannot be written is STATUS_ACCESS_VIOLATION
 * (here the read-only page), as is a kernel range. */
KT_TEST(ProbeForWrite_read_only_raises)
{
    struct probe_args a = { true, NULL, 16, 1 };
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION,
                                         probe, &a);
    if (out)
        KT_CONTAINS(out, "a page of the buffer is not writable");
    struct probe_args kernel = { true, (PVOID)(ULONG_PTR)0xFFFF800000001000ULL, 16, 1 };
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, probe, &kernel);
    struct probe_args misaligned = { true, (PVOID)(ULONG_PTR)0x10001, 16, 2 };
    KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_DATATYPE_MISALIGNMENT, probe,
                       &misaligned);
}
