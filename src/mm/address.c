/* mm/address.c: questions about addresses: MmIsAddressValid and
 * MmGetSystemRoutineAddress.
 *
 * Surprise: MmGetSystemRoutineAddress answers from ntbox's export table
 * (loader/exports.h), so a routine Windows has but ntbox lacks is NULL, as
 * a routine missing from an older Windows is: the driver's fallback path
 * runs. */
#include "mm/mm.h"

#include "loader/exports.h"

#include <string.h>

/* TRUE when a read of VirtualAddress would not fault (Windows: no page
 * fault for a read or write); IRQL <= DISPATCH_LEVEL (WDK, MmIsAddressValid). */
NTKERNELAPI BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress)
{
    return mm_pages_accessible(VirtualAddress, 1, false);
}

/* The export of ntoskrnl.exe or hal.dll named SystemRoutineName: a
 * routine's entry or a variable's address; NULL when there is none or
 * ntbox lacks it. PASSIVE_LEVEL (WDK, MmGetSystemRoutineAddress). Export
 * names are ASCII; a name with any other character names nothing. */
NTKERNELAPI PVOID NTAPI MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName)
{
    char name[256];
    USHORT n = SystemRoutineName->Length / sizeof(WCHAR);

    if (n >= sizeof name)
        return NULL;
    for (USHORT i = 0; i < n; i++) {
        WCHAR c = SystemRoutineName->Buffer[i];
        if (c == 0 || c > 0x7F)
            return NULL;
        name[i] = (char)c;
    }
    name[n] = 0;
    const struct ldr_export *e = ldr_export_find("ntoskrnl.exe", name); /* hal.dll's too */
    return e ? e->address : NULL;
}
