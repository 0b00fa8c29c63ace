/* ntbox/km_seh.h: structured exception handling: exception records and
 * contexts, the raise routines (ExRaiseAccessViolation,
 * ExRaiseDatatypeMisalignment, RtlRaiseException; ExRaiseStatus is in
 * km_ex.h), x64 unwinding (RtlCaptureContext, RtlRestoreContext,
 * RtlLookupFunctionEntry, RtlVirtualUnwind, RtlUnwindEx, RtlUnwind,
 * __C_specific_handler) and __try / __except / __finally / __leave.
 *
 * A compiler that has SEH (MSVC; clang for Windows with -fms-extensions)
 * compiles __try into .pdata/.xdata scope tables, which ntbox's dispatcher
 * walks as Windows' does. (clang guards only the calls in a __try body: a
 * fault of an instruction right in the body is not caught; MSVC's is.)
 * gcc has no __try, so for gcc-built drivers (native
 * ones, and .sys images built with mingw-w64) __try and its companions are
 * the macros at the end of this file: each __try pushes a frame on a
 * per-thread list, and an exception (ExRaiseStatus, a failed probe, a fault
 * in driver code) evaluates the filters innermost first, at raise time, in
 * the raising thread, runs the __finally blocks of the frames it unwinds and
 * resumes in the chosen __except block, as Windows does; filters and those
 * __finally blocks run on top of the stack, below the code that raised, as
 * Windows runs them. Their limits:
 *   - Leave a __try body by falling off its end or with __leave. `return` or
 *     `goto` out of a __try/__finally body stops the run (the __finally block
 *     cannot run on that path); out of a __try/__except body it is fine.
 *     `break` out of a __try statement's blocks stops the run; `continue` in
 *     them ends the block (it does not reach an enclosing loop).
 *   - As with setjmp, a local variable changed inside the __try body and
 *     read in the __except or __finally block must be volatile (in C and
 *     C++; optimized builds keep it in a register otherwise).
 *   - EXCEPTION_CONTINUE_EXECUTION resumes RtlRaiseException's caller with
 *     the (possibly changed) context; after a fault it resumes the faulting
 *     instruction, which faults again unless the filter changed the context
 *     or the memory. ExRaiseStatus and its variants raise noncontinuable
 *     exceptions, as on Windows: continuing one raises
 *     STATUS_NONCONTINUABLE_EXCEPTION.
 *   - C++ destructors of objects in the frames an exception unwinds do not
 *     run, as in Windows kernel code built without C++ exception handling.
 *   - GetExceptionCode() works in the filter and the __except block,
 *     GetExceptionInformation() in the filter, AbnormalTermination() in the
 *     __finally block, each for the innermost __try they are written in.
 * Faults on kernel addresses (pool blocks, driver images), faults at
 * DISPATCH_LEVEL or above, and stack overflows are not exceptions a handler
 * can take, on Windows or here: they stop the run with their bugcheck. */
#ifndef NTBOX_KM_SEH_H
#define NTBOX_KM_SEH_H

NTBOX_BEGIN_DECLS

/* Filter results. */
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

/* EXCEPTION_RECORD.ExceptionFlags. */
#define EXCEPTION_NONCONTINUABLE 0x1
#define EXCEPTION_UNWINDING 0x2
#define EXCEPTION_EXIT_UNWIND 0x4
#define EXCEPTION_STACK_INVALID 0x8
#define EXCEPTION_NESTED_CALL 0x10
#define EXCEPTION_TARGET_UNWIND 0x20
#define EXCEPTION_COLLIDED_UNWIND 0x40
#define EXCEPTION_UNWIND 0x66
#define EXCEPTION_MAXIMUM_PARAMETERS 15

typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord; /* the exception this one was raised while dispatching */
    PVOID ExceptionAddress;
    ULONG NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

typedef struct DECLSPEC_ALIGN(16) _M128A {
    ULONGLONG Low;
    LONGLONG High;
} M128A, *PM128A;

/* The FXSAVE area: x87, MXCSR and XMM0-XMM15. */
typedef struct DECLSPEC_ALIGN(16) _XSAVE_FORMAT {
    USHORT ControlWord;
    USHORT StatusWord;
    UCHAR TagWord;
    UCHAR Reserved1;
    USHORT ErrorOpcode;
    ULONG ErrorOffset;
    USHORT ErrorSelector;
    USHORT Reserved2;
    ULONG DataOffset;
    USHORT DataSelector;
    USHORT Reserved3;
    ULONG MxCsr;
    ULONG MxCsr_Mask;
    M128A FloatRegisters[8];
    M128A XmmRegisters[16];
    UCHAR Reserved4[96];
} XSAVE_FORMAT, *PXSAVE_FORMAT, XMM_SAVE_AREA32, *PXMM_SAVE_AREA32;

#define CONTEXT_AMD64 0x00100000L
#define CONTEXT_CONTROL (CONTEXT_AMD64 | 0x1L)
#define CONTEXT_INTEGER (CONTEXT_AMD64 | 0x2L)
#define CONTEXT_SEGMENTS (CONTEXT_AMD64 | 0x4L)
#define CONTEXT_FLOATING_POINT (CONTEXT_AMD64 | 0x8L)
#define CONTEXT_DEBUG_REGISTERS (CONTEXT_AMD64 | 0x10L)
#define CONTEXT_FULL (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_FLOATING_POINT)
#define CONTEXT_ALL (CONTEXT_FULL | CONTEXT_SEGMENTS | CONTEXT_DEBUG_REGISTERS)

typedef struct DECLSPEC_ALIGN(16) _CONTEXT {
    ULONG64 P1Home, P2Home, P3Home, P4Home, P5Home, P6Home;
    ULONG ContextFlags;
    ULONG MxCsr;
    USHORT SegCs, SegDs, SegEs, SegFs, SegGs, SegSs;
    ULONG EFlags;
    ULONG64 Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
    ULONG64 Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi;
    ULONG64 R8, R9, R10, R11, R12, R13, R14, R15;
    ULONG64 Rip;
    union {
        XMM_SAVE_AREA32 FltSave;
        struct {
            M128A Header[2];
            M128A Legacy[8];
            M128A Xmm0, Xmm1, Xmm2, Xmm3, Xmm4, Xmm5, Xmm6, Xmm7;
            M128A Xmm8, Xmm9, Xmm10, Xmm11, Xmm12, Xmm13, Xmm14, Xmm15;
        };
    };
    M128A VectorRegister[26];
    ULONG64 VectorControl;
    ULONG64 DebugControl;
    ULONG64 LastBranchToRip;
    ULONG64 LastBranchFromRip;
    ULONG64 LastExceptionToRip;
    ULONG64 LastExceptionFromRip;
} CONTEXT, *PCONTEXT;

typedef struct _EXCEPTION_POINTERS {
    PEXCEPTION_RECORD ExceptionRecord;
    PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

typedef enum _EXCEPTION_DISPOSITION {
    ExceptionContinueExecution,
    ExceptionContinueSearch,
    ExceptionNestedException,
    ExceptionCollidedUnwind
} EXCEPTION_DISPOSITION;

/* A function's entry in an image's exception directory (.pdata): image
 * relative addresses of its code and of its UNWIND_INFO (.xdata). */
typedef struct _RUNTIME_FUNCTION {
    ULONG BeginAddress;
    ULONG EndAddress;
    ULONG UnwindData;
} RUNTIME_FUNCTION, *PRUNTIME_FUNCTION, IMAGE_RUNTIME_FUNCTION_ENTRY, *PIMAGE_RUNTIME_FUNCTION_ENTRY;

/* UNWIND_INFO.Flags, and RtlVirtualUnwind's HandlerType. */
#define UNW_FLAG_NHANDLER 0x0
#define UNW_FLAG_EHANDLER 0x1
#define UNW_FLAG_UHANDLER 0x2
#define UNW_FLAG_CHAININFO 0x4

#define UNWIND_HISTORY_TABLE_SIZE 12
typedef struct _UNWIND_HISTORY_TABLE_ENTRY {
    ULONG64 ImageBase;
    PRUNTIME_FUNCTION FunctionEntry;
} UNWIND_HISTORY_TABLE_ENTRY, *PUNWIND_HISTORY_TABLE_ENTRY;

typedef struct _UNWIND_HISTORY_TABLE {
    ULONG Count;
    UCHAR LocalHint;
    UCHAR GlobalHint;
    UCHAR Search;
    UCHAR Once;
    ULONG64 LowAddress;
    ULONG64 HighAddress;
    UNWIND_HISTORY_TABLE_ENTRY Entry[UNWIND_HISTORY_TABLE_SIZE];
} UNWIND_HISTORY_TABLE, *PUNWIND_HISTORY_TABLE;

/* A language handler: __C_specific_handler for C's __try. */
typedef EXCEPTION_DISPOSITION NTAPI EXCEPTION_ROUTINE(_Inout_ struct _EXCEPTION_RECORD *ExceptionRecord,
                                                      _In_ PVOID EstablisherFrame,
                                                      _Inout_ struct _CONTEXT *ContextRecord,
                                                      _In_ PVOID DispatcherContext);
typedef EXCEPTION_ROUTINE *PEXCEPTION_ROUTINE;

/* What the dispatcher tells a language handler about the frame. */
typedef struct _DISPATCHER_CONTEXT {
    ULONG64 ControlPc;
    ULONG64 ImageBase;
    PRUNTIME_FUNCTION FunctionEntry;
    ULONG64 EstablisherFrame;
    ULONG64 TargetIp;
    PCONTEXT ContextRecord;
    PEXCEPTION_ROUTINE LanguageHandler;
    PVOID HandlerData;
    PUNWIND_HISTORY_TABLE HistoryTable;
    ULONG ScopeIndex;
    ULONG Fill0;
} DISPATCHER_CONTEXT, *PDISPATCHER_CONTEXT;

/* Where RtlVirtualUnwind found each nonvolatile register saved. */
typedef struct _KNONVOLATILE_CONTEXT_POINTERS {
    union {
        PM128A FloatingContext[16];
        struct {
            PM128A Xmm0, Xmm1, Xmm2, Xmm3, Xmm4, Xmm5, Xmm6, Xmm7;
            PM128A Xmm8, Xmm9, Xmm10, Xmm11, Xmm12, Xmm13, Xmm14, Xmm15;
        };
    };
    union {
        PULONG64 IntegerContext[16];
        struct {
            PULONG64 Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi;
            PULONG64 R8, R9, R10, R11, R12, R13, R14, R15;
        };
    };
} KNONVOLATILE_CONTEXT_POINTERS, *PKNONVOLATILE_CONTEXT_POINTERS;

/* __C_specific_handler's language data: the function's __try scopes,
 * innermost first. HandlerAddress is the filter (or 1 for a constant
 * EXCEPTION_EXECUTE_HANDLER) and JumpTarget the __except block; a __finally
 * scope has JumpTarget 0 and its termination handler in HandlerAddress. */
typedef struct _SCOPE_TABLE_AMD64 {
    ULONG Count;
    struct {
        ULONG BeginAddress;
        ULONG EndAddress;
        ULONG HandlerAddress;
        ULONG JumpTarget;
    } ScopeRecord[1];
} SCOPE_TABLE_AMD64, *PSCOPE_TABLE_AMD64, SCOPE_TABLE, *PSCOPE_TABLE;

typedef LONG(NTAPI *PEXCEPTION_FILTER)(struct _EXCEPTION_POINTERS *ExceptionPointers, PVOID EstablisherFrame);
typedef VOID(NTAPI *PTERMINATION_HANDLER)(BOOLEAN AbnormalTermination, PVOID EstablisherFrame);

C_ASSERT(sizeof(EXCEPTION_RECORD) == 0x98);
C_ASSERT(FIELD_OFFSET(EXCEPTION_RECORD, ExceptionAddress) == 0x10);
C_ASSERT(FIELD_OFFSET(EXCEPTION_RECORD, ExceptionInformation) == 0x20);
C_ASSERT(sizeof(XSAVE_FORMAT) == 0x200);
C_ASSERT(FIELD_OFFSET(XSAVE_FORMAT, XmmRegisters) == 0xA0);
C_ASSERT(sizeof(CONTEXT) == 0x4D0);
C_ASSERT(FIELD_OFFSET(CONTEXT, ContextFlags) == 0x30);
C_ASSERT(FIELD_OFFSET(CONTEXT, EFlags) == 0x44);
C_ASSERT(FIELD_OFFSET(CONTEXT, Rax) == 0x78);
C_ASSERT(FIELD_OFFSET(CONTEXT, Rsp) == 0x98);
C_ASSERT(FIELD_OFFSET(CONTEXT, Rip) == 0xF8);
C_ASSERT(FIELD_OFFSET(CONTEXT, FltSave) == 0x100);
C_ASSERT(FIELD_OFFSET(CONTEXT, Xmm0) == 0x1A0);
C_ASSERT(FIELD_OFFSET(CONTEXT, VectorRegister) == 0x300);
C_ASSERT(FIELD_OFFSET(CONTEXT, LastExceptionFromRip) == 0x4C8);
C_ASSERT(sizeof(DISPATCHER_CONTEXT) == 0x50);
C_ASSERT(sizeof(UNWIND_HISTORY_TABLE) == 0xD8);
C_ASSERT(sizeof(KNONVOLATILE_CONTEXT_POINTERS) == 0x100);

/* Raising. ExRaiseAccessViolation and ExRaiseDatatypeMisalignment raise
 * STATUS_ACCESS_VIOLATION and STATUS_DATATYPE_MISALIGNMENT, noncontinuable;
 * RtlRaiseException raises the caller's record, which sets its
 * ExceptionAddress, and returns if a filter continues execution. */
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI ExRaiseAccessViolation(VOID);
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI ExRaiseDatatypeMisalignment(VOID);
NTSYSAPI VOID NTAPI RtlRaiseException(_In_ PEXCEPTION_RECORD ExceptionRecord);

/* Contexts and x64 unwinding, as Windows exports them. */
NTSYSAPI VOID NTAPI RtlCaptureContext(_Out_ PCONTEXT ContextRecord);
NTSYSAPI DECLSPEC_NORETURN VOID NTAPI RtlRestoreContext(_In_ PCONTEXT ContextRecord,
                                                       _In_opt_ struct _EXCEPTION_RECORD *ExceptionRecord);
NTSYSAPI PRUNTIME_FUNCTION NTAPI RtlLookupFunctionEntry(_In_ ULONG64 ControlPc, _Out_ PULONG64 ImageBase,
                                                       _Inout_opt_ PUNWIND_HISTORY_TABLE HistoryTable);
NTSYSAPI PEXCEPTION_ROUTINE NTAPI RtlVirtualUnwind(_In_ ULONG HandlerType, _In_ ULONG64 ImageBase,
                                                   _In_ ULONG64 ControlPc, _In_ PRUNTIME_FUNCTION FunctionEntry,
                                                   _Inout_ PCONTEXT ContextRecord, _Out_ PVOID *HandlerData,
                                                   _Out_ PULONG64 EstablisherFrame,
                                                   _Inout_opt_ PKNONVOLATILE_CONTEXT_POINTERS ContextPointers);
NTSYSAPI VOID NTAPI RtlUnwindEx(_In_opt_ PVOID TargetFrame, _In_opt_ PVOID TargetIp,
                                _In_opt_ PEXCEPTION_RECORD ExceptionRecord, _In_ PVOID ReturnValue,
                                _In_ PCONTEXT ContextRecord, _In_opt_ PUNWIND_HISTORY_TABLE HistoryTable);
NTSYSAPI VOID NTAPI RtlUnwind(_In_opt_ PVOID TargetFrame, _In_opt_ PVOID TargetIp,
                              _In_opt_ PEXCEPTION_RECORD ExceptionRecord, _In_ PVOID ReturnValue);
NTSYSAPI EXCEPTION_DISPOSITION NTAPI __C_specific_handler(_In_ struct _EXCEPTION_RECORD *ExceptionRecord,
                                                          _In_ PVOID EstablisherFrame,
                                                          _Inout_ struct _CONTEXT *ContextRecord,
                                                          _Inout_ PVOID DispatcherContext);

#if defined(_MSC_VER) || (defined(__clang__) && defined(_WIN32) && defined(__has_builtin))
#if defined(_MSC_VER) || __has_builtin(_exception_code)
#define NTBOX_SEH_BUILTIN 1
#endif
#endif

#if defined(NTBOX_SEH_BUILTIN)
/* The compiler's own __try, and its intrinsics _exception_code(),
 * _exception_info() and _abnormal_termination(). */
#elif defined(__GNUC__)
/* __try for gcc: the frame each __try keeps in its function's stack, and
 * the ntbox routines the macros below call. The layout is an ABI between
 * driver and ntbox. */
typedef struct _NTBOX_SEH_FRAME {
    struct _NTBOX_SEH_FRAME *Next; /* the enclosing frame on this thread's list */
    PVOID Jump[5];                 /* __builtin_setjmp's buffer: where ntbox re-enters the function */
    volatile LONG State;           /* NTBOX_SEH_START ... NTBOX_SEH_DONE: what the next pass runs */
    LONG Kind;                     /* NTBOX_SEH_KIND_EXCEPT or _FINALLY, learned on the first pass */
    LONG Completed;                /* the block ran to its end (a `break` out of it leaves 0) */
    LONG Abnormal;                 /* AbnormalTermination(): the __finally runs for an unwind */
    NTSTATUS Code;                 /* GetExceptionCode() */
    PEXCEPTION_POINTERS Pointers;  /* GetExceptionInformation(), during the filter */
    PVOID Dispatch;                /* the exception dispatch that searched or entered this frame */
} NTBOX_SEH_FRAME, *PNTBOX_SEH_FRAME;

#define NTBOX_SEH_START 0   /* first pass: learn whether __except or __finally follows */
#define NTBOX_SEH_ARMING 1  /* save the re-entry point, push the frame */
#define NTBOX_SEH_BODY 2    /* the __try body runs (the frame is on the list) */
#define NTBOX_SEH_FILTER 3  /* ntbox re-entered to evaluate the filter */
#define NTBOX_SEH_HANDLER 4 /* the __except block runs */
#define NTBOX_SEH_FINALLY 5 /* the __finally block runs */
#define NTBOX_SEH_DONE 6
#define NTBOX_SEH_KIND_EXCEPT 1
#define NTBOX_SEH_KIND_FINALLY 2

NTKERNELAPI VOID NTAPI _ntbox_seh_enter(_Inout_ PNTBOX_SEH_FRAME Frame);
NTKERNELAPI VOID NTAPI _ntbox_seh_step(_Inout_ PNTBOX_SEH_FRAME Frame);
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI _ntbox_seh_filtered(_Inout_ PNTBOX_SEH_FRAME Frame, _In_ LONG Disposition);
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI _ntbox_seh_leave(_Inout_ PNTBOX_SEH_FRAME Frame);
NTKERNELAPI VOID NTAPI _ntbox_seh_abandon(_Inout_ PNTBOX_SEH_FRAME Frame);

/* Runs when control leaves a __try statement by any path: one that left
 * the body without finishing it (return, goto) must drop the frame. */
static inline void _ntbox_seh_scope_end(PNTBOX_SEH_FRAME Frame)
{
    if (Frame->State == NTBOX_SEH_BODY)
        _ntbox_seh_abandon(Frame);
}

/* The frame's first state; the other fields are set as the passes need
 * them (zeroing the whole frame would cost more than the rest of a __try). */
static inline PNTBOX_SEH_FRAME _ntbox_seh_start(PNTBOX_SEH_FRAME Frame)
{
    Frame->State = NTBOX_SEH_START;
    Frame->Kind = 0;
    return Frame;
}

/* A __try statement is a loop of passes over its body and handler, each
 * selected by the frame's State: the first learns the kind, the second
 * saves the re-entry point (__builtin_setjmp), pushes the frame and runs
 * the body; ntbox re-enters for the filter, the __except block or an
 * unwind's __finally. The one-byte variable-length array makes the
 * function address its locals through its frame pointer, so a filter or
 * __finally can run with the stack pointer wherever ntbox puts it. */
#define __try                                                                                                   \
    for (NTBOX_SEH_FRAME _ntbox_seh __attribute__((cleanup(_ntbox_seh_scope_end))),                            \
         *_ntbox_seh_self __attribute__((unused)) = _ntbox_seh_start(&_ntbox_seh);                              \
         _ntbox_seh.State != NTBOX_SEH_DONE &&                                                                  \
         (_ntbox_seh.State != NTBOX_SEH_ARMING || __builtin_setjmp(_ntbox_seh.Jump) || 1);                       \
         _ntbox_seh.State == NTBOX_SEH_START ? (void)(_ntbox_seh.State = NTBOX_SEH_ARMING)                      \
                                             : _ntbox_seh_step(&_ntbox_seh))                                    \
        for (char _ntbox_seh_pass[1 + (_ntbox_seh.State == NTBOX_SEH_DONE)],                                    \
             *_ntbox_seh_run = (_ntbox_seh.State == NTBOX_SEH_ARMING ? _ntbox_seh_enter(&_ntbox_seh) : (void)0, \
                                _ntbox_seh_pass);                                                               \
             _ntbox_seh_run; _ntbox_seh.Completed = 1, _ntbox_seh_run = 0)                                      \
            if (_ntbox_seh.State == NTBOX_SEH_BODY)

/* Variadic: a filter is an expression, commas included. */
#define __except(...)                                                                                  \
            else if (_ntbox_seh.State == NTBOX_SEH_FILTER                                              \
                         ? (_ntbox_seh_filtered(&_ntbox_seh, (LONG)(__VA_ARGS__)), 0)                  \
                         : _ntbox_seh.State == NTBOX_SEH_START                                         \
                               ? (_ntbox_seh.Kind = NTBOX_SEH_KIND_EXCEPT, 0)                          \
                               : _ntbox_seh.State == NTBOX_SEH_HANDLER)

#define __finally                                                                                      \
            else if (_ntbox_seh.State == NTBOX_SEH_START ? (_ntbox_seh.Kind = NTBOX_SEH_KIND_FINALLY, 0) \
                                                         : _ntbox_seh.State == NTBOX_SEH_FINALLY)

#define __leave _ntbox_seh_leave(&_ntbox_seh)

#define _exception_code() (_ntbox_seh.Code)
#define _exception_info() ((PVOID)_ntbox_seh.Pointers)
#define _abnormal_termination() ((int)_ntbox_seh.Abnormal)
#else
#error "structured exception handling (__try) needs MSVC, clang for Windows with -fms-extensions, or gcc"
#endif

/* The intrinsics under the names excpt.h gives them. */
#define GetExceptionCode _exception_code
#define exception_code _exception_code
#define GetExceptionInformation() ((struct _EXCEPTION_POINTERS *)_exception_info())
#define exception_info() ((struct _EXCEPTION_POINTERS *)_exception_info())
#define AbnormalTermination _abnormal_termination
#define abnormal_termination _abnormal_termination

NTBOX_END_DECLS

#endif
