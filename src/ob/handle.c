/* ob/handle.c: handle tables and handles: creation (with OBJ_EXCLUSIVE's
 * rules), ObReferenceObjectByHandle, ZwClose.
 *
 * The kernel table is also the System process's table, as in Windows 10:
 * every handle made there (DriverEntry, system threads, or OBJ_KERNEL_HANDLE
 * from KernelMode anywhere) is a kernel handle, 0xFFFFFFFF80000000 | value.
 * Values are multiples of 4 from 4; the two low bits are ignored on use, as
 * Windows leaves them to applications. A freed value is reused only after
 * the values freed before it (a FIFO), so a stale handle tends to stay
 * invalid rather than silently reach a new object.
 *
 * Driver Verifier's handle checks run in ObReferenceObjectByHandle (bug
 * check 0xC4: 0xF5 NULL handle, 0xF6 a user handle referenced as kernel
 * mode, 0xF7 a kernel handle referenced as user mode in the System
 * process); ZwClose of an invalid handle in a client process's context is
 * INVALID_KERNEL_HANDLE (0x93), as Windows with a kernel debugger. */
#include "ob/obp.h"

#include "ex/pool.h"

#include "ke/bugcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4
#define INVALID_KERNEL_HANDLE 0x93
#define OB_KERNEL_HANDLE_MASK 0xFFFFFFFF80000000ULL
/* Handle values are indexes * 4; index 0 is never used (NULL). */
#define OB_HANDLE_SHIFT 2
#define OB_MAX_HANDLE_INDEX (0x7FFFFFFFUL >> OB_HANDLE_SHIFT)

struct ob_handle_entry {
    struct ob_header *object; /* NULL: free or reserved */
    ACCESS_MASK granted_access;
    ULONG attributes;         /* OBJ_INHERIT */
    ULONG next_free;          /* next index in the free FIFO, 0: none */
    bool reserved;            /* taken by a handle being created */
};

struct ob_handle_table {
    struct ob_handle_entry *entries;
    ULONG capacity;              /* entries allocated */
    ULONG used;                  /* indexes below this have been handed out */
    ULONG free_head, free_tail;  /* FIFO of freed indexes */
};

static struct ob_handle_table ob_kernel_table;
static __thread struct ob_handle_table *ob_current_table;

struct ob_handle_table *ob_kernel_handle_table(void)
{
    return &ob_kernel_table;
}

void ob_set_current_handle_table(struct ob_handle_table *table)
{
    ob_current_table = table;
}

struct ob_handle_table *ob_current_handle_table(void)
{
    return ob_current_table ? ob_current_table : &ob_kernel_table;
}

struct ob_handle_table *ob_handle_table_create(void)
{
    return calloc(1, sizeof(struct ob_handle_table));
}

static bool ob_is_pseudo_handle(HANDLE handle)
{
    return handle == NtCurrentProcess() || handle == NtCurrentThread();
}

/* Windows' IsKernelHandle: a kernel handle as the given mode sees it. */
static bool ob_is_kernel_handle(HANDLE handle, KPROCESSOR_MODE mode)
{
    return (LONG_PTR)handle < 0 && mode == KernelMode && !ob_is_pseudo_handle(handle);
}

/* The table a handle value designates for mode, and the value within it. */
static struct ob_handle_table *ob_handle_table_for(HANDLE handle, KPROCESSOR_MODE mode, ULONG_PTR *value)
{
    *value = (ULONG_PTR)handle;
    if (ob_is_kernel_handle(handle, mode)) {
        *value ^= OB_KERNEL_HANDLE_MASK;
        return &ob_kernel_table;
    }
    return ob_current_handle_table();
}

static struct ob_handle_entry *ob_entry_locked(struct ob_handle_table *table, ULONG_PTR value)
{
    ULONG_PTR index = value >> OB_HANDLE_SHIFT;

    if (index == 0 || index >= table->used || !table->entries[index].object)
        return NULL;
    return &table->entries[index];
}

/* Takes an index for a new handle: the oldest freed one, else a new one. */
static ULONG ob_reserve_locked(struct ob_handle_table *table)
{
    ULONG index;

    if (table->free_head) {
        index = table->free_head;
        table->free_head = table->entries[index].next_free;
        if (!table->free_head)
            table->free_tail = 0;
    } else {
        if (table->used == 0)
            table->used = 1;
        if (table->used > OB_MAX_HANDLE_INDEX)
            return 0;
        if (table->used >= table->capacity) {
            ULONG grown = table->capacity ? table->capacity * 2 : 64;
            struct ob_handle_entry *bigger = realloc(table->entries, grown * sizeof *bigger);
            if (!bigger)
                return 0;
            memset(bigger + table->capacity, 0, (grown - table->capacity) * sizeof *bigger);
            table->entries = bigger;
            table->capacity = grown;
        }
        index = table->used++;
    }
    memset(&table->entries[index], 0, sizeof table->entries[index]);
    table->entries[index].reserved = true;
    return index;
}

static void ob_release_locked(struct ob_handle_table *table, ULONG index)
{
    memset(&table->entries[index], 0, sizeof table->entries[index]);
    if (table->free_tail)
        table->entries[table->free_tail].next_free = index;
    else
        table->free_head = index;
    table->free_tail = index;
}

/* The object's handle count for a table, created on demand from `spare`. */
static struct ob_table_count *ob_table_count_locked(struct ob_header *header, struct ob_handle_table *table,
                                                     struct ob_table_count **spare)
{
    struct ob_table_count *c;

    for (c = header->table_counts; c; c = c->next)
        if (c->table == table)
            return c;
    c = *spare;
    *spare = NULL;
    c->table = table;
    c->count = 0;
    c->next = header->table_counts;
    header->table_counts = c;
    return c;
}

/* Drops one handle of header in table; returns the table's count left and
 * the node to free when it reached 0. */
static ULONG ob_count_down_locked(struct ob_header *header, struct ob_handle_table *table,
                                  struct ob_table_count **freed)
{
    struct ob_table_count **link = &header->table_counts, *c;
    ULONG left;

    while ((c = *link) && c->table != table)
        link = &c->next;
    __atomic_sub_fetch(&header->handles, 1, __ATOMIC_RELAXED);
    left = --c->count;
    if (left == 0) {
        *link = c->next;
        *freed = c;
        if (header->exclusive_owner == table)
            header->exclusive_owner = NULL;
    }
    return left;
}

/* ObpIncrementHandleCount's OBJ_EXCLUSIVE rules: an exclusive handle needs
 * an object created exclusive and no inheritance, and no other process's
 * handle; once a process holds an exclusive handle, nobody else (and no
 * non-exclusive open) gets one. */
static NTSTATUS ob_exclusive_check_locked(struct ob_header *header, struct ob_handle_table *table, ULONG attributes)
{
    struct ob_handle_table *owner = header->exclusive_owner;

    if (attributes & OBJ_EXCLUSIVE) {
        if ((attributes & OBJ_INHERIT) || !(header->flags & OB_FLAG_EXCLUSIVE))
            return STATUS_INVALID_PARAMETER;
        if ((!owner && header->handles != 0) || (owner && owner != table))
            return STATUS_ACCESS_DENIED;
    } else if ((header->flags & OB_FLAG_EXCLUSIVE) && owner) {
        return STATUS_ACCESS_DENIED;
    }
    return STATUS_SUCCESS;
}

static HANDLE ob_handle_value(struct ob_handle_table *table, ULONG index)
{
    ULONG_PTR value = (ULONG_PTR)index << OB_HANDLE_SHIFT;
    return (HANDLE)(table == &ob_kernel_table ? value | OB_KERNEL_HANDLE_MASK : value);
}

NTSTATUS ob_create_handle_in(struct ob_handle_table *table, struct ob_header *header, ACCESS_MASK granted,
                             ULONG attributes, HANDLE *handle)
{
    NTSTATUS (*open)(const struct ob_handle_info *) = header->type->info.procedures.open;
    struct ob_table_count *spare = malloc(sizeof *spare), *count, *freed = NULL;
    struct ob_handle_info info = { table, ob_body_of(header), granted, 0, 0, FALSE };
    NTSTATUS status;
    ULONG index;

    if (!spare)
        return STATUS_INSUFFICIENT_RESOURCES;
    ob_lock();
    status = ob_exclusive_check_locked(header, table, attributes);
    index = NT_SUCCESS(status) ? ob_reserve_locked(table) : 0;
    if (NT_SUCCESS(status) && !index)
        status = STATUS_INSUFFICIENT_RESOURCES;
    if (!NT_SUCCESS(status)) {
        ob_unlock();
        free(spare);
        return status;
    }
    info.created = (header->flags & OB_FLAG_NEW) != 0;
    header->flags &= ~OB_FLAG_NEW;
    count = ob_table_count_locked(header, table, &spare);
    count->count++;
    info.table_handle_count = count->count;
    info.handle_count = (ULONG)__atomic_add_fetch(&header->handles, 1, __ATOMIC_RELAXED);
    if (attributes & OBJ_EXCLUSIVE)
        header->exclusive_owner = table;
    ob_unlock();
    free(spare);

    status = open ? open(&info) : STATUS_SUCCESS;

    ob_lock();
    if (NT_SUCCESS(status)) {
        struct ob_handle_entry *e = &table->entries[index];
        e->object = header;
        e->granted_access = granted;
        e->attributes = attributes & OBJ_INHERIT;
        e->reserved = false;
    } else {
        ob_count_down_locked(header, table, &freed);
        ob_release_locked(table, index);
    }
    ob_unlock();
    free(freed);
    if (NT_SUCCESS(status))
        *handle = ob_handle_value(table, index);
    return status;
}

NTSTATUS ob_create_handle(struct ob_header *header, POBJECT_TYPE type, ACCESS_MASK desired_access, ULONG attributes,
                          KPROCESSOR_MODE mode, HANDLE *handle)
{
    ACCESS_MASK granted;
    bool kernel = (attributes & OBJ_KERNEL_HANDLE) && mode == KernelMode;

    if (type && header->type != type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    granted = ob_map_access(header->type, desired_access);
    /* ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege, which ntbox's user
     * callers do not hold. */
    if ((granted & ACCESS_SYSTEM_SECURITY) && mode != KernelMode)
        return STATUS_PRIVILEGE_NOT_HELD;
    granted &= header->type->info.valid_access_mask | ACCESS_SYSTEM_SECURITY;
    return ob_create_handle_in(kernel ? &ob_kernel_table : ob_current_handle_table(), header, granted, attributes,
                               handle);
}

NTSTATUS ob_reference_object_by_handle(HANDLE handle, ACCESS_MASK desired_access, POBJECT_TYPE type,
                                       KPROCESSOR_MODE access_mode, void **object,
                                       POBJECT_HANDLE_INFORMATION info)
{
    struct ob_handle_table *table;
    struct ob_handle_entry *e;
    ULONG_PTR value;
    NTSTATUS status = STATUS_INVALID_HANDLE;

    *object = NULL;
    if (ob_is_pseudo_handle(handle)) {
        /* NtCurrentProcess() and NtCurrentThread() stand for the caller's own
         * process and thread, with every right on them. */
        BOOLEAN process = handle == NtCurrentProcess();
        void *self = process ? (void *)PsGetCurrentProcess() : (void *)PsGetCurrentThread();
        POBJECT_TYPE self_type = process ? *PsProcessType : *PsThreadType;
        if (type && type != self_type)
            return STATUS_OBJECT_TYPE_MISMATCH;
        ob_reference_object(self);
        *object = self;
        if (info) {
            info->HandleAttributes = 0;
            info->GrantedAccess = ob_header_of(self)->type->info.valid_access_mask;
        }
        return STATUS_SUCCESS;
    }
    table = ob_handle_table_for(handle, access_mode, &value);
    ob_lock();
    e = ob_entry_locked(table, value);
    if (e) {
        if (type && e->object->type != type)
            status = STATUS_OBJECT_TYPE_MISMATCH;
        else if (access_mode != KernelMode && (desired_access & ~e->granted_access))
            status = STATUS_ACCESS_DENIED;
        else
            status = STATUS_SUCCESS;
    }
    if (NT_SUCCESS(status)) {
        ob_reference_header(e->object);
        *object = ob_body_of(e->object);
        if (info) {
            info->HandleAttributes = e->attributes;
            info->GrantedAccess = e->granted_access;
        }
    }
    ob_unlock();
    return status;
}

/* Closes entry `index` of `table`, already looked up under the lock (which
 * this releases): counts, then the close procedure, the name check and the
 * handle's reference, all without the lock. */
static void ob_close_entry_locked(struct ob_handle_table *table, ULONG index)
{
    struct ob_handle_entry *e = &table->entries[index];
    struct ob_header *header = e->object;
    void (*close)(const struct ob_handle_info *) = header->type->info.procedures.close;
    struct ob_handle_info info = { table, ob_body_of(header), e->granted_access, 0, 0, FALSE };
    struct ob_table_count *freed = NULL;

    ob_release_locked(table, index);
    info.table_handle_count = ob_count_down_locked(header, table, &freed);
    info.handle_count = (ULONG)__atomic_load_n(&header->handles, __ATOMIC_RELAXED);
    ob_unlock();
    free(freed);
    if (close)
        close(&info);
    ob_name_check(header);
    ob_dereference_header(header, NULL);
}

NTSTATUS ob_close_handle(HANDLE handle, KPROCESSOR_MODE access_mode)
{
    ULONG_PTR value;
    struct ob_handle_table *table = ob_handle_table_for(handle, access_mode, &value);

    /* Windows 10: in the System process only kernel handles exist. */
    if (table == &ob_kernel_table && !ob_is_kernel_handle(handle, access_mode))
        return STATUS_INVALID_HANDLE;
    ob_lock();
    if (!ob_entry_locked(table, value)) {
        ob_unlock();
        /* Closing a pseudo-handle (-1 to -6) does nothing, successfully. */
        return (LONG_PTR)handle < 0 && (LONG_PTR)handle >= -6 ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
    }
    ob_close_entry_locked(table, (ULONG)(value >> OB_HANDLE_SHIFT));
    return STATUS_SUCCESS;
}

void ob_handle_table_destroy(struct ob_handle_table *table)
{
    if (!table || table == &ob_kernel_table)
        return;
    ob_lock();
    for (ULONG i = 1; i < table->used; i++) {
        if (!table->entries[i].object)
            continue;
        ob_close_entry_locked(table, i);
        ob_lock();
    }
    ob_unlock();
    free(table->entries);
    free(table);
}

NTSTATUS ob_zw_result(NTSTATUS status, const char *routine, const void *at)
{
    char detail[160];

    if (status != STATUS_ACCESS_VIOLATION)
        return status;
    snprintf(detail, sizeof detail, "%s was given a NULL pointer where it writes or reads its answer.", routine);
    /* The kernel-mode fault Windows takes: a driver's __except around the
     * call can take it, as on Windows; otherwise it is unhandled. */
    ex_raise_status(STATUS_ACCESS_VIOLATION, at, detail);
}

/* Driver Verifier's checks on a driver's ObReferenceObjectByHandle. */
static void ob_verify_reference(HANDLE handle, POBJECT_TYPE type, KPROCESSOR_MODE mode, const void *at)
{
    bool system = ob_current_handle_table() == &ob_kernel_table;

    if (mode == KernelMode && !handle)
        ke_bugcheck(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF5, 0, (ULONG_PTR)type, 0, at,
                    "ObReferenceObjectByHandle: the driver passed a NULL handle");
    if (mode == KernelMode && handle && !system && !ob_is_kernel_handle(handle, mode) &&
        !ob_is_pseudo_handle(handle))
        ke_bugcheck(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF6, (ULONG_PTR)handle,
                    (ULONG_PTR)ob_current_handle_table(), (ULONG_PTR)at, at,
                    "ObReferenceObjectByHandle(%p, KernelMode): a user-mode handle referenced as kernel mode "
                    "(the process can close or replace it; pass UserMode for handles from user mode)",
                    handle);
    if (mode != KernelMode && system && (LONG_PTR)handle < 0 && !ob_is_pseudo_handle(handle))
        ke_bugcheck(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF7, (ULONG_PTR)handle, (ULONG_PTR)type, (ULONG_PTR)mode,
                    at, "ObReferenceObjectByHandle(%p, UserMode): a user-mode reference to a kernel handle in "
                    "the System process", handle);
}

/* "Provides access validation on the object handle, and, if access can be
 * granted, returns the corresponding pointer to the object's body" (WDK):
 * STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH, or for UserMode a
 * DesiredAccess not within the handle's granted access STATUS_ACCESS_DENIED
 * (generic rights are not mapped: "do not use any generic access rights").
 * PASSIVE_LEVEL. */
NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                                     POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                                     PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation)
{
    ob_verify_reference(Handle, ObjectType, AccessMode, __builtin_return_address(0));
    return ob_reference_object_by_handle(Handle, DesiredAccess, ObjectType, AccessMode, Object, HandleInformation);
}

/* The same; the tag labels the reference for tracing ntbox does not keep. */
NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByHandleWithTag(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                                            POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                                            ULONG Tag, PVOID *Object,
                                                            POBJECT_HANDLE_INFORMATION HandleInformation)
{
    (void)Tag;
    ob_verify_reference(Handle, ObjectType, AccessMode, __builtin_return_address(0));
    return ob_reference_object_by_handle(Handle, DesiredAccess, ObjectType, AccessMode, Object, HandleInformation);
}

/* "Closes an object handle": STATUS_INVALID_HANDLE for one that is not
 * open (WDK). Kernel handles can be closed only from KernelMode, which a
 * Zw call is. PASSIVE_LEVEL. */
NTSYSAPI NTSTATUS NTAPI ZwClose(HANDLE Handle)
{
    NTSTATUS status = ob_close_handle(Handle, KernelMode);

    if (status == STATUS_INVALID_HANDLE && Handle && ob_current_handle_table() != &ob_kernel_table)
        ke_bugcheck(INVALID_KERNEL_HANDLE, (ULONG_PTR)Handle, 1, 0, 0, __builtin_return_address(0),
                    "ZwClose(%p): the handle is not open in this process's table or the kernel table "
                    "(closed twice, or never a handle here)", Handle);
    return status;
}

/* The user-mode system service: a bad handle is the caller's error to
 * see, never a bugcheck, and kernel handles are out of its reach. */
NTSYSAPI NTSTATUS NTAPI NtClose(HANDLE Handle)
{
    return ob_close_handle(Handle, UserMode);
}
