/* tests/ke/test_processor.c: processors and priorities: the active
 * processor count and mask (the host's CPUs), the current processor
 * number, system affinity and its revert (Ex forms' return values, invalid
 * masks ignored), KeStallExecutionProcessor's minimum, and thread
 * priorities (KeQueryPriorityThread, KeSetPriorityThread,
 * KeSetBasePriorityThread). */
#include "ktest.h"

#include "ke/processor.h"

#include <sched.h>
#include <time.h>

#define SECONDS(n) ((LONGLONG)(n) * -10000000)

static ULONG host_cpus(void)
{
    cpu_set_t set;
    sched_getaffinity(0, sizeof set, &set);
    ULONG n = (ULONG)CPU_COUNT(&set);
    return n > 64 ? 64 : n;
}

/* One processor per host CPU, in group 0; other groups have none. */
KT_TEST(KeQueryActiveProcessorCount_host_cpus)
{
    KAFFINITY mask = 0;
    ULONG n = host_cpus();
    KT_EQ_INT(KeQueryActiveProcessorCount(&mask), n);
    KT_EQ_HEX(mask, n == 64 ? ~0ULL : (1ULL << n) - 1);
    KT_EQ_INT(KeQueryActiveProcessorCount(NULL), n);
    KT_EQ_INT(KeQueryActiveProcessorCountEx(0), n);
    KT_EQ_INT(KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), n);
    KT_EQ_INT(KeQueryActiveProcessorCountEx(1), 0);
}

/* `ntbox run --cpus N`: N processors whatever the host has, in the count,
 * the mask, KeNumberProcessors and the numbers threads run on; back to the
 * host's count after. */
KT_TEST(ke_processor_set_count_any_number)
{
    static const ULONG counts[] = { 1, 3, 64 };
    ULONG host = host_cpus();
    KAFFINITY mask = 0;

    for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        ULONG n = counts[i];
        ke_processor_set_count(n);
        KT_EQ_INT(KeQueryActiveProcessorCount(&mask), n);
        KT_EQ_HEX(mask, n == 64 ? ~0ULL : (1ULL << n) - 1);
        KT_EQ_INT(KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), n);
        KT_EQ_INT(KeNumberProcessors, n);
        KT_TRUE(KeGetCurrentProcessorNumber() < n);
        KAFFINITY previous = KeSetSystemAffinityThreadEx(1ULL << (n - 1));
        KT_EQ_INT(KeGetCurrentProcessorNumber(), n - 1);
        KeRevertToUserAffinityThreadEx(previous);
    }
    ke_processor_set_count(host);
    KT_EQ_INT(KeQueryActiveProcessorCount(NULL), host);
    KT_EQ_INT(KeNumberProcessors, host);
}

/* The current processor is one of them; the Ex form says group 0. */
KT_TEST(KeGetCurrentProcessorNumberEx_group_0)
{
    PROCESSOR_NUMBER number;
    memset(&number, 0xCC, sizeof number);
    ULONG index = KeGetCurrentProcessorNumberEx(&number);
    KT_TRUE(index < KeQueryActiveProcessorCount(NULL));
    KT_EQ_INT(number.Group, 0);
    KT_EQ_INT(number.Number, index);
    KT_EQ_INT(number.Reserved, 0);
    KT_TRUE(KeGetCurrentProcessorNumber() < KeQueryActiveProcessorCount(NULL));
    KT_TRUE(KeGetCurrentProcessorNumberEx(NULL) < KeQueryActiveProcessorCount(NULL));
}

/* KeSetSystemAffinityThreadEx returns the previous system affinity, 0 for
 * none; the thread then runs on those processors; an invalid mask has no
 * effect; KeRevertToUserAffinityThreadEx(previous) steps back. */
KT_TEST(KeSetSystemAffinityThreadEx_and_revert)
{
    ULONG n = KeQueryActiveProcessorCount(NULL);
    KAFFINITY last = 1ULL << (n - 1);

    KT_EQ_HEX(KeSetSystemAffinityThreadEx(1), 0);
    KT_EQ_INT(KeGetCurrentProcessorNumber(), 0);
    KT_EQ_HEX(KeSetSystemAffinityThreadEx(last), 1);
    KT_EQ_INT(KeGetCurrentProcessorNumber(), n - 1);
    if (n < 64) {
        KT_EQ_HEX(KeSetSystemAffinityThreadEx(1ULL << n), last);
        KT_EQ_INT(KeGetCurrentProcessorNumber(), n - 1);
    }
    KT_EQ_HEX(KeSetSystemAffinityThreadEx(0), last);
    KeRevertToUserAffinityThreadEx(1);
    KT_EQ_INT(KeGetCurrentProcessorNumber(), 0);
    KeRevertToUserAffinityThreadEx(0);
    KT_EQ_HEX(KeSetSystemAffinityThreadEx(last), 0);
    KeRevertToUserAffinityThread();
    KT_EQ_HEX(KeSetSystemAffinityThreadEx(1), 0);
    KeRevertToUserAffinityThreadEx(0);
    /* Without a system affinity, a revert to a mask does nothing. */
    KeRevertToUserAffinityThreadEx(1);
    KT_EQ_HEX(KeSetSystemAffinityThreadEx(last), 0);
    KeRevertToUserAffinityThread();
}

/* KeSetSystemAffinityThread: the same, without a return value. */
KT_TEST(KeSetSystemAffinityThread_plain)
{
    KeSetSystemAffinityThread(1);
    KT_EQ_INT(KeGetCurrentProcessorNumber(), 0);
    KT_EQ_HEX(KeSetSystemAffinityThreadEx(1), 1);
    KeRevertToUserAffinityThread();
    KT_EQ_HEX(KeSetSystemAffinityThreadEx(1), 0);
    KeRevertToUserAffinityThread();
}

/* "KeStallExecutionProcessor ... stalls for at least" the interval. */
KT_TEST(KeStallExecutionProcessor_at_least)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    KeStallExecutionProcessor(2000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    KT_TRUE(ns >= 2000000);
    KT_TRUE(ns < 10000000000LL);
}

static KEVENT go;

static VOID NTAPI wait_for_go(PVOID context)
{
    (void)context;
    KeWaitForSingleObject(&go, Executive, KernelMode, FALSE, NULL);
}

/* A new system thread runs at the System process's base priority, 8.
 * KeSetPriorityThread returns the old priority; KeSetBasePriorityThread
 * sets base and priority to 8 + Increment, kept within 1..15, and returns
 * the old increment. */
KT_TEST(KeSetPriorityThread_and_base)
{
    HANDLE handle;
    PKTHREAD thread;
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };

    KeInitializeEvent(&go, NotificationEvent, FALSE);
    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, wait_for_go, NULL), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ObReferenceObjectByHandle(handle, 0, *PsThreadType, KernelMode, (PVOID *)&thread, NULL),
                            STATUS_SUCCESS));
    KT_EQ_INT(KeQueryPriorityThread(thread), 8);
    KT_EQ_INT(KeSetPriorityThread(thread, LOW_REALTIME_PRIORITY), 8);
    KT_EQ_INT(KeQueryPriorityThread(thread), LOW_REALTIME_PRIORITY);
    KT_EQ_INT(KeSetBasePriorityThread(thread, 2), 0);
    KT_EQ_INT(KeQueryPriorityThread(thread), 10);
    KT_EQ_INT(KeSetBasePriorityThread(thread, -3), 2);
    KT_EQ_INT(KeQueryPriorityThread(thread), 5);
    KT_EQ_INT(KeSetBasePriorityThread(thread, 100), -3);
    KT_EQ_INT(KeQueryPriorityThread(thread), 15);
    KT_EQ_INT(KeSetBasePriorityThread(thread, -100), 7);
    KT_EQ_INT(KeQueryPriorityThread(thread), 1);
    KeSetEvent(&go, IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
    ObDereferenceObject(thread);
}
