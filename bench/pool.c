/* bench/pool.c: ExAllocatePoolWithTag + ExFreePool pairs, tracking on,
 * against glibc malloc + free in the same run: 64-byte blocks and a mixed
 * run (16 to 4000 bytes), on 1 thread and on 2 threads at once.
 *
 * The pool is called as a driver calls it: through a pointer, the way an
 * import is bound, from a call site outside ntbox, so every allocation is
 * recorded with its caller, tag and size and every free validated, as in a
 * driver run. The machine is shared and noisy: pool and malloc rounds
 * alternate, and each figure is the median of BENCH_ROUNDS rounds.
 *
 * Each configuration ends with one summary line:
 *   bench pool: X ns/op (baseline malloc: Y ns/op, ratio R)
 * where an op is one allocation and its free, and X, Y are the 64-byte
 * figures (the mixed run is printed above them). */
#include <ntddk.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_OPS 2000000u
#define BENCH_ROUNDS 9
#define BENCH_LIVE 32u /* blocks kept alive, so frees are not all LIFO */

enum bench_kind { BENCH_POOL, BENCH_MALLOC };

struct bench_run {
    enum bench_kind kind;
    int mixed;
    double ns_per_op;
};

/* The driver's view: imported routines, called through their bound address. */
static PVOID (NTAPI *volatile bench_alloc)(POOL_TYPE, SIZE_T, ULONG) = ExAllocatePoolWithTag;
static VOID (NTAPI *volatile bench_free)(PVOID) = ExFreePool;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static SIZE_T bench_size(unsigned i, int mixed)
{
    return mixed ? 16 + (i * 2654435761u >> 20) % 3985 : 64;
}

static void *bench_thread(void *arg)
{
    struct bench_run *run = arg;
    void *live[BENCH_LIVE] = { 0 };
    PVOID (NTAPI *alloc)(POOL_TYPE, SIZE_T, ULONG) = bench_alloc;
    VOID (NTAPI *release)(PVOID) = bench_free;
    double start = bench_now();

    for (unsigned i = 0; i < BENCH_OPS; i++) {
        unsigned k = i % BENCH_LIVE;
        SIZE_T size = bench_size(i, run->mixed);
        if (run->kind == BENCH_POOL) {
            if (live[k])
                release(live[k]);
            live[k] = alloc(NonPagedPoolNx, size, 'hcnB');
        } else {
            free(live[k]);
            live[k] = malloc(size);
        }
        *(volatile char *)live[k] = 1;
    }
    for (unsigned k = 0; k < BENCH_LIVE; k++) {
        if (run->kind == BENCH_POOL)
            release(live[k]);
        else
            free(live[k]);
    }
    run->ns_per_op = (bench_now() - start) / BENCH_OPS;
    return NULL;
}

/* ns/op of `threads` threads running at once (their mean). */
static double bench_measure(enum bench_kind kind, int mixed, int threads)
{
    pthread_t t[2];
    struct bench_run runs[2] = { { kind, mixed, 0 }, { kind, mixed, 0 } };
    double sum = 0;
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, bench_thread, &runs[i]);
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        sum += runs[i].ns_per_op;
    }
    return sum / threads;
}

static int bench_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Medians of pool and malloc rounds, run alternately. */
static void bench_pair(int mixed, int threads, double *pool, double *base)
{
    double p[BENCH_ROUNDS], m[BENCH_ROUNDS];
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        p[r] = bench_measure(BENCH_POOL, mixed, threads);
        m[r] = bench_measure(BENCH_MALLOC, mixed, threads);
    }
    qsort(p, BENCH_ROUNDS, sizeof p[0], bench_by_value);
    qsort(m, BENCH_ROUNDS, sizeof m[0], bench_by_value);
    *pool = p[BENCH_ROUNDS / 2];
    *base = m[BENCH_ROUNDS / 2];
}

static void bench_config(const char *name, int threads)
{
    double pool_mixed, malloc_mixed, pool, base;
    bench_pair(1, threads, &pool_mixed, &malloc_mixed);
    bench_pair(0, threads, &pool, &base);
    printf("%s, %d thread%s, mixed sizes: pool %.1f ns/op, malloc %.1f ns/op\n", name, threads,
           threads > 1 ? "s" : "", pool_mixed, malloc_mixed);
    printf("%s, %d thread%s, 64-byte blocks: pool %.1f ns/op, malloc %.1f ns/op\n", name, threads,
           threads > 1 ? "s" : "", pool, base);
    printf("bench %s: %.1f ns/op (baseline malloc: %.1f ns/op, ratio %.2f)\n", name, pool, base, pool / base);
}

int main(void)
{
    bench_config("pool", 1);
    bench_config("pool-2threads", 2);
    return 0;
}
