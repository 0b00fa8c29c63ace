/* client.c: calls each of the Methods driver's I/O controls and shows what
 * came back, including the bytes of the output buffer the I/O manager did
 * not touch.
 *
 *   ntbox run examples/methods/methods.cpp --client examples/methods/client.c */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "methods_common.h"

static void Show(const char *method, BOOL ok, const char *out, DWORD bytes)
{
    if (ok)
        printf("%-10s ok, %2u bytes returned, output \"%s\"\n", method, bytes, out);
    else
        printf("%-10s failed with error %u\n", method, GetLastError());
}

int main(void)
{
    HANDLE h = CreateFileA("\\\\.\\Methods", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        printf("failed to open the device (error %u)\n", GetLastError());
        return 1;
    }
    char in[] = "hello, kernel";
    char out[32];
    DWORD bytes;
    BOOL ok;

    memset(out, '.', sizeof out - 1), out[sizeof out - 1] = 0;
    ok = DeviceIoControl(h, IOCTL_METHODS_BUFFERED, in, (DWORD)strlen(in), out, 20, &bytes, NULL);
    Show("BUFFERED", ok, out, bytes);

    char haystack[] = "a banana, a bandana";
    ok = DeviceIoControl(h, IOCTL_METHODS_IN_DIRECT, "a", 1, haystack, (DWORD)strlen(haystack), &bytes, NULL);
    Show("IN_DIRECT", ok, haystack, bytes);

    memset(out, '.', sizeof out - 1), out[sizeof out - 1] = 0;
    ok = DeviceIoControl(h, IOCTL_METHODS_OUT_DIRECT, in, (DWORD)strlen(in), out, 20, &bytes, NULL);
    Show("OUT_DIRECT", ok, out, bytes);

    memset(out, '.', sizeof out - 1), out[sizeof out - 1] = 0;
    ok = DeviceIoControl(h, IOCTL_METHODS_NEITHER, in, (DWORD)strlen(in), out, 20, &bytes, NULL);
    Show("NEITHER", ok, out, bytes);

    /* The driver refuses an output buffer smaller than the input. */
    ok = DeviceIoControl(h, IOCTL_METHODS_BUFFERED, in, (DWORD)strlen(in), out, 4, &bytes, NULL);
    Show("BUFFERED", ok, out, bytes);

    CloseHandle(h);
    return 0;
}
