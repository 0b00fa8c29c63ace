/* tests/ob/test_reference.c: reference counts: ObfReferenceObject,
 * ObfDereferenceObject and their macros and WithTag forms, the old
 * ObDereferenceObject function, ObReferenceObjectByPointer's type rules,
 * deletion at the last reference (at PASSIVE_LEVEL whatever the caller's
 * IRQL), and bug check 0x18 REFERENCE_BY_POINTER. */
#include "obtest.h"

#include "ke/irql.h"

#define REFERENCE_BY_POINTER 0x18

static int deleted;
static void *deleted_body;
static KIRQL deleted_irql;

static void thing_delete(void *body)
{
    deleted++;
    deleted_body = body;
    deleted_irql = KeGetCurrentIrql();
}

static POBJECT_TYPE thing_type(void)
{
    static POBJECT_TYPE type;
    static const struct ob_type_info info = {
        16, { STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE, STANDARD_RIGHTS_REQUIRED | 0xF },
        STANDARD_RIGHTS_REQUIRED | 0xF, OBJ_OPENLINK, TRUE, { .delete_object = thing_delete },
    };
    if (!type)
        type = ob_type_create("RfThing", &info);
    return type;
}

/* An unnamed object with only its creator's reference. */
static void *new_thing(void)
{
    void *body = NULL;
    ob_create_object(thing_type(), NULL, KernelMode, 0, &body);
    return body;
}

/* ObReferenceObject/ObDereferenceObject are the WDK's macros over the
 * FASTCALL routines, which return the new count. */
KT_TEST(ObfReferenceObject_counts)
{
    void *thing = new_thing();
    KT_REQUIRE(KT_TRUE(thing != NULL));
    KT_EQ_INT(ot_references(thing), 1);
    KT_EQ_INT(ObfReferenceObject(thing), 2);
    ObReferenceObject(thing);
    KT_EQ_INT(ot_references(thing), 3);
    KT_EQ_INT(ObfDereferenceObject(thing), 2);
    ObDereferenceObject(thing);
    KT_EQ_INT(ot_references(thing), 1);
    KT_EQ_INT(ObfReferenceObjectWithTag(thing, 'gaTr'), 2);
    KT_EQ_INT(ObfDereferenceObjectWithTag(thing, 'gaTr'), 1);
    ObReferenceObjectWithTag(thing, 'gaTr');
    ObDereferenceObjectWithTag(thing, 'gaTr');
    KT_EQ_INT(ot_handles(thing), 0);
    ob_dereference_object(thing);
}

/* The object goes at its last reference: the delete procedure runs once,
 * with the body. */
KT_TEST(last_reference_deletes)
{
    void *thing = new_thing();
    int before = deleted;
    ObReferenceObject(thing);
    ObDereferenceObject(thing);
    KT_EQ_INT(deleted, before);
    KT_EQ_INT(ObfDereferenceObject(thing), 0);
    KT_EQ_INT(deleted, before + 1);
    KT_EQ_PTR(deleted_body, thing);
}

/* The exported ObDereferenceObject function (not the macro) does the same. */
#undef ObDereferenceObject
KT_TEST(ObDereferenceObject_function)
{
    void *thing = new_thing();
    int before = deleted;
    ObDereferenceObject(thing);
    KT_EQ_INT(deleted, before + 1);
}

/* Windows deletes at PASSIVE_LEVEL even when the last dereference comes
 * at DISPATCH_LEVEL ("ObDereferenceObject ... IRQL <= DISPATCH_LEVEL"). */
KT_TEST(delete_runs_at_passive_level)
{
    void *thing = new_thing();
    KIRQL old = KeRaiseIrqlToDpcLevel();
    ObfDereferenceObject(thing);
    KT_EQ_INT(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    KT_EQ_PTR(deleted_body, thing);
    KT_EQ_INT(deleted_irql, PASSIVE_LEVEL);
}

/* "ObjectType ... can also be NULL if AccessMode is KernelMode": for
 * KernelMode the type is not compared, unless it is SymbolicLink. */
KT_TEST(ObReferenceObjectByPointer_kernel_mode)
{
    void *thing = new_thing();
    KT_EQ_STATUS(ObReferenceObjectByPointer(thing, 0, thing_type(), KernelMode), STATUS_SUCCESS);
    KT_EQ_STATUS(ObReferenceObjectByPointer(thing, 0, NULL, KernelMode), STATUS_SUCCESS);
    KT_EQ_STATUS(ObReferenceObjectByPointer(thing, 0, *IoFileObjectType, KernelMode), STATUS_SUCCESS);
    KT_EQ_STATUS(ObReferenceObjectByPointer(thing, 0, ob_symbolic_link_object_type, KernelMode),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_INT(ot_references(thing), 4);
    for (int i = 0; i < 4; i++)
        ObDereferenceObject(thing);
}

/* For UserMode the type must match: STATUS_OBJECT_TYPE_MISMATCH, no
 * reference taken. */
KT_TEST(ObReferenceObjectByPointer_user_mode)
{
    void *thing = new_thing();
    KT_EQ_STATUS(ObReferenceObjectByPointer(thing, 0, thing_type(), UserMode), STATUS_SUCCESS);
    KT_EQ_STATUS(ObReferenceObjectByPointer(thing, 0, NULL, UserMode), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_STATUS(ObReferenceObjectByPointer(thing, 0, *IoFileObjectType, UserMode), STATUS_OBJECT_TYPE_MISMATCH);
    KT_EQ_INT(ot_references(thing), 2);
    ObDereferenceObject(thing);
    ObDereferenceObject(thing);
}

static void dereference_with_handle_open(void *arg)
{
    HANDLE h;
    void *body;
    (void)arg;
    ot_create_directory(L"\\KernelObjects\\RfOverDeref", 0, NULL, &h);
    body = ot_body(h);
    ObDereferenceObject(body); /* the name's reference */
    ObDereferenceObject(body); /* the handle's: 0 with a handle open */
}

/* "This bug check can occur because an object's reference count goes to
 * zero while there are still open handles": P1 the type, P2 the object. */
KT_TEST(dereference_below_handles_is_0x18)
{
    const char *out = KT_EXPECT_BUGCHECK(REFERENCE_BY_POINTER, (ULONG_PTR)ob_directory_object_type,
                                         dereference_with_handle_open, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "the reference count is 0 with 1 handle open");
}

static void dereference_not_an_object(void *arg)
{
    struct {
        unsigned char before[256];
        unsigned char body[16];
    } *fake = arg;
    ObDereferenceObject(fake->body);
}

/* A pointer that is no object's body stops the run (Windows would corrupt
 * memory instead). */
KT_TEST(dereference_not_an_object_is_0x18)
{
    static unsigned char zeros[272];
    const char *out = KT_EXPECT_BUGCHECK(REFERENCE_BY_POINTER, 0, dereference_not_an_object, zeros);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "is not the body of a live object");
}

static void count_thing(void *object, void *context)
{
    if (object == ((void **)context)[0])
        ((void **)context)[1] = object;
}

/* The walk reports see every live object, and the accessors describe it. */
KT_TEST(object_accessors_and_walk)
{
    HANDLE h;
    void *seen[2] = { NULL, NULL };
    void *body;
    KT_REQUIRE(KT_EQ_STATUS(ot_create_directory(L"\\KernelObjects\\RfWalk", 0, NULL, &h), STATUS_SUCCESS));
    body = ot_body(h);
    seen[0] = body;
    ob_for_each_object(count_thing, seen);
    KT_EQ_PTR(seen[1], body);
    KT_EQ_PTR(ob_object_type(body), ob_directory_object_type);
    KT_EQ_USTR(ob_object_name(body), "RfWalk");
    KT_EQ_USTR(ob_type_name(ob_object_type(body)), "Directory");
    KT_TRUE(ob_object_directory(body) != NULL);
    KT_EQ_USTR(ob_object_name(ob_object_directory(body)), "KernelObjects");
    ZwClose(h);
}
