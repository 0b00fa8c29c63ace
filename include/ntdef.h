/* ntdef.h: the NT base types, as the WDK defines them for x64.
 *
 * Windows x64 is LLP64: LONG/ULONG are 32-bit, pointers 64-bit, WCHAR is
 * UTF-16. Driver code is compiled with -fshort-wchar so L"..." is UTF-16, and
 * every kernel routine and callback uses the Microsoft x64 calling convention
 * (NTAPI is ms_abi), so native drivers and PE .sys images share one ABI. */
#ifndef _NTDEF_
#define _NTDEF_

#include <sal.h>

#ifdef __cplusplus
#define NTBOX_EXTERN_C extern "C"
#define NTBOX_BEGIN_DECLS extern "C" {
#define NTBOX_END_DECLS }
#define C_ASSERT(e) static_assert(e, #e)
#else
#define NTBOX_EXTERN_C extern
#define NTBOX_BEGIN_DECLS
#define NTBOX_END_DECLS
#define C_ASSERT(e) _Static_assert(e, #e)
#endif
#define EXTERN_C NTBOX_EXTERN_C

/* Calling conventions: on x64 Windows they are all the one Microsoft ABI. */
#define NTBOX_MSABI __attribute__((ms_abi))
#ifndef __stdcall
#define __stdcall NTBOX_MSABI
#endif
#ifndef __cdecl
#define __cdecl NTBOX_MSABI
#endif
#ifndef __fastcall
#define __fastcall NTBOX_MSABI
#endif
#define NTAPI NTBOX_MSABI
#define NTAPI_INLINE NTBOX_MSABI
#define WINAPI NTBOX_MSABI
#define APIENTRY NTBOX_MSABI
#define CALLBACK NTBOX_MSABI
#define FASTCALL NTBOX_MSABI
#define STDMETHODCALLTYPE NTBOX_MSABI

/* __declspec(x): the forms drivers use, mapped to GCC attributes. */
#define __declspec(x) NTBOX_DECLSPEC_##x
#define NTBOX_DECLSPEC_dllimport
#define NTBOX_DECLSPEC_dllexport __attribute__((visibility("default")))
#define NTBOX_DECLSPEC_noreturn __attribute__((noreturn))
#define NTBOX_DECLSPEC_noinline __attribute__((noinline))
#define NTBOX_DECLSPEC_selectany __attribute__((weak))
#define NTBOX_DECLSPEC_restrict
#define NTBOX_DECLSPEC_noalias
#define NTBOX_DECLSPEC_novtable
#define NTBOX_DECLSPEC_nothrow
#define NTBOX_DECLSPEC_align(n) __attribute__((aligned(n)))
#define NTBOX_DECLSPEC_code_seg(s) __attribute__((section(".text." s)))
#define NTBOX_DECLSPEC_allocate(s) __attribute__((section(s)))
#define NTBOX_DECLSPEC_deprecated __attribute__((deprecated))

/* Exports of ntoskrnl/hal: visible to drivers that ntbox loads. */
#define DECLSPEC_IMPORT __attribute__((visibility("default")))
#define DECLSPEC_EXPORT __attribute__((visibility("default")))
#define NTSYSAPI DECLSPEC_IMPORT
#define NTSYSCALLAPI DECLSPEC_IMPORT
#define NTKERNELAPI DECLSPEC_IMPORT
#define NTHALAPI DECLSPEC_IMPORT
/* Variables ntoskrnl exports come in two kinds, as the WDK declares them.
 * NTBOX_DATA_IMPORT: the variable itself (KeNumberProcessors,
 * MmHighestUserAddress); a .sys reads it through its import slot, which holds
 * the variable's address: dllimport. NTBOX_IMPORT_SLOT(name) after the
 * declarator: a pointer to the kernel's variable (POBJECT_TYPE *PsProcessType,
 * PBOOLEAN KdDebuggerNotPresent), which ntoskrnl.lib resolves to the import
 * slot itself; gcc for PE has no such import kind, so the name is bound to
 * the slot, __imp_NAME. A native driver binds both kinds to ntbox's variable
 * of that name, which holds the same value. */
#ifdef _WIN32
#define NTBOX_DATA_IMPORT __attribute__((dllimport))
#define NTBOX_IMPORT_SLOT(name) __asm__("__imp_" #name)
#else
#define NTBOX_DATA_IMPORT DECLSPEC_IMPORT
#define NTBOX_IMPORT_SLOT(name)
#endif
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_ALIGN(n) __attribute__((aligned(n)))
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(64)
#define DECLSPEC_DEPRECATED_DDK
#define DECLSPEC_DEPRECATED_DDK_WINXP
#define DECLSPEC_RESTRICT
#define DECLSPEC_NOTHROW
#define DECLSPEC_SELECTANY __attribute__((weak))
#define DECLSPEC_GUARDNOCF
#define DECLSPEC_ADDRSAFE
#define FORCEINLINE static inline __attribute__((always_inline))
#define NTBOX_INLINE static inline
#ifndef __forceinline
#define __forceinline inline __attribute__((always_inline))
#endif
#ifndef __inline
#define __inline inline
#endif
#define __unaligned
#define __ptr64
#define __ptr32
#define POINTER_64
#define POINTER_32
#define UNALIGNED
#define RESTRICTED_POINTER
#define CONST const
#define VOID void
#define IN
#define OUT
#define OPTIONAL
#define NOTHING
#define ANYSIZE_ARRAY 1

typedef void *PVOID, **PPVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR, *PSTR, *LPSTR, *PSZ;
typedef const char *PCCH, *PCSTR, *LPCSTR, *PCSZ;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE, BOOLEAN, *PBOOLEAN;
typedef signed char SCHAR, *PSCHAR, CCHAR, *PCCHAR;
typedef short SHORT, *PSHORT, CSHORT, *PCSHORT;
typedef unsigned short USHORT, *PUSHORT, WORD, *PWORD;
typedef int LONG, *PLONG, INT, *PINT, BOOL, *PBOOL, INT32, *PINT32, LONG32, *PLONG32;
typedef unsigned int ULONG, *PULONG, UINT, *PUINT, DWORD, *PDWORD, CLONG, *PCLONG,
    UINT32, *PUINT32, ULONG32, *PULONG32, DWORD32, *PDWORD32;
typedef const ULONG *PCULONG;
typedef long long LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64, *PINT64;
typedef unsigned long long ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64, *PDWORD64,
    UINT64, *PUINT64, DWORDLONG, *PDWORDLONG;
typedef long long LONG_PTR, *PLONG_PTR, INT_PTR, *PINT_PTR, SSIZE_T, *PSSIZE_T;
typedef unsigned long long ULONG_PTR, *PULONG_PTR, UINT_PTR, *PUINT_PTR, SIZE_T, *PSIZE_T,
    DWORD_PTR, *PDWORD_PTR, KAFFINITY, *PKAFFINITY;
typedef float FLOAT;

/* The limits of the integer types, as ntdef.h/winnt.h define them. */
#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG 0x80000000
#define MAXLONG 0x7fffffff
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffff
typedef double DOUBLE;
#ifdef __cplusplus
typedef wchar_t WCHAR;
#else
typedef unsigned short WCHAR;
#endif
typedef WCHAR *PWCHAR, *PWCH, *PWSTR, *LPWSTR, *NWPSTR;
typedef const WCHAR *PCWCH, *PCWSTR, *LPCWSTR;
typedef WCHAR *PZZWSTR;
typedef const WCHAR *PCZZWSTR;
typedef void *HANDLE, **PHANDLE;

/* basetsd.h's conversions between handles, pointers and 32-bit values. */
#define HandleToULong(h) ((ULONG)(ULONG_PTR)(h))
#define HandleToUlong(h) HandleToULong(h)
#define HandleToLong(h) ((LONG)(LONG_PTR)(h))
#define ULongToHandle(ul) ((HANDLE)(ULONG_PTR)(ul))
#define UlongToHandle(ul) ULongToHandle(ul)
#define LongToHandle(l) ((HANDLE)(LONG_PTR)(l))
#define PtrToUlong(p) ((ULONG)(ULONG_PTR)(p))
#define PtrToLong(p) ((LONG)(LONG_PTR)(p))
#define ULongToPtr(ul) ((PVOID)(ULONG_PTR)(ul))
#define UlongToPtr(ul) ULongToPtr(ul)
typedef LONG NTSTATUS, *PNTSTATUS;
typedef UCHAR KIRQL, *PKIRQL;
typedef LONG KPRIORITY, *PKPRIORITY;
typedef ULONG ACCESS_MASK, *PACCESS_MASK;
typedef ULONG LOGICAL, *PLOGICAL;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef CCHAR KPROCESSOR_MODE;
typedef ULONG64 POOL_FLAGS;
typedef ULONG CLONG;
typedef USHORT RTL_STRING_LENGTH_TYPE;
typedef SHORT CSHORT;
typedef ULONG DEVICE_TYPE;
typedef struct _GUID { ULONG Data1; USHORT Data2; USHORT Data3; UCHAR Data4[8]; } GUID, *PGUID, *LPGUID;
typedef const GUID *PCGUID, *LPCGUID;

#if !defined(__SIZEOF_WCHAR_T__) || __SIZEOF_WCHAR_T__ != 2
#error "compile driver code with -fshort-wchar: on Windows WCHAR and L\"...\" are 16-bit UTF-16"
#endif

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    struct { ULONG LowPart; LONG HighPart; } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef union _ULARGE_INTEGER {
    struct { ULONG LowPart; ULONG HighPart; };
    struct { ULONG LowPart; ULONG HighPart; } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;
typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

#ifndef NULL
#ifdef __cplusplus
#define NULL 0
#else
#define NULL ((void *)0)
#endif
#endif
#define TRUE 1
#define FALSE 0

#define FIELD_OFFSET(type, field) ((LONG)__builtin_offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - (ULONG_PTR)(&((type *)0)->field)))
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(v) ((void)(v))
#define ARGUMENT_PRESENT(p) ((CHAR *)((ULONG_PTR)(p)) != (CHAR *)NULL)
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) (ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), alignment))
#define ALIGN_DOWN_POINTER_BY(p, a) ((PVOID)ALIGN_DOWN_BY(p, a))
#define ALIGN_UP_POINTER_BY(p, a) ((PVOID)ALIGN_UP_BY(p, a))
#define MAKELONG(a, b) ((LONG)(((USHORT)(a)) | ((ULONG)((USHORT)(b))) << 16))
#define LOWORD(l) ((USHORT)((ULONG_PTR)(l) & 0xffff))
#define HIWORD(l) ((USHORT)((ULONG_PTR)(l) >> 16))
#define LOBYTE(w) ((UCHAR)((ULONG_PTR)(w) & 0xff))
#define HIBYTE(w) ((UCHAR)((ULONG_PTR)(w) >> 8))
#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

/* NTSTATUS: severity in the top two bits. */
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)

typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, not counting any terminator */
    USHORT MaximumLength; /* bytes of Buffer */
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;
#define UNICODE_NULL ((WCHAR)0)
#define UNICODE_STRING_MAX_BYTES ((USHORT)65534)
#define UNICODE_STRING_MAX_CHARS (32767)

typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING, *PCOEM_STRING;
#define ANSI_NULL ((CHAR)0)

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *RESTRICTED_POINTER PRLIST_ENTRY;
typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;       /* PSECURITY_DESCRIPTOR */
    PVOID SecurityQualityOfService; /* PSECURITY_QUALITY_OF_SERVICE */
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L
#define OBJ_IGNORE_IMPERSONATED_DEVICEMAP 0x00000800L
#define OBJ_DONT_REPARSE 0x00001000L
#define OBJ_VALID_ATTRIBUTES 0x00001FF2L

#define InitializeObjectAttributes(p, n, a, r, s) \
    do { \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES); \
        (p)->RootDirectory = (r); \
        (p)->Attributes = (a); \
        (p)->ObjectName = (n); \
        (p)->SecurityDescriptor = (s); \
        (p)->SecurityQualityOfService = NULL; \
    } while (0)
#define RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a) { sizeof(OBJECT_ATTRIBUTES), NULL, (PUNICODE_STRING)(n), (a), NULL, NULL }

/* Layouts a driver can see: Windows x64 sizes and offsets. */
C_ASSERT(sizeof(LARGE_INTEGER) == 8);
C_ASSERT(sizeof(UNICODE_STRING) == 16);
C_ASSERT(FIELD_OFFSET(UNICODE_STRING, MaximumLength) == 2);
C_ASSERT(FIELD_OFFSET(UNICODE_STRING, Buffer) == 8);
C_ASSERT(sizeof(STRING) == 16);
C_ASSERT(FIELD_OFFSET(STRING, Buffer) == 8);
C_ASSERT(sizeof(LIST_ENTRY) == 16);
C_ASSERT(FIELD_OFFSET(LIST_ENTRY, Blink) == 8);
C_ASSERT(sizeof(SINGLE_LIST_ENTRY) == 8);
C_ASSERT(sizeof(OBJECT_ATTRIBUTES) == 0x30);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, RootDirectory) == 0x08);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, ObjectName) == 0x10);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, Attributes) == 0x18);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, SecurityDescriptor) == 0x20);
C_ASSERT(FIELD_OFFSET(OBJECT_ATTRIBUTES, SecurityQualityOfService) == 0x28);
C_ASSERT(sizeof(GUID) == 16);
C_ASSERT(sizeof(WCHAR) == 2);
C_ASSERT(sizeof(ULONG) == 4 && sizeof(LONG) == 4 && sizeof(PVOID) == 8 && sizeof(ULONG_PTR) == 8);

#include <ntstatus.h>

#endif /* _NTDEF_ */
