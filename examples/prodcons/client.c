/* client.c: produces items for the ProdCons driver's consumer thread and
 * waits until it has taken them.
 *
 *   ntbox run examples/prodcons/prodcons.cpp --client examples/prodcons/client.c */
#include <windows.h>
#include <stdio.h>
#include "prodcons_common.h"

int main(void)
{
    HANDLE hDevice = CreateFileW(L"\\\\.\\ProdCons", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (hDevice == INVALID_HANDLE_VALUE) {
        printf("failed to open the device (error %u)\n", GetLastError());
        return 1;
    }

    /* 100 items, 1 to 100, in writes of 10. */
    int values[10];
    DWORD bytes, total = 0;
    for (int batch = 0; batch < 10; batch++) {
        for (int i = 0; i < 10; i++)
            values[i] = batch * 10 + i + 1;
        if (WriteFile(hDevice, values, sizeof values, &bytes, NULL))
            total += bytes;
    }
    printf("produced 100 items (%u bytes written)\n", total);

    int count = 100;
    PRODCONS_STATS stats;
    if (!DeviceIoControl(hDevice, IOCTL_PRODCONS_WAIT_CONSUMED, &count, sizeof count, &stats, sizeof stats, &bytes,
                         NULL)) {
        printf("failed to wait for the consumer (error %u)\n", GetLastError());
        return 1;
    }
    printf("consumed %d items, sum %d, in order: %s\n", stats.Consumed, stats.Sum, stats.InOrder ? "yes" : "no");
    printf("the consumer is a system thread: %s, working at IRQL %u\n", stats.System ? "yes" : "no", stats.Irql);

    /* An empty write produces nothing: STATUS_INVALID_PARAMETER. */
    if (!WriteFile(hDevice, values, 0, &bytes, NULL))
        printf("an empty write fails with error %u\n", GetLastError());

    CloseHandle(hDevice);
    return 0;
}
