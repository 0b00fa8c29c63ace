/* ke/boot.c: how the system booted, as drivers ask: InitSafeBootMode.
 *
 * ntbox always runs as a normal boot: 0, not one of the SAFEBOOT_* modes.
 * Drivers declare the variable PULONG and read *InitSafeBootMode, so the
 * export table's row names the ULONG (a .sys's import slot holds its
 * address) and a native driver binds to the pointer. */
#include <ntddk.h>

ULONG ke_init_safe_boot_mode = 0;
NTKERNELAPI PULONG InitSafeBootMode = &ke_init_safe_boot_mode;
