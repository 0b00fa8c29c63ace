/* ke/bugcheck_names.c: bugcheck codes by name, with what each means
 * (Microsoft's bug check code reference, said briefly in ntbox's words). */
#include "ke/bugcheck.h"
#include "ke/bugcheck_names.h"

#include <stddef.h>

static const struct ke_bugcheck_info ke_bugchecks[] = {
    { 0x01, "APC_INDEX_MISMATCH", "A thread's count of disabled kernel APCs was not the same on return from a routine as on entry." },
    { 0x0A, "IRQL_NOT_LESS_OR_EQUAL", "Kernel code touched pageable or invalid memory at an IRQL that was too high." },
    { 0x0C, "MAXIMUM_WAIT_OBJECTS_EXCEEDED", "A thread waited on more objects than its wait blocks allow." },
    { 0x1E, "KMODE_EXCEPTION_NOT_HANDLED", "Kernel-mode code raised an exception that no handler caught." },
    { 0x18, "REFERENCE_BY_POINTER", "An object's reference count went to zero while handles to it were still open, or a pointer that is no object was referenced." },
    { 0x19, "BAD_POOL_HEADER", "A pool header is corrupt." },
    { 0x20, "KERNEL_APC_PENDING_DURING_EXIT", "A thread ended with APCs still disabled (a critical or guarded region not left, a mutex not released) or at a raised IRQL." },
    { 0x35, "NO_MORE_IRP_STACK_LOCATIONS", "A driver passed an IRP to IoCallDriver with no stack location left for the next driver." },
    { 0x3B, "SYSTEM_SERVICE_EXCEPTION", "An exception happened while running a system service on behalf of a caller." },
    { 0x44, "MULTIPLE_IRP_COMPLETE_REQUESTS", "A driver completed an IRP that was already completed." },
    { 0x48, "CANCEL_STATE_IN_COMPLETED_IRP", "A driver cancelled an IRP that had already been completed." },
    { 0x4A, "IRQL_GT_ZERO_AT_SYSTEM_SERVICE", "A thread returned to user mode from a system call at an IRQL above PASSIVE_LEVEL." },
    { 0x50, "PAGE_FAULT_IN_NONPAGED_AREA", "Kernel code referenced memory that is not valid." },
    { 0x7E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED", "A system thread raised an exception that no handler caught." },
    { 0x7F, "UNEXPECTED_KERNEL_MODE_TRAP", "The processor raised a trap the kernel does not allow in kernel mode." },
    { 0x8E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED", "Kernel-mode code raised an exception that no handler caught." },
    { 0x93, "INVALID_KERNEL_HANDLE", "Kernel code closed or used a handle that is not valid in the current process." },
    { 0xBE, "ATTEMPTED_WRITE_TO_READONLY_MEMORY", "A driver wrote to read-only memory." },
    { 0xC1, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION", "A driver wrote to special pool memory it does not own, found when the block was freed." },
    { 0xC2, "BAD_POOL_CALLER", "A driver made a bad pool request: a bad free, a double free, or an allocation at the wrong IRQL." },
    { 0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION", "Driver Verifier caught the driver breaking a kernel rule." },
    { 0xC5, "DRIVER_CORRUPTED_EXPOOL", "A driver corrupted the pool, found when it was used at a raised IRQL." },
    { 0xC7, "TIMER_OR_DPC_INVALID", "A kernel timer or DPC was found in memory where it is not allowed, such as freed pool or an unloaded driver." },
    { 0xC9, "DRIVER_VERIFIER_IOMANAGER_VIOLATION", "Driver Verifier's I/O checks caught the driver misusing an IRP." },
    { 0xCE, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS", "A driver unloaded while timers, DPCs, threads or other work of its own were still pending." },
    { 0xD1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL", "A driver touched pageable or invalid memory at an IRQL that was too high." },
    { 0xD5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL", "A driver referenced special pool memory after freeing it." },
    { 0xD6, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION", "A driver accessed memory past the end of its pool allocation." },
    { 0xE1, "WORKER_THREAD_RETURNED_AT_BAD_IRQL", "A worker thread's routine returned at an IRQL above PASSIVE_LEVEL." },
    { 0xE2, "MANUALLY_INITIATED_CRASH", "The crash was requested on purpose." },
    { 0xE3, "RESOURCE_NOT_OWNED", "A thread released a resource (ERESOURCE) it did not own." },
    { 0xF7, "DRIVER_OVERRAN_STACK_BUFFER", "A driver overran a stack buffer and overwrote the /GS security cookie." },
    { 0x133, "DPC_WATCHDOG_VIOLATION", "A DPC or code at DISPATCH_LEVEL or above ran for too long." },
    { 0x139, "KERNEL_SECURITY_CHECK_FAILURE", "The kernel found corruption of a critical data structure (a fast-fail security check)." },
    { 0x13A, "KERNEL_MODE_HEAP_CORRUPTION", "The kernel heap manager found corruption." },
};

const struct ke_bugcheck_info *ke_bugcheck_info(ULONG code)
{
    for (size_t i = 0; i < sizeof ke_bugchecks / sizeof ke_bugchecks[0]; i++)
        if (ke_bugchecks[i].code == code)
            return &ke_bugchecks[i];
    return NULL;
}

const char *ke_bugcheck_name(ULONG code)
{
    const struct ke_bugcheck_info *info = ke_bugcheck_info(code);
    return info ? info->name : NULL;
}
