/* ke/kuser.h: KUSER_SHARED_DATA, the page Windows maps read-only at
 * 0xFFFFF78000000000 in kernel space, which x64 drivers read directly: the
 * WDK's and mingw-w64's KeQuerySystemTime, KeQueryTickCount and
 * KeQueryInterruptTime are loads from it, and SharedUserData->NtMajorVersion
 * and friends are fields of it.
 *
 * That address is above the 47-bit user address space, so ntbox cannot map
 * it. It keeps a real page instead, laid out as the documented structure
 * (ntddk.h, KUSER_SHARED_DATA), read-only where drivers see it, its clocks
 * advanced every 15.625 ms by a thread as Windows' clock interrupt does;
 * the loader points drivers' references to the fixed address at it
 * (loader/pe_patch.c) and the fault handler serves the loads it could not
 * redirect (ke/emulate.c). */
#ifndef NTBOX_KE_KUSER_H
#define NTBOX_KE_KUSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KE_KUSER_ADDRESS 0xFFFFF78000000000ULL
#define KE_KUSER_SIZE 0x1000u

/* The clock tick: 156250 100-ns units, 15.625 ms (KeQueryTimeIncrement). */
#define KE_KUSER_TIME_INCREMENT 156250u

/* Field offsets (ntddk.h, KUSER_SHARED_DATA, x64). */
#define KE_KUSER_TICK_COUNT_MULTIPLIER 0x004
#define KE_KUSER_INTERRUPT_TIME 0x008      /* KSYSTEM_TIME */
#define KE_KUSER_SYSTEM_TIME 0x014         /* KSYSTEM_TIME */
#define KE_KUSER_TIME_ZONE_BIAS 0x020      /* KSYSTEM_TIME */
#define KE_KUSER_IMAGE_NUMBER_LOW 0x02C
#define KE_KUSER_IMAGE_NUMBER_HIGH 0x02E
#define KE_KUSER_NT_SYSTEM_ROOT 0x030      /* WCHAR[260] */
#define KE_KUSER_LARGE_PAGE_MINIMUM 0x244
#define KE_KUSER_NT_BUILD_NUMBER 0x260
#define KE_KUSER_NT_PRODUCT_TYPE 0x264
#define KE_KUSER_PRODUCT_TYPE_IS_VALID 0x268
#define KE_KUSER_NATIVE_PROCESSOR_ARCHITECTURE 0x26A
#define KE_KUSER_NT_MAJOR_VERSION 0x26C
#define KE_KUSER_NT_MINOR_VERSION 0x270
#define KE_KUSER_PROCESSOR_FEATURES 0x274  /* BOOLEAN[64] */
#define KE_KUSER_KD_DEBUGGER_ENABLED 0x2D4
#define KE_KUSER_NUMBER_OF_PHYSICAL_PAGES 0x2E8
#define KE_KUSER_QPC_FREQUENCY 0x300
#define KE_KUSER_TICK_COUNT 0x320          /* KSYSTEM_TIME, or TickCountQuad */
#define KE_KUSER_ACTIVE_PROCESSOR_COUNT 0x3C0
#define KE_KUSER_ACTIVE_GROUP_COUNT 0x3C4

/* The page as drivers read it (read-only), with current values; the first
 * call makes it and starts the clock thread. NULL when it cannot be made. */
const uint8_t *ke_kuser_page(void);

/* Copies n bytes at offset of the structure, brought up to date first, into
 * out: the fault handler's view, which needs no clock thread. False when
 * [offset, offset + n) is not inside the page or the page cannot be made. */
bool ke_kuser_read(uint64_t offset, void *out, size_t n);

/* Whether address is in KUSER_SHARED_DATA as drivers reach it (the fixed
 * address, or ntbox's page the loader points them at); *windows receives
 * the fixed address it stands for. Safe in the fault handler. */
bool ke_kuser_contains(const void *address, uint64_t *windows);

#endif
