/* sal.h: Microsoft's source annotation language, accepted and ignored.
 * The annotations document a routine's contract for static analysis (PREfast);
 * they never change the generated code, so every one expands to nothing. */
#ifndef NTBOX_SAL_H
#define NTBOX_SAL_H

#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Out_
#define _Out_opt_
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_buffer_(s)
#define _In_reads_(s)
#define _In_reads_opt_(s)
#define _In_reads_bytes_(s)
#define _In_reads_bytes_opt_(s)
#define _In_reads_z_(s)
#define _In_reads_or_z_(s)
#define _Out_writes_(s)
#define _Out_writes_opt_(s)
#define _Out_writes_bytes_(s)
#define _Out_writes_bytes_opt_(s)
#define _Out_writes_bytes_all_(s)
#define _Out_writes_bytes_to_(s, c)
#define _Out_writes_to_(s, c)
#define _Out_writes_z_(s)
#define _Inout_updates_(s)
#define _Inout_updates_bytes_(s)
#define _Inout_updates_z_(s)
#define _Field_size_(s)
#define _Field_size_opt_(s)
#define _Field_size_bytes_(s)
#define _Field_size_bytes_opt_(s)
#define _Field_size_bytes_part_(s, c)
#define _Field_size_bytes_part_opt_(s, c)
#define _Field_range_(l, h)
#define _Field_z_
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_range_(l, h)
#define _Ret_z_
#define _Post_invalid_
#define _Post_valid_
#define _Post_satisfies_(e)
#define _Pre_satisfies_(e)
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Notnull_
#define _Maybenull_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Printf_format_string_
#define _Success_(e)
#define _Check_return_
#define _Must_inspect_result_
#define _Use_decl_annotations_
#define _Analysis_assume_(e)
#define _Analysis_mode_(m)
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Post_writable_byte_size_(s)
#define _When_(c, a)
#define _At_(t, a)
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Acquires_exclusive_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_shared_lock_(l)
#define _Guarded_by_(l)
#define _Interlocked_
#define _Interlocked_operand_
#define _Reserved_
#define _Const_
#define _Strict_type_match_
#define _Literal_
#define _Points_to_data_
#define _In_range_(l, h)
#define _Out_range_(l, h)
#define _Deref_out_range_(l, h)
#define _Deref_in_range_(l, h)
#define _Unchanged_(e)
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_float_used_
#define _Kernel_clear_do_init_(y)
#define _Kernel_requires_resource_held_(r)
#define _Kernel_acquires_resource_(r)
#define _Kernel_releases_resource_(r)
#define _IRQL_requires_(i)
#define _IRQL_requires_max_(i)
#define _IRQL_requires_min_(i)
#define _IRQL_requires_same_
#define _IRQL_raises_(i)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(k, o)
#define _IRQL_restores_global_(k, o)
#define _IRQL_always_function_max_(i)
#define _IRQL_always_function_min_(i)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _Function_class_(n)
#define _Dispatch_type_(t)
#define _Enum_is_bitflag_
#define _Return_type_success_(e)
#define _Struct_size_bytes_(s)
#define _Post_equals_last_error_
#define _Pre_
#define _Post_
#define __drv_aliasesMem
#define __drv_allocatesMem(k)
#define __drv_freesMem(k)
#define __drv_strictTypeMatch(m)
#define __drv_strictType(t, m)
#define __drv_maxIRQL(i)
#define __drv_minIRQL(i)
#define __drv_setsIRQL(i)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_savesIRQLGlobal(k, o)
#define __drv_restoresIRQLGlobal(k, o)
#define __drv_requiresIRQL(i)
#define __drv_dispatchType(t)
#define __drv_when(c, a)
#define __drv_reportError(m)
#define __drv_preferredFunction(f, r)
#define __drv_functionClass(n)
#define __drv_sameIRQL
#define __drv_useCancelIRQL
#define __drv_inTry
#define __drv_out(a)
#define __drv_in(a)
#define __drv_arg(e, a)
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt
#define __in_bcount(s)
#define __out_bcount(s)
#define __deref_out
#define __checkReturn

#define _Inexpressible_
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Outptr_result_bytebuffer_(a0)
#define _Outptr_result_buffer_maybenull_(a0)
#define _Outptr_result_bytebuffer_maybenull_(a0)
#define _Out_writes_bytes_all_opt_(a0)
#define _Out_writes_bytes_to_opt_(a0, a1)
#define _Out_writes_to_opt_(a0, a1)
#define _Out_writes_all_(a0)
#define _Out_writes_opt_z_(a0)
#define _Out_z_
#define _Inout_updates_opt_(a0)
#define _Inout_updates_bytes_opt_(a0)
#define _Inout_updates_all_(a0)
#define _Inout_opt_z_
#define _In_reads_to_ptr_(a0)
#define _Pre_defensive_
#define _Pre_valid_
#define _Pre_null_
#define _Pre_writable_byte_size_(a0)
#define _Pre_readable_byte_size_(a0)
#define _Post_maybenull_
#define _Post_notnull_
#define _Post_null_
#define _Post_z_
#define _Post_readable_byte_size_(a0)
#define _Ret_writes_(a0)
#define _Ret_writes_bytes_(a0)
#define _Ret_writes_bytes_maybenull_(a0)
#define _Field_size_part_(a0, a1)
#define _Field_size_full_(a0)
#define _Field_size_bytes_full_(a0)
#define _Deref_pre_maybenull_
#define _Deref_post_maybenull_
#define _Outref_
#define _At_buffer_(a0, a1, a2, a3)
#define _Readable_bytes_(a0)
#define _Writable_bytes_(a0)
#define _Printf_format_string_params_(a0)
#define _Analysis_noreturn_
#define _Raises_SEH_exception_
#define _Callback_
#define _Kernel_requires_resource_not_held_(a0)
#define _Kernel_IoGetDmaAdapter_
#define _Requires_exclusive_lock_held_(a0)
#define _Requires_shared_lock_held_(a0)
#define _Requires_no_locks_held_
#define _Acquires_nonreentrant_lock_(a0)
#define _Releases_nonreentrant_lock_(a0)
#define _Has_lock_kind_(a0)
#define _Write_guarded_by_(a0)
#define _Benign_race_begin_
#define _Benign_race_end_
#define _No_competing_thread_

#endif
