/* mm/mdl.c: memory descriptor lists: IoAllocateMdl, IoFreeMdl, MmSizeOfMdl,
 * MmBuildMdlForNonPagedPool, MmProbeAndLockPages, MmUnlockPages,
 * MmMapLockedPagesSpecifyCache, MmUnmapLockedPages.
 *
 * Surprise: ntbox maps and pins nothing. Locking checks that every page is
 * there (and writable, for a write operation) and fills the PFN array with
 * the buffer's virtual page numbers; the "system address" of an MDL is the
 * buffer's own address. MDLs come from the pool (tag 'Mdl '), charged to
 * the code that allocated them, so a leaked MDL shows in the unload report
 * with the line that allocated it. */
#include "mm/mm.h"

#include "ex/pool.h"

#include <stdio.h>

#define MM_TAG_MDL ' ldM'
/* The largest buffer one MDL describes, Windows 7 and later (WDK,
 * IoAllocateMdl). */
#define MM_MDL_MAX_LENGTH 0xFFFFF000UL

/* The PFN array: the virtual page numbers of the buffer's pages. */
static void mm_mdl_fill_pfns(PMDL mdl)
{
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    SIZE_T pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);

    for (SIZE_T i = 0; i < pages; i++)
        pfn[i] = ((ULONG_PTR)mdl->StartVa >> PAGE_SHIFT) + i;
}

PMDL mm_mdl_allocate(PVOID va, ULONG length, const void *caller)
{
    if (length > MM_MDL_MAX_LENGTH)
        return NULL;
    PMDL mdl = ex_pool_allocate((POOL_TYPE)(NonPagedPoolNx | POOL_ZERO_ALLOCATION), MmSizeOfMdl(va, length),
                                MM_TAG_MDL, caller);
    if (mdl)
        MmInitializeMdl(mdl, va, length);
    return mdl;
}

NTSTATUS mm_mdl_lock(PMDL mdl, KPROCESSOR_MODE mode, LOCK_OPERATION operation)
{
    PVOID va = MmGetMdlVirtualAddress(mdl);
    ULONG length = mdl->ByteCount;

    if (mode == UserMode && !NT_SUCCESS(mm_probe_for_read(va, length, 1)))
        return STATUS_ACCESS_VIOLATION;
    if (length && !mm_pages_accessible(va, length, operation != IoReadAccess))
        return STATUS_ACCESS_VIOLATION;
    mm_mdl_fill_pfns(mdl);
    mdl->MdlFlags |= MDL_PAGES_LOCKED;
    if (operation != IoReadAccess)
        mdl->MdlFlags |= MDL_WRITE_OPERATION;
    return STATUS_SUCCESS;
}

/* sizeof(MDL) plus one PFN_NUMBER per page the buffer spans; any IRQL
 * (WDK, MmSizeOfMdl). */
SIZE_T NTAPI MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length) * sizeof(PFN_NUMBER);
}

/* An MDL for Length bytes at VirtualAddress, nothing locked yet; with an
 * IRP, it becomes Irp->MdlAddress, or with SecondaryBuffer the end of that
 * chain. NULL when Length is above 4 GB - PAGE_SIZE or memory runs out;
 * IRQL <= DISPATCH_LEVEL (WDK, IoAllocateMdl). */
PMDL NTAPI IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)
{
    PMDL mdl = mm_mdl_allocate(VirtualAddress, Length, __builtin_return_address(0));
    (void)ChargeQuota;

    if (mdl && Irp) {
        PMDL *tail = &Irp->MdlAddress;
        while (SecondaryBuffer && *tail)
            tail = &(*tail)->Next;
        *tail = mdl;
    }
    return mdl;
}

/* Frees an MDL from IoAllocateMdl; its pages must be unlocked first, and a
 * mapping goes with it; IRQL <= DISPATCH_LEVEL (WDK, IoFreeMdl). A second
 * free is the pool's BAD_POOL_CALLER. */
VOID NTAPI IoFreeMdl(PMDL Mdl)
{
    ex_pool_free(Mdl, MM_TAG_MDL, __builtin_return_address(0));
}

/* Describes a buffer in nonpaged memory: fills the PFN array, sets
 * MDL_SOURCE_IS_NONPAGED_POOL and MappedSystemVa to the buffer; any IRQL
 * up to DISPATCH_LEVEL (WDK, MmBuildMdlForNonPagedPool). */
VOID NTAPI MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    mm_mdl_fill_pfns(MemoryDescriptorList);
    MemoryDescriptorList->Process = NULL;
    MemoryDescriptorList->MappedSystemVa = MmGetMdlVirtualAddress(MemoryDescriptorList);
    MemoryDescriptorList->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

/* Makes the pages resident and locks them for Operation; raises
 * STATUS_ACCESS_VIOLATION when a page is missing, not writable for a write
 * operation, or (UserMode) outside user space; IRQL <= APC_LEVEL for
 * pageable memory (WDK, MmProbeAndLockPages).
 * FIXME: Process stays NULL until ntbox has process objects. */
VOID NTAPI MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    if (!NT_SUCCESS(mm_mdl_lock(MemoryDescriptorList, AccessMode, Operation))) {
        char detail[192];
        snprintf(detail, sizeof detail,
                 "MmProbeAndLockPages(0x%016llx): the buffer 0x%016llx (0x%x bytes) is not all %s%s.",
                 (unsigned long long)(ULONG_PTR)MemoryDescriptorList,
                 (unsigned long long)(ULONG_PTR)MmGetMdlVirtualAddress(MemoryDescriptorList),
                 MemoryDescriptorList->ByteCount, Operation == IoReadAccess ? "readable" : "writable",
                 AccessMode == UserMode ? " user-mode memory" : "");
        ex_raise_status(STATUS_ACCESS_VIOLATION, __builtin_return_address(0), detail);
    }
}

/* Unlocks what MmProbeAndLockPages locked, unmapping a system mapping
 * first; IRQL <= DISPATCH_LEVEL (WDK, MmUnlockPages). */
VOID NTAPI MmUnlockPages(PMDL MemoryDescriptorList)
{
    MemoryDescriptorList->MdlFlags &= ~(MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA);
}

/* Maps the locked pages and returns the mapping's address: in ntbox always
 * the buffer's own. A KernelMode mapping is recorded in MappedSystemVa with
 * MDL_MAPPED_TO_SYSTEM_VA, and a second request returns it (WDK,
 * MmMapLockedPagesSpecifyCache). FIXME: a UserMode RequestedAddress is not
 * honoured: nothing can be mapped at a second address. */
PVOID NTAPI MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                         MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                         ULONG BugCheckOnFailure, ULONG Priority)
{
    PMDL mdl = MemoryDescriptorList;
    (void)CacheType;
    (void)RequestedAddress;
    (void)BugCheckOnFailure;
    (void)Priority;

    if (AccessMode == UserMode)
        return MmGetMdlVirtualAddress(mdl);
    if (!(mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))) {
        mdl->MappedSystemVa = MmGetMdlVirtualAddress(mdl);
        mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    }
    return mdl->MappedSystemVa;
}

/* Releases a mapping from MmMapLockedPagesSpecifyCache: a system mapping
 * clears MDL_MAPPED_TO_SYSTEM_VA (WDK, MmUnmapLockedPages). */
VOID NTAPI MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    if (BaseAddress == MemoryDescriptorList->MappedSystemVa)
        MemoryDescriptorList->MdlFlags &= ~MDL_MAPPED_TO_SYSTEM_VA;
}
