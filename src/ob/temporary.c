/* ob/temporary.c: permanent objects made temporary again:
 * ZwMakeTemporaryObject and ObMakeTemporaryObject.
 *
 * "A temporary object has a name only as long as its handle count is
 * greater than zero" (WDK): making an object temporary when it has no
 * handle left removes its name, and with it the reference the name held. */
#include "ob/obp.h"

void ob_make_temporary(void *object)
{
    struct ob_header *header = ob_header_of(object);

    ob_lock();
    header->flags &= ~OB_FLAG_PERMANENT;
    ob_unlock();
    ob_name_check(header);
}

/* NtMakeTemporaryObject: the handle needs DELETE access when the caller is
 * UserMode. "If the object is already temporary, this routine does
 * nothing" (WDK). */
NTSTATUS ob_make_temporary_object(HANDLE handle, KPROCESSOR_MODE previous_mode)
{
    void *object;
    NTSTATUS status = ob_reference_object_by_handle(handle, DELETE, NULL, previous_mode, &object, NULL);

    if (!NT_SUCCESS(status))
        return status;
    ob_make_temporary(object);
    ob_dereference_object(object);
    return STATUS_SUCCESS;
}

/* "Changes the attributes of an object to make it temporary" (WDK);
 * PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwMakeTemporaryObject(HANDLE Handle)
{
    return ob_make_temporary_object(Handle, KernelMode);
}

/* The same for an object the caller holds a reference to; PASSIVE_LEVEL
 * (WDK, ObMakeTemporaryObject). */
NTKERNELAPI VOID NTAPI ObMakeTemporaryObject(PVOID Object)
{
    ob_make_temporary(Object);
}
