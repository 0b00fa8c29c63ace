/* bench/irql.c: the cost of the verifier's generic IRQL check at the API
 * boundary (loader/irql_thunk.h): a routine called through its IRQL thunk,
 * as a driver's import is bound with the irql group on, against the same
 * routine called directly, in the same run. The routine is KeReadStateTimer
 * (DISPATCH_LEVEL at most; a load), so the difference is the thunk's cost. Each figure is the
 * median of BENCH_ROUNDS rounds, thunk and direct rounds alternating.
 *
 *   bench irql-thunk: X ns/op (baseline direct call: Y ns/op, ratio R) */
#include <ntddk.h>

#include "loader/exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_CALLS 20000000u
#define BENCH_ROUNDS 7

typedef BOOLEAN(NTAPI *bench_read_fn)(PKTIMER);

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

static double bench_calls(bench_read_fn *volatile fn)
{
    static KTIMER timer;
    bench_read_fn read = *fn;
    unsigned set = 0;
    KeInitializeTimer(&timer);
    double start = bench_now();
    for (unsigned i = 0; i < BENCH_CALLS; i++)
        set += read(&timer);
    double ns = (bench_now() - start) / BENCH_CALLS;
    if (set != 0)
        abort();
    return ns;
}

int main(void)
{
    const struct ldr_export *e = ldr_export_find("ntoskrnl.exe", "KeReadStateTimer");
    bench_read_fn thunk = (bench_read_fn)e->irql_thunk, direct = (bench_read_fn)e->address;
    double t[BENCH_ROUNDS], d[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        t[r] = bench_calls(&thunk);
        d[r] = bench_calls(&direct);
    }
    qsort(t, BENCH_ROUNDS, sizeof t[0], bench_by_value);
    qsort(d, BENCH_ROUNDS, sizeof d[0], bench_by_value);
    printf("bench irql-thunk: %.2f ns/op (baseline direct call: %.2f ns/op, ratio %.2f)\n", t[BENCH_ROUNDS / 2],
           d[BENCH_ROUNDS / 2], t[BENCH_ROUNDS / 2] / d[BENCH_ROUNDS / 2]);
    return 0;
}
