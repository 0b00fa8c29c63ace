/* ke/previous_mode.c: the previous mode: ExGetPreviousMode.
 *
 * Windows records in each thread the mode its current system service was
 * called from: UserMode for an Nt service a client called, KernelMode for
 * a Zw one (and for a thread running only kernel code). The I/O manager
 * sets it around the requests it sends, so a dispatch routine's
 * ExGetPreviousMode is its request's RequestorMode. */
#include "ke/dispatcher.h"

KPROCESSOR_MODE ke_previous_mode_enter(KPROCESSOR_MODE mode)
{
    struct ke_thread *self = ke_thread_current();
    KPROCESSOR_MODE saved = self->previous_mode;
    self->previous_mode = mode;
    return saved;
}

void ke_previous_mode_leave(KPROCESSOR_MODE saved)
{
    ke_thread_current()->previous_mode = saved;
}

/* The calling thread's previous mode; any IRQL (WDK, ExGetPreviousMode). */
NTKERNELAPI KPROCESSOR_MODE NTAPI ExGetPreviousMode(VOID)
{
    return ke_thread_current()->previous_mode;
}
