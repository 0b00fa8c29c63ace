/* client.c: asks the Timers driver for its counts and times an executive
 * timer; prints only what does not depend on timing.
 *
 *   ntbox run examples/timers/timers.cpp --client examples/timers/client.c */
#include <windows.h>
#include <stdio.h>
#include "timers_common.h"

static int Error(const char *message)
{
    printf("%s (error %u)\n", message, GetLastError());
    return 1;
}

int main(void)
{
    HANDLE hDevice = CreateFileW(L"\\\\.\\Timers", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (hDevice == INVALID_HANDLE_VALUE)
        return Error("failed to open the device");

    ULONG runs = 3;
    TIMERS_STATS stats;
    DWORD bytes;
    if (!DeviceIoControl(hDevice, IOCTL_TIMERS_WAIT_RUNS, &runs, sizeof runs, &stats, sizeof stats, &bytes, NULL))
        return Error("failed to wait for the work item");
    printf("the work item ran %s %u times (%u bytes returned)\n", stats.WorkRuns >= 3 ? "at least" : "fewer than",
           runs, bytes);
    printf("the timer expired at least as often: %s\n", stats.Ticks >= stats.WorkRuns ? "yes" : "no");
    printf("the DPC ran at IRQL %u, the work item at IRQL %u\n", stats.DpcIrql, stats.WorkIrql);

    runs = 6;
    DeviceIoControl(hDevice, IOCTL_TIMERS_WAIT_RUNS, &runs, sizeof runs, &stats, sizeof stats, &bytes, NULL);
    printf("and then at least %u times: %s\n", runs, stats.WorkRuns >= 6 ? "yes" : "no");

    ULONG ms = 5;
    ULONGLONG elapsed;
    if (!DeviceIoControl(hDevice, IOCTL_TIMERS_ONE_SHOT, &ms, sizeof ms, &elapsed, sizeof elapsed, &bytes, NULL))
        return Error("failed to time the executive timer");
    printf("a %u ms high-resolution executive timer expired after at least %u ms: %s\n", ms, ms,
           elapsed >= ms * 10000ULL ? "yes" : "no");

    /* No count: STATUS_INVALID_PARAMETER. */
    if (!DeviceIoControl(hDevice, IOCTL_TIMERS_WAIT_RUNS, NULL, 0, &stats, sizeof stats, &bytes, NULL))
        printf("a wait without a count fails with error %u\n", GetLastError());

    CloseHandle(hDevice);
    return 0;
}
