/* ntbox/km_dbg.h: debug output (DbgPrint, DbgPrintEx, vDbgPrintEx,
 * KdPrint, KdPrintEx), the DPFLTR_* filter component ids and levels,
 * DbgBreakPoint, and whether a kernel debugger is attached
 * (KdDebuggerEnabled, KdDebuggerNotPresent: none is).
 *
 * The va_list of vDbgPrintEx is the Microsoft one: __builtin_ms_va_list is
 * the same type as a -mabi=ms driver's va_list, and the right type for ntbox
 * itself (System V by default). */
#ifndef NTBOX_KM_DBG_H
#define NTBOX_KM_DBG_H

NTBOX_BEGIN_DECLS

/* Component ids (DPFLTR_TYPE, dpfilter.h): the ones Windows documents for
 * drivers (the IHV ids), DEFAULT (DbgPrint's) and a few Windows' own. */
typedef enum _DPFLTR_TYPE {
    DPFLTR_SYSTEM_ID = 0,
    DPFLTR_SMSS_ID = 1,
    DPFLTR_SETUP_ID = 2,
    DPFLTR_NTFS_ID = 3,
    DPFLTR_FSTUB_ID = 4,
    DPFLTR_CRASHDUMP_ID = 5,
    DPFLTR_CDAUDIO_ID = 6,
    DPFLTR_CDROM_ID = 7,
    DPFLTR_CLASSPNP_ID = 8,
    DPFLTR_DISK_ID = 9,
    DPFLTR_REDBOOK_ID = 10,
    DPFLTR_STORPROP_ID = 11,
    DPFLTR_SCSIPORT_ID = 12,
    DPFLTR_SCSIMINIPORT_ID = 13,
    DPFLTR_CONFIG_ID = 14,
    DPFLTR_I8042PRT_ID = 15,
    DPFLTR_SERMOUSE_ID = 16,
    DPFLTR_LSERMOUS_ID = 17,
    DPFLTR_KBDHID_ID = 18,
    DPFLTR_MOUHID_ID = 19,
    DPFLTR_KBDCLASS_ID = 20,
    DPFLTR_MOUCLASS_ID = 21,
    DPFLTR_TWOTRACK_ID = 22,
    DPFLTR_WMILIB_ID = 23,
    DPFLTR_ACPI_ID = 24,
    DPFLTR_AMLI_ID = 25,
    DPFLTR_HALIA64_ID = 26,
    DPFLTR_VIDEO_ID = 27,
    DPFLTR_SVCHOST_ID = 28,
    DPFLTR_VIDEOPRT_ID = 29,
    DPFLTR_TCPIP_ID = 30,
    DPFLTR_DMSYNTH_ID = 31,
    DPFLTR_NTOSPNP_ID = 32,
    DPFLTR_FASTFAT_ID = 33,
    DPFLTR_SAMSS_ID = 34,
    DPFLTR_PNPMGR_ID = 35,
    DPFLTR_NETAPI_ID = 36,
    DPFLTR_SERIAL_ID = 39,
    DPFLTR_FLTMGR_ID = 47,
    DPFLTR_PCI_ID = 66,
    DPFLTR_INFINIBAND_ID = 76,
    DPFLTR_IHVDRIVER_ID = 77,
    DPFLTR_IHVVIDEO_ID = 78,
    DPFLTR_IHVAUDIO_ID = 79,
    DPFLTR_IHVNETWORK_ID = 80,
    DPFLTR_IHVSTREAMING_ID = 81,
    DPFLTR_IHVBUS_ID = 82,
    DPFLTR_STORPORT_ID = 89,
    DPFLTR_STORMINIPORT_ID = 90,
    DPFLTR_VERIFIER_ID = 93,
    DPFLTR_DEFAULT_ID = 101,
    DPFLTR_MM_ID = 102,
    DPFLTR_NDIS_ID = 120,
} DPFLTR_TYPE;

/* Levels 0..31 select one importance bit (1 << Level); larger values are
 * the bit field itself (DPFLTR_MASK marks them). */
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000

NTSYSAPI ULONG __cdecl DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...);
NTSYSAPI ULONG __cdecl DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level,
                                  _In_z_ _Printf_format_string_ PCSTR Format, ...);
NTSYSAPI ULONG __cdecl DbgPrintReturnControlC(_In_z_ _Printf_format_string_ PCCH Format, ...);
NTSYSAPI ULONG NTAPI vDbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level, _In_z_ PCCH Format,
                                 _In_ __builtin_ms_va_list arglist);
NTSYSAPI ULONG NTAPI vDbgPrintExWithPrefix(_In_z_ PCCH Prefix, _In_ ULONG ComponentId, _In_ ULONG Level,
                                           _In_z_ PCCH Format, _In_ __builtin_ms_va_list arglist);

/* Breaks into the kernel debugger: int 3. With none attached the run ends
 * with bugcheck 0x7E (STATUS_BREAKPOINT) at the driver's call. */
NTSYSAPI VOID NTAPI DbgBreakPoint(VOID);

/* A failed ASSERT(): prints it and raises STATUS_ASSERTION_FAILURE (with no
 * debugger, as Windows); ASSERT and ASSERTMSG call it in DBG builds. */
NTSYSAPI VOID NTAPI RtlAssert(_In_ PVOID VoidFailedAssertion, _In_ PVOID VoidFileName, _In_ ULONG LineNumber,
                              _In_opt_ PSTR MutableMessage);
#if DBG
#define ASSERT(exp) ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, NULL), FALSE) : TRUE)
#define ASSERTMSG(msg, exp) ((!(exp)) ? (RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, (PSTR)(msg)), FALSE) : TRUE)
#else
#define ASSERT(exp) ((void)0)
#define ASSERTMSG(msg, exp) ((void)0)
#endif

/* Pointers to the kernel's flags, as the WDK declares them for drivers:
 * *KdDebuggerEnabled is FALSE and *KdDebuggerNotPresent TRUE. */
extern NTKERNELAPI PBOOLEAN KdDebuggerEnabled NTBOX_IMPORT_SLOT(KdDebuggerEnabled);
extern NTKERNELAPI PBOOLEAN KdDebuggerNotPresent NTBOX_IMPORT_SLOT(KdDebuggerNotPresent);
#define KD_DEBUGGER_ENABLED *KdDebuggerEnabled
#define KD_DEBUGGER_NOT_PRESENT *KdDebuggerNotPresent

/* KdPrint((fmt, ...)) and KdPrintEx((id, level, fmt, ...)): the double
 * parentheses make the whole argument list vanish when DBG is 0 (wdm.h's
 * default), as in the WDK. */
#if DBG
#define KdPrint(_x_) DbgPrint _x_
#define KdPrintEx(_x_) DbgPrintEx _x_
#define vKdPrintEx(_x_) vDbgPrintEx _x_
#define vKdPrintExWithPrefix(_x_) vDbgPrintExWithPrefix _x_
#else
#define KdPrint(_x_)
#define KdPrintEx(_x_)
#define vKdPrintEx(_x_)
#define vKdPrintExWithPrefix(_x_)
#endif

NTBOX_END_DECLS

#endif
