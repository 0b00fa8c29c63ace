/* tests/ke/test_mutex.c: kernel mutexes: KeInitializeMutex's state,
 * acquisition by a wait (owner, APCs disabled, IRQL unchanged), recursion
 * and KeReleaseMutex's return values, KeReadStateMutex, waiting threads
 * served in turn, a counter two threads update under the mutex, and the
 * misuse reports (0xC4/0x1004 and 0x1007). */
#include "ktest.h"

#define SECONDS(n) ((LONGLONG)(n) * -10000000)
#define ITERATIONS 20000

static KMUTEX mutex;

static NTSTATUS wait(PVOID object, LONGLONG timeout)
{
    LARGE_INTEGER t = { .QuadPart = timeout };
    return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &t);
}

static HANDLE start(PKSTART_ROUTINE routine, PVOID context)
{
    HANDLE handle = NULL;
    KT_EQ_STATUS(PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, routine, context),
                 STATUS_SUCCESS);
    return handle;
}

static void join(HANDLE handle)
{
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
}

/* "The mutex object is initialized with an initial state of signaled":
 * Type 2 (a mutant), Size 14 LONGs, no owner, ApcDisable 1. */
KT_TEST(KeInitializeMutex_signalled)
{
    memset(&mutex, 0xCC, sizeof mutex);
    KeInitializeMutex(&mutex, 0);
    KT_EQ_INT(mutex.Header.Type, 2);
    KT_EQ_INT(mutex.Header.Size, 14);
    KT_EQ_INT(mutex.Header.SignalState, 1);
    KT_EQ_PTR(mutex.Header.WaitListHead.Flink, &mutex.Header.WaitListHead);
    KT_EQ_PTR(mutex.OwnerThread, NULL);
    KT_EQ_INT(mutex.Abandoned, 0);
    KT_EQ_INT(mutex.ApcDisable, 1);
    KT_EQ_INT(KeReadStateMutex(&mutex), 1);
}

/* A wait acquires it: the owner is the caller, normal kernel APCs are
 * disabled, the IRQL does not change; the release returns the previous
 * state, 0: "the mutex object was released and attained a state of
 * signaled". */
KT_TEST(KeReleaseMutex_after_wait)
{
    KeInitializeMutex(&mutex, 0);
    KT_EQ_STATUS(KeWaitForMutexObject(&mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ_PTR(mutex.OwnerThread, KeGetCurrentThread());
    KT_EQ_INT(KeReadStateMutex(&mutex), 0);
    KT_TRUE(KeAreApcsDisabled());
    KT_EQ_INT(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ_INT(KeReleaseMutex(&mutex, FALSE), 0);
    KT_EQ_INT(KeReadStateMutex(&mutex), 1);
    KT_EQ_PTR(mutex.OwnerThread, NULL);
    KT_FALSE(KeAreApcsDisabled());
}

/* "If a mutex is acquired recursively, the holding thread must call
 * KeReleaseMutex as many times as it acquired the mutex": the state goes
 * 1, 0, -1 and back. */
KT_TEST(KeReleaseMutex_recursive)
{
    KeInitializeMutex(&mutex, 0);
    KT_EQ_STATUS(wait(&mutex, 0), STATUS_SUCCESS);
    KT_EQ_STATUS(wait(&mutex, 0), STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateMutex(&mutex), -1);
    KT_EQ_INT(KeReleaseMutex(&mutex, FALSE), -1);
    KT_EQ_PTR(mutex.OwnerThread, KeGetCurrentThread());
    KT_TRUE(KeAreApcsDisabled());
    KT_EQ_INT(KeReleaseMutex(&mutex, FALSE), 0);
    KT_FALSE(KeAreApcsDisabled());
}

static KEVENT owned, give_back;

static VOID NTAPI hold_mutex(PVOID context)
{
    (void)context;
    wait(&mutex, SECONDS(60));
    KeSetEvent(&owned, IO_NO_INCREMENT, FALSE);
    wait(&give_back, SECONDS(60));
    KeReleaseMutex(&mutex, FALSE);
}

/* While another thread owns it, a zero-timeout wait times out; after the
 * owner's release a waiter gets it. */
KT_TEST(KeWaitForSingleObject_mutex_owned_elsewhere)
{
    HANDLE handle;
    KeInitializeMutex(&mutex, 0);
    KeInitializeEvent(&owned, NotificationEvent, FALSE);
    KeInitializeEvent(&give_back, NotificationEvent, FALSE);
    KT_REQUIRE((handle = start(hold_mutex, NULL)) != NULL);
    KT_EQ_STATUS(wait(&owned, SECONDS(60)), STATUS_SUCCESS);
    KT_EQ_STATUS(wait(&mutex, 0), STATUS_TIMEOUT);
    KT_FALSE(KeAreApcsDisabled());
    KeSetEvent(&give_back, IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(wait(&mutex, SECONDS(60)), STATUS_SUCCESS);
    KT_EQ_PTR(mutex.OwnerThread, KeGetCurrentThread());
    KT_EQ_INT(KeReleaseMutex(&mutex, FALSE), 0);
    join(handle);
}

static volatile LONG counter;

static VOID NTAPI count_under_mutex(PVOID context)
{
    (void)context;
    for (int i = 0; i < ITERATIONS; i++) {
        KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, NULL);
        LONG seen = counter;
        counter = seen + 1;
        KeReleaseMutex(&mutex, FALSE);
    }
}

/* Mutual exclusion: two threads' read-modify-write under the mutex lose
 * no update. */
KT_TEST(KeMutex_excludes)
{
    HANDLE a, b;
    KeInitializeMutex(&mutex, 0);
    counter = 0;
    a = start(count_under_mutex, NULL);
    b = start(count_under_mutex, NULL);
    join(a);
    join(b);
    KT_EQ_INT(counter, 2 * ITERATIONS);
    KT_EQ_INT(KeReadStateMutex(&mutex), 1);
}

/* WaitAny over an event and a mutex: the mutex (index 1) is taken. */
KT_TEST(KeWaitForMultipleObjects_mutex_any)
{
    KEVENT event;
    PVOID objects[2] = { &event, &mutex };
    LARGE_INTEGER zero = { .QuadPart = 0 };
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    KeInitializeMutex(&mutex, 0);
    KT_EQ_STATUS(KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_WAIT_1);
    KT_EQ_PTR(mutex.OwnerThread, KeGetCurrentThread());
    /* The owner's WaitAll with it and a signalled event succeeds. */
    KeSetEvent(&event, IO_NO_INCREMENT, FALSE);
    KT_EQ_STATUS(KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_SUCCESS);
    KT_EQ_INT(KeReadStateMutex(&mutex), -1);
    KeReleaseMutex(&mutex, FALSE);
    KeReleaseMutex(&mutex, FALSE);
}

static void release_unowned(void *arg)
{
    (void)arg;
    KeInitializeMutex(&mutex, 0);
    KeReleaseMutex(&mutex, FALSE);
}

static void release_owned_elsewhere(void *arg)
{
    (void)arg;
    KeInitializeMutex(&mutex, 0);
    KeInitializeEvent(&owned, NotificationEvent, FALSE);
    KeInitializeEvent(&give_back, NotificationEvent, FALSE);
    start(hold_mutex, NULL);
    wait(&owned, SECONDS(60));
    KeReleaseMutex(&mutex, FALSE);
}

/* "A mutex object can be released only by the thread that currently holds
 * the mutex": Driver Verifier's deadlock detection stops a release by
 * another thread (0xC4/0x1004: the mutex, its owner, the caller) or of a
 * mutex no one holds (0x1007), where Windows alone raises
 * STATUS_MUTANT_NOT_OWNED. */
KT_TEST(KeReleaseMutex_not_owner)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x1004, release_owned_elsewhere, NULL);
    if (out)
        KT_CONTAINS(out, "only the owner can release it");
    out = KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_unowned, NULL);
    if (out)
        KT_CONTAINS(out, "the mutex is not held by any thread");
}
