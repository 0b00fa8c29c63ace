/* bench/sync.c: ntbox's locks and events against their pthread twins, in
 * the same run:
 *   - an uncontended fast mutex acquire + release pair (ExAcquireFastMutex,
 *     ExReleaseFastMutex) against pthread_mutex_lock + unlock;
 *   - an uncontended spin lock pair (KeAcquireSpinLock, KeReleaseSpinLock)
 *     against the same pthread_mutex pair;
 *   - the same spin lock pair while another spin lock is held, so deadlock
 *     detection looks the lock order up each time, against the same
 *     pthread_mutex pair;
 *   - an event ping-pong between two system threads (KeSetEvent, then
 *     KeWaitForSingleObject on the other's synchronization event) against
 *     a ping-pong of two pthreads over a mutex and condition variables;
 *   - a DPC queued at DISPATCH_LEVEL: the time from KeLowerIrql to its
 *     routine running on the DPC thread, against the time a pthread takes
 *     to wake on a condition variable signalled.
 * Routines are called through pointers bound as a driver's imports are
 * (through the export table: KeSetEvent through its IRQL check).
 * The machine is shared and noisy: each figure is the median of
 * BENCH_ROUNDS rounds, ntbox and pthread rounds alternating. Summary lines:
 *   bench sync-fastmutex: X ns/op (baseline pthread_mutex: Y ns/op, ratio R)
 *   bench sync-spinlock: X ns/op (baseline pthread_mutex: Y ns/op, ratio R)
 *   bench sync-spinlock-nested: X ns/op (baseline pthread_mutex: Y ns/op, ratio R)
 *   bench sync-pingpong: X ns/op (baseline pthread_cond: Y ns/op, ratio R)
 *   bench sync-dpc-lower: X ns/op (baseline pthread_cond wake: Y ns/op, ratio R)
 *   bench sync-dpc-latency: median X us, p99 Y us (target < 5 us)
 *   bench sync-timer-jitter: median X us, p99 Y us (target < 200 us)
 * where an op is one pair, one round trip, or one wake-up; the last two
 * have targets instead of baselines: DPC latency, from KeInsertQueueDpc at
 * PASSIVE_LEVEL to the routine's first instruction, and timer jitter, how
 * far the intervals between a 1 ms periodic KTIMER's DPC calls stray from
 * 1 ms, both over every sample of every round. Nothing is asserted. */
#include <ntddk.h>

#include "loader/exports.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_PAIRS 5000000u
#define BENCH_TRIPS 50000u
#define BENCH_ROUNDS 7
#define BENCH_DPCS 2000u     /* DPC latency samples per round */
#define BENCH_TICKS 200u     /* periodic timer intervals per round */
#define BENCH_WAKES 2000u

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

/* Median and 99th percentile of n samples in ns, printed in us. */
static void bench_report_target(const char *name, double *v, size_t n, double target_us)
{
    qsort(v, n, sizeof v[0], bench_by_value);
    printf("bench %s: median %.1f us, p99 %.1f us (target < %.0f us)\n", name, v[n / 2] / 1e3, v[n * 99 / 100] / 1e3,
           target_us);
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

static double bench_spin_lock_nested_pairs(void)
{
    static KSPIN_LOCK outer, lock;
    KIRQL (NTAPI *acquire)(PKSPIN_LOCK) = bench_spin_acquire;
    VOID (NTAPI *release)(PKSPIN_LOCK, KIRQL) = bench_spin_release;
    KeInitializeSpinLock(&outer);
    KeInitializeSpinLock(&lock);
    KIRQL old = acquire(&outer);
    double start = bench_now();
    for (unsigned i = 0; i < BENCH_PAIRS; i++)
        release(&lock, acquire(&lock));
    double ns = (bench_now() - start) / BENCH_PAIRS;
    release(&outer, old);
    return ns;
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

/* KeLowerIrql to the DPC routine, on the DPC thread. */
static KDPC bench_dpc;
static KEVENT bench_dpc_ran;
static double bench_dpc_at;

static VOID NTAPI bench_dpc_routine(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    (void)dpc;
    (void)context;
    (void)arg1;
    (void)arg2;
    bench_dpc_at = bench_now();
    KeSetEvent(&bench_dpc_ran, IO_NO_INCREMENT, FALSE);
}

static double bench_dpc_lowers(void)
{
    double total = 0;
    KeInitializeDpc(&bench_dpc, bench_dpc_routine, NULL);
    KeInitializeEvent(&bench_dpc_ran, SynchronizationEvent, FALSE);
    for (unsigned i = 0; i < BENCH_WAKES; i++) {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        KeInsertQueueDpc(&bench_dpc, NULL, NULL);
        double start = bench_now();
        KeLowerIrql(old);
        KeWaitForSingleObject(&bench_dpc_ran, Executive, KernelMode, FALSE, NULL);
        total += bench_dpc_at - start;
    }
    return total / BENCH_WAKES;
}

/* The same wake-up between pthreads: signal to the waiter's first step. */
static pthread_mutex_t bench_wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bench_wake_go = PTHREAD_COND_INITIALIZER, bench_wake_done = PTHREAD_COND_INITIALIZER;
static unsigned bench_wake_sent, bench_wake_seen;
static double bench_wake_at;

static void *bench_wake_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&bench_wake_lock);
    for (unsigned i = 0; i < BENCH_WAKES; i++) {
        while (bench_wake_sent == bench_wake_seen)
            pthread_cond_wait(&bench_wake_go, &bench_wake_lock);
        bench_wake_at = bench_now();
        bench_wake_seen++;
        pthread_cond_signal(&bench_wake_done);
    }
    pthread_mutex_unlock(&bench_wake_lock);
    return NULL;
}

static double bench_pthread_wakes(void)
{
    pthread_t waiter;
    double total = 0;
    bench_wake_sent = bench_wake_seen = 0;
    pthread_create(&waiter, NULL, bench_wake_waiter, NULL);
    for (unsigned i = 0; i < BENCH_WAKES; i++) {
        pthread_mutex_lock(&bench_wake_lock);
        double start = bench_now();
        bench_wake_sent++;
        pthread_cond_signal(&bench_wake_go);
        while (bench_wake_seen != bench_wake_sent)
            pthread_cond_wait(&bench_wake_done, &bench_wake_lock);
        total += bench_wake_at - start;
        pthread_mutex_unlock(&bench_wake_lock);
    }
    pthread_join(waiter, NULL);
    return total / BENCH_WAKES;
}

/* DPC latency: the time of the insert, then of the routine's start. */
static KDPC bench_latency_dpc;
static KEVENT bench_latency_ran;
static double bench_latency_start;

static VOID NTAPI bench_latency_routine(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    (void)dpc;
    (void)arg1;
    (void)arg2;
    *(double *)context = bench_now() - bench_latency_start;
    KeSetEvent(&bench_latency_ran, IO_NO_INCREMENT, FALSE);
}

static void bench_dpc_latency(double *samples)
{
    KeInitializeEvent(&bench_latency_ran, SynchronizationEvent, FALSE);
    for (unsigned i = 0; i < BENCH_DPCS; i++) {
        KeInitializeDpc(&bench_latency_dpc, bench_latency_routine, &samples[i]);
        bench_latency_start = bench_now();
        KeInsertQueueDpc(&bench_latency_dpc, NULL, NULL);
        KeWaitForSingleObject(&bench_latency_ran, Executive, KernelMode, FALSE, NULL);
    }
}

/* Timer jitter: the DPC notes each expiry's time; the first BENCH_TICKS
 * intervals are kept. */
static KTIMER bench_timer;
static KDPC bench_timer_dpc;
static KEVENT bench_ticks_done;
static double bench_last_tick;
static unsigned bench_ticks;

static VOID NTAPI bench_tick(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    double *samples = context, now = bench_now();
    (void)dpc;
    (void)arg1;
    (void)arg2;
    if (bench_ticks > 0 && bench_ticks <= BENCH_TICKS) {
        double off = now - bench_last_tick - 1e6;
        samples[bench_ticks - 1] = off < 0 ? -off : off;
        if (bench_ticks == BENCH_TICKS)
            KeSetEvent(&bench_ticks_done, IO_NO_INCREMENT, FALSE);
    }
    bench_last_tick = now;
    bench_ticks++;
}

static void bench_timer_jitter(double *samples)
{
    LARGE_INTEGER due = { .QuadPart = -10000 };
    bench_ticks = 0;
    KeInitializeEvent(&bench_ticks_done, NotificationEvent, FALSE);
    KeInitializeDpc(&bench_timer_dpc, bench_tick, samples);
    KeInitializeTimer(&bench_timer);
    KeSetTimerEx(&bench_timer, due, 1, &bench_timer_dpc);
    KeWaitForSingleObject(&bench_ticks_done, Executive, KernelMode, FALSE, NULL);
    KeCancelTimer(&bench_timer);
    KeFlushQueuedDpcs();
}

static void *bench_import(const char *name)
{
    return ldr_export_target(ldr_export_find("ntoskrnl.exe", name));
}

int main(void)
{
    static double latency[BENCH_ROUNDS * BENCH_DPCS], jitter[BENCH_ROUNDS * BENCH_TICKS];
    double fm[BENCH_ROUNDS], spin[BENCH_ROUNDS], pm[BENCH_ROUNDS], pm2[BENCH_ROUNDS];
    double nested[BENCH_ROUNDS], pm3[BENCH_ROUNDS], ev[BENCH_ROUNDS], pc[BENCH_ROUNDS];
    double dpc[BENCH_ROUNDS], wake[BENCH_ROUNDS];

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
        nested[r] = bench_spin_lock_nested_pairs();
        pm3[r] = bench_pthread_pairs();
        ev[r] = bench_event_trips();
        pc[r] = bench_pthread_trips();
        dpc[r] = bench_dpc_lowers();
        wake[r] = bench_pthread_wakes();
        bench_dpc_latency(&latency[r * BENCH_DPCS]);
        bench_timer_jitter(&jitter[r * BENCH_TICKS]);
    }
    bench_report("sync-fastmutex", "pthread_mutex", fm, pm);
    bench_report("sync-spinlock", "pthread_mutex", spin, pm2);
    bench_report("sync-spinlock-nested", "pthread_mutex", nested, pm3);
    bench_report("sync-pingpong", "pthread_cond", ev, pc);
    bench_report("sync-dpc-lower", "pthread_cond wake", dpc, wake);
    bench_report_target("sync-dpc-latency", latency, BENCH_ROUNDS * BENCH_DPCS, 5);
    bench_report_target("sync-timer-jitter", jitter, BENCH_ROUNDS * BENCH_TICKS, 200);
    return 0;
}
