/* A client that opens \\.\Tracer, reads, and returns with the handle still
 * open: its process's exit closes it, so IRP_MJ_CLEANUP and IRP_MJ_CLOSE
 * reach the driver after main has returned. */
#include <windows.h>
#include <stdio.h>

int main(void)
{
    printf("client: process %u\n", GetCurrentProcessId());
    HANDLE h = CreateFileW(L"\\\\.\\Tracer", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        printf("client: cannot open \\\\.\\Tracer (error %u)\n", GetLastError());
        return 1;
    }
    char buffer[4];
    DWORD bytes;
    if (!ReadFile(h, buffer, sizeof buffer, &bytes, NULL))
        printf("client: read failed (error %u)\n", GetLastError());
    printf("client: returning with the handle open\n");
    return 0;
}
