/* tests/ex/test_push_lock.c: push locks: the lock word's states (free,
 * exclusive, shared counts), the Try forms, ExReleasePushLock for either
 * kind, mutual exclusion between threads, and the misuse reports (0xC4:
 * 0xEA, 0xEB, 0x1007). */
#include "ktest.h"

#define SECONDS(n) ((LONGLONG)(n) * -10000000)
#define ITERATIONS 50000

static EX_PUSH_LOCK lock;

static void join(HANDLE handle)
{
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
}

/* Free is 0; exclusive sets Locked; shared owners count in Shared. */
KT_TEST(ExPushLock_states)
{
    lock.Value = 0xCC;
    ExInitializePushLock(&lock);
    KT_EQ_HEX(lock.Value, 0);
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&lock);
    KT_EQ_INT(lock.Locked, 1);
    ExReleasePushLockExclusive(&lock);
    KT_EQ_HEX(lock.Value, 0);
    ExAcquirePushLockShared(&lock);
    ExAcquirePushLockShared(&lock);
    KT_EQ_INT(lock.Locked, 0);
    KT_EQ_INT(lock.Shared, 2);
    ExReleasePushLockShared(&lock);
    ExReleasePushLock(&lock);
    KT_EQ_HEX(lock.Value, 0);
    KeLeaveCriticalRegion();
}

/* Try: exclusive only when free, shared unless held exclusively. */
KT_TEST(ExTryAcquirePushLock_rules)
{
    ExInitializePushLock(&lock);
    KeEnterCriticalRegion();
    KT_EQ_INT(ExTryAcquirePushLockShared(&lock), TRUE);
    KT_EQ_INT(ExTryAcquirePushLockExclusive(&lock), FALSE);
    KT_EQ_INT(ExTryAcquirePushLockShared(&lock), TRUE);
    ExReleasePushLockShared(&lock);
    ExReleasePushLockShared(&lock);
    KT_EQ_INT(ExTryAcquirePushLockExclusive(&lock), TRUE);
    KT_EQ_INT(ExTryAcquirePushLockShared(&lock), FALSE);
    KT_EQ_INT(ExTryAcquirePushLockExclusive(&lock), FALSE);
    ExReleasePushLock(&lock);
    KT_EQ_HEX(lock.Value, 0);
    KeLeaveCriticalRegion();
}

static volatile LONG counter, readers_saw_odd;

static VOID NTAPI writer(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    for (int i = 0; i < ITERATIONS; i++) {
        ExAcquirePushLockExclusive(&lock);
        LONG seen = counter;
        counter = seen + 1;
        counter = seen + 2;
        ExReleasePushLockExclusive(&lock);
    }
    KeLeaveCriticalRegion();
}

static VOID NTAPI reader(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    for (int i = 0; i < ITERATIONS; i++) {
        ExAcquirePushLockShared(&lock);
        if (counter & 1)
            readers_saw_odd = 1;
        ExReleasePushLockShared(&lock);
    }
    KeLeaveCriticalRegion();
}

/* Two writers and a reader: no lost update, no half-done state seen. */
KT_TEST(ExPushLock_excludes)
{
    HANDLE a, b, r;
    ExInitializePushLock(&lock);
    counter = 0;
    readers_saw_odd = 0;
    KT_EQ_STATUS(PsCreateSystemThread(&a, 0, NULL, NULL, NULL, writer, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(PsCreateSystemThread(&b, 0, NULL, NULL, NULL, writer, NULL), STATUS_SUCCESS);
    KT_EQ_STATUS(PsCreateSystemThread(&r, 0, NULL, NULL, NULL, reader, NULL), STATUS_SUCCESS);
    join(a);
    join(b);
    join(r);
    KT_EQ_INT(counter, 4 * ITERATIONS);
    KT_EQ_INT(readers_saw_odd, 0);
    KT_EQ_HEX(lock.Value, 0);
}

static void acquire_with_apcs(void *arg)
{
    (void)arg;
    ExInitializePushLock(&lock);
    ExAcquirePushLockShared(&lock);
}

static void release_with_apcs(void *arg)
{
    (void)arg;
    ExInitializePushLock(&lock);
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&lock);
    KeLeaveCriticalRegion();
    ExReleasePushLockExclusive(&lock);
}

static void release_free(void *arg)
{
    (void)arg;
    ExInitializePushLock(&lock);
    KeEnterCriticalRegion();
    ExReleasePushLockShared(&lock);
}

/* Verifier: a push lock acquired (0xEA) or released (0xEB) with normal
 * kernel APCs enabled (P2 the IRQL, P3 the APC disable count, P4 the
 * lock); released when not held (0x1007). */
KT_TEST(ExPushLock_misuse)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0xEA, acquire_with_apcs, NULL);
    if (out)
        KT_CONTAINS(out, "ExAcquirePushLockShared(0x");
    KT_EXPECT_BUGCHECK(0xC4, 0xEB, release_with_apcs, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x1007, release_free, NULL);
}
