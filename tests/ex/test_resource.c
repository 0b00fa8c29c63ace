/* tests/ex/test_resource.c: ERESOURCE: initialization and deletion,
 * exclusive and shared acquisition with their recursion and counts,
 * Wait FALSE answers, the three shared variants' rules with an exclusive
 * waiter, waiter counts, conversion to shared, mutual exclusion between
 * threads, and the misuse reports (0xC4: 0x37, 0x38, 0xD0, 0xD1, 0x100B,
 * 0x1000; 0xE3). Every acquirer is in a critical region, as required. */
#include "ktest.h"

#include <sched.h>
#include <time.h>

#define SECONDS(n) ((LONGLONG)(n) * -10000000)
#define ITERATIONS 20000

static ERESOURCE resource;

static HANDLE start(PKSTART_ROUTINE routine, PVOID context)
{
    HANDLE handle = NULL;
    KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, routine, context), STATUS_SUCCESS);
    return handle;
}

static void join(HANDLE handle)
{
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
}

/* Waits (bounded) until the resource has n waiters of a kind. */
static bool until_waiters(ULONG (NTAPI *count)(PERESOURCE), ULONG n)
{
    for (time_t give_up = time(NULL) + 30; time(NULL) < give_up; sched_yield())
        if (count(&resource) == n)
            return true;
    return false;
}

/* "ExInitializeResourceLite returns STATUS_SUCCESS"; the resource is
 * unowned; ExDeleteResourceLite also returns STATUS_SUCCESS. */
KT_TEST(ExInitializeResourceLite_unowned)
{
    KT_EQ_STATUS(ExInitializeResourceLite(&resource), STATUS_SUCCESS);
    KT_EQ_INT(resource.ActiveEntries, 0);
    KT_EQ_INT(ExIsResourceAcquiredExclusiveLite(&resource), FALSE);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 0);
    KT_EQ_INT(ExGetExclusiveWaiterCount(&resource), 0);
    KT_EQ_INT(ExGetSharedWaiterCount(&resource), 0);
    KT_EQ_STATUS(ExDeleteResourceLite(&resource), STATUS_SUCCESS);
}

/* Exclusive, recursively; shared access by the exclusive owner counts on
 * (exclusive is a subset of shared); each release gives one back. */
KT_TEST(ExAcquireResourceExclusiveLite_recursive)
{
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    KT_EQ_INT(ExAcquireResourceExclusiveLite(&resource, TRUE), TRUE);
    KT_EQ_INT(ExIsResourceAcquiredExclusiveLite(&resource), TRUE);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 1);
    KT_EQ_INT(ExAcquireResourceExclusiveLite(&resource, FALSE), TRUE);
    KT_EQ_INT(ExAcquireResourceSharedLite(&resource, TRUE), TRUE);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 3);
    ExReleaseResourceLite(&resource);
    ExReleaseResourceLite(&resource);
    KT_EQ_INT(ExIsResourceAcquiredExclusiveLite(&resource), TRUE);
    ExReleaseResourceLite(&resource);
    KT_EQ_INT(ExIsResourceAcquiredExclusiveLite(&resource), FALSE);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 0);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&resource);
}

/* Shared, recursively: a count, never exclusive. */
KT_TEST(ExAcquireResourceSharedLite_recursive)
{
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    KT_EQ_INT(ExAcquireResourceSharedLite(&resource, TRUE), TRUE);
    KT_EQ_INT(ExAcquireSharedStarveExclusive(&resource, TRUE), TRUE);
    KT_EQ_INT(ExAcquireSharedWaitForExclusive(&resource, TRUE), TRUE);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 3);
    KT_EQ_INT(ExIsResourceAcquiredExclusiveLite(&resource), FALSE);
    ExReleaseResourceLite(&resource);
    ExReleaseResourceLite(&resource);
    ExReleaseResourceLite(&resource);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 0);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&resource);
}

static KEVENT holding, done;

static VOID NTAPI hold_exclusive(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&resource, TRUE);
    KeSetEvent(&holding, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    ExReleaseResourceLite(&resource);
    KeLeaveCriticalRegion();
}

static VOID NTAPI hold_shared(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&resource, TRUE);
    KeSetEvent(&holding, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    ExReleaseResourceLite(&resource);
    KeLeaveCriticalRegion();
}

static HANDLE start_holder(PKSTART_ROUTINE routine)
{
    KeInitializeEvent(&holding, NotificationEvent, FALSE);
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    HANDLE handle = start(routine, NULL);
    KeWaitForSingleObject(&holding, Executive, KernelMode, FALSE, NULL);
    return handle;
}

/* With Wait FALSE nothing blocks: another thread's exclusive ownership
 * refuses both kinds; its shared ownership admits shared only. */
KT_TEST(ExAcquireResource_wait_false)
{
    HANDLE holder;
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    holder = start_holder(hold_exclusive);
    KT_EQ_INT(ExAcquireResourceSharedLite(&resource, FALSE), FALSE);
    KT_EQ_INT(ExAcquireSharedStarveExclusive(&resource, FALSE), FALSE);
    KT_EQ_INT(ExAcquireResourceExclusiveLite(&resource, FALSE), FALSE);
    KeSetEvent(&done, IO_NO_INCREMENT, FALSE);
    join(holder);

    holder = start_holder(hold_shared);
    KT_EQ_INT(ExAcquireResourceExclusiveLite(&resource, FALSE), FALSE);
    KT_EQ_INT(ExAcquireResourceSharedLite(&resource, FALSE), TRUE);
    KT_EQ_INT(resource.ActiveEntries, 2);
    ExReleaseResourceLite(&resource);
    KeSetEvent(&done, IO_NO_INCREMENT, FALSE);
    join(holder);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&resource);
}

static volatile BOOLEAN got_exclusive;

static VOID NTAPI wait_exclusive(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    got_exclusive = ExAcquireResourceExclusiveLite(&resource, TRUE);
    ExReleaseResourceLite(&resource);
    KeLeaveCriticalRegion();
}

/* Shared while another thread owns it shared and a third waits for
 * exclusive access: ExAcquireResourceSharedLite and
 * ExAcquireSharedWaitForExclusive wait behind the exclusive waiter (FALSE
 * with Wait FALSE), ExAcquireSharedStarveExclusive goes ahead. When the
 * shared owners leave, the exclusive waiter gets it. */
KT_TEST(ExAcquireShared_with_exclusive_waiter)
{
    HANDLE holder, waiter;
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    holder = start_holder(hold_shared);
    got_exclusive = FALSE;
    waiter = start(wait_exclusive, NULL);
    KT_REQUIRE(KT_TRUE(until_waiters(ExGetExclusiveWaiterCount, 1)));
    KT_EQ_INT(ExAcquireResourceSharedLite(&resource, FALSE), FALSE);
    KT_EQ_INT(ExAcquireSharedWaitForExclusive(&resource, FALSE), FALSE);
    KT_EQ_INT(ExAcquireSharedStarveExclusive(&resource, FALSE), TRUE);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 1);
    ExReleaseResourceLite(&resource);
    KeSetEvent(&done, IO_NO_INCREMENT, FALSE);
    join(holder);
    join(waiter);
    KT_EQ_INT(got_exclusive, TRUE);
    KT_EQ_INT(ExGetExclusiveWaiterCount(&resource), 0);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&resource);
}

static volatile ULONG shared_count_seen;

static VOID NTAPI wait_shared(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&resource, TRUE);
    shared_count_seen = ExIsResourceAcquiredSharedLite(&resource);
    ExReleaseResourceLite(&resource);
    KeLeaveCriticalRegion();
}

/* A shared waiter behind the exclusive owner is counted; converting the
 * ownership to shared lets it in while the caller still holds it, with the
 * same count. */
KT_TEST(ExConvertExclusiveToSharedLite_admits_shared_waiters)
{
    HANDLE waiter;
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&resource, TRUE);
    ExAcquireResourceExclusiveLite(&resource, TRUE);
    shared_count_seen = 0;
    waiter = start(wait_shared, NULL);
    KT_REQUIRE(KT_TRUE(until_waiters(ExGetSharedWaiterCount, 1)));
    ExConvertExclusiveToSharedLite(&resource);
    KT_EQ_INT(ExIsResourceAcquiredExclusiveLite(&resource), FALSE);
    KT_EQ_INT(ExIsResourceAcquiredSharedLite(&resource), 2);
    join(waiter);
    KT_EQ_INT(shared_count_seen, 1);
    KT_EQ_INT(ExGetSharedWaiterCount(&resource), 0);
    ExReleaseResourceLite(&resource);
    ExReleaseResourceLite(&resource);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&resource);
}

static volatile LONG counter, readers_saw_odd;

static VOID NTAPI writer(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    for (int i = 0; i < ITERATIONS; i++) {
        ExAcquireResourceExclusiveLite(&resource, TRUE);
        LONG seen = counter;
        counter = seen + 1;
        counter = seen + 2;
        ExReleaseResourceLite(&resource);
    }
    KeLeaveCriticalRegion();
}

static VOID NTAPI reader(PVOID context)
{
    (void)context;
    KeEnterCriticalRegion();
    for (int i = 0; i < ITERATIONS; i++) {
        ExAcquireResourceSharedLite(&resource, TRUE);
        if (counter & 1)
            readers_saw_odd = 1;
        ExReleaseResourceLite(&resource);
    }
    KeLeaveCriticalRegion();
}

/* Two writers lose no update, and a reader never sees a writer's half-done
 * (odd) state. */
KT_TEST(ExAcquireResource_excludes)
{
    HANDLE a, b, r;
    ExInitializeResourceLite(&resource);
    counter = 0;
    readers_saw_odd = 0;
    a = start(writer, NULL);
    b = start(writer, NULL);
    r = start(reader, NULL);
    join(a);
    join(b);
    join(r);
    KT_EQ_INT(counter, 4 * ITERATIONS);
    KT_EQ_INT(readers_saw_odd, 0);
    KT_EQ_INT(resource.ActiveEntries, 0);
    ExDeleteResourceLite(&resource);
}

static void acquire_with_apcs(void *arg)
{
    (void)arg;
    ExInitializeResourceLite(&resource);
    ExAcquireResourceExclusiveLite(&resource, TRUE);
}

static void release_with_apcs(void *arg)
{
    (void)arg;
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&resource, TRUE);
    KeLeaveCriticalRegion();
    ExReleaseResourceLite(&resource);
}

static void initialize_twice(void *arg)
{
    (void)arg;
    ExInitializeResourceLite(&resource);
    ExInitializeResourceLite(&resource);
}

static void delete_uninitialized(void *arg)
{
    (void)arg;
    ERESOURCE never;
    memset(&never, 0, sizeof never);
    ExDeleteResourceLite(&never);
}

static void delete_owned(void *arg)
{
    (void)arg;
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&resource, TRUE);
    ExDeleteResourceLite(&resource);
}

static void release_unowned(void *arg)
{
    (void)arg;
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    ExReleaseResourceLite(&resource);
}

static void shared_then_exclusive(void *arg)
{
    (void)arg;
    ExInitializeResourceLite(&resource);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&resource, TRUE);
    ExAcquireResourceExclusiveLite(&resource, TRUE);
}

/* Verifier: APCs enabled at acquire (0x37: P2 IRQL, P3 the APC disable
 * count, P4 the resource) or release (0x38); a second initialization
 * (0xD0), deleting an uninitialized (0xD1) or owned (0x100B) resource; a
 * shared owner waiting for exclusive access waits for itself (0x1000).
 * Windows: releasing what the thread does not own is 0xE3. */
KT_TEST(ExResource_misuse)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC4, 0x37, acquire_with_apcs, NULL);
    if (out)
        KT_CONTAINS(out, "call KeEnterCriticalRegion first");
    KT_EXPECT_BUGCHECK(0xC4, 0x38, release_with_apcs, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0xD0, initialize_twice, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0xD1, delete_uninitialized, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x100B, delete_owned, NULL);
    KT_EXPECT_BUGCHECK(0xC4, 0x1000, shared_then_exclusive, NULL);
    out = KT_EXPECT_BUGCHECK(0xE3, (ULONG_PTR)&resource, release_unowned, NULL);
    if (out)
        KT_CONTAINS(out, "RESOURCE_NOT_OWNED");
}
