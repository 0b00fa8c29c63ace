/* ke/processor.h: ntbox-internal control of the logical processors
 * (ke/processor.c). */
#ifndef NTBOX_KE_PROCESSOR_H
#define NTBOX_KE_PROCESSOR_H

#include <ntddk.h>

/* The most logical processors ntbox models: one group, one KAFFINITY. */
#define KE_MAX_PROCESSORS 64

/* Makes the system have `count` logical processors (1 to
 * KE_MAX_PROCESSORS; the default is the host's CPUs, at most 64). Called
 * before any driver code runs (`ntbox run --cpus N`): processor i runs on
 * the host CPU i modulo the host's count, and with fewer processors than
 * host CPUs the process keeps to the first `count` of them. */
void ke_processor_set_count(ULONG count);

#endif
