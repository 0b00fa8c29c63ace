/* ke/irql.c: per-thread IRQL (placeholder until the IRQL routines land). */
#include "ke/irql.h"

static __thread KIRQL ke_current_irql;

const char *ke_irql_name(KIRQL irql)
{
    switch (irql) {
    case 0: return "PASSIVE_LEVEL";
    case 1: return "APC_LEVEL";
    case 2: return "DISPATCH_LEVEL";
    case 15: return "HIGH_LEVEL";
    default: return "IRQL";
    }
}

KIRQL NTAPI KeGetCurrentIrql(VOID)
{
    return ke_current_irql;
}
