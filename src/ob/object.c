/* ob/object.c: object headers and their reference counts: allocation,
 * ObfReferenceObject, ObfDereferenceObject (and the WithTag forms and the
 * old ObDereferenceObject function), ObReferenceObjectByPointer, deletion at
 * the last reference, and the walks tests and reports use.
 *
 * Surprise, Windows': ObReferenceObjectByPointer checks the type only for
 * UserMode callers, or when the type asked for is SymbolicLink. */
#include "ob/obp.h"

#include "ke/bugcheck.h"
#include "ke/irql.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define REFERENCE_BY_POINTER 0x18

static pthread_mutex_t ob_mutex = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY ob_all_objects = { &ob_all_objects, &ob_all_objects };

void ob_lock(void)
{
    pthread_mutex_lock(&ob_mutex);
}

void ob_unlock(void)
{
    pthread_mutex_unlock(&ob_mutex);
}

NTSTATUS ob_allocate_object(POBJECT_TYPE type, ULONG body_size, KPROCESSOR_MODE mode, struct ob_header **header)
{
    struct ob_header *h = calloc(1, sizeof *h + (body_size ? body_size : type->info.body_size));

    if (!h)
        return STATUS_INSUFFICIENT_RESOURCES;
    h->magic = OB_HEADER_MAGIC;
    h->references = 1;
    h->type = type;
    h->flags = OB_FLAG_NEW;
    h->create_mode = mode;
    ob_lock();
    InsertTailList(&ob_all_objects, &h->all_link);
    ob_unlock();
    *header = h;
    return STATUS_SUCCESS;
}

void ob_reference_header(struct ob_header *header)
{
    __atomic_add_fetch(&header->references, 1, __ATOMIC_RELAXED);
}

/* Increments unless the count is already 0 (an object being deleted). */
static bool ob_try_reference_header(struct ob_header *header)
{
    LONG_PTR n = __atomic_load_n(&header->references, __ATOMIC_RELAXED);
    while (n > 0)
        if (__atomic_compare_exchange_n(&header->references, &n, n + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return true;
    return false;
}

/* The last reference is gone. Windows defers deletion above APC_LEVEL to a
 * worker thread, where the delete procedure (IRP_MJ_CLOSE for a file) runs
 * at PASSIVE_LEVEL; ntbox runs it at once, at PASSIVE_LEVEL. */
static void ob_delete(struct ob_header *header)
{
    KIRQL irql = ke_irql_get();
    void (*delete_object)(void *) = header->type->info.procedures.delete_object;

    ob_lock();
    RemoveEntryList(&header->all_link);
    ob_unlock();
    if (delete_object) {
        ke_irql_set(PASSIVE_LEVEL);
        delete_object(ob_body_of(header));
        ke_irql_set(irql);
    }
    ob_capture_release(&header->create);
    free(header->name.Buffer);
    header->magic = 0;
    free(header);
}

LONG_PTR ob_dereference_header(struct ob_header *header, const void *at)
{
    LONG_PTR n = __atomic_sub_fetch(&header->references, 1, __ATOMIC_ACQ_REL);
    LONG_PTR handles = __atomic_load_n(&header->handles, __ATOMIC_RELAXED);

    if (n > 0)
        return n;
    /* "The reference count of an object is illegal for the current state of
     * the object": zero with handles open, or below zero. */
    if (n < 0 || handles != 0)
        ke_bugcheck(REFERENCE_BY_POINTER, (ULONG_PTR)header->type, (ULONG_PTR)ob_body_of(header), 0, 0, at,
                    "ObDereferenceObject(%p): the reference count is %ld with %ld handle%s open: the object was "
                    "dereferenced more times than it was referenced",
                    ob_body_of(header), (long)n, (long)handles, handles == 1 ? "" : "s");
    ob_delete(header);
    return 0;
}

void ob_check_body(const void *body, const char *routine, const void *at)
{
    if (!body || ob_header_of(body)->magic != OB_HEADER_MAGIC)
        ke_bugcheck(REFERENCE_BY_POINTER, 0, (ULONG_PTR)body, 0, 0, at,
                    "%s(%p): the pointer is not the body of a live object", routine, body);
}

void ob_reference_object(void *object)
{
    ob_reference_header(ob_header_of(object));
}

void ob_dereference_object(void *object)
{
    ob_dereference_header(ob_header_of(object), NULL);
}

POBJECT_TYPE ob_object_type(void *object)
{
    return ob_header_of(object)->type;
}

PCUNICODE_STRING ob_object_name(void *object)
{
    return &ob_header_of(object)->name;
}

void *ob_object_directory(void *object)
{
    struct ob_header *directory;

    ob_lock();
    directory = ob_header_of(object)->directory;
    ob_unlock();
    return directory ? ob_body_of(directory) : NULL;
}

void ob_object_counts(void *object, LONG_PTR *references, LONG_PTR *handles)
{
    struct ob_header *header = ob_header_of(object);

    if (references)
        *references = __atomic_load_n(&header->references, __ATOMIC_RELAXED);
    if (handles)
        *handles = __atomic_load_n(&header->handles, __ATOMIC_RELAXED);
}

void ob_for_each_object(void (*fn)(void *object, void *context), void *context)
{
    struct ob_header **list = NULL;
    size_t n = 0, capacity = 0;

    ob_lock();
    for (PLIST_ENTRY e = ob_all_objects.Flink; e != &ob_all_objects; e = e->Flink) {
        struct ob_header *h = CONTAINING_RECORD(e, struct ob_header, all_link);
        if (n == capacity) {
            size_t grown = capacity ? capacity * 2 : 64;
            struct ob_header **bigger = realloc(list, grown * sizeof *list);
            if (!bigger)
                break;
            list = bigger;
            capacity = grown;
        }
        if (ob_try_reference_header(h))
            list[n++] = h;
    }
    ob_unlock();
    for (size_t i = 0; i < n; i++) {
        fn(ob_body_of(list[i]), context);
        ob_dereference_header(list[i], NULL);
    }
    free(list);
}

/* Adds a reference and returns the new count (WDK, ObfReferenceObject);
 * any IRQL up to DISPATCH_LEVEL. */
NTKERNELAPI LONG_PTR FASTCALL ObfReferenceObject(PVOID Object)
{
    ob_check_body(Object, "ObReferenceObject", __builtin_return_address(0));
    return __atomic_add_fetch(&ob_header_of(Object)->references, 1, __ATOMIC_RELAXED);
}

/* Drops a reference and returns the new count; the object is deleted at 0
 * (WDK, ObfDereferenceObject). Too many dereferences: bug check 0x18. */
NTKERNELAPI LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object)
{
    const void *at = __builtin_return_address(0);

    ob_check_body(Object, "ObDereferenceObject", at);
    return ob_dereference_header(ob_header_of(Object), at);
}

/* The tag only labels the reference for Windows' reference tracing, which
 * ntbox does not keep. */
NTKERNELAPI LONG_PTR FASTCALL ObfReferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    (void)Tag;
    ob_check_body(Object, "ObReferenceObjectWithTag", __builtin_return_address(0));
    return __atomic_add_fetch(&ob_header_of(Object)->references, 1, __ATOMIC_RELAXED);
}

NTKERNELAPI LONG_PTR FASTCALL ObfDereferenceObjectWithTag(PVOID Object, ULONG Tag)
{
    const void *at = __builtin_return_address(0);

    (void)Tag;
    ob_check_body(Object, "ObDereferenceObjectWithTag", at);
    return ob_dereference_header(ob_header_of(Object), at);
}

/* The function behind the pre-Windows XP ObDereferenceObject, still
 * exported for binaries that import it; the WDK's name is a macro. */
#undef ObDereferenceObject
NTKERNELAPI VOID NTAPI ObDereferenceObject(PVOID Object)
{
    const void *at = __builtin_return_address(0);

    ob_check_body(Object, "ObDereferenceObject", at);
    ob_dereference_header(ob_header_of(Object), at);
}

/* "Increments the pointer reference count for a given object"; ObjectType
 * "can be NULL if AccessMode is KernelMode" (WDK). As Windows, the type is
 * compared only for UserMode or when SymbolicLink is asked for:
 * STATUS_OBJECT_TYPE_MISMATCH. DesiredAccess is not checked. */
NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess,
                                                      POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode)
{
    struct ob_header *header = ob_header_of(Object);

    (void)DesiredAccess;
    ob_check_body(Object, "ObReferenceObjectByPointer", __builtin_return_address(0));
    if (header->type != ObjectType && (AccessMode != KernelMode || ObjectType == ob_symbolic_link_object_type))
        return STATUS_OBJECT_TYPE_MISMATCH;
    ob_reference_header(header);
    return STATUS_SUCCESS;
}
