/* tests/headers/sal_usage.h: declarations carrying the SAL annotations the
 * WDK samples use most, each where the samples put it. They must expand to
 * nothing and leave valid declarations. */
#ifndef NTBOX_TESTS_SAL_USAGE_H
#define NTBOX_TESTS_SAL_USAGE_H

typedef struct _SAL_SAMPLE {
    _Field_size_bytes_(Length) PUCHAR Buffer;
    _Field_range_(0, 4096) ULONG Length;
    _Guarded_by_(Lock) LONG Count;
    _Interlocked_ volatile LONG Refs;
    KSPIN_LOCK Lock;
} SAL_SAMPLE, *PSAL_SAMPLE;

_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_
_Success_(return >= 0)
NTSTATUS sal_read(_In_reads_bytes_(InLength) PVOID In, _In_ ULONG InLength,
                  _Out_writes_bytes_to_(OutLength, *Written) PVOID Out, _In_ ULONG OutLength,
                  _Out_ PULONG Written, _Out_opt_ PULONG Extra, _Inout_ PSAL_SAMPLE Sample,
                  _In_opt_ PVOID Context, _In_reads_bytes_opt_(OptLength) PVOID Opt, _In_ ULONG OptLength);

_IRQL_requires_(PASSIVE_LEVEL)
_Check_return_
NTSTATUS sal_open(_In_z_ PCWSTR Name, _Outptr_ PVOID *Handle, _Outptr_result_maybenull_ PVOID *Maybe,
                  _Out_writes_(Count) PULONG Values, _In_range_(1, 64) ULONG Count,
                  _Inout_updates_bytes_(Size) PVOID Scratch, _In_ SIZE_T Size,
                  _Out_writes_bytes_opt_(Size2) PVOID Optional, _In_ SIZE_T Size2);

_IRQL_raises_(DISPATCH_LEVEL)
_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_saves_global_(OldIrql, Sample)
_Acquires_lock_(Sample->Lock)
_Requires_lock_not_held_(Sample->Lock)
VOID sal_lock(_Inout_ PSAL_SAMPLE Sample);

_IRQL_requires_(DISPATCH_LEVEL)
_IRQL_restores_global_(OldIrql, Sample)
_Releases_lock_(Sample->Lock)
_Requires_lock_held_(Sample->Lock)
VOID sal_unlock(_Inout_ PSAL_SAMPLE Sample);

_IRQL_requires_min_(PASSIVE_LEVEL)
_IRQL_requires_same_
_When_(Flags != 0, _Ret_maybenull_)
__drv_allocatesMem(Mem)
_Post_writable_byte_size_(Bytes)
PVOID sal_alloc(_In_ SIZE_T Bytes, _In_ _Strict_type_match_ ULONG Flags);

VOID sal_free(_In_ __drv_freesMem(Mem) _Frees_ptr_ PVOID P, _Pre_notnull_ __drv_aliasesMem PVOID Alias);

_Function_class_(DRIVER_DISPATCH)
_Dispatch_type_(IRP_MJ_READ)
_IRQL_requires_max_(DISPATCH_LEVEL)
NTBOX_EXTERN_C NTSTATUS NTAPI sal_dispatch(_In_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);

_Kernel_float_saved_
_Kernel_requires_resource_held_(Resource)
_Ret_z_
PCSTR sal_name(_In_ _Printf_format_string_ PCSTR Format, _Reserved_ PVOID Reserved, _Null_terminated_ PCHAR Text,
               _Out_range_(0, 10) PULONG Level, _Frees_ptr_opt_ PVOID Old);

_Use_decl_annotations_
NTSTATUS NTAPI sal_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    _Analysis_assume_(Irp != NULL);
    UNREFERENCED_PARAMETER(DeviceObject);
    return Irp->IoStatus.Status;
}

#endif
