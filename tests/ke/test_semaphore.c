/* tests/ke/test_semaphore.c: semaphores: KeInitializeSemaphore's state,
 * KeReleaseSemaphore's previous count and wakeups, KeReadStateSemaphore,
 * waits taking one count each, the limit (STATUS_SEMAPHORE_LIMIT_EXCEEDED
 * raised), a producer and a consumer thread, and KeWaitForMultipleObjects
 * over every kind of dispatcher object. */
#include "ktest.h"

#define SECONDS(n) ((LONGLONG)(n) * -10000000)
#define ITEMS 20000

static KSEMAPHORE semaphore;

static NTSTATUS wait(PVOID object, LONGLONG timeout)
{
    LARGE_INTEGER t = { .QuadPart = timeout };
    return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &t);
}

static void join(HANDLE handle)
{
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
}

/* Type 5, Size 8 LONGs, the count as SignalState, the limit. */
KT_TEST(KeInitializeSemaphore_state)
{
    KeInitializeSemaphore(&semaphore, 2, 5);
    KT_EQ_INT(semaphore.Header.Type, 5);
    KT_EQ_INT(semaphore.Header.Size, 8);
    KT_EQ_INT(semaphore.Header.SignalState, 2);
    KT_EQ_INT(semaphore.Limit, 5);
    KT_EQ_INT(KeReadStateSemaphore(&semaphore), 2);
}

/* Each satisfied wait takes one; at zero a wait times out. */
KT_TEST(KeWaitForSingleObject_semaphore_counts_down)
{
    KeInitializeSemaphore(&semaphore, 2, 5);
    KT_EQ_STATUS(wait(&semaphore, 0), STATUS_SUCCESS);
    KT_EQ_STATUS(wait(&semaphore, 0), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateSemaphore(&semaphore), 0);
    KT_EQ_STATUS(wait(&semaphore, 0), STATUS_TIMEOUT);
}

/* KeReleaseSemaphore adds Adjustment and returns the previous count
 * ("zero: the previous state was not-signaled"); up to the limit itself
 * is allowed. */
KT_TEST(KeReleaseSemaphore_previous_count)
{
    KeInitializeSemaphore(&semaphore, 0, 5);
    KT_EQ_INT(KeReleaseSemaphore(&semaphore, SEMAPHORE_INCREMENT, 1, FALSE), 0);
    KT_EQ_INT(KeReleaseSemaphore(&semaphore, SEMAPHORE_INCREMENT, 4, FALSE), 1);
    KT_EQ_INT(KeReadStateSemaphore(&semaphore), 5);
}

static void exceed_limit(void *arg)
{
    (void)arg;
    KeInitializeSemaphore(&semaphore, 4, 5);
    KeReleaseSemaphore(&semaphore, SEMAPHORE_INCREMENT, 2, FALSE);
}

/* "If the resulting value is greater than the limit of the semaphore
 * object, the count is not adjusted and an exception,
 * STATUS_SEMAPHORE_LIMIT_EXCEEDED, is raised": unhandled, bug check 0x7E. */
KT_TEST(KeReleaseSemaphore_limit_exceeded)
{
    const char *out = KT_EXPECT_BUGCHECK(0x7E, (ULONG)STATUS_SEMAPHORE_LIMIT_EXCEEDED, exceed_limit, NULL);
    if (out)
        KT_CONTAINS(out, "Adjustment 2): count 4, limit 5");
}

static volatile LONG consumed_sum;
static LONG buffer[ITEMS];
static KSEMAPHORE filled;

static VOID NTAPI produce(PVOID context)
{
    (void)context;
    for (LONG i = 0; i < ITEMS; i++) {
        buffer[i] = i + 1;
        KeReleaseSemaphore(&filled, SEMAPHORE_INCREMENT, 1, FALSE);
    }
}

static VOID NTAPI consume(PVOID context)
{
    (void)context;
    for (LONG i = 0; i < ITEMS; i++) {
        if (wait(&filled, SECONDS(60)) != STATUS_SUCCESS)
            return;
        consumed_sum += buffer[i];
    }
}

/* A producer releases one count per item, a consumer waits for each:
 * every item arrives, and the count ends at 0. */
KT_TEST(KeReleaseSemaphore_producer_consumer)
{
    HANDLE p, c;
    KeInitializeSemaphore(&filled, 0, ITEMS);
    consumed_sum = 0;
    KT_EQ_STATUS(PsCreateSystemThread(&c, 0, NULL, NULL, NULL, consume, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(PsCreateSystemThread(&p, 0, NULL, NULL, NULL, produce, NULL), STATUS_SUCCESS);
    join(p);
    join(c);
    KT_EQ_INT(consumed_sum, (LONG)ITEMS * (ITEMS + 1) / 2);
    KT_EQ_INT(KeReadStateSemaphore(&filled), 0);
}

static volatile LONG woken;

static VOID NTAPI wait_once(PVOID context)
{
    (void)context;
    if (wait(&semaphore, SECONDS(60)) == STATUS_SUCCESS)
        __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
}

/* "An attempt is made to satisfy as many waits as possible": a release of
 * 2 wakes two waiters. */
KT_TEST(KeReleaseSemaphore_wakes_as_many_as_count)
{
    HANDLE a, b;
    KeInitializeSemaphore(&semaphore, 0, 10);
    woken = 0;
    KT_EQ_STATUS(PsCreateSystemThread(&a, 0, NULL, NULL, NULL, wait_once, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(PsCreateSystemThread(&b, 0, NULL, NULL, NULL, wait_once, NULL), STATUS_SUCCESS);
    KT_EQ_INT(KeReleaseSemaphore(&semaphore, SEMAPHORE_INCREMENT, 2, FALSE), 0);
    join(a);
    join(b);
    KT_EQ_INT(woken, 2);
    KT_EQ_INT(KeReadStateSemaphore(&semaphore), 0);
}

static VOID NTAPI nothing(PVOID context)
{
    (void)context;
}

/* KeWaitForMultipleObjects over every kind: event, mutex, semaphore and
 * a thread that has ended; WaitAny gives the first signalled index,
 * WaitAll takes them all at once. */
KT_TEST(KeWaitForMultipleObjects_every_kind)
{
    KEVENT event;
    KMUTEX mutex;
    KWAIT_BLOCK blocks[4];
    HANDLE handle;
    PVOID thread;
    LARGE_INTEGER zero = { .QuadPart = 0 };

    KT_REQUIRE(KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, nothing, NULL), STATUS_SUCCESS));
    KT_REQUIRE(KT_EQ_STATUS(ObReferenceObjectByHandle(handle, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, NULL),
                            STATUS_SUCCESS));
    join(handle);
    KeInitializeEvent(&event, SynchronizationEvent, FALSE);
    KeInitializeMutex(&mutex, 0);
    KeInitializeSemaphore(&semaphore, 0, 1);
    PVOID objects[4] = { &event, &semaphore, &mutex, thread };
    KT_EQ_STATUS(KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_TIMEOUT);
    KT_EQ_STATUS(KeWaitForMultipleObjects(4, objects, WaitAny, Executive, KernelMode, FALSE, &zero, blocks),
                 STATUS_WAIT_2);
    KeReleaseMutex(&mutex, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(4, objects, WaitAll, Executive, KernelMode, FALSE, &zero, blocks),
                 STATUS_TIMEOUT);
    KeSetEvent(&event, IO_NO_INCREMENT, FALSE);
    KeReleaseSemaphore(&semaphore, SEMAPHORE_INCREMENT, 1, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(4, objects, WaitAll, Executive, KernelMode, FALSE, &zero, blocks),
                 STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateEvent(&event), 0);
    KT_EQ_INT(KeReadStateSemaphore(&semaphore), 0);
    KT_EQ_PTR(mutex.OwnerThread, KeGetCurrentThread());
    KeReleaseMutex(&mutex, FALSE);
    ObDereferenceObject(thread);
}
