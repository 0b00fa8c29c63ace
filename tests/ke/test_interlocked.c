/* tests/ke/test_interlocked.c: the Interlocked* operations' documented
 * return values (new value for Increment/Decrement/Add, initial value for
 * the rest), and that they are atomic between threads. */
#include "ktest.h"

#include <pthread.h>

KT_TEST(InterlockedIncrement_Decrement_return_new_value)
{
    LONG v = 5;
    KT_EQ_INT(InterlockedIncrement(&v), 6);
    KT_EQ_INT(InterlockedDecrement(&v), 5);
    KT_EQ_INT(InterlockedAdd(&v, -7), -2);
    KT_EQ_INT(v, -2);
    LONG64 w = 0x7FFFFFFF;
    KT_EQ_INT(InterlockedIncrement64(&w), 0x80000000LL);
    KT_EQ_INT(InterlockedAdd64(&w, 0x100000000LL), 0x180000000LL);
    KT_EQ_INT(InterlockedDecrement64(&w), 0x17FFFFFFFLL);
}

KT_TEST(InterlockedExchange_forms_return_initial_value)
{
    LONG v = 10;
    KT_EQ_INT(InterlockedExchange(&v, 3), 10);
    KT_EQ_INT(InterlockedExchangeAdd(&v, 4), 3);
    KT_EQ_INT(v, 7);
    KT_EQ_INT(InterlockedAnd(&v, 6), 7);
    KT_EQ_INT(InterlockedOr(&v, 8), 6);
    KT_EQ_INT(InterlockedXor(&v, 0xF), 14);
    KT_EQ_INT(v, 1);
    LONG64 w = -1;
    KT_EQ_INT(InterlockedExchange64(&w, 9), -1);
    KT_EQ_INT(InterlockedExchangeAdd64(&w, 1), 9);
    KT_EQ_INT(w, 10);
}

/* CompareExchange returns the initial value and replaces it only when it
 * equals Comperand. */
KT_TEST(InterlockedCompareExchange_replaces_only_on_match)
{
    LONG v = 1;
    KT_EQ_INT(InterlockedCompareExchange(&v, 2, 5), 1);
    KT_EQ_INT(v, 1);
    KT_EQ_INT(InterlockedCompareExchange(&v, 2, 1), 1);
    KT_EQ_INT(v, 2);
    LONG64 w = 1LL << 40;
    KT_EQ_INT(InterlockedCompareExchange64(&w, 3, 1LL << 40), 1LL << 40);
    KT_EQ_INT(w, 3);
    int a, b;
    PVOID p = &a;
    KT_EQ_PTR(InterlockedCompareExchangePointer(&p, &b, NULL), &a);
    KT_EQ_PTR(p, &a);
    KT_EQ_PTR(InterlockedCompareExchangePointer(&p, &b, &a), &a);
    KT_EQ_PTR(p, &b);
    KT_EQ_PTR(InterlockedExchangePointer(&p, NULL), &b);
    KT_EQ_PTR(p, NULL);
}

#define KT_ROUNDS 200000
static LONG kt_counter;
static LONG64 kt_counter64;

static void *kt_hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < KT_ROUNDS; i++) {
        InterlockedIncrement(&kt_counter);
        InterlockedExchangeAdd64(&kt_counter64, 3);
    }
    return NULL;
}

/* Two threads, many increments: none lost. */
KT_TEST(Interlocked_operations_are_atomic_between_threads)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, kt_hammer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    KT_EQ_INT(kt_counter, 2 * KT_ROUNDS);
    KT_EQ_INT(kt_counter64, 6LL * KT_ROUNDS);
}
