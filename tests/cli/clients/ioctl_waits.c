/* A client that sends \\.\PendsForever an I/O control and waits for it
 * (a synchronous handle: DeviceIoControl returns when the request is
 * completed). */
#include <windows.h>
#include <stdio.h>

int main(void)
{
    HANDLE h = CreateFileW(L"\\\\.\\PendsForever", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    DWORD bytes;

    if (h == INVALID_HANDLE_VALUE) {
        printf("client: cannot open \\\\.\\PendsForever (error %u)\n", GetLastError());
        return 1;
    }
    printf("client: sending the I/O control\n");
    fflush(stdout);
    DeviceIoControl(h, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0, NULL, 0,
                    &bytes, NULL);
    printf("client: the I/O control returned\n");
    CloseHandle(h);
    return 0;
}
