/* bench/sync.c: ntbox's locks and events against their pthread twins, in
 * the same run:
 *   - an uncontended fast mutex acquire + release pair (ExAcquireFastMutex,
 *     ExReleaseFastMutex) against pthread_mutex_lock + unlock;
 *   - an uncontended spin lock pair (KeAcquireSpinLock, KeReleaseSpinLock)
 *     against the same pthread_mutex pair;
 *   - an event ping-pong between two system threads (KeSetEvent, then
 *     KeWaitForSingleObject on the other's synchronization event) against
 *     a ping-pong of two pthreads over a mutex and condition variables.
 * Routines are called through pointers bound as a driver's imports are
 * (through the export table: KeSetEvent through its IRQL check).
 * The machine is shared and noisy: each figure is the median of
 * BENCH_ROUNDS rounds, ntbox and pthread rounds alternating. Summary lines:
 *   bench sync-fastmutex: X ns/op (baseline pthread_mutex: Y ns/op, ratio R)
 *   bench sync-spinlock: X ns/op (baseline pthread_mutex: Y ns/op, ratio R)
 *   bench sync-pingpong: X ns/op (baseline pthread_cond: Y ns/op, ratio R)
 * where an op is one pair, or one round trip. */
#include <ntddk.h>

#include "loader/exports.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_PAIRS 5000000u
#define BENCH_TRIPS 50000u
#define BENCH_ROUNDS 7

static VOID (FASTCALL *volatile bench_fm_acquire)(PFAST_MUTEX) = ExAcquireFastMutex;
static VOID (FASTCALL *volatile bench_fm_release)(PFAST_MUTEX) = ExReleaseFastMutex;
static KIRQL (NTAPI *volatile bench_spin_acquire)(PKSPIN_LOCK) = KeAcquireSpinLockRaiseToDpc;
static VOID (NTAPI *volatile bench_spin_release)(PKSPIN_LOCK, KIRQL) = KeReleaseSpinLock;
static LONG (NTAPI *volatile bench_set)(PRKEVENT, KPRIORITY, BOOLEAN) = KeSetEvent;
static NTSTATUS (NTAPI *volatile bench_wait)(PVOID, KWAIT_REASON, KPROCESSOR_MODE, BOOLEAN,
                                             PLARGE_INTEGER) = KeWaitForSingleObject;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bench_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double bench_median(double *v)
{
    qsort(v, BENCH_ROUNDS, sizeof v[0], bench_by_value);
    return v[BENCH_ROUNDS / 2];
}

static void bench_report(const char *name, const char *baseline, double *ntbox, double *base)
{
    double x = bench_median(ntbox), y = bench_median(base);
    printf("bench %s: %.1f ns/op (baseline %s: %.1f ns/op, ratio %.2f)\n", name, x, baseline, y, x / y);
}

static pthread_mutex_t bench_pmutex = PTHREAD_MUTEX_INITIALIZER;

static double bench_pthread_pairs(void)
{
    double start = bench_now();
    for (unsigned i = 0; i < BENCH_PAIRS; i++) {
        pthread_mutex_lock(&bench_pmutex);
        pthread_mutex_unlock(&bench_pmutex);
    }
    return (bench_now() - start) / BENCH_PAIRS;
}

static double bench_fast_mutex_pairs(void)
{
    static FAST_MUTEX fm;
    VOID (FASTCALL *acquire)(PFAST_MUTEX) = bench_fm_acquire, (FASTCALL *release)(PFAST_MUTEX) = bench_fm_release;
    ExInitializeFastMutex(&fm);
    double start = bench_now();
    for (unsigned i = 0; i < BENCH_PAIRS; i++) {
        acquire(&fm);
        release(&fm);
    }
    return (bench_now() - start) / BENCH_PAIRS;
}

static double bench_spin_lock_pairs(void)
{
    static KSPIN_LOCK lock;
    KIRQL (NTAPI *acquire)(PKSPIN_LOCK) = bench_spin_acquire;
    VOID (NTAPI *release)(PKSPIN_LOCK, KIRQL) = bench_spin_release;
    KeInitializeSpinLock(&lock);
    double start = bench_now();
    for (unsigned i = 0; i < BENCH_PAIRS; i++)
        release(&lock, acquire(&lock));
    return (bench_now() - start) / BENCH_PAIRS;
}

/* Event ping-pong: the pinger sets ping and waits for pong, the ponger
 * waits for ping and sets pong. */
static KEVENT bench_ping, bench_pong;

static VOID NTAPI bench_ponger(PVOID context)
{
    (void)context;
    for (unsigned i = 0; i < BENCH_TRIPS; i++) {
        bench_wait(&bench_ping, Executive, KernelMode, FALSE, NULL);
        bench_set(&bench_pong, IO_NO_INCREMENT, FALSE);
    }
}

static VOID NTAPI bench_pinger(PVOID context)
{
    double start = bench_now();
    for (unsigned i = 0; i < BENCH_TRIPS; i++) {
        bench_set(&bench_ping, IO_NO_INCREMENT, FALSE);
        bench_wait(&bench_pong, Executive, KernelMode, FALSE, NULL);
    }
    *(double *)context = (bench_now() - start) / BENCH_TRIPS;
}

static double bench_event_trips(void)
{
    HANDLE pinger, ponger;
    double result = 0;
    KeInitializeEvent(&bench_ping, SynchronizationEvent, FALSE);
    KeInitializeEvent(&bench_pong, SynchronizationEvent, FALSE);
    if (!NT_SUCCESS(PsCreateSystemThread(&ponger, SYNCHRONIZE, NULL, NULL, NULL, bench_ponger, NULL)) ||
        !NT_SUCCESS(PsCreateSystemThread(&pinger, SYNCHRONIZE, NULL, NULL, NULL, bench_pinger, &result))) {
        fprintf(stderr, "bench sync: PsCreateSystemThread failed\n");
        exit(1);
    }
    ZwWaitForSingleObject(pinger, FALSE, NULL);
    ZwWaitForSingleObject(ponger, FALSE, NULL);
    ZwClose(pinger);
    ZwClose(ponger);
    return result;
}

/* The same with pthreads: a turn flag under a mutex, one condition
 * variable per direction. */
static pthread_mutex_t bench_turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bench_turn_ping = PTHREAD_COND_INITIALIZER, bench_turn_pong = PTHREAD_COND_INITIALIZER;
static int bench_turn;

static void *bench_pthread_ponger(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < BENCH_TRIPS; i++) {
        pthread_mutex_lock(&bench_turn_lock);
        while (bench_turn != 1)
            pthread_cond_wait(&bench_turn_ping, &bench_turn_lock);
        bench_turn = 0;
        pthread_cond_signal(&bench_turn_pong);
        pthread_mutex_unlock(&bench_turn_lock);
    }
    return NULL;
}

static void *bench_pthread_pinger(void *arg)
{
    double start = bench_now();
    for (unsigned i = 0; i < BENCH_TRIPS; i++) {
        pthread_mutex_lock(&bench_turn_lock);
        bench_turn = 1;
        pthread_cond_signal(&bench_turn_ping);
        while (bench_turn != 0)
            pthread_cond_wait(&bench_turn_pong, &bench_turn_lock);
        pthread_mutex_unlock(&bench_turn_lock);
    }
    *(double *)arg = (bench_now() - start) / BENCH_TRIPS;
    return NULL;
}

static double bench_pthread_trips(void)
{
    pthread_t pinger, ponger;
    double result = 0;
    bench_turn = 0;
    pthread_create(&ponger, NULL, bench_pthread_ponger, NULL);
    pthread_create(&pinger, NULL, bench_pthread_pinger, &result);
    pthread_join(pinger, NULL);
    pthread_join(ponger, NULL);
    return result;
}

static void *bench_import(const char *name)
{
    return ldr_export_target(ldr_export_find("ntoskrnl.exe", name));
}

int main(void)
{
    double fm[BENCH_ROUNDS], spin[BENCH_ROUNDS], pm[BENCH_ROUNDS], pm2[BENCH_ROUNDS];
    double ev[BENCH_ROUNDS], pc[BENCH_ROUNDS];

    bench_fm_acquire = bench_import("ExAcquireFastMutex");
    bench_fm_release = bench_import("ExReleaseFastMutex");
    bench_spin_acquire = bench_import("KeAcquireSpinLockRaiseToDpc");
    bench_spin_release = bench_import("KeReleaseSpinLock");
    bench_set = bench_import("KeSetEvent");
    bench_wait = bench_import("KeWaitForSingleObject");

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        fm[r] = bench_fast_mutex_pairs();
        pm[r] = bench_pthread_pairs();
        spin[r] = bench_spin_lock_pairs();
        pm2[r] = bench_pthread_pairs();
        ev[r] = bench_event_trips();
        pc[r] = bench_pthread_trips();
    }
    bench_report("sync-fastmutex", "pthread_mutex", fm, pm);
    bench_report("sync-spinlock", "pthread_mutex", spin, pm2);
    bench_report("sync-pingpong", "pthread_cond", ev, pc);
    return 0;
}
