/* The bug zoo's client: opens the device \??\DEVICE and sends each I/O
 * control code given, in order, with no buffers, as a Windows program
 * would.
 *   client DEVICE [IOCTL...]
 * It opens the device with NtOpenFile, as ntdll exports it, rather than
 * CreateFile: ntbox's CreateFile passes memcpy a NULL source for \\.\
 * names (src/win32/file.c), which the sanitizer builds stop at. */
#include <windows.h>
#include <ntbox/km_file.h>
#include <ntbox/km_rtl.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    WCHAR path[128] = L"\\??\\";
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK iosb;
    HANDLE device;
    DWORD bytes;

    if (argc < 2) {
        printf("usage: client DEVICE [IOCTL...]\n");
        return 2;
    }
    for (size_t i = 0; argv[1][i] && i + 5 < sizeof path / sizeof path[0]; i++)
        path[4 + i] = (WCHAR)argv[1][i];
    RtlInitUnicodeString(&name, path);
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    NTSTATUS status = NtOpenFile(&device, GENERIC_READ | GENERIC_WRITE, &attributes, &iosb, 0, 0);
    if (!NT_SUCCESS(status)) {
        printf("client: cannot open \\??\\%s (status 0x%08X)\n", argv[1], (unsigned)status);
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        DWORD code = (DWORD)strtoul(argv[i], NULL, 0);
        printf("client: sending I/O control 0x%08X\n", code);
        fflush(stdout);
        if (!DeviceIoControl(device, code, NULL, 0, NULL, 0, &bytes, NULL))
            printf("client: I/O control failed (error %u)\n", GetLastError());
    }
    CloseHandle(device);
    return 0;
}
