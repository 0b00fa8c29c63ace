/* ke/hang.c: hangs turned into reports (see hang.h).
 *
 * A watchdog host thread of ntbox's (no KTHREAD: the reports never count
 * it) looks at every thread every KE_HANG_PERIOD_MS. It finds a hang in
 * two shapes:
 * - a deadlock: every thread that is not idle is blocked for good: in a
 *   wait without a timeout, on a push lock, or spinning on a spin lock
 *   whose holder is blocked for good; and no timer is set, and no DPC or
 *   work item is queued that a DPC or worker thread could still run;
 * - a wait cycle: threads each waiting for a lock (KMUTEX, fast or guarded
 *   mutex, ERESOURCE) the next one owns, or for the next one to end, the
 *   last for the first: found even while other threads run.
 * A thread's state is read without stopping it, so a finding counts only
 * when KE_HANG_CONFIRM looks in a row saw it with no thread in it having
 * moved (each thread's wait_serial changes whenever it blocks, wakes or
 * goes idle). Then the report (*** DEADLOCK, each thread, what it waits
 * for and who owns that, the driver's source line of the wait, what it
 * holds) ends the run with exit status 3, as a bugcheck does. The same
 * listing follows *** TIMEOUT when --timeout runs out.
 *
 * A waited object is named by kind and address, and by its name when it
 * has one in the object namespace. */
#include "ke/hang.h"

#include "base/safe_read.h"
#include "ex/resource.h"
#include "ke/bugcheck.h"
#include "ke/deferred.h"
#include "ke/dispatcher.h"
#include "loader/compile.h"
#include "loader/module.h"
#include "loader/symbols.h"
#include "ob/ob.h"
#include "ps/thread.h"
#include "verifier/report.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KE_HANG_PERIOD_MS 150
#define KE_HANG_CONFIRM 3
#define KE_HANG_THREADS 512
#define KE_HANG_OBJECTS 8
#define KE_HANG_OWNERS 8
#define KE_HANG_FRAMES 32

/* One thread as one look saw it. */
struct ke_hang_thread {
    struct ke_thread *thread;
    ULONG serial;
    bool idle;
    bool forever;     /* blocked for good (spinners: once their holder is) */
    UCHAR kind;       /* enum ke_wait_kind */
    UCHAR lock_kind;  /* enum ke_lock_kind */
    WAIT_TYPE type;
    const char *routine;
    const void *lock;
    const void *site; /* the wait's line in a driver or client, else the waiting call */
    const char *entry; /* the ntbox routine a client called to get there, or NULL */
    ULONG count;      /* objects waited on (count may exceed the ones kept) */
    const void *objects[KE_HANG_OBJECTS];
    UCHAR object_types[KE_HANG_OBJECTS];
    ULONG owner_count; /* threads that must move for it to: owners, or a thread to end */
    struct ke_thread *owners[KE_HANG_OWNERS];
};

struct ke_hang_look {
    ULONG count;
    bool overflow;
    struct ke_hang_thread threads[KE_HANG_THREADS];
};

static struct ke_hang_look ke_hang_looks[2];
static unsigned ke_hang_timeout;

/* Whether addr is code of ntbox's own executable. */
static bool ke_hang_in_ntbox(const void *addr)
{
    Dl_info self, info;
    return dladdr((const void *)ke_hang_watch_start, &self) && dladdr(addr, &info) &&
           info.dli_fbase == self.dli_fbase;
}

/* Where the waiting thread's own code waits: the first return address up
 * its frames outside ntbox (a driver's, or a client program's, then
 * *entry is the ntbox routine it called, "DeviceIoControl"); else the
 * waiting call. Frames are read with safe_read: a thread blocked outside
 * the dispatcher may be moving. */
static const void *ke_hang_site(const struct ke_thread *thread, const char **entry)
{
    const void *at = thread->wait_at;
    const void *const *frame = thread->wait_frame;
    const char *called = NULL;

    *entry = NULL;
    if (!at || !ke_hang_in_ntbox(at))
        return at;
    for (int i = 0; i < KE_HANG_FRAMES && frame; i++) {
        const void *pair[2];
        Dl_info info;
        if (!safe_read(frame, pair, sizeof pair) || !pair[1])
            break;
        if (!ke_hang_in_ntbox(pair[1])) {
            *entry = called;
            return pair[1];
        }
        if (dladdr(pair[1], &info) && info.dli_sname)
            called = info.dli_sname;
        if ((const char *)pair[0] <= (const char *)frame)
            break;
        frame = pair[0];
    }
    return at;
}

static void ke_hang_add_owner(struct ke_hang_thread *t, const void *owner)
{
    if (owner && t->owner_count < KE_HANG_OWNERS)
        t->owners[t->owner_count++] = (struct ke_thread *)owner;
}

/* Who t waits for: the owner of each mutex, the thread itself for a thread
 * object; of a lock wait, the lock's owners. */
static void ke_hang_find_owners(struct ke_hang_thread *t)
{
    if (t->lock_kind == KE_LOCK_GMUTEX) {
        ke_hang_add_owner(t, ((const KGUARDED_MUTEX *)t->lock)->Owner);
    } else if (t->lock_kind == KE_LOCK_RESOURCE) {
        ERESOURCE_THREAD owners[KE_HANG_OWNERS];
        ULONG n = ex_resource_owners((PERESOURCE)t->lock, owners, KE_HANG_OWNERS);
        for (ULONG i = 0; i < n && i < KE_HANG_OWNERS; i++)
            ke_hang_add_owner(t, (const void *)owners[i]);
    } else if (t->lock_kind == KE_LOCK_NONE) {
        for (ULONG i = 0; i < t->count && i < KE_HANG_OBJECTS; i++) {
            if (t->object_types[i] == KE_MUTANT)
                ke_hang_add_owner(t, ((const KMUTANT *)t->objects[i])->OwnerThread);
            else if (t->object_types[i] == KE_THREAD)
                ke_hang_add_owner(t, t->objects[i]);
        }
    }
}

static void ke_hang_take(struct ke_thread *thread, void *context)
{
    struct ke_hang_look *look = context;

    if (look->count == KE_HANG_THREADS) {
        look->overflow = true;
        return;
    }
    struct ke_hang_thread *t = &look->threads[look->count++];
    memset(t, 0, sizeof *t);
    t->thread = thread;
    ke_dispatcher_lock();
    t->serial = __atomic_load_n(&thread->wait_serial, __ATOMIC_ACQUIRE);
    t->idle = thread->idle;
    t->kind = __atomic_load_n(&thread->wait_kind, __ATOMIC_ACQUIRE);
    t->routine = thread->wait_routine;
    t->lock = thread->wait_lock;
    if (t->kind == KE_WAIT_OBJECTS) {
        t->lock_kind = thread->wait_lock_kind;
        t->forever = thread->wait_forever && thread->wait_status == STATUS_PENDING;
        t->count = thread->wait_count;
        for (ULONG i = 0; i < t->count && i < KE_HANG_OBJECTS; i++) {
            t->objects[i] = thread->wait_blocks[i].Object;
            t->object_types[i] = ((const DISPATCHER_HEADER *)t->objects[i])->Type;
            t->type = (WAIT_TYPE)thread->wait_blocks[i].WaitType;
        }
    } else if (t->kind == KE_WAIT_PUSH_LOCK) {
        t->forever = true;
    }
    /* Frames and owners are read under the lock: a waiter cannot return
     * from its wait meanwhile. */
    if (t->kind != KE_WAIT_NONE)
        t->site = ke_hang_site(thread, &t->entry);
    ke_dispatcher_unlock();
    if (t->kind == KE_WAIT_OBJECTS && t->forever)
        ke_hang_find_owners(t);
}

static struct ke_hang_thread *ke_hang_find(struct ke_hang_look *look, const struct ke_thread *thread)
{
    for (ULONG i = 0; i < look->count; i++)
        if (look->threads[i].thread == thread)
            return &look->threads[i];
    return NULL;
}

/* The thread whose spin locks hold `holder`, or NULL. */
static struct ke_hang_thread *ke_hang_spin_holder(struct ke_hang_look *look, const struct ke_hang_thread *spinner)
{
    ULONG_PTR holder;

    if (!safe_read(spinner->lock, &holder, sizeof holder) || !holder)
        return NULL;
    for (ULONG i = 0; i < look->count; i++)
        if (look->threads[i].thread->spin_token == holder)
            return &look->threads[i];
    return NULL;
}

/* A spinner is blocked for good once its lock's holder is, or when
 * spinners each spin on a lock the next holds, round to the first. */
static void ke_hang_settle_spinners(struct ke_hang_look *look)
{
    for (ULONG i = 0; i < look->count; i++) {
        struct ke_hang_thread *t = &look->threads[i];
        if (t->kind != KE_WAIT_SPIN_LOCK)
            continue;
        struct ke_hang_thread *holder = ke_hang_spin_holder(look, t);
        if (holder)
            ke_hang_add_owner(t, holder->thread);
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (ULONG i = 0; i < look->count; i++) {
            struct ke_hang_thread *t = &look->threads[i], *h = t;
            if (t->kind != KE_WAIT_SPIN_LOCK || t->forever || !t->owner_count)
                continue;
            /* Up the chain of holders: a blocked one, or back to t. */
            for (ULONG steps = 0; steps <= look->count; steps++) {
                h = h->owner_count ? ke_hang_find(look, h->owners[0]) : NULL;
                if (!h || h->forever || h == t || h->kind != KE_WAIT_SPIN_LOCK)
                    break;
            }
            if (h && (h->forever || h == t))
                t->forever = changed = true;
        }
    }
}

static void ke_hang_look_now(struct ke_hang_look *look)
{
    look->count = 0;
    look->overflow = false;
    ps_threads_visit(ke_hang_take, look);
    ke_hang_settle_spinners(look);
}

/* A deadlock: every thread not idle blocked for good, at least one. */
static bool ke_hang_all_blocked(const struct ke_hang_look *look)
{
    ULONG blocked = 0;

    if (look->overflow || ke_timer_any_set() || ke_dpc_can_run() || io_work_can_run())
        return false;
    for (ULONG i = 0; i < look->count; i++) {
        const struct ke_hang_thread *t = &look->threads[i];
        if (t->idle)
            continue;
        if (!t->forever)
            return false;
        blocked++;
    }
    return blocked != 0;
}

/* A wait cycle: from some thread, following "waits for the one owner"
 * comes back to it. Marks its members in cycle[] and returns how many. */
static ULONG ke_hang_cycle(struct ke_hang_look *look, bool cycle[])
{
    for (ULONG start = 0; start < look->count; start++) {
        struct ke_hang_thread *t = &look->threads[start];
        ULONG length = 0;

        memset(cycle, 0, look->count * sizeof cycle[0]);
        while (t && t->forever && t->owner_count == 1 && length <= look->count) {
            ULONG index = (ULONG)(t - look->threads);
            if (cycle[index])
                break;
            cycle[index] = true;
            length++;
            t = ke_hang_find(look, t->owners[0]);
        }
        if (t == &look->threads[start] && length > 1)
            return length;
    }
    memset(cycle, 0, look->count * sizeof cycle[0]);
    return 0;
}

/* The threads in `members` (all when NULL) kept their serials between the
 * two looks. */
static bool ke_hang_unmoved(const struct ke_hang_look *before, const struct ke_hang_look *now, const bool members[])
{
    if (!members && before->count != now->count)
        return false;
    for (ULONG i = 0; i < now->count; i++) {
        if (members && !members[i])
            continue;
        const struct ke_hang_thread *t = ke_hang_find((struct ke_hang_look *)before, now->threads[i].thread);
        if (!t || t->serial != now->threads[i].serial)
            return false;
    }
    return true;
}

static const char *ke_hang_object_kind(UCHAR type)
{
    switch (type) {
    case KE_EVENT_NOTIFICATION: return "notification event";
    case KE_EVENT_SYNCHRONIZATION: return "synchronization event";
    case KE_MUTANT: return "mutex";
    case KE_PROCESS: return "process";
    case KE_SEMAPHORE: return "semaphore";
    case KE_THREAD: return "thread";
    case KE_TIMER_NOTIFICATION: return "notification timer";
    case KE_TIMER_SYNCHRONIZATION: return "synchronization timer";
    default: return "object";
    }
}

struct ke_hang_name {
    const void *object;
    char *path; /* malloc'd, NULL until found */
};

static void ke_hang_match_name(void *object, void *context)
{
    struct ke_hang_name *name = context;
    if (object == name->object && !name->path)
        name->path = ob_object_path(object);
}

/* " (\BaseNamedObjects\Ready)" for an object with a name in the
 * namespace (ZwCreateEvent with a name), else "". */
static void ke_hang_print_name(FILE *out, const void *object)
{
    struct ke_hang_name name = { object, NULL };

    ob_for_each_object(ke_hang_match_name, &name);
    if (name.path && name.path[0])
        fprintf(out, " (%s)", name.path);
    free(name.path);
}

static unsigned long long ke_hang_ptr(const void *p)
{
    return (unsigned long long)(ULONG_PTR)p;
}

static void ke_hang_print_owner(FILE *out, const void *owner)
{
    if (owner)
        fprintf(out, ", owned by thread %u", (unsigned)ps_thread_cid(owner));
    else
        fprintf(out, ", owned by no thread");
}

/* "waits in ExAcquireFastMutex for fast mutex 0x..., owned by thread 12". */
static void ke_hang_print_wait(FILE *out, const struct ke_hang_thread *t)
{
    const char *routine = t->routine ? t->routine : "a kernel wait";

    switch (t->kind) {
    case KE_WAIT_PUSH_LOCK:
        fprintf(out, "  waits in %s for push lock 0x%016llx (push locks have no owner)\n", routine,
                ke_hang_ptr(t->lock));
        return;
    case KE_WAIT_SPIN_LOCK:
        fprintf(out, "  spins in %s on spin lock 0x%016llx", routine, ke_hang_ptr(t->lock));
        if (t->owner_count)
            fprintf(out, ", held by thread %u", (unsigned)ps_thread_cid(t->owners[0]));
        fprintf(out, "\n");
        return;
    case KE_WAIT_NONE:
        fprintf(out, "  is running (not in a kernel wait)\n");
        return;
    default:
        break;
    }
    if (t->lock_kind == KE_LOCK_GMUTEX) {
        fprintf(out, "  waits in %s for %s 0x%016llx", routine, routine[0] == 'E' ? "fast mutex" : "guarded mutex",
               ke_hang_ptr(t->lock));
        ke_hang_print_owner(out, ((const KGUARDED_MUTEX *)t->lock)->Owner);
    } else if (t->lock_kind == KE_LOCK_RESOURCE) {
        fprintf(out, "  waits in %s for ERESOURCE 0x%016llx", routine, ke_hang_ptr(t->lock));
        for (ULONG i = 0; i < t->owner_count; i++)
            fprintf(out, "%s%u", i ? " and " : ", owned by thread ", (unsigned)ps_thread_cid(t->owners[i]));
    } else if (t->lock_kind == KE_LOCK_RUNDOWN) {
        fprintf(out, "  waits in %s for the references to rundown protection 0x%016llx to be released", routine,
               ke_hang_ptr(t->lock));
    } else if (t->count == 0) {
        fprintf(out, "  sleeps in %s", routine);
    } else {
        fprintf(out, "  waits in %s%s for ", routine,
                t->count > 1 ? (t->type == WaitAll ? " (WaitAll)" : " (WaitAny)") : "");
        for (ULONG i = 0; i < t->count && i < KE_HANG_OBJECTS; i++) {
            fprintf(out, "%s%s 0x%016llx", i ? "; " : "", ke_hang_object_kind(t->object_types[i]),
                    ke_hang_ptr(t->objects[i]));
            ke_hang_print_name(out, t->objects[i]);
            if (t->object_types[i] == KE_MUTANT)
                ke_hang_print_owner(out, ((const KMUTANT *)t->objects[i])->OwnerThread);
            else if (t->object_types[i] == KE_THREAD)
                fprintf(out, " (thread %u, to end)", (unsigned)ps_thread_cid(t->objects[i]));
        }
    }
    fprintf(out, "%s\n", t->forever ? "" : " (with a timeout)");
}

struct ke_hang_held {
    FILE *out;
    const struct ke_hang_thread *thread;
};

static void ke_hang_print_resource(PERESOURCE resource, bool exclusive, void *context)
{
    const struct ke_hang_held *held = context;
    const struct ke_hang_thread *t = held->thread;

    /* A shared waiter's ownership is made before it sleeps: not held yet. */
    if (t->lock_kind == KE_LOCK_RESOURCE && t->lock == resource)
        return;
    fprintf(held->out, "  holds ERESOURCE 0x%016llx %s\n", ke_hang_ptr(resource), exclusive ? "exclusively" : "shared");
}

/* What the thread owns: mutexes, fast and guarded mutexes (with where
 * they were acquired), resources. */
static void ke_hang_print_held(FILE *out, const struct ke_hang_thread *t)
{
    struct ke_thread *thread = t->thread;
    char where[512];
    ULONG held = thread->held_count < KE_HELD_LOCKS ? thread->held_count : KE_HELD_LOCKS;

    ke_dispatcher_lock();
    for (PLIST_ENTRY e = thread->mutants.Flink; e != &thread->mutants; e = e->Flink)
        fprintf(out, "  holds mutex 0x%016llx\n", ke_hang_ptr(CONTAINING_RECORD(e, KMUTANT, MutantListEntry)));
    ke_dispatcher_unlock();
    for (ULONG i = 0; i < held; i++)
        fprintf(out, "  holds fast or guarded mutex 0x%016llx, acquired at %s\n", ke_hang_ptr(thread->held[i].lock),
               ldr_describe_address(thread->held[i].at, true, where, sizeof where));
    struct ke_hang_held context = { out, t };
    ex_resources_owned_by((ERESOURCE_THREAD)thread, ke_hang_print_resource, &context);
}

static void ke_hang_print_thread(FILE *out, const struct ke_hang_thread *t)
{
    char what[768], where[512];

    fprintf(out, "%s\n", ps_thread_describe(t->thread, what, sizeof what));
    ke_hang_print_wait(out, t);
    if (t->site)
        fprintf(out, "    at %s%s%s\n", ldr_describe_address(t->site, true, where, sizeof where),
                t->entry ? ", in its call of " : "", t->entry ? t->entry : "");
    ke_hang_print_held(out, t);
}

/* Ends the run: the header, the threads (members only, when given), exit
 * status 3. */
__attribute__((noreturn)) static void ke_hang_report(const struct ke_hang_look *look, const bool members[],
                                                     const char *result, const char *header)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);

    ke_enter_bugcheck();
    fflush(stdout);
    if (out) {
        fprintf(out, "%s\n", header);
        for (ULONG i = 0; i < look->count; i++)
            if ((members ? members[i] : !look->threads[i].idle))
                ke_hang_print_thread(out, &look->threads[i]);
        fclose(out);
    }
    printf("\n%s", text ? text : "*** DEADLOCK (out of memory for the report)\n");
    fflush(stdout);
    fflush(stderr);
    vf_report_hang(result, text);
    _exit(KE_BUGCHECK_EXIT_STATUS);
}

/* "threads 12, 16 and 20 wait for each other in a cycle: ...". */
static void ke_hang_cycle_text(const struct ke_hang_look *look, const bool members[], ULONG length, char *out,
                               size_t n)
{
    size_t used = (size_t)snprintf(out, n, "threads");
    ULONG listed = 0;

    for (ULONG i = 0; i < look->count && used < n; i++)
        if (members[i])
            used += (size_t)snprintf(out + used, n - used, "%s %u",
                                     !listed++ ? "" : listed == length ? " and" : ",",
                                     (unsigned)ps_thread_cid(look->threads[i].thread));
    if (used < n)
        snprintf(out + used, n - used, " wait for each other in a cycle: each waits for a lock the next one holds "
                 "(or for it to end)");
}

static void *ke_hang_watch(void *arg)
{
    struct timespec last, now;
    long long run_ms = 0; /* the run's time, compiles left out */
    unsigned deadlocks = 0, cycles = 0, turn = 0;
    bool cycle[KE_HANG_THREADS], previous_cycle[KE_HANG_THREADS] = { false };
    (void)arg;

    clock_gettime(CLOCK_MONOTONIC, &last);
    for (;;) {
        struct timespec period = { 0, KE_HANG_PERIOD_MS * 1000000L };
        while (nanosleep(&period, &period) != 0 && errno == EINTR)
            ;
        struct ke_hang_look *look = &ke_hang_looks[turn], *before = &ke_hang_looks[!turn];
        turn = !turn;
        ke_hang_look_now(look);

        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!ldr_compiler_running())
            run_ms += (now.tv_sec - last.tv_sec) * 1000LL + (now.tv_nsec - last.tv_nsec) / 1000000;
        last = now;
        if (ke_hang_timeout && run_ms >= ke_hang_timeout * 1000LL) {
            char header[160];
            snprintf(header, sizeof header, "*** TIMEOUT: the run did not end within %u second%s (--timeout); its "
                     "threads:", ke_hang_timeout, ke_hang_timeout == 1 ? "" : "s");
            ke_hang_report(look, NULL, "timeout", header);
        }

        ULONG length = ke_hang_cycle(look, cycle);
        char header[640], text[512] = "";
        if (length)
            ke_hang_cycle_text(look, cycle, length, text, sizeof text);

        deadlocks = ke_hang_all_blocked(look) && ke_hang_unmoved(before, look, NULL) ? deadlocks + 1 : 0;
        if (deadlocks + 1 >= KE_HANG_CONFIRM) {
            snprintf(header, sizeof header, "*** DEADLOCK: every thread is blocked for good, and no timer, DPC or "
                     "work item is left to wake one%s%s", length ? "; " : "", text);
            ke_hang_report(look, NULL, "deadlock", header);
        }

        bool same = length && ke_hang_unmoved(before, look, cycle);
        /* The same members as the look before, by thread. */
        for (ULONG i = 0; same && i < look->count; i++) {
            struct ke_hang_thread *old = ke_hang_find(before, look->threads[i].thread);
            same = old && previous_cycle[old - before->threads] == cycle[i];
        }
        cycles = same ? cycles + 1 : 0;
        memcpy(previous_cycle, cycle, look->count * sizeof cycle[0]);
        if (length && cycles + 1 >= KE_HANG_CONFIRM) {
            snprintf(header, sizeof header, "*** DEADLOCK: %s", text);
            ke_hang_report(look, cycle, "deadlock", header);
        }
    }
    return NULL;
}

void ke_hang_watch_start(unsigned timeout_seconds)
{
    pthread_t watchdog;
    pthread_attr_t attr;

    ke_hang_timeout = timeout_seconds;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&watchdog, &attr, ke_hang_watch, NULL) != 0) {
        fprintf(stderr, "ntbox: cannot start the hang watchdog\n");
        exit(1);
    }
    pthread_attr_destroy(&attr);
}
