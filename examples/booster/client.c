/* client.c: boosts its own thread through the Booster driver, puts it
 * back, and shows the errors the driver gives.
 *
 *   ntbox run examples/booster/booster.cpp --client examples/booster/client.c */
#include <windows.h>
#include <stdio.h>
#include "booster_common.h"

static void Boost(HANDLE hDevice, unsigned int threadId, int priority, DWORD size)
{
    THREAD_DATA data = { threadId, priority };
    DWORD bytes;
    if (WriteFile(hDevice, &data, size, &bytes, NULL))
        printf("priority %d: done (%u bytes written)\n", priority, bytes);
    else
        printf("priority %d%s: error %u\n", priority, size < sizeof data ? " in a short write" : "", GetLastError());
}

int main(void)
{
    HANDLE hDevice = CreateFileW(L"\\\\.\\Booster", GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (hDevice == INVALID_HANDLE_VALUE) {
        printf("failed to open the device (error %u)\n", GetLastError());
        return 1;
    }
    unsigned int self = GetCurrentThreadId();

    Boost(hDevice, self, 25, sizeof(THREAD_DATA));
    Boost(hDevice, self, 8, sizeof(THREAD_DATA));
    Boost(hDevice, self, 0, sizeof(THREAD_DATA));
    Boost(hDevice, self, 32, sizeof(THREAD_DATA));
    Boost(hDevice, self, 10, sizeof(unsigned int));
    /* Thread ids are multiples of 4: this one names no thread. */
    printf("an unknown thread: ");
    Boost(hDevice, 3, 10, sizeof(THREAD_DATA));

    CloseHandle(hDevice);
    return 0;
}
