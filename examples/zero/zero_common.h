/* zero_common.h: what the Zero driver and its client share. */
#pragma once

#define ZERO_DEVICE 0x8000

/* Returns the bytes read from and written to the device so far. */
#define IOCTL_ZERO_GET_STATS CTL_CODE(ZERO_DEVICE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Sets both counters back to zero. */
#define IOCTL_ZERO_CLEAR_STATS CTL_CODE(ZERO_DEVICE, 0x801, METHOD_NEITHER, FILE_ANY_ACCESS)

typedef struct _ZERO_STATS {
    long long TotalRead;
    long long TotalWritten;
} ZERO_STATS;
