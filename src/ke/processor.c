/* ke/processor.c: the logical processors: KeQueryActiveProcessorCount(Ex),
 * KeGetCurrentProcessorNumber(Ex), KeSetSystemAffinityThread(Ex),
 * KeRevertToUserAffinityThread(Ex), and KeStallExecutionProcessor (hal).
 *
 * ntbox's processors are numbered 0 to N-1 in one group (at most 64, one
 * KAFFINITY): by default the host CPUs the process may run on, else the N
 * of `ntbox run --cpus N`, processor i on the host CPU i modulo the host's
 * count. A thread runs on the processor its host thread is on (the lowest
 * one on that CPU); a system affinity pins the host thread to those CPUs
 * when the host allows it, and the processor number reported stays inside
 * the affinity either way. KeNumberProcessors, the old variable, follows. */
#include "ke/processor.h"

#include "ke/dispatcher.h"

#include <sched.h>
#include <stdbool.h>
#include <time.h>

static ULONG ke_processor_count;
static int ke_startup_cpus[KE_MAX_PROCESSORS]; /* the process's CPUs at startup ... */
static ULONG ke_startup_cpu_count;             /* ... and how many (at most 64) */
static cpu_set_t ke_host_cpus;                 /* the CPUs the processors run on */
static int ke_host_cpu_of[KE_MAX_PROCESSORS];  /* processor -> host CPU */

/* The number of processors (WDK, ntddk.h: the variable older drivers read
 * instead of calling KeQueryActiveProcessorCountEx). */
volatile CCHAR KeNumberProcessors;

__attribute__((constructor)) static void ke_processor_init(void)
{
    cpu_set_t cpus;

    if (sched_getaffinity(0, sizeof cpus, &cpus) != 0) {
        CPU_ZERO(&cpus);
        CPU_SET(0, &cpus);
    }
    for (int cpu = 0; cpu < CPU_SETSIZE && ke_startup_cpu_count < KE_MAX_PROCESSORS; cpu++)
        if (CPU_ISSET(cpu, &cpus))
            ke_startup_cpus[ke_startup_cpu_count++] = cpu;
    ke_processor_set_count(ke_startup_cpu_count);
}

void ke_processor_set_count(ULONG count)
{
    ULONG host = ke_startup_cpu_count;

    CPU_ZERO(&ke_host_cpus);
    for (ULONG i = 0; i < count; i++) {
        ke_host_cpu_of[i] = ke_startup_cpus[i % host];
        CPU_SET(ke_host_cpu_of[i], &ke_host_cpus);
    }
    ke_processor_count = count;
    KeNumberProcessors = (CCHAR)count;
    /* Best effort, as ke_pin: threads started later inherit it. */
    (void)sched_setaffinity(0, sizeof ke_host_cpus, &ke_host_cpus);
}

static KAFFINITY ke_active_mask(void)
{
    return ke_processor_count >= 64 ? ~(KAFFINITY)0 : ((KAFFINITY)1 << ke_processor_count) - 1;
}

/* The host CPUs for an affinity (0: the process's own set). */
static void ke_pin(KAFFINITY affinity)
{
    cpu_set_t set = ke_host_cpus;

    if (affinity) {
        CPU_ZERO(&set);
        for (ULONG i = 0; i < ke_processor_count; i++)
            if (affinity & ((KAFFINITY)1 << i))
                CPU_SET(ke_host_cpu_of[i], &set);
    }
    /* Best effort: a container may refuse; the number reported follows the
     * affinity regardless. */
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* A valid affinity names only active processors, at least one (WDK,
 * KeSetSystemAffinityThreadEx). */
static bool ke_affinity_valid(KAFFINITY affinity)
{
    return affinity != 0 && (affinity & ~ke_active_mask()) == 0;
}

static void ke_set_system_affinity(struct ke_thread *self, KAFFINITY affinity)
{
    self->system_affinity = affinity;
    ke_pin(affinity);
}

/* The number of active processors, their mask in *ActiveProcessors if
 * given; any IRQL (WDK, KeQueryActiveProcessorCount). */
NTKERNELAPI ULONG NTAPI KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
    if (ActiveProcessors)
        *ActiveProcessors = ke_active_mask();
    return ke_processor_count;
}

/* The active processors in GroupNumber, or in all groups for
 * ALL_PROCESSOR_GROUPS; 0 for a group that does not exist (ntbox has group
 * 0 only); any IRQL (WDK, KeQueryActiveProcessorCountEx). */
NTKERNELAPI ULONG NTAPI KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
    return GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS ? ke_processor_count : 0;
}

/* The processor the caller runs on, 0 to N-1; any IRQL (WDK,
 * KeGetCurrentProcessorNumber). */
NTKERNELAPI ULONG NTAPI KeGetCurrentProcessorNumber(VOID)
{
    int cpu = sched_getcpu();
    ULONG number = 0;
    KAFFINITY affinity = ke_thread_current()->system_affinity;

    for (ULONG i = ke_processor_count; i-- > 0;)
        if (ke_host_cpu_of[i] == cpu)
            number = i;
    if (affinity && !(affinity & ((KAFFINITY)1 << number)))
        number = (ULONG)__builtin_ctzll(affinity);
    return number;
}

/* The same as a system-wide index, with group 0 and the number in the
 * group in *ProcNumber if given; any IRQL (WDK,
 * KeGetCurrentProcessorNumberEx). */
NTKERNELAPI ULONG NTAPI KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    ULONG number = KeGetCurrentProcessorNumber();
    if (ProcNumber) {
        ProcNumber->Group = 0;
        ProcNumber->Number = (UCHAR)number;
        ProcNumber->Reserved = 0;
    }
    return number;
}

/* Runs the calling thread only on the processors in Affinity until
 * KeRevertToUserAffinityThread; an affinity naming an inactive processor,
 * or none, has no effect. IRQL <= DISPATCH_LEVEL (WDK,
 * KeSetSystemAffinityThread). */
NTKERNELAPI VOID NTAPI KeSetSystemAffinityThread(KAFFINITY Affinity)
{
    if (ke_affinity_valid(Affinity))
        ke_set_system_affinity(ke_thread_current(), Affinity);
}

/* The same, returning the previous system affinity, 0 when there was none
 * (the user affinity was in force). IRQL <= DISPATCH_LEVEL (WDK,
 * KeSetSystemAffinityThreadEx). */
NTKERNELAPI KAFFINITY NTAPI KeSetSystemAffinityThreadEx(KAFFINITY Affinity)
{
    struct ke_thread *self = ke_thread_current();
    KAFFINITY previous = self->system_affinity;

    if (ke_affinity_valid(Affinity))
        ke_set_system_affinity(self, Affinity);
    return previous;
}

/* Back to the thread's own (user) affinity. IRQL <= DISPATCH_LEVEL (WDK,
 * KeRevertToUserAffinityThread). */
NTKERNELAPI VOID NTAPI KeRevertToUserAffinityThread(VOID)
{
    ke_set_system_affinity(ke_thread_current(), 0);
}

/* Restores what KeSetSystemAffinityThreadEx returned: 0 the user affinity,
 * else that system affinity (if valid). No effect without a system
 * affinity in force. IRQL <= DISPATCH_LEVEL (WDK,
 * KeRevertToUserAffinityThreadEx). */
NTKERNELAPI VOID NTAPI KeRevertToUserAffinityThreadEx(KAFFINITY Affinity)
{
    struct ke_thread *self = ke_thread_current();

    if (!self->system_affinity || (Affinity && !ke_affinity_valid(Affinity)))
        return;
    ke_set_system_affinity(self, Affinity);
}

/* Busy-waits at least MicroSeconds without giving up the processor; any
 * IRQL (WDK, KeStallExecutionProcessor). */
NTHALAPI VOID NTAPI KeStallExecutionProcessor(ULONG MicroSeconds)
{
    struct timespec now, end;

    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += MicroSeconds / 1000000;
    end.tv_nsec += (long)(MicroSeconds % 1000000) * 1000;
    if (end.tv_nsec >= 1000000000) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000;
    }
    do {
        __builtin_ia32_pause();
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
}
