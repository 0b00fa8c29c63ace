/* tests/ex/test_timer.c: executive timers: ExAllocateTimer, ExSetTimer,
 * ExCancelTimer, ExDeleteTimer and their parameter initializers: return
 * values, waits on the timer object (notification and synchronization),
 * the callback (IRQL, arguments), periodic expiry, deletion with and
 * without Cancel and Wait and its delete callback, the unload check naming
 * a timer still set by its callback, and the misuses that bug check.
 * Everything synchronises on events; nothing sleeps. */
#include "ktest.h"

#include "ke/deferred.h"
#include "loader/module.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#define MS(n) ((LONGLONG)(n) * -10000)
#define HOUR MS(3600000)

static NTSTATUS wait_for(PVOID object, LONGLONG timeout)
{
    LARGE_INTEGER t = { .QuadPart = timeout };
    return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &t);
}

struct expiries {
    KEVENT reached;       /* set once `target` callbacks ran */
    LONG count;
    LONG target;
    KIRQL irql;
    PEX_TIMER timer;      /* what the callback was given */
};

static VOID NTAPI count_expiry(PEX_TIMER timer, PVOID context)
{
    struct expiries *e = context;
    e->irql = KeGetCurrentIrql();
    e->timer = timer;
    if (InterlockedIncrement(&e->count) == e->target)
        KeSetEvent(&e->reached, IO_NO_INCREMENT, FALSE);
}

static void expiries_init(struct expiries *e, LONG target)
{
    memset(e, 0, sizeof *e);
    KeInitializeEvent(&e->reached, NotificationEvent, FALSE);
    e->target = target;
}

static VOID NTAPI note_deleted(PVOID context)
{
    struct expiries *e = context;
    e->irql = KeGetCurrentIrql();
    KeSetEvent(&e->reached, IO_NO_INCREMENT, FALSE);
}

/* The initializers zero the structures: version 0, no tolerance, no
 * delete callback. */
KT_TEST(ExInitializeTimerParameters_zero)
{
    EXT_SET_PARAMETERS set;
    EXT_DELETE_PARAMETERS del;
    memset(&set, 0xCC, sizeof set);
    memset(&del, 0xCC, sizeof del);
    ExInitializeSetTimerParameters(&set);
    ExInitializeDeleteTimerParameters(&del);
    KT_EQ_INT(set.Version, 0);
    KT_EQ_INT(set.NoWakeTolerance, 0);
    KT_EQ_INT(del.Version, 0);
    KT_EQ_PTR(del.DeleteCallback, NULL);
    KT_EQ_PTR(del.DeleteContext, NULL);
}

/* ExSetTimer returns FALSE for a timer that was not pending, TRUE when it
 * cancels a pending one; ExCancelTimer TRUE for a pending timer, then
 * FALSE. A cancelled timer is not signalled. */
KT_TEST(ExSetTimer_and_ExCancelTimer_return_whether_pending)
{
    PEX_TIMER timer = ExAllocateTimer(NULL, NULL, 0);
    KT_REQUIRE(KT_TRUE(timer != NULL));
    KT_EQ_INT(ExCancelTimer(timer, NULL), FALSE);
    KT_EQ_INT(ExSetTimer(timer, HOUR, 0, NULL), FALSE);
    KT_EQ_INT(ExSetTimer(timer, HOUR, 0, NULL), TRUE);
    KT_EQ_INT(ExCancelTimer(timer, NULL), TRUE);
    KT_EQ_INT(ExCancelTimer(timer, NULL), FALSE);
    KT_EQ_STATUS(wait_for(timer, 0), STATUS_TIMEOUT);
    KT_EQ_INT(ExDeleteTimer(timer, TRUE, TRUE, NULL), FALSE);
}

/* An expired one-shot timer is no longer pending: setting it again
 * returns FALSE. */
KT_TEST(ExSetTimer_after_expiry_returns_false)
{
    PEX_TIMER timer = ExAllocateTimer(NULL, NULL, EX_TIMER_NOTIFICATION);
    KT_REQUIRE(KT_TRUE(timer != NULL));
    KT_EQ_INT(ExSetTimer(timer, MS(1), 0, NULL), FALSE);
    KT_EQ_STATUS(wait_for(timer, MS(10000)), STATUS_SUCCESS);
    KT_EQ_INT(ExSetTimer(timer, HOUR, 0, NULL), FALSE);
    KT_EQ_INT(ExDeleteTimer(timer, TRUE, TRUE, NULL), TRUE);
}

/* A notification timer stays signalled after a wait; a synchronization
 * timer (no EX_TIMER_NOTIFICATION) releases one wait and resets. */
KT_TEST(ExTimer_is_waitable)
{
    PEX_TIMER notification = ExAllocateTimer(NULL, NULL, EX_TIMER_NOTIFICATION | EX_TIMER_HIGH_RESOLUTION);
    PEX_TIMER synchronization = ExAllocateTimer(NULL, NULL, 0);
    KT_REQUIRE(KT_TRUE(notification && synchronization));
    ExSetTimer(notification, MS(2), 0, NULL);
    ExSetTimer(synchronization, MS(2), 0, NULL);
    KT_EQ_STATUS(wait_for(notification, MS(10000)), STATUS_SUCCESS);
    KT_EQ_STATUS(wait_for(notification, 0), STATUS_SUCCESS);
    KT_EQ_STATUS(wait_for(synchronization, MS(10000)), STATUS_SUCCESS);
    KT_EQ_STATUS(wait_for(synchronization, 0), STATUS_TIMEOUT);
    ExDeleteTimer(notification, TRUE, TRUE, NULL);
    ExDeleteTimer(synchronization, TRUE, TRUE, NULL);
}

/* The callback runs at DISPATCH_LEVEL with the timer and its context. */
KT_TEST(ExTimer_callback_arguments)
{
    struct expiries e;
    expiries_init(&e, 1);
    PEX_TIMER timer = ExAllocateTimer(count_expiry, &e, EX_TIMER_NO_WAKE);
    EXT_SET_PARAMETERS params;
    KT_REQUIRE(KT_TRUE(timer != NULL));
    ExInitializeSetTimerParameters(&params);
    params.NoWakeTolerance = EX_TIMER_UNLIMITED_TOLERANCE;
    KT_EQ_INT(ExSetTimer(timer, MS(1), 0, &params), FALSE);
    KT_EQ_STATUS(wait_for(&e.reached, MS(10000)), STATUS_SUCCESS);
    KT_EQ_INT(e.irql, DISPATCH_LEVEL);
    KT_EQ_PTR(e.timer, timer);
    ExDeleteTimer(timer, TRUE, TRUE, NULL);
    KT_EQ_INT(e.count, 1);
}

/* A periodic timer (Period in 100 ns units) keeps expiring until
 * cancelled; ExCancelTimer then returns TRUE. */
KT_TEST(ExSetTimer_periodic)
{
    struct expiries e;
    expiries_init(&e, 5);
    PEX_TIMER timer = ExAllocateTimer(count_expiry, &e, EX_TIMER_HIGH_RESOLUTION);
    KT_REQUIRE(KT_TRUE(timer != NULL));
    ExSetTimer(timer, MS(1), 10000, NULL);
    KT_EQ_STATUS(wait_for(&e.reached, MS(10000)), STATUS_SUCCESS);
    KT_EQ_INT(ExCancelTimer(timer, NULL), TRUE);
    ExDeleteTimer(timer, TRUE, TRUE, NULL);
    KT_TRUE(e.count >= 5);
}

/* What a deletion did: ExDeleteTimer's value, the callbacks that ran, the
 * wait for the delete callback (with Wait TRUE it ran before the return,
 * so a zero timeout finds it) and that callback's IRQL. */
struct deletion {
    BOOLEAN returned;
    LONG expiries;
    NTSTATUS deleted;
    KIRQL delete_irql;
};

/* Sets a timer with a counting callback (not when due is 0), then deletes
 * it with Cancel and Wait and a delete callback. */
static struct deletion delete_timer(LONGLONG due, LONGLONG period, BOOLEAN cancel, BOOLEAN wait)
{
    struct expiries e, deleted;
    EXT_DELETE_PARAMETERS params;
    struct deletion d = { .deleted = STATUS_PENDING };

    expiries_init(&e, 1);
    expiries_init(&deleted, 1);
    PEX_TIMER timer = ExAllocateTimer(count_expiry, &e, 0);
    if (!KT_TRUE(timer != NULL))
        return d;
    ExInitializeDeleteTimerParameters(&params);
    params.DeleteCallback = note_deleted;
    params.DeleteContext = &deleted;
    if (due)
        ExSetTimer(timer, due, period, NULL);
    d.returned = ExDeleteTimer(timer, cancel, wait, &params);
    d.deleted = wait_for(&deleted.reached, wait ? 0 : MS(10000));
    d.expiries = e.count;
    d.delete_irql = deleted.irql;
    return d;
}

/* Cancel TRUE, Wait TRUE on a pending timer: TRUE, no expiry, and the
 * delete callback has run, at DISPATCH_LEVEL, when it returns. */
KT_TEST(ExDeleteTimer_cancel_wait)
{
    struct deletion d = delete_timer(HOUR, 0, TRUE, TRUE);
    KT_EQ_INT(d.returned, TRUE);
    KT_EQ_STATUS(d.deleted, STATUS_SUCCESS);
    KT_EQ_INT(d.delete_irql, DISPATCH_LEVEL);
    KT_EQ_INT(d.expiries, 0);
}

/* Cancel FALSE: the return is FALSE, the pending timer still expires
 * (its callback runs) and only then is the timer deleted. */
KT_TEST(ExDeleteTimer_without_cancel_lets_it_expire)
{
    struct deletion d = delete_timer(MS(20), 0, FALSE, FALSE);
    KT_EQ_INT(d.returned, FALSE);
    KT_EQ_STATUS(d.deleted, STATUS_SUCCESS);
    KT_EQ_INT(d.expiries, 1);
}

/* A periodic timer deleted without Cancel expires once more, then goes. */
KT_TEST(ExDeleteTimer_periodic_without_cancel)
{
    struct deletion d = delete_timer(MS(20), 10000, FALSE, FALSE);
    KT_EQ_INT(d.returned, FALSE);
    KT_EQ_STATUS(d.deleted, STATUS_SUCCESS);
    KT_TRUE(d.expiries >= 1);
}

/* Cancel TRUE, Wait FALSE on a timer never set: FALSE; the timer is gone
 * later, as the delete callback tells. */
KT_TEST(ExDeleteTimer_cancel_no_wait)
{
    struct deletion d = delete_timer(0, 0, TRUE, FALSE);
    KT_EQ_INT(d.returned, FALSE);
    KT_EQ_STATUS(d.deleted, STATUS_SUCCESS);
    KT_EQ_INT(d.expiries, 0);
}

/* Once ExDeleteTimer was called, ExSetTimer, ExCancelTimer and a second
 * ExDeleteTimer return FALSE and do nothing. The callback deletes its
 * timer with Wait FALSE (allowed at DISPATCH_LEVEL) and tries the others
 * while the timer still exists. */
struct self_delete {
    KEVENT done;
    BOOLEAN set, cancel, again;
};

static VOID NTAPI delete_self(PEX_TIMER timer, PVOID context)
{
    struct self_delete *s = context;
    ExDeleteTimer(timer, TRUE, FALSE, NULL);
    s->set = ExSetTimer(timer, MS(1), 0, NULL);
    s->cancel = ExCancelTimer(timer, NULL);
    s->again = ExDeleteTimer(timer, TRUE, FALSE, NULL);
    KeSetEvent(&s->done, IO_NO_INCREMENT, FALSE);
}

KT_TEST(ExDeleteTimer_disables_the_timer)
{
    struct self_delete s = { .set = TRUE, .cancel = TRUE, .again = TRUE };
    KeInitializeEvent(&s.done, NotificationEvent, FALSE);
    PEX_TIMER timer = ExAllocateTimer(delete_self, &s, 0);
    KT_REQUIRE(KT_TRUE(timer != NULL));
    ExSetTimer(timer, MS(1), 0, NULL);
    KT_EQ_STATUS(wait_for(&s.done, MS(10000)), STATUS_SUCCESS);
    KT_EQ_INT(s.set, FALSE);
    KT_EQ_INT(s.cancel, FALSE);
    KT_EQ_INT(s.again, FALSE);
    KeFlushQueuedDpcs();
}

static void allocate_both_kinds(void *arg)
{
    (void)arg;
    ExAllocateTimer(NULL, NULL, EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE);
}

static void set_absolute_high_resolution(void *arg)
{
    (void)arg;
    ExSetTimer(ExAllocateTimer(NULL, NULL, EX_TIMER_HIGH_RESOLUTION), 1, 0, NULL);
}

static void set_negative_period(void *arg)
{
    (void)arg;
    ExSetTimer(ExAllocateTimer(NULL, NULL, 0), HOUR, -1, NULL);
}

static void set_negative_tolerance(void *arg)
{
    EXT_SET_PARAMETERS params;
    (void)arg;
    ExInitializeSetTimerParameters(&params);
    params.NoWakeTolerance = -2;
    ExSetTimer(ExAllocateTimer(NULL, NULL, EX_TIMER_NO_WAKE), HOUR, 0, &params);
}

static void wait_without_cancel(void *arg)
{
    (void)arg;
    ExDeleteTimer(ExAllocateTimer(NULL, NULL, 0), FALSE, TRUE, NULL);
}

static void wait_at_dispatch(void *timer)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExDeleteTimer(timer, TRUE, TRUE, NULL);
}

/* The documented bug checks: both resolution flags, an absolute due time
 * on a high-resolution timer, a negative period or tolerance, Wait without
 * Cancel (0xC7, parameter 1 0); Wait at DISPATCH_LEVEL (0xA, parameter 1
 * the timer). */
KT_TEST(ExTimer_misuse_bug_checks)
{
    const char *out = KT_EXPECT_BUGCHECK(0xC7, 0, allocate_both_kinds, NULL);
    if (out)
        KT_CONTAINS(out, "ExAllocateTimer: Attributes");
    out = KT_EXPECT_BUGCHECK(0xC7, 0, set_absolute_high_resolution, NULL);
    if (out)
        KT_CONTAINS(out, "must be relative");
    KT_EXPECT_BUGCHECK(0xC7, 0, set_negative_period, NULL);
    KT_EXPECT_BUGCHECK(0xC7, 0, set_negative_tolerance, NULL);
    out = KT_EXPECT_BUGCHECK(0xC7, 0, wait_without_cancel, NULL);
    if (out)
        KT_CONTAINS(out, "Wait TRUE needs Cancel TRUE");
    PEX_TIMER timer = ExAllocateTimer(NULL, NULL, 0);
    KT_REQUIRE(KT_TRUE(timer != NULL));
    KT_EXPECT_BUGCHECK(0xA, (ULONG_PTR)timer, wait_at_dispatch, timer);
    ExDeleteTimer(timer, TRUE, TRUE, NULL);
}

/* The unload check: an executive timer still set whose callback lies in
 * the driver's image is found, naming the callback and where it was set;
 * once deleted it is not. The test's count_expiry plays the driver's
 * image. */
KT_TEST(ke_driver_pending_work_names_ex_timer)
{
    struct ldr_module fake = { .name = "fake", .image_name = "fake.sys" };
    struct ldr_module *m;
    struct expiries e;
    Dl_info info;
    char *text = NULL;

    KT_REQUIRE(KT_TRUE(dladdr((void *)count_expiry, &info) != 0));
    KT_REQUIRE(KT_TRUE(readlink("/proc/self/exe", fake.image, sizeof fake.image - 1) > 0));
    fake.start = (uintptr_t)count_expiry;
    fake.end = fake.start + 16;
    fake.bias = (uintptr_t)info.dli_fbase;
    KT_REQUIRE(KT_TRUE((m = ldr_module_add(&fake)) != NULL));
    expiries_init(&e, 1);
    PEX_TIMER timer = ExAllocateTimer(count_expiry, &e, 0);
    KT_REQUIRE(KT_TRUE(timer != NULL));
    KT_FALSE(ke_driver_pending_work(m, &text));
    ExSetTimer(timer, HOUR, 10000000, NULL);
    if (KT_TRUE(ke_driver_pending_work(m, &text))) {
        KT_CONTAINS(text, "(periodic, callback ");
        KT_CONTAINS(text, "in count_expiry (fake.sys+0x0)) is still set, set at ");
        free(text);
    }
    KT_EQ_INT(ExDeleteTimer(timer, TRUE, TRUE, NULL), TRUE);
    text = NULL;
    KT_FALSE(ke_driver_pending_work(m, &text));
    ldr_module_remove(m);
}
