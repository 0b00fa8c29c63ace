/* ntbox/km_mm.h: the memory manager (Mm) as drivers see it: pages, MDL
 * macros and routines, probing of user-mode buffers, MmUserProbeAddress.
 *
 * Surprise: ntbox maps nothing. Driver, ntbox and "user-mode" client share
 * one address space, so an MDL's system address is the buffer's own address
 * and locking pages only checks that they are there. The MDL structure and
 * its MDL_* flags are in km_io.h, next to the IRP that carries it. */
#ifndef NTBOX_KM_MM_H
#define NTBOX_KM_MM_H

#include <ntbox/km_io.h>

NTBOX_BEGIN_DECLS

#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12L

/* A page frame number; in ntbox the virtual page number itself. */
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;

#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size) (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
    ((BYTE_OFFSET(Va) + ((SIZE_T)(Size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)

typedef enum _MEMORY_CACHING_TYPE {
    MmNonCached = FALSE,
    MmCached = TRUE,
    MmWriteCombined,
    MmHardwareCoherentCached,
    MmNonCachedUnordered,
    MmUSWCCached,
    MmMaximumCacheType,
    MmNotMapped = -1
} MEMORY_CACHING_TYPE;

typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;

/* Bits ORed into MmMapLockedPagesSpecifyCache's Priority. */
#define MdlMappingNoWrite 0x80000000
#define MdlMappingNoExecute 0x40000000

/* The user-mode address range (Windows x64 values): the highest user
 * address, the first address a user-mode buffer must stay below, and the
 * first system address. */
extern NTBOX_DATA_IMPORT PVOID MmHighestUserAddress;
extern NTBOX_DATA_IMPORT ULONG_PTR MmUserProbeAddress;
extern NTBOX_DATA_IMPORT PVOID MmSystemRangeStart;
#define MM_HIGHEST_USER_ADDRESS MmHighestUserAddress
#define MM_USER_PROBE_ADDRESS MmUserProbeAddress
#define MM_SYSTEM_RANGE_START MmSystemRangeStart

/* Whether reading Address would not fault; any IRQL <= DISPATCH_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI MmIsAddressValid(_In_ PVOID VirtualAddress);
/* The address of the ntoskrnl.exe or hal.dll export SystemRoutineName (a
 * routine, or a variable), or NULL when ntbox does not provide it. */
NTKERNELAPI PVOID NTAPI MmGetSystemRoutineAddress(_In_ PUNICODE_STRING SystemRoutineName);

/* MDL fields, as the WDK's macros read them. */
#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((Mdl) + 1))
#define MmGetMdlBaseVa(Mdl) ((Mdl)->StartVa)
#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))

/* Fills the header of an MDL the caller allocated (MmSizeOfMdl bytes) for
 * Length bytes at BaseVa; the PFN array stays to be filled (WDK). */
#define MmInitializeMdl(MemoryDescriptorList, BaseVa, Length) \
    do { \
        (MemoryDescriptorList)->Next = (PMDL)NULL; \
        (MemoryDescriptorList)->Size = \
            (CSHORT)(sizeof(MDL) + (sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES((BaseVa), (Length)))); \
        (MemoryDescriptorList)->MdlFlags = 0; \
        (MemoryDescriptorList)->StartVa = (PVOID)PAGE_ALIGN((BaseVa)); \
        (MemoryDescriptorList)->ByteOffset = BYTE_OFFSET((BaseVa)); \
        (MemoryDescriptorList)->ByteCount = (ULONG)(Length); \
    } while (0)

NTKERNELAPI SIZE_T NTAPI MmSizeOfMdl(_In_reads_bytes_opt_(Length) PVOID Base, _In_ SIZE_T Length);
NTKERNELAPI VOID NTAPI MmBuildMdlForNonPagedPool(_Inout_ PMDL MemoryDescriptorList);
NTKERNELAPI VOID NTAPI MmProbeAndLockPages(_Inout_ PMDL MemoryDescriptorList, _In_ KPROCESSOR_MODE AccessMode,
                                           _In_ LOCK_OPERATION Operation);
NTKERNELAPI VOID NTAPI MmUnlockPages(_Inout_ PMDL MemoryDescriptorList);
NTKERNELAPI PVOID NTAPI MmMapLockedPagesSpecifyCache(_Inout_ PMDL MemoryDescriptorList,
                                                     _In_ KPROCESSOR_MODE AccessMode,
                                                     _In_ MEMORY_CACHING_TYPE CacheType,
                                                     _In_opt_ PVOID RequestedAddress, _In_ ULONG BugCheckOnFailure,
                                                     _In_ ULONG Priority);
NTKERNELAPI VOID NTAPI MmUnmapLockedPages(_In_ PVOID BaseAddress, _Inout_ PMDL MemoryDescriptorList);

/* The MDL's system-space address, mapping it first if needed; NULL when
 * the mapping fails (WDK). */
#define MmGetSystemAddressForMdlSafe(Mdl, Priority) \
    (((Mdl)->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) \
         ? ((Mdl)->MappedSystemVa) \
         : (MmMapLockedPagesSpecifyCache((Mdl), KernelMode, MmCached, NULL, FALSE, (Priority))))

/* User-mode buffer checks; both raise (ExRaiseStatus) on failure. */
NTKERNELAPI VOID NTAPI ProbeForRead(_In_reads_bytes_(Length) const volatile VOID *Address, _In_ SIZE_T Length,
                                    _In_ ULONG Alignment);
NTKERNELAPI VOID NTAPI ProbeForWrite(_Inout_updates_bytes_(Length) volatile VOID *Address, _In_ SIZE_T Length,
                                     _In_ ULONG Alignment);

NTBOX_END_DECLS

#endif
