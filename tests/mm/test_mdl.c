/* tests/mm/test_mdl.c: MDLs: sizes, the fields and flags IoAllocateMdl,
 * MmProbeAndLockPages, MmBuildMdlForNonPagedPool and the mapping routines
 * set, the PFN array, chaining to an IRP, and the failures (a raised
 * STATUS_ACCESS_VIOLATION, bug check 0x7E; a second IoFreeMdl,
 * BAD_POOL_CALLER 0x07). */
#include "ktest.h"

#include "ex/pool.h"
#include "mm/mm.h"

#include <sys/mman.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E
#define BAD_POOL_CALLER 0xC2

/* A page-aligned buffer of 3 pages. */
static char *buffer;

static void map_buffer(void)
{
    if (!buffer)
        buffer = mmap(NULL, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* The page macros, with x64's 4 KB pages. */
KT_TEST(page_macros)
{
    KT_EQ_HEX(PAGE_SIZE, 0x1000);
    KT_EQ_HEX(BYTE_OFFSET(0x12345678), 0x678);
    KT_EQ_PTR(PAGE_ALIGN(0x12345678), 0x12345000);
    KT_EQ_HEX(ROUND_TO_PAGES(0x1001), 0x2000);
    KT_EQ_HEX(BYTES_TO_PAGES(0x1001), 2);
    KT_EQ_HEX(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1FF0, 0x20), 2);
    KT_EQ_HEX(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, 0x1000), 1);
    KT_EQ_HEX(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, 0), 0);
}

/* "MmSizeOfMdl returns the number of bytes to allocate for the MDL":
 * the header and one PFN_NUMBER per page spanned. */
KT_TEST(MmSizeOfMdl_header_and_pfns)
{
    KT_EQ_HEX(MmSizeOfMdl((PVOID)0x10000, PAGE_SIZE), sizeof(MDL) + sizeof(PFN_NUMBER));
    KT_EQ_HEX(MmSizeOfMdl((PVOID)0x10010, PAGE_SIZE), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    KT_EQ_HEX(MmSizeOfMdl((PVOID)0x10000, 0), sizeof(MDL));
    KT_EQ_HEX(sizeof(MDL), 0x30);
}

/* IoAllocateMdl: Next NULL, Size MmSizeOfMdl, no flags, StartVa the page,
 * ByteOffset and ByteCount the buffer's; the WDK macros read them back. */
KT_TEST(IoAllocateMdl_fields)
{
    map_buffer();
    PMDL mdl = IoAllocateMdl(buffer + 0x10, 0x1800, FALSE, FALSE, NULL);
    KT_REQUIRE(KT_TRUE(mdl != NULL));
    KT_EQ_PTR(mdl->Next, NULL);
    KT_EQ_HEX(mdl->Size, MmSizeOfMdl(buffer + 0x10, 0x1800));
    KT_EQ_HEX(mdl->MdlFlags, 0);
    KT_EQ_PTR(mdl->Process, NULL);
    KT_EQ_PTR(mdl->MappedSystemVa, NULL);
    KT_EQ_PTR(mdl->StartVa, buffer);
    KT_EQ_HEX(mdl->ByteOffset, 0x10);
    KT_EQ_HEX(mdl->ByteCount, 0x1800);
    KT_EQ_PTR(MmGetMdlVirtualAddress(mdl), buffer + 0x10);
    KT_EQ_HEX(MmGetMdlByteCount(mdl), 0x1800);
    KT_EQ_HEX(MmGetMdlByteOffset(mdl), 0x10);
    KT_EQ_PTR(MmGetMdlBaseVa(mdl), buffer);
    KT_EQ_PTR(MmGetMdlPfnArray(mdl), (PPFN_NUMBER)(mdl + 1));
    IoFreeMdl(mdl);
}

/* "In Windows 7 ... the maximum buffer size is (4 gigabytes -
 * PAGE_SIZE)": one byte more gets NULL. */
KT_TEST(IoAllocateMdl_too_long)
{
    KT_EQ_PTR(IoAllocateMdl((PVOID)0x10000, 0xFFFFF001, FALSE, FALSE, NULL), NULL);
}

/* With an IRP: a primary buffer's MDL becomes Irp->MdlAddress; a secondary
 * buffer's goes to the end of the chain. */
KT_TEST(IoAllocateMdl_chains_to_irp)
{
    map_buffer();
    PIRP irp = IoAllocateIrp(1, FALSE);
    PMDL first = IoAllocateMdl(buffer, 16, FALSE, FALSE, irp);
    KT_EQ_PTR(irp->MdlAddress, first);
    PMDL second = IoAllocateMdl(buffer + 16, 16, TRUE, FALSE, irp);
    PMDL third = IoAllocateMdl(buffer + 32, 16, TRUE, FALSE, irp);
    KT_EQ_PTR(irp->MdlAddress, first);
    KT_EQ_PTR(first->Next, second);
    KT_EQ_PTR(second->Next, third);
    KT_EQ_PTR(third->Next, NULL);
    PMDL primary = IoAllocateMdl(buffer + 48, 16, FALSE, FALSE, irp);
    KT_EQ_PTR(irp->MdlAddress, primary);
    IoFreeMdl(first);
    IoFreeMdl(second);
    IoFreeMdl(third);
    IoFreeMdl(primary);
    IoFreeIrp(irp);
}

/* MmProbeAndLockPages: MDL_PAGES_LOCKED, MDL_WRITE_OPERATION for
 * IoWriteAccess and IoModifyAccess, and the PFN array filled with the
 * buffer's page numbers; MmUnlockPages clears the lock. */
KT_TEST(MmProbeAndLockPages_flags_and_pfns)
{
    static const LOCK_OPERATION ops[] = { IoReadAccess, IoWriteAccess, IoModifyAccess };
    map_buffer();
    for (int i = 0; i < 3; i++) {
        PMDL mdl = IoAllocateMdl(buffer + 0xFF0, 0x1020, FALSE, FALSE, NULL);
        MmProbeAndLockPages(mdl, KernelMode, ops[i]);
        KT_EQ_HEX(mdl->MdlFlags, MDL_PAGES_LOCKED | (ops[i] == IoReadAccess ? 0 : MDL_WRITE_OPERATION));
        PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
        KT_EQ_HEX(pfn[0], (ULONG_PTR)buffer >> PAGE_SHIFT);
        KT_EQ_HEX(pfn[1], ((ULONG_PTR)buffer >> PAGE_SHIFT) + 1);
        KT_EQ_HEX(pfn[2], ((ULONG_PTR)buffer >> PAGE_SHIFT) + 2);
        MmUnlockPages(mdl);
        KT_EQ_HEX(mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
        IoFreeMdl(mdl);
    }
}

/* The system address is the buffer's own. A KernelMode mapping sets
 * MDL_MAPPED_TO_SYSTEM_VA and MappedSystemVa, which
 * MmGetSystemAddressForMdlSafe then returns; MmUnmapLockedPages clears the
 * flag, as does MmUnlockPages. A UserMode mapping changes nothing. */
KT_TEST(MmMapLockedPagesSpecifyCache_system_address)
{
    map_buffer();
    PMDL mdl = IoAllocateMdl(buffer + 8, 100, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    KT_EQ_PTR(MmMapLockedPagesSpecifyCache(mdl, UserMode, MmCached, NULL, FALSE, NormalPagePriority), buffer + 8);
    KT_EQ_HEX(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    PVOID va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    KT_EQ_PTR(va, buffer + 8);
    KT_EQ_HEX(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, MDL_MAPPED_TO_SYSTEM_VA);
    KT_EQ_PTR(mdl->MappedSystemVa, buffer + 8);
    KT_EQ_PTR(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), buffer + 8);
    MmUnmapLockedPages(va, mdl);
    KT_EQ_HEX(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    MmUnlockPages(mdl);
    KT_EQ_HEX(mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED), 0);
    IoFreeMdl(mdl);
}

/* MmBuildMdlForNonPagedPool: the PFN array, MDL_SOURCE_IS_NONPAGED_POOL,
 * MappedSystemVa the buffer, so MmGetSystemAddressForMdlSafe needs no
 * mapping. An MDL the caller allocated, set up with MmInitializeMdl. */
KT_TEST(MmBuildMdlForNonPagedPool_fields)
{
    PCHAR pool = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'tsTM');
    SIZE_T size = MmSizeOfMdl(pool, 64);
    PMDL mdl = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'tsTM');
    MmInitializeMdl(mdl, pool, 64);
    KT_EQ_HEX(mdl->Size, size);
    KT_EQ_PTR(MmGetMdlVirtualAddress(mdl), pool);
    MmBuildMdlForNonPagedPool(mdl);
    KT_EQ_HEX(mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
    KT_EQ_PTR(mdl->MappedSystemVa, pool);
    KT_EQ_HEX(MmGetMdlPfnArray(mdl)[0], (ULONG_PTR)pool >> PAGE_SHIFT);
    KT_EQ_PTR(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), pool);
    KT_EQ_HEX(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    ExFreePoolWithTag(mdl, 'tsTM');
    ExFreePoolWithTag(pool, 'tsTM');
}

/* An MDL comes from the pool charged to its caller: until IoFreeMdl it is
 * an outstanding allocation (a leak at unload). */
KT_TEST(IoAllocateMdl_counts_as_allocation)
{
    size_t before = ex_pool_outstanding(NULL);
    PMDL mdl = IoAllocateMdl((PVOID)0x10000, 16, FALSE, FALSE, NULL);
    KT_EQ_INT(ex_pool_outstanding(NULL), before + 1);
    IoFreeMdl(mdl);
    KT_EQ_INT(ex_pool_outstanding(NULL), before);
}

/* The mm.h form: a status instead of the raise, nothing set on failure. */
KT_TEST(mm_mdl_lock_statuses)
{
    char *page = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    PMDL mdl = mm_mdl_allocate(page, 16, NULL);
    KT_EQ_STATUS(mm_mdl_lock(mdl, KernelMode, IoWriteAccess), STATUS_ACCESS_VIOLATION);
    KT_EQ_HEX(mdl->MdlFlags, 0);
    KT_EQ_STATUS(mm_mdl_lock(mdl, UserMode, IoReadAccess), STATUS_SUCCESS);
    KT_EQ_HEX(mdl->MdlFlags, MDL_PAGES_LOCKED);
    IoFreeMdl(mdl);
    munmap(page, PAGE_SIZE);
}

/* Failures, each in a child. */
struct lock_args {
    PVOID address;
    ULONG length;
    KPROCESSOR_MODE mode;
    LOCK_OPERATION operation;
};

static void lock(void *arg)
{
    struct lock_args *a = arg;
    PMDL mdl = IoAllocateMdl(a->address, a->length, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, a->mode, a->operation);
}

/* "If the specified memory range is unavailable or cannot be locked, the
 * routine raises STATUS_ACCESS_VIOLATION": an inaccessible page; a
 * read-only page for writing; a UserMode range above MmUserProbeAddress. */
KT_TEST(MmProbeAndLockPages_raises_access_violation)
{
    char *none = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct lock_args a = { none, 16, KernelMode, IoReadAccess };
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, lock, &a);
    if (out)
        KT_CONTAINS(out, "is not all readable");
    struct lock_args b = { ro, 16, KernelMode, IoWriteAccess };
    out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, lock, &b);
    if (out)
        KT_CONTAINS(out, "is not all writable");
    struct lock_args c = { (PVOID)(MmUserProbeAddress - 8), 16, UserMode, IoReadAccess };
    out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, lock, &c);
    if (out)
        KT_CONTAINS(out, "user-mode memory");
    munmap(none, PAGE_SIZE);
    munmap(ro, PAGE_SIZE);
}

static void free_twice(void *arg)
{
    (void)arg;
    PMDL mdl = IoAllocateMdl((PVOID)0x10000, 16, FALSE, FALSE, NULL);
    IoFreeMdl(mdl);
    IoFreeMdl(mdl);
}

/* A second IoFreeMdl frees pool already freed: BAD_POOL_CALLER 0x07. */
KT_TEST(IoFreeMdl_twice_bugchecks)
{
    KT_EXPECT_BUGCHECK(BAD_POOL_CALLER, 0x07, free_twice, NULL);
}
