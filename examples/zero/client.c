/* client.c: talks to the Zero device the way a Windows program does.
 *
 *   ntbox run examples/zero/zero.cpp --client examples/zero/client.c */
#include <windows.h>
#include <stdio.h>
#include "zero_common.h"

static int Error(const char *message)
{
    printf("%s (error %u)\n", message, GetLastError());
    return 1;
}

int main(void)
{
    HANDLE hDevice = CreateFileW(L"\\\\.\\Zero", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (hDevice == INVALID_HANDLE_VALUE)
        return Error("failed to open the device");

    BYTE buffer[64];
    for (int i = 0; i < (int)sizeof buffer; i++)
        buffer[i] = (BYTE)(i + 1);
    DWORD bytes;
    if (!ReadFile(hDevice, buffer, sizeof buffer, &bytes, NULL))
        return Error("failed to read");
    long sum = 0;
    for (int i = 0; i < (int)sizeof buffer; i++)
        sum += buffer[i];
    printf("read %u bytes, sum %ld\n", bytes, sum);

    BYTE data[1024] = { 1, 2, 3 };
    if (!WriteFile(hDevice, data, sizeof data, &bytes, NULL))
        return Error("failed to write");
    printf("wrote %u bytes\n", bytes);

    /* A zero-length read is refused by the driver: STATUS_INVALID_BUFFER_SIZE. */
    if (!ReadFile(hDevice, buffer, 0, &bytes, NULL))
        printf("a zero-length read fails with error %u\n", GetLastError());

    ZERO_STATS stats;
    if (!DeviceIoControl(hDevice, IOCTL_ZERO_GET_STATS, NULL, 0, &stats, sizeof stats, &bytes, NULL))
        return Error("failed to get the statistics");
    printf("total read %lld, total written %lld (%u bytes returned)\n", stats.TotalRead, stats.TotalWritten, bytes);

    /* Too small an output buffer: STATUS_BUFFER_TOO_SMALL. */
    if (!DeviceIoControl(hDevice, IOCTL_ZERO_GET_STATS, NULL, 0, &stats, 8, &bytes, NULL))
        printf("an 8-byte output buffer fails with error %u\n", GetLastError());

    if (!DeviceIoControl(hDevice, IOCTL_ZERO_CLEAR_STATS, NULL, 0, NULL, 0, &bytes, NULL))
        return Error("failed to clear the statistics");
    DeviceIoControl(hDevice, IOCTL_ZERO_GET_STATS, NULL, 0, &stats, sizeof stats, &bytes, NULL);
    printf("after clearing: total read %lld, total written %lld\n", stats.TotalRead, stats.TotalWritten);

    /* An I/O control the driver does not know. */
    if (!DeviceIoControl(hDevice, CTL_CODE(ZERO_DEVICE, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0, NULL, 0,
                         &bytes, NULL))
        printf("an unknown I/O control fails with error %u\n", GetLastError());

    CloseHandle(hDevice);

    /* A name nobody created. */
    HANDLE h = CreateFileW(L"\\\\.\\NoSuchDevice", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        printf("opening \\\\.\\NoSuchDevice fails with error %u\n", GetLastError());
    return 0;
}
