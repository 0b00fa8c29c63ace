/* ex/resource.c: executive resources (ERESOURCE): ExInitializeResourceLite,
 * ExDeleteResourceLite, ExAcquireResourceExclusiveLite,
 * ExAcquireResourceSharedLite, ExAcquireSharedStarveExclusive,
 * ExAcquireSharedWaitForExclusive, ExReleaseResourceLite,
 * ExReleaseResourceForThreadLite, ExConvertExclusiveToSharedLite,
 * ExIsResourceAcquiredExclusiveLite, ExIsResourceAcquiredSharedLite,
 * ExGetExclusiveWaiterCount, ExGetSharedWaiterCount.
 *
 * The state lives in the ERESOURCE, under its SpinLock, as on Windows: an
 * exclusive owner in OwnerEntry (OwnerCount its recursion), shared owners
 * in OwnerTable (a malloc'd array, entry 0's TableSize its size),
 * ActiveEntries the threads that own it, and the waiters' counts. Waiters
 * sleep on SharedWaiters (a semaphore) or ExclusiveWaiters (a
 * synchronization event), made at the first contention; ownership is
 * handed to them: a shared waiter's owner entry is made before it sleeps,
 * an exclusive waiter finds OwnerEntry reserved for it. Handing over
 * alternates: an exclusive owner's release prefers the shared waiters, the
 * last shared owner's an exclusive waiter, so neither kind starves.
 *
 * Checks: Driver Verifier's 0xC4 subcodes 0x37/0x38 (acquired or released
 * with normal kernel APCs enabled), 0xD0/0xD1 (initialized twice, deleted
 * uninitialized), 0x100B (deleted while owned), 0x1000 (a shared owner
 * waiting for exclusive access: it waits for itself); a release by a
 * thread that does not own it is bug check 0xE3 RESOURCE_NOT_OWNED. */
#include "ex/resource.h"

#include "ke/dispatcher.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "verifier/lock_order.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESOURCE_NOT_OWNED 0xE3
#define EX_RESOURCE_OWNED_EXCLUSIVE 0x0080
/* OwnerEntry.OwnerThread of an exclusive ownership handed to a waiter
 * that has not woken up yet. */
#define EX_RESOURCE_HANDED_OVER ((ERESOURCE_THREAD)1)

enum ex_shared_kind { EX_SHARED, EX_SHARED_STARVE_EXCLUSIVE, EX_SHARED_WAIT_FOR_EXCLUSIVE };

/* Every initialized resource, by SystemResourcesList, as Windows keeps
 * them: double initializations and deletions of uninitialized ones show. */
static pthread_mutex_t ex_resources_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY ex_resources = { &ex_resources, &ex_resources };

static bool ex_resource_listed(PERESOURCE resource)
{
    for (PLIST_ENTRY e = ex_resources.Flink; e != &ex_resources; e = e->Flink)
        if (e == &resource->SystemResourcesList)
            return true;
    return false;
}

static void ex_lock(PERESOURCE resource, const void *at)
{
    ke_spin_lock_acquire(&resource->SpinLock, "ERESOURCE", at);
}

static void ex_unlock(PERESOURCE resource, const void *at)
{
    ke_spin_lock_release(&resource->SpinLock, "ERESOURCE", at);
}

static ERESOURCE_THREAD ex_self(void)
{
    return (ERESOURCE_THREAD)ke_thread_current();
}

/* Resources need normal kernel APCs disabled (a critical region, a
 * guarded region or APC_LEVEL): 0xC4/0x37 acquiring, 0x38 releasing, P2
 * the IRQL, P3 the thread's APC disable count, P4 the resource. */
static void ex_resource_check_apcs(ULONG subcode, PERESOURCE resource, const char *routine, const void *at)
{
    KIRQL irql = ke_irql_get();
    struct ke_thread *self = ke_thread_current();

    if (irql >= APC_LEVEL || self->kernel_apc_disable || self->special_apc_disable)
        return;
    ke_bugcheck(0xC4, subcode, irql, (ULONG_PTR)(LONG)self->kernel_apc_disable, (ULONG_PTR)resource, at,
                "%s(0x%016llx) with normal kernel APCs enabled: call KeEnterCriticalRegion first (and "
                "KeLeaveCriticalRegion after the release), or a suspended owner can deadlock the system.",
                routine, (unsigned long long)(ULONG_PTR)resource);
}

/* ntbox's own memory for a resource's waiter objects. */
static void *ex_alloc(size_t size)
{
    void *p = calloc(1, size);
    if (!p) {
        fprintf(stderr, "ntbox: out of memory for an ERESOURCE\n");
        exit(1);
    }
    return p;
}

/* The owner entry of thread in the shared table, or NULL; with create, a
 * new one (count 0) when there is none. Under the lock. */
static POWNER_ENTRY ex_shared_entry(PERESOURCE resource, ERESOURCE_THREAD thread, bool create)
{
    POWNER_ENTRY table = resource->OwnerTable, free_entry = NULL;
    ULONG size = table ? table[0].TableSize : 0;

    for (ULONG i = 1; i < size; i++) {
        if (table[i].OwnerThread == thread)
            return &table[i];
        if (!table[i].OwnerThread && !free_entry)
            free_entry = &table[i];
    }
    if (!create)
        return NULL;
    if (!free_entry) {
        ULONG grown = size ? size * 2 : 8;
        POWNER_ENTRY bigger = realloc(table, grown * sizeof *bigger);
        if (!bigger) {
            fprintf(stderr, "ntbox: out of memory for an ERESOURCE owner table\n");
            exit(1);
        }
        memset(bigger + size, 0, (grown - size) * sizeof *bigger);
        bigger[0].TableSize = grown;
        resource->OwnerTable = bigger;
        free_entry = &bigger[size ? size : 1];
    }
    free_entry->OwnerThread = thread;
    free_entry->OwnerCount = 0;
    return free_entry;
}

static ULONG ex_shared_owner_count(PERESOURCE resource)
{
    ULONG size = resource->OwnerTable ? resource->OwnerTable[0].TableSize : 0, n = 0;
    for (ULONG i = 1; i < size; i++)
        n += resource->OwnerTable[i].OwnerThread != 0;
    return n;
}

static bool ex_exclusive(PERESOURCE resource)
{
    return (resource->Flag & EX_RESOURCE_OWNED_EXCLUSIVE) != 0;
}

static void ex_set_active(PERESOURCE resource, ULONG entries)
{
    resource->ActiveEntries = entries;
    resource->ActiveCount = (SHORT)entries;
}

/* Every shared waiter owns it now (their entries exist): wake them all. */
static void ex_grant_shared_waiters(PERESOURCE resource)
{
    ULONG n = resource->NumberOfSharedWaiters;
    resource->NumberOfSharedWaiters = 0;
    ex_set_active(resource, ex_shared_owner_count(resource));
    KeReleaseSemaphore(resource->SharedWaiters, 0, (LONG)n, FALSE);
}

/* One exclusive waiter owns it now; it fills in OwnerThread as it wakes. */
static void ex_grant_exclusive_waiter(PERESOURCE resource)
{
    resource->NumberOfExclusiveWaiters--;
    resource->Flag |= EX_RESOURCE_OWNED_EXCLUSIVE;
    resource->OwnerEntry.OwnerThread = EX_RESOURCE_HANDED_OVER;
    resource->OwnerEntry.OwnerCount = 1;
    ex_set_active(resource, 1);
    KeSetEvent(resource->ExclusiveWaiters, 0, FALSE);
}

/* Waits for a hand-over, the lock released meanwhile. */
static void ex_wait(PERESOURCE resource, PVOID object, const char *routine, const void *at)
{
    PVOID objects[1] = { object };
    struct ke_thread *self = ke_thread_current();
    resource->ContentionCount++;
    ex_unlock(resource, at);
    ke_wait_note(self, routine, KE_LOCK_RESOURCE, resource);
    ke_dispatcher_wait(1, objects, WaitAny, NULL, self->builtin, at);
}

static void ex_take_exclusive(PERESOURCE resource, ERESOURCE_THREAD self)
{
    resource->Flag |= EX_RESOURCE_OWNED_EXCLUSIVE;
    resource->OwnerEntry.OwnerThread = self;
    resource->OwnerEntry.OwnerCount = 1;
    ex_set_active(resource, 1);
}

static BOOLEAN ex_acquire_exclusive(PERESOURCE resource, BOOLEAN wait, const void *at)
{
    ERESOURCE_THREAD self = ex_self();
    POWNER_ENTRY shared;

    ex_resource_check_apcs(0x37, resource, "ExAcquireResourceExclusiveLite", at);
    ex_lock(resource, at);
    if (!resource->ActiveEntries) {
        ex_take_exclusive(resource, self);
    } else if (ex_exclusive(resource) && resource->OwnerEntry.OwnerThread == self) {
        resource->OwnerEntry.OwnerCount++;
    } else if (!wait) {
        ex_unlock(resource, at);
        return FALSE;
    } else if ((shared = ex_shared_entry(resource, self, false)) && shared->OwnerCount) {
        ex_unlock(resource, at);
        ke_bugcheck(0xC4, 0x1000, (ULONG_PTR)resource, 0, 0, at,
                    "ExAcquireResourceExclusiveLite(0x%016llx): this thread holds the resource shared; waiting for "
                    "exclusive access waits for its own release forever.",
                    (unsigned long long)(ULONG_PTR)resource);
    } else {
        if (!resource->ExclusiveWaiters) {
            resource->ExclusiveWaiters = ex_alloc(sizeof(KEVENT));
            KeInitializeEvent(resource->ExclusiveWaiters, SynchronizationEvent, FALSE);
        }
        resource->NumberOfExclusiveWaiters++;
        ex_wait(resource, resource->ExclusiveWaiters, "ExAcquireResourceExclusiveLite", at);
        ex_lock(resource, at);
        resource->OwnerEntry.OwnerThread = self;
    }
    ex_unlock(resource, at);
    return TRUE;
}

/* Whether kind grants the caller, who does not own it exclusively, shared
 * access now (the rules of ExAcquireResourceSharedLite and its two
 * variants, WDK). */
static bool ex_shared_grantable(PERESOURCE resource, enum ex_shared_kind kind, POWNER_ENTRY entry)
{
    bool owner = entry && entry->OwnerCount;
    if (!resource->ActiveEntries)
        return true;
    if (ex_exclusive(resource))
        return false;
    if (owner && kind != EX_SHARED_WAIT_FOR_EXCLUSIVE)
        return true;
    return !resource->NumberOfExclusiveWaiters || kind == EX_SHARED_STARVE_EXCLUSIVE;
}

static BOOLEAN ex_acquire_shared(PERESOURCE resource, BOOLEAN wait, enum ex_shared_kind kind, const char *routine,
                                 const void *at)
{
    ERESOURCE_THREAD self = ex_self();

    ex_resource_check_apcs(0x37, resource, routine, at);
    ex_lock(resource, at);
    if (ex_exclusive(resource) && resource->OwnerEntry.OwnerThread == self) {
        /* An exclusive owner gets shared access as more of the same. */
        resource->OwnerEntry.OwnerCount++;
        ex_unlock(resource, at);
        return TRUE;
    }
    POWNER_ENTRY entry = ex_shared_entry(resource, self, false);
    if (ex_shared_grantable(resource, kind, entry)) {
        if (!entry || !entry->OwnerCount) {
            entry = ex_shared_entry(resource, self, true);
            ex_set_active(resource, resource->ActiveEntries + 1);
        }
        entry->OwnerCount++;
        ex_unlock(resource, at);
        return TRUE;
    }
    if (!wait) {
        ex_unlock(resource, at);
        return FALSE;
    }
    if (!resource->SharedWaiters) {
        resource->SharedWaiters = ex_alloc(sizeof(KSEMAPHORE));
        KeInitializeSemaphore(resource->SharedWaiters, 0, 0x7FFFFFFF);
    }
    ex_shared_entry(resource, self, true)->OwnerCount++;
    resource->NumberOfSharedWaiters++;
    ex_wait(resource, resource->SharedWaiters, routine, at);
    return TRUE;
}

/* Deadlock detection's view of an acquisition: the order is checked
 * before one that may wait, and what a try took is held. */
static BOOLEAN ex_acquire_tracked(PERESOURCE resource, BOOLEAN wait, bool exclusive, enum ex_shared_kind kind,
                                  const char *routine, const void *at)
{
    if (wait)
        vf_lock_acquire(resource, VF_LOCK_RESOURCE, at);
    BOOLEAN granted = exclusive ? ex_acquire_exclusive(resource, wait, at)
                                : ex_acquire_shared(resource, wait, kind, routine, at);
    if (granted && !wait)
        vf_lock_acquired_try(resource, VF_LOCK_RESOURCE, at);
    return granted;
}

/* Gives back one of thread's acquisitions, handing the resource on when
 * it becomes free. */
static void ex_release(PERESOURCE resource, ERESOURCE_THREAD thread, const char *routine, const void *at)
{
    if (thread == ex_self())
        vf_lock_release(resource);
    POWNER_ENTRY entry;

    ex_lock(resource, at);
    if (ex_exclusive(resource) && resource->OwnerEntry.OwnerThread == thread) {
        if (--resource->OwnerEntry.OwnerCount == 0) {
            resource->Flag &= ~EX_RESOURCE_OWNED_EXCLUSIVE;
            resource->OwnerEntry.OwnerThread = 0;
            ex_set_active(resource, 0);
            if (resource->NumberOfSharedWaiters)
                ex_grant_shared_waiters(resource);
            else if (resource->NumberOfExclusiveWaiters)
                ex_grant_exclusive_waiter(resource);
        }
    } else if (!ex_exclusive(resource) && (entry = ex_shared_entry(resource, thread, false)) && entry->OwnerCount) {
        if (--entry->OwnerCount == 0) {
            entry->OwnerThread = 0;
            ex_set_active(resource, resource->ActiveEntries - 1);
            if (!resource->ActiveEntries && resource->NumberOfExclusiveWaiters)
                ex_grant_exclusive_waiter(resource);
            else if (!resource->ActiveEntries && resource->NumberOfSharedWaiters)
                ex_grant_shared_waiters(resource);
        }
    } else {
        ex_unlock(resource, at);
        ke_bugcheck(RESOURCE_NOT_OWNED, (ULONG_PTR)resource, thread, (ULONG_PTR)resource->OwnerTable, 0, at,
                    "%s(0x%016llx): thread 0x%016llx does not own the resource (released more times than acquired, "
                    "or by the wrong thread).",
                    routine, (unsigned long long)(ULONG_PTR)resource, (unsigned long long)thread);
    }
    ex_unlock(resource, at);
}

ULONG ex_resource_owners(PERESOURCE resource, ERESOURCE_THREAD *owners, ULONG max)
{
    ULONG n = 0;

    ex_lock(resource, NULL);
    if (ex_exclusive(resource)) {
        if (resource->OwnerEntry.OwnerThread != EX_RESOURCE_HANDED_OVER && max)
            owners[n] = resource->OwnerEntry.OwnerThread;
        n = 1;
    } else {
        POWNER_ENTRY table = resource->OwnerTable;
        for (ULONG i = 1; table && i < table[0].TableSize; i++)
            if (table[i].OwnerThread && table[i].OwnerCount && n++ < max)
                owners[n - 1] = table[i].OwnerThread;
    }
    ex_unlock(resource, NULL);
    return n;
}

void ex_resources_owned_by(ERESOURCE_THREAD thread, void (*fn)(PERESOURCE resource, bool exclusive, void *context),
                           void *context)
{
    pthread_mutex_lock(&ex_resources_lock);
    for (PLIST_ENTRY e = ex_resources.Flink; e != &ex_resources; e = e->Flink) {
        PERESOURCE resource = CONTAINING_RECORD(e, ERESOURCE, SystemResourcesList);
        ex_lock(resource, NULL);
        bool exclusive = ex_exclusive(resource) && resource->OwnerEntry.OwnerThread == thread;
        POWNER_ENTRY shared = exclusive ? NULL : ex_shared_entry(resource, thread, false);
        bool owned = exclusive || (shared && shared->OwnerCount);
        ex_unlock(resource, NULL);
        if (owned)
            fn(resource, exclusive, context);
    }
    pthread_mutex_unlock(&ex_resources_lock);
}

/* Readies a resource for use, unowned; STATUS_SUCCESS. Initializing one
 * twice is 0xC4/0xD0. IRQL <= DISPATCH_LEVEL (WDK,
 * ExInitializeResourceLite). */
NTKERNELAPI NTSTATUS NTAPI ExInitializeResourceLite(PERESOURCE Resource)
{
    const void *at = __builtin_return_address(0);

    pthread_mutex_lock(&ex_resources_lock);
    if (ex_resource_listed(Resource)) {
        pthread_mutex_unlock(&ex_resources_lock);
        ke_bugcheck(0xC4, 0xD0, (ULONG_PTR)Resource, 0, 0, at,
                    "ExInitializeResourceLite(0x%016llx): the resource is initialized already (call "
                    "ExDeleteResourceLite first, or ExReinitializeResourceLite).",
                    (unsigned long long)(ULONG_PTR)Resource);
    }
    memset(Resource, 0, sizeof *Resource);
    vf_lock_forget(Resource, sizeof *Resource);
    Resource->Address = (PVOID)at;
    InsertTailList(&ex_resources, &Resource->SystemResourcesList);
    pthread_mutex_unlock(&ex_resources_lock);
    return STATUS_SUCCESS;
}

/* Forgets a resource; STATUS_SUCCESS. An uninitialized one is 0xC4/0xD1,
 * an owned one 0x100B. IRQL <= DISPATCH_LEVEL (WDK, ExDeleteResourceLite). */
NTKERNELAPI NTSTATUS NTAPI ExDeleteResourceLite(PERESOURCE Resource)
{
    const void *at = __builtin_return_address(0);

    pthread_mutex_lock(&ex_resources_lock);
    if (!ex_resource_listed(Resource)) {
        pthread_mutex_unlock(&ex_resources_lock);
        ke_bugcheck(0xC4, 0xD1, (ULONG_PTR)Resource, 0, 0, at,
                    "ExDeleteResourceLite(0x%016llx): the resource is not initialized (deleted twice?).",
                    (unsigned long long)(ULONG_PTR)Resource);
    }
    if (Resource->ActiveEntries) {
        pthread_mutex_unlock(&ex_resources_lock);
        ERESOURCE_THREAD owner = ex_exclusive(Resource) ? Resource->OwnerEntry.OwnerThread : 0;
        ke_bugcheck(0xC4, 0x100B, (ULONG_PTR)Resource, owner, 0, at,
                    "ExDeleteResourceLite(0x%016llx): the resource is still owned (%s, by %u thread%s).",
                    (unsigned long long)(ULONG_PTR)Resource, owner ? "exclusive" : "shared",
                    (unsigned)Resource->ActiveEntries, Resource->ActiveEntries == 1 ? "" : "s");
    }
    RemoveEntryList(&Resource->SystemResourcesList);
    pthread_mutex_unlock(&ex_resources_lock);
    free(Resource->OwnerTable);
    free(Resource->SharedWaiters);
    free(Resource->ExclusiveWaiters);
    Resource->OwnerTable = NULL;
    Resource->SharedWaiters = NULL;
    Resource->ExclusiveWaiters = NULL;
    return STATUS_SUCCESS;
}

/* Exclusive access: at once when unowned or owned exclusively by the
 * caller (recursively); else waits (Wait TRUE) or returns FALSE. IRQL <=
 * APC_LEVEL, APCs disabled (WDK, ExAcquireResourceExclusiveLite). */
NTKERNELAPI BOOLEAN NTAPI ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    return ex_acquire_tracked(Resource, Wait, true, EX_SHARED, "ExAcquireResourceExclusiveLite",
                              __builtin_return_address(0));
}

/* Shared access: at once when unowned, owned by the caller (either way),
 * or owned shared with no exclusive waiter; else waits (Wait TRUE) or
 * returns FALSE (WDK, ExAcquireResourceSharedLite). */
NTKERNELAPI BOOLEAN NTAPI ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    return ex_acquire_tracked(Resource, Wait, false, EX_SHARED, "ExAcquireResourceSharedLite",
                              __builtin_return_address(0));
}

/* Shared access even ahead of exclusive waiters when it is owned shared
 * (WDK, ExAcquireSharedStarveExclusive). */
NTKERNELAPI BOOLEAN NTAPI ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ex_acquire_tracked(Resource, Wait, false, EX_SHARED_STARVE_EXCLUSIVE, "ExAcquireSharedStarveExclusive",
                              __builtin_return_address(0));
}

/* Shared access behind exclusive waiters, even for a caller that owns it
 * shared already (WDK, ExAcquireSharedWaitForExclusive). */
NTKERNELAPI BOOLEAN NTAPI ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ex_acquire_tracked(Resource, Wait, false, EX_SHARED_WAIT_FOR_EXCLUSIVE,
                              "ExAcquireSharedWaitForExclusive", __builtin_return_address(0));
}

/* Gives back one of the caller's acquisitions; IRQL <= DISPATCH_LEVEL,
 * APCs disabled (WDK, ExReleaseResourceLite). */
NTKERNELAPI VOID FASTCALL ExReleaseResourceLite(PERESOURCE Resource)
{
    const void *at = __builtin_return_address(0);
    ex_resource_check_apcs(0x38, Resource, "ExReleaseResourceLite", at);
    ex_release(Resource, ex_self(), "ExReleaseResourceLite", at);
}

/* Gives back one acquisition of the thread ResourceThreadId
 * (ExGetCurrentResourceThread's value on that thread); IRQL <=
 * DISPATCH_LEVEL (WDK, ExReleaseResourceForThreadLite). */
NTKERNELAPI VOID NTAPI ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId)
{
    ex_release(Resource, ResourceThreadId, "ExReleaseResourceForThreadLite", __builtin_return_address(0));
}

/* The caller's exclusive ownership becomes shared (the same count), and
 * every shared waiter is let in; IRQL <= DISPATCH_LEVEL (WDK,
 * ExConvertExclusiveToSharedLite). Not owned exclusively: bug check 0xE3. */
NTKERNELAPI VOID NTAPI ExConvertExclusiveToSharedLite(PERESOURCE Resource)
{
    const void *at = __builtin_return_address(0);
    ERESOURCE_THREAD self = ex_self();

    ex_lock(Resource, at);
    if (!ex_exclusive(Resource) || Resource->OwnerEntry.OwnerThread != self) {
        ex_unlock(Resource, at);
        ke_bugcheck(RESOURCE_NOT_OWNED, (ULONG_PTR)Resource, self, (ULONG_PTR)Resource->OwnerTable, 0, at,
                    "ExConvertExclusiveToSharedLite(0x%016llx): the calling thread does not own the resource "
                    "exclusively.", (unsigned long long)(ULONG_PTR)Resource);
    }
    ex_shared_entry(Resource, self, true)->OwnerCount = Resource->OwnerEntry.OwnerCount;
    Resource->Flag &= ~EX_RESOURCE_OWNED_EXCLUSIVE;
    Resource->OwnerEntry.OwnerThread = 0;
    Resource->OwnerEntry.OwnerCount = 0;
    if (Resource->NumberOfSharedWaiters)
        ex_grant_shared_waiters(Resource);
    ex_unlock(Resource, at);
}

/* TRUE when the caller owns the resource exclusively; IRQL <=
 * DISPATCH_LEVEL (WDK, ExIsResourceAcquiredExclusiveLite). */
NTKERNELAPI BOOLEAN NTAPI ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource)
{
    const void *at = __builtin_return_address(0);
    ex_lock(Resource, at);
    BOOLEAN owned = ex_exclusive(Resource) && Resource->OwnerEntry.OwnerThread == ex_self();
    ex_unlock(Resource, at);
    return owned;
}

/* How many times the caller holds the resource, shared or exclusive (an
 * exclusive owner counts as a shared one); 0 when it does not. IRQL <=
 * DISPATCH_LEVEL (WDK, ExIsResourceAcquiredSharedLite). */
NTKERNELAPI ULONG NTAPI ExIsResourceAcquiredSharedLite(PERESOURCE Resource)
{
    const void *at = __builtin_return_address(0);
    ERESOURCE_THREAD self = ex_self();
    ULONG count = 0;
    POWNER_ENTRY entry;

    ex_lock(Resource, at);
    if (ex_exclusive(Resource) && Resource->OwnerEntry.OwnerThread == self)
        count = Resource->OwnerEntry.OwnerCount;
    else if (!ex_exclusive(Resource) && (entry = ex_shared_entry(Resource, self, false)))
        count = entry->OwnerCount;
    ex_unlock(Resource, at);
    return count;
}

/* Threads waiting for exclusive access; IRQL <= DISPATCH_LEVEL (WDK,
 * ExGetExclusiveWaiterCount). */
NTKERNELAPI ULONG NTAPI ExGetExclusiveWaiterCount(PERESOURCE Resource)
{
    return __atomic_load_n(&Resource->NumberOfExclusiveWaiters, __ATOMIC_RELAXED);
}

/* Threads waiting for shared access; IRQL <= DISPATCH_LEVEL (WDK,
 * ExGetSharedWaiterCount). */
NTKERNELAPI ULONG NTAPI ExGetSharedWaiterCount(PERESOURCE Resource)
{
    return __atomic_load_n(&Resource->NumberOfSharedWaiters, __ATOMIC_RELAXED);
}
