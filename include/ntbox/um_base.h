/* ntbox/um_base.h: the Win32 base types and constants client programs use
 * (windows.h includes it). */
#ifndef NTBOX_UM_BASE_H
#define NTBOX_UM_BASE_H

#include <ntdef.h>

NTBOX_BEGIN_DECLS

typedef void *LPVOID;
typedef const void *LPCVOID;
typedef DWORD *LPDWORD;
typedef BOOL *LPBOOL;
typedef BYTE *LPBYTE;
typedef HANDLE *LPHANDLE;
typedef struct SC_HANDLE__ *SC_HANDLE;
typedef SC_HANDLE *LPSC_HANDLE;

#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)

typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;
C_ASSERT(sizeof(SECURITY_ATTRIBUTES) == 24);

typedef struct _OVERLAPPED {
    ULONG_PTR Internal;      /* the NTSTATUS of the operation */
    ULONG_PTR InternalHigh;  /* bytes transferred */
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        };
        PVOID Pointer;
    };
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;
C_ASSERT(sizeof(OVERLAPPED) == 32);

/* CreateFile's dwCreationDisposition. */
#define CREATE_NEW        1
#define CREATE_ALWAYS     2
#define OPEN_EXISTING     3
#define OPEN_ALWAYS       4
#define TRUNCATE_EXISTING 5

/* CreateFile's dwFlagsAndAttributes, above the FILE_ATTRIBUTE_* bits. */
#define FILE_FLAG_WRITE_THROUGH       0x80000000
#define FILE_FLAG_OVERLAPPED          0x40000000
#define FILE_FLAG_NO_BUFFERING        0x20000000
#define FILE_FLAG_RANDOM_ACCESS       0x10000000
#define FILE_FLAG_SEQUENTIAL_SCAN     0x08000000
#define FILE_FLAG_DELETE_ON_CLOSE     0x04000000
#define FILE_FLAG_BACKUP_SEMANTICS    0x02000000
#define FILE_FLAG_POSIX_SEMANTICS     0x01000000
#define FILE_FLAG_SESSION_AWARE       0x00800000
#define FILE_FLAG_OPEN_REPARSE_POINT  0x00200000
#define FILE_FLAG_OPEN_NO_RECALL      0x00100000
#define FILE_FLAG_FIRST_PIPE_INSTANCE 0x00080000

#define INFINITE 0xFFFFFFFF
#define WAIT_OBJECT_0 0x00000000L
#define WAIT_ABANDONED 0x00000080L
#define WAIT_TIMEOUT 258L
#define WAIT_FAILED ((DWORD)0xFFFFFFFF)

NTBOX_END_DECLS

#endif
