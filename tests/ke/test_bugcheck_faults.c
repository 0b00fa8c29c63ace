/* tests/ke/test_bugcheck_faults.c: what a fault or an unhandled exception
 * in driver code becomes (src/ke/bugcheck.c), by where it happens:
 *   - an invalid system-space address: PAGE_FAULT_IN_NONPAGED_AREA (0x50),
 *     P1 the address, P2 0 read / 1 write, P3 the instruction;
 *   - any fault at DISPATCH_LEVEL or above: DRIVER_IRQL_NOT_LESS_OR_EQUAL
 *     (0xD1), P1 the address, P2 the IRQL, P3 the access, P4 the instruction;
 *   - an access violation or raised exception in a system thread (the
 *     System process): 0x7E; in a system service a client called (a
 *     dispatch routine on the client's thread): SYSTEM_SERVICE_EXCEPTION
 *     (0x3B), P1 the exception, P2 its address, P3 the context, P4 0.
 * Each report names the thread's process. */
#include "ktest.h"

#include "ke/irql.h"
#include "ps/process.h"

#include <stdint.h>
#include <stdio.h>

#define SYSTEM_SERVICE_EXCEPTION 0x3B
#define PAGE_FAULT_IN_NONPAGED_AREA 0x50
#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E
#define DRIVER_IRQL_NOT_LESS_OR_EQUAL 0xD1
#define WILD 0xFFFFF80012345678ULL

struct fault {
    ULONG_PTR address;
    bool write;
    bool in_client;
    KIRQL irql;
};

static void fault(void *arg)
{
    struct fault *f = arg;
    if (f->in_client)
        ps_process_attach(ps_process_create("zoo.exe"));
    ke_irql_set(f->irql);
    /* As driver code does it: not instrumented by the sanitizers, which
     * would check the address themselves first. */
    if (f->write)
        __asm__ volatile("movl $1, (%0)" : : "r"(f->address) : "memory");
    else
        __asm__ volatile("movl (%0), %%eax" : : "r"(f->address) : "eax", "memory");
}

static void raise_in_client(void *arg)
{
    (void)arg;
    ps_process_attach(ps_process_create("zoo.exe"));
    ExRaiseStatus(STATUS_INVALID_DEVICE_REQUEST);
}

/* "Invalid system memory has been referenced": no exception a handler
 * could catch; in a system thread and a client's service alike. P2 is the
 * access as x64 Windows since 1507 gives it: 0 read, 2 write. */
KT_TEST(fault_system_space_is_0x50)
{
    struct fault read = { WILD, false, false, PASSIVE_LEVEL };
    const char *out = KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, WILD, fault, &read);
    KT_CONTAINS(out, "(0xFFFFF80012345678,0x0000000000000000,0x");
    KT_CONTAINS(out, "PAGE_FAULT_IN_NONPAGED_AREA");
    KT_CONTAINS(out, "The driver faulted reading 0xFFFFF80012345678: no valid system memory is there");
    KT_CONTAINS(out, "in process System (PID 4)");
    struct fault write = { WILD, true, true, PASSIVE_LEVEL };
    out = KT_EXPECT_BUGCHECK(PAGE_FAULT_IN_NONPAGED_AREA, WILD, fault, &write);
    KT_CONTAINS(out, "(0xFFFFF80012345678,0x0000000000000002,0x");
    KT_CONTAINS(out, "in process zoo.exe (PID ");
}

/* At DISPATCH_LEVEL no page fault can be taken at all, whatever the
 * address: 0xD1, P2 the IRQL, P3 1 for a write. */
KT_TEST(fault_at_dispatch_is_0xD1)
{
    struct fault f = { 0x10, true, false, DISPATCH_LEVEL };
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0x10, fault, &f);
    KT_CONTAINS(out, "(0x0000000000000010,0x0000000000000002,0x0000000000000001,0x");
}

/* A NULL dereference raises STATUS_ACCESS_VIOLATION: unhandled in the
 * System process, 0x7E; in a client's system service, 0x3B with P4 0. */
KT_TEST(fault_access_violation_by_context)
{
    struct fault system = { 0, true, false, PASSIVE_LEVEL };
    KT_CONTAINS(KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION, fault, &system),
                "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED");
    struct fault client = { 0, false, true, PASSIVE_LEVEL };
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_SERVICE_EXCEPTION, (ULONG)STATUS_ACCESS_VIOLATION, fault, &client);
    KT_CONTAINS(out, "SYSTEM_SERVICE_EXCEPTION");
    KT_CONTAINS(out, ",0x0000000000000000)\n");
    KT_CONTAINS(out, "The driver's code faulted reading address 0x0000000000000000.");
    KT_CONTAINS(out, "in process zoo.exe (PID ");
}

/* ExRaiseStatus with no handler, in a client's system service: 0x3B, P1
 * the status, P3 (no context record) and P4 0. */
KT_TEST(ExRaiseStatus_in_system_service_is_0x3B)
{
    const char *out =
        KT_EXPECT_BUGCHECK(SYSTEM_SERVICE_EXCEPTION, (ULONG)STATUS_INVALID_DEVICE_REQUEST, raise_in_client, NULL);
    KT_CONTAINS(out, ",0x0000000000000000,0x0000000000000000)\n");
    KT_CONTAINS(out, "Exception STATUS_INVALID_DEVICE_REQUEST (0xC0000010) was raised and no handler caught it.");
}
