/* verifier/lock_order.c: the lock-order graph behind deadlock detection
 * (see lock_order.h).
 *
 * The edges live in one open-addressed table keyed by (from, to): a thread
 * that takes B while holding A looks (A, B) up without a lock, and only the
 * first time, when the edge is missing, takes the graph's mutex, searches
 * for a path B ->* A (a cycle the new edge would close: the inversion) and
 * records the edge. So a lock order seen before costs one probe per lock
 * held. Deleted edges leave tombstones that later insertions reuse; past
 * VF_EDGES_FULL slots in use no new edge is recorded (the checks then miss
 * what they never saw, and say so once on stderr). */
#include "verifier/lock_order.h"

#include "ke/bugcheck.h"
#include "loader/module.h"
#include "loader/symbols.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VF_EDGES 4096u
#define VF_EDGES_FULL (VF_EDGES / 4 * 3)
#define VF_EDGE_DELETED ((const void *)1)
/* Which 64-byte granules may hold a lock with edges: a forgotten range
 * that touches none of them is left alone without taking the mutex. */
#define VF_GRANULE_SHIFT 6
#define VF_GRANULE_BITS (1u << 16)
#define VF_FORGET_SCAN_GRANULES 1024u
/* The longest cycle a report lists. */
#define VF_CYCLE_MAX 8

struct vf_lock_edge {
    const void *from;   /* NULL: empty slot; VF_EDGE_DELETED: a tombstone. Published last. */
    const void *to;
    const void *from_at, *to_at; /* where each was acquired when the edge was first seen */
    long thread;
    unsigned char from_kind, to_kind;
    unsigned stamp;     /* the path search that queued it */
    unsigned parent;    /* that search's edge before it on the path */
};

__thread struct vf_lock_stack vf_lock_held;
unsigned vf_lock_edges_used;

static pthread_mutex_t vf_graph_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vf_lock_edge vf_edges[VF_EDGES];
static unsigned vf_slots_used; /* edges and tombstones; under the mutex */
static unsigned vf_search_stamp;
static unsigned vf_search_queue[VF_EDGES];
static unsigned char vf_granules[VF_GRANULE_BITS / 8];
static bool vf_full_said;

static unsigned vf_edge_hash(const void *from, const void *to)
{
    uint64_t h = (uint64_t)(uintptr_t)from * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)to * 0xC2B2AE3D27D4EB4Full;
    return (unsigned)(h >> 40) & (VF_EDGES - 1);
}

static unsigned vf_granule(const void *addr)
{
    uint64_t g = (uint64_t)(uintptr_t)addr >> VF_GRANULE_SHIFT;
    return (unsigned)((g * 0x9E3779B97F4A7C15ull) >> 48) & (VF_GRANULE_BITS - 1);
}

static bool vf_granule_marked(const void *addr)
{
    unsigned g = vf_granule(addr);
    return (__atomic_load_n(&vf_granules[g / 8], __ATOMIC_RELAXED) >> (g % 8)) & 1;
}

static void vf_granule_mark(const void *addr)
{
    unsigned g = vf_granule(addr);
    __atomic_fetch_or(&vf_granules[g / 8], (unsigned char)(1u << (g % 8)), __ATOMIC_RELAXED);
}

/* Without the mutex: the edge's slot, or NULL. */
static const struct vf_lock_edge *vf_edge_find(const void *from, const void *to)
{
    for (unsigned i = vf_edge_hash(from, to), n = 0; n < VF_EDGES; i = (i + 1) & (VF_EDGES - 1), n++) {
        const void *f = __atomic_load_n(&vf_edges[i].from, __ATOMIC_ACQUIRE);
        if (!f)
            return NULL;
        if (f == from && vf_edges[i].to == to)
            return &vf_edges[i];
    }
    return NULL;
}

/* Under the mutex: records from -> to (absent). False when the table is
 * full. */
static bool vf_edge_insert(const struct vf_held_lock *from, const struct vf_held_lock *to)
{
    unsigned i = vf_edge_hash(from->lock, to->lock);
    while (vf_edges[i].from && vf_edges[i].from != VF_EDGE_DELETED)
        i = (i + 1) & (VF_EDGES - 1);
    if (!vf_edges[i].from) {
        if (vf_slots_used >= VF_EDGES_FULL)
            return false;
        vf_slots_used++;
    }
    struct vf_lock_edge *e = &vf_edges[i];
    e->to = to->lock;
    e->from_at = from->at;
    e->to_at = to->at;
    e->from_kind = (unsigned char)from->kind;
    e->to_kind = (unsigned char)to->kind;
    e->thread = (long)syscall(SYS_gettid);
    vf_granule_mark(from->lock);
    vf_granule_mark(to->lock);
    __atomic_store_n(&e->from, from->lock, __ATOMIC_RELEASE);
    __atomic_fetch_add(&vf_lock_edges_used, 1, __ATOMIC_RELAXED);
    return true;
}

/* Under the mutex: a path of recorded edges from start to goal, breadth
 * first (so the shortest). Returns its last edge's index, the others
 * linked back through parent to the first (parent == VF_EDGES), or
 * VF_EDGES when there is none. */
static unsigned vf_path_find(const void *start, const void *goal)
{
    unsigned stamp = ++vf_search_stamp, head = 0, tail = 0;
    const void *node = start;
    unsigned parent = VF_EDGES;

    for (;;) {
        for (unsigned i = 0; i < VF_EDGES; i++) {
            struct vf_lock_edge *e = &vf_edges[i];
            if (e->from != node || e->stamp == stamp)
                continue;
            e->stamp = stamp;
            e->parent = parent;
            if (e->to == goal)
                return i;
            vf_search_queue[tail++] = i;
        }
        if (head == tail)
            return VF_EDGES;
        parent = vf_search_queue[head++];
        node = vf_edges[parent].to;
    }
}

static const char *vf_lock_kind_name(unsigned kind)
{
    static const char *const names[] = {
        [VF_LOCK_SPIN] = "spin lock",          [VF_LOCK_RW_SPIN] = "reader/writer spin lock",
        [VF_LOCK_FAST_MUTEX] = "fast mutex",   [VF_LOCK_MUTEX] = "mutex",
        [VF_LOCK_RESOURCE] = "ERESOURCE",      [VF_LOCK_PUSH] = "push lock",
    };
    return kind < sizeof names / sizeof names[0] ? names[kind] : "lock";
}

/* "spin lock 0x00007F...10 (zoo.so+0x4010)": the image part when a loaded
 * driver's image holds it (a global). */
static const char *vf_lock_describe(const void *lock, unsigned kind, char *buf, size_t n)
{
    const struct ldr_module *m = ldr_module_at(lock);
    int k = snprintf(buf, n, "%s 0x%016llx", vf_lock_kind_name(kind), (unsigned long long)(uintptr_t)lock);
    if (m && k > 0 && (size_t)k < n)
        snprintf(buf + k, n - k, " (%s+0x%llx)", m->image_name, (unsigned long long)((uintptr_t)lock - m->start));
    return buf;
}

/* Appends "  <lock> acquired at <site>\n  then <lock> at <site>" to text. */
static size_t vf_append_pair(char *text, size_t used, size_t size, const void *a, unsigned a_kind, const void *a_at,
                             const void *b, unsigned b_kind, const void *b_at)
{
    char la[160], lb[160], sa[384], sb[384];
    int k = snprintf(text + used, size - used, "  %s acquired at %s,\n  then %s at %s\n",
                     vf_lock_describe(a, a_kind, la, sizeof la), ldr_describe_address(a_at, true, sa, sizeof sa),
                     vf_lock_describe(b, b_kind, lb, sizeof lb), ldr_describe_address(b_at, true, sb, sizeof sb));
    return k < 0 ? used : used + (size_t)k < size ? used + (size_t)k : size - 1;
}

/* The report: the current thread holds `held` and acquires lock at `at`,
 * while the edges ending in `last` say lock ->* held.lock. Built under the
 * mutex, raised after. */
__attribute__((noreturn)) static void vf_lock_inversion(const struct vf_held_lock *held, const void *lock,
                                                        enum vf_lock_kind kind, const void *at, unsigned last)
{
    unsigned path[VF_CYCLE_MAX], count = 0;
    char text[3072], la[160], lb[160];
    size_t used;

    for (unsigned i = last; i != VF_EDGES; i = vf_edges[i].parent)
        if (count < VF_CYCLE_MAX)
            path[count++] = i;
    used = (size_t)snprintf(text, sizeof text,
                            "Lock order inversion (a potential deadlock): this thread acquires %s while it holds "
                            "%s, but the reverse order was seen before. Two threads taking them in these orders at "
                            "the same time each wait for the lock the other holds.\n",
                            vf_lock_describe(lock, kind, la, sizeof la),
                            vf_lock_describe(held->lock, held->kind, lb, sizeof lb));
    for (unsigned k = count; k-- > 0;) {
        const struct vf_lock_edge *e = &vf_edges[path[k]];
        used += (size_t)snprintf(text + used, sizeof text - used, "Earlier (thread %ld):\n", e->thread);
        used = vf_append_pair(text, used, sizeof text, e->from, e->from_kind, e->from_at, e->to, e->to_kind, e->to_at);
    }
    used += (size_t)snprintf(text + used, sizeof text - used, "Now (thread %ld):\n", (long)syscall(SYS_gettid));
    vf_append_pair(text, used, sizeof text, held->lock, held->kind, held->at, lock, kind, at);
    pthread_mutex_unlock(&vf_graph_lock);
    ke_bugcheck(0xC4, 0x1001, (ULONG_PTR)lock, 0, 0, at, "%s", text);
}

/* A new edge held -> lock: reported when lock ->* held.lock was seen,
 * else recorded. */
static void vf_lock_order_learn(const struct vf_held_lock *held, const struct vf_held_lock *next)
{
    pthread_mutex_lock(&vf_graph_lock);
    if (!vf_edge_find(held->lock, next->lock)) {
        unsigned last = vf_path_find(next->lock, held->lock);
        if (last != VF_EDGES)
            vf_lock_inversion(held, next->lock, next->kind, next->at, last);
        if (!vf_edge_insert(held, next) && !vf_full_said) {
            vf_full_said = true;
            fprintf(stderr, "ntbox: the lock order graph is full (%u edges); new lock orders go unchecked\n",
                    vf_slots_used);
        }
    }
    pthread_mutex_unlock(&vf_graph_lock);
}

void VF_LOCK_ABI vf_lock_order_check(const void *lock, enum vf_lock_kind kind, const void *at)
{
    const struct vf_lock_stack *s = &vf_lock_held;
    unsigned n = s->count < VF_LOCK_HELD_MAX ? s->count : VF_LOCK_HELD_MAX;
    const struct vf_held_lock next = { lock, at, kind };

    /* Recursion (a mutex, a resource, or a spin lock's self-deadlock,
     * which its own check reports) orders nothing. */
    for (unsigned i = 0; i < n; i++)
        if (s->held[i].lock == lock)
            return;
    for (unsigned i = 0; i < n; i++)
        if (!vf_edge_find(s->held[i].lock, lock))
            vf_lock_order_learn(&s->held[i], &next);
}

void VF_LOCK_ABI vf_lock_release_slow(const void *lock)
{
    struct vf_lock_stack *s = &vf_lock_held;
    unsigned n = s->count < VF_LOCK_HELD_MAX ? s->count : VF_LOCK_HELD_MAX;

    for (unsigned i = n; i-- > 0;)
        if (s->held[i].lock == lock) {
            memmove(&s->held[i], &s->held[i + 1], (n - i - 1) * sizeof s->held[0]);
            s->count--;
            return;
        }
    /* Beyond the record: one of the locks it could not keep. */
    if (s->count > VF_LOCK_HELD_MAX)
        s->count--;
}

static bool vf_in_range(const void *p, uintptr_t start, size_t size)
{
    return (uintptr_t)p - start < size;
}

void VF_LOCK_ABI vf_lock_forget_range(const void *start, size_t size)
{
    uintptr_t a = (uintptr_t)start;
    size_t granules = ((a + size - 1) >> VF_GRANULE_SHIFT) - (a >> VF_GRANULE_SHIFT) + 1;
    bool marked = size && granules > VF_FORGET_SCAN_GRANULES;

    for (size_t g = 0; size && !marked && g < granules; g++)
        marked = vf_granule_marked((const void *)(((a >> VF_GRANULE_SHIFT) + g) << VF_GRANULE_SHIFT));
    if (!marked)
        return;
    pthread_mutex_lock(&vf_graph_lock);
    for (unsigned i = 0; i < VF_EDGES; i++) {
        const void *from = vf_edges[i].from;
        if (from && from != VF_EDGE_DELETED && (vf_in_range(from, a, size) || vf_in_range(vf_edges[i].to, a, size))) {
            __atomic_store_n(&vf_edges[i].from, VF_EDGE_DELETED, __ATOMIC_RELEASE);
            __atomic_fetch_sub(&vf_lock_edges_used, 1, __ATOMIC_RELAXED);
        }
    }
    pthread_mutex_unlock(&vf_graph_lock);
}
