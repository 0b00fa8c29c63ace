/* tests/ex/test_rundown.c: rundown protection: references counted in the
 * word, refused once a rundown begins, ExWaitForRundownProtectionRelease
 * waiting for another thread's release, ExRundownCompleted and
 * ExReInitializeRundownProtection, and a release after the rundown
 * (reported as a warning). */
#include "ktest.h"

#include <sched.h>
#include <time.h>

#define SECONDS(n) ((LONGLONG)(n) * -10000000)

static EX_RUNDOWN_REF ref;

/* References count two apiece in Count; released, it is 0 again. */
KT_TEST(ExAcquireRundownProtection_counts)
{
    ref.Count = 0xCC;
    ExInitializeRundownProtection(&ref);
    KT_EQ_HEX(ref.Count, 0);
    KT_EQ_INT(ExAcquireRundownProtection(&ref), TRUE);
    KT_EQ_HEX(ref.Count, 2);
    KT_EQ_INT(ExAcquireRundownProtectionEx(&ref, 3), TRUE);
    KT_EQ_HEX(ref.Count, 8);
    ExReleaseRundownProtectionEx(&ref, 3);
    ExReleaseRundownProtection(&ref);
    KT_EQ_HEX(ref.Count, 0);
}

/* Without references the wait returns at once; afterwards no reference is
 * granted until ExReInitializeRundownProtection. */
KT_TEST(ExWaitForRundownProtectionRelease_no_references)
{
    ExInitializeRundownProtection(&ref);
    ExWaitForRundownProtectionRelease(&ref);
    KT_EQ_HEX(ref.Count, 1);
    KT_EQ_INT(ExAcquireRundownProtection(&ref), FALSE);
    KT_EQ_INT(ExAcquireRundownProtectionEx(&ref, 2), FALSE);
    ExReInitializeRundownProtection(&ref);
    KT_EQ_INT(ExAcquireRundownProtection(&ref), TRUE);
    ExReleaseRundownProtection(&ref);
}

/* ExRundownCompleted: the rundown is over; nothing is granted. */
KT_TEST(ExRundownCompleted_refuses)
{
    ExInitializeRundownProtection(&ref);
    ExRundownCompleted(&ref);
    KT_EQ_HEX(ref.Count, 1);
    KT_EQ_INT(ExAcquireRundownProtection(&ref), FALSE);
}

static volatile BOOLEAN released;

static VOID NTAPI release_when_rundown_starts(PVOID context)
{
    (void)context;
    for (time_t give_up = time(NULL) + 30; time(NULL) < give_up; sched_yield())
        if (__atomic_load_n(&ref.Count, __ATOMIC_RELAXED) & 1)
            break;
    /* A new reference is refused during the rundown. */
    if (ExAcquireRundownProtection(&ref))
        return;
    released = TRUE;
    ExReleaseRundownProtectionEx(&ref, 2);
}

/* The wait lasts until the references another thread holds are released. */
KT_TEST(ExWaitForRundownProtectionRelease_waits_for_release)
{
    HANDLE handle;
    LARGE_INTEGER timeout = { .QuadPart = SECONDS(60) };
    ExInitializeRundownProtection(&ref);
    released = FALSE;
    KT_EQ_INT(ExAcquireRundownProtectionEx(&ref, 2), TRUE);
    KT_EQ_STATUS(PsCreateSystemThread(&handle, 0, NULL, NULL, NULL, release_when_rundown_starts, NULL),
                 STATUS_SUCCESS);
    ExWaitForRundownProtectionRelease(&ref);
    KT_EQ_INT(released, TRUE);
    KT_EQ_HEX(ref.Count, 1);
    KT_EQ_STATUS(ZwWaitForSingleObject(handle, FALSE, &timeout), STATUS_SUCCESS);
    ZwClose(handle);
}

static void release_after_rundown(void *arg)
{
    (void)arg;
    ExInitializeRundownProtection(&ref);
    ExWaitForRundownProtectionRelease(&ref);
    ExReleaseRundownProtection(&ref);
}

/* A reference released after the rundown completed is the driver's bug;
 * ntbox warns instead of touching the finished wait. */
KT_TEST(ExReleaseRundownProtection_after_rundown)
{
    int status;
    const char *out = kt_run_child(release_after_rundown, NULL, &status);
    KT_EQ_INT(status, 0);
    KT_CONTAINS(out, "warning: ExReleaseRundownProtection(");
}
