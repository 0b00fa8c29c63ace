/* ke/cr8.c: CR8 as the thread's IRQL (see cr8.h). */
#include "ke/cr8.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "ke/pcr.h"

void ke_cr8_write_invalid(uint64_t value, const void *at)
{
    KIRQL irql = ke_irql_get();
    ke_bugcheck(0xC4, 0x30, irql, (ULONG_PTR)value, 0, at,
                "The driver wrote 0x%llX to CR8 (KeRaiseIrql, KeLowerIrql or KfRaiseIrql inlined) at %s: it is not an "
                "IRQL (HIGH_LEVEL is 15).",
                (unsigned long long)value, ke_irql_name(irql));
}

void ke_cr8_write(uint64_t value, const void *at)
{
    if (value > HIGH_LEVEL)
        ke_cr8_write_invalid(value, at);
    ke_irql_set_by((KIRQL)value, at);
    if (ke_dpc_held && value < DISPATCH_LEVEL)
        ke_dpc_release_held();
}

intptr_t ke_cr8_tls_offset(void)
{
    return ke_tls_offset(&ke_current_irql);
}
