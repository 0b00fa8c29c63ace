/* A client that starts an overlapped read and an overlapped I/O control on
 * \\.\Pender and returns while both are pending: its thread's end cancels
 * them, then its process's exit closes the handle. argv[1] "read" makes
 * only the read. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static OVERLAPPED read_overlapped, control_overlapped;
    static char buffer[16];
    HANDLE h = CreateFileW(L"\\\\.\\Pender", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        printf("client: cannot open \\\\.\\Pender (error %u)\n", GetLastError());
        return 1;
    }
    if (!ReadFile(h, buffer, sizeof buffer, NULL, &read_overlapped))
        printf("client: ReadFile: error %u\n", GetLastError());
    if (argc < 2 || strcmp(argv[1], "read") != 0) {
        if (!DeviceIoControl(h, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS), NULL, 0,
                             buffer, sizeof buffer, NULL, &control_overlapped))
            printf("client: DeviceIoControl: error %u\n", GetLastError());
    }
    printf("client: returning with its requests pending\n");
    return 0;
}
