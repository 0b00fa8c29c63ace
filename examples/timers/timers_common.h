/* timers_common.h: what the Timers driver and its client share. */
#pragma once

#define TIMERS_DEVICE 0x8002

/* Input: a ULONG count. Waits (up to 10 seconds) until the work item has
 * run at least that many times; output: TIMERS_STATS. */
#define IOCTL_TIMERS_WAIT_RUNS CTL_CODE(TIMERS_DEVICE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Input: a ULONG count of milliseconds. Sets a one-shot high-resolution
 * executive timer that far ahead and waits for it; output: a ULONGLONG,
 * the interrupt time that passed, in 100 ns units. */
#define IOCTL_TIMERS_ONE_SHOT CTL_CODE(TIMERS_DEVICE, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

#define TIMERS_PERIOD_MS 10

typedef struct _TIMERS_STATS {
    int Ticks;           /* DPC calls: the periodic timer's expiries */
    int WorkRuns;        /* work item routine calls */
    unsigned char DpcIrql;
    unsigned char WorkIrql;
} TIMERS_STATS;
