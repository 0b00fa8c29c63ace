/* tests/verifier/test_report.c: the JSON report (src/verifier/report.c),
 * parsed back by a small JSON reader here and checked field by field
 * against the schema in docs/report-schema.md: a bugcheck with a pool
 * block, a leak listing its blocks, and the runs that end without one. */
#include "ktest.h"

#include "ex/pool.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* A JSON reader: enough for the report (objects, arrays, strings with
 * escapes, integers, true, false, null); NULL for anything malformed. */

enum jtype { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

struct jvalue {
    enum jtype type;
    long long number;
    char *string;
    size_t n;
    char **keys;
    struct jvalue **items;
};

static void jskip(const char **p)
{
    while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
        (*p)++;
}

static struct jvalue *jnew(enum jtype type)
{
    struct jvalue *v = calloc(1, sizeof *v);
    v->type = type;
    return v;
}

static char *jstring(const char **p)
{
    if (**p != '"')
        return NULL;
    size_t cap = 64, len = 0;
    char *s = malloc(cap);
    for ((*p)++; **p != '"'; (*p)++) {
        char c = **p;
        if (!c || (unsigned char)c < 0x20) {
            free(s);
            return NULL;
        }
        if (c == '\\') {
            c = *++*p;
            unsigned u;
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case '"': case '\\': case '/': break;
            case 'u':
                if (sscanf(*p + 1, "%4x", &u) != 1 || u > 0x7F) {
                    free(s);
                    return NULL;
                }
                c = (char)u;
                *p += 4;
                break;
            default:
                free(s);
                return NULL;
            }
        }
        if (len + 2 > cap)
            s = realloc(s, cap *= 2);
        s[len++] = c;
    }
    (*p)++;
    s[len] = 0;
    return s;
}

static struct jvalue *jparse(const char **p)
{
    struct jvalue *v;
    jskip(p);
    if (**p == '{' || **p == '[') {
        bool object = **p == '{';
        v = jnew(object ? J_OBJECT : J_ARRAY);
        (*p)++;
        jskip(p);
        if (**p == (object ? '}' : ']')) {
            (*p)++;
            return v;
        }
        for (;;) {
            char *key = NULL;
            if (object) {
                jskip(p);
                if (!(key = jstring(p)))
                    return NULL;
                jskip(p);
                if (*(*p)++ != ':')
                    return NULL;
            }
            struct jvalue *item = jparse(p);
            if (!item)
                return NULL;
            v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
            v->items = realloc(v->items, (v->n + 1) * sizeof *v->items);
            v->keys[v->n] = key;
            v->items[v->n++] = item;
            jskip(p);
            if (**p == ',') {
                (*p)++;
                continue;
            }
            if (*(*p)++ != (object ? '}' : ']'))
                return NULL;
            return v;
        }
    }
    if (**p == '"') {
        v = jnew(J_STRING);
        return (v->string = jstring(p)) ? v : NULL;
    }
    if (**p == '-' || (**p >= '0' && **p <= '9')) {
        char *end;
        v = jnew(J_NUMBER);
        v->number = strtoll(*p, &end, 10);
        *p = end;
        return v;
    }
    static const struct { const char *word; enum jtype type; long long value; } words[] = {
        { "null", J_NULL, 0 }, { "true", J_BOOL, 1 }, { "false", J_BOOL, 0 },
    };
    for (size_t i = 0; i < 3; i++)
        if (strncmp(*p, words[i].word, strlen(words[i].word)) == 0) {
            *p += strlen(words[i].word);
            v = jnew(words[i].type);
            v->number = words[i].value;
            return v;
        }
    return NULL;
}

/* The whole text as one value, or NULL. */
static struct jvalue *jdocument(const char *text)
{
    const char *p = text;
    struct jvalue *v = text ? jparse(&p) : NULL;
    if (v)
        jskip(&p);
    return v && !*p ? v : NULL;
}

static void jfree(struct jvalue *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->keys[i]);
        jfree(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->string);
    free(v);
}

static const struct jvalue *jget(const struct jvalue *v, const char *key)
{
    for (size_t i = 0; v && v->type == J_OBJECT && i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->items[i];
    return NULL;
}

static const char *jstr(const struct jvalue *v, const char *key)
{
    const struct jvalue *f = jget(v, key);
    return f && f->type == J_STRING ? f->string : NULL;
}

static long long jnum(const struct jvalue *v, const char *key)
{
    const struct jvalue *f = jget(v, key);
    return f && f->type == J_NUMBER ? f->number : -1;
}

static bool jnull(const struct jvalue *v, const char *key)
{
    const struct jvalue *f = jget(v, key);
    return f && f->type == J_NULL;
}

/* ------------------------------------------------------------------ */

static char report_path[64];

static char *read_report(void)
{
    FILE *f = fopen(report_path, "r");
    if (!f)
        return NULL;
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    return text;
}


static struct vf_bugcheck sample_bugcheck(ULONG code, ULONG_PTR p1, const void *const *frames, int nframes)
{
    return (struct vf_bugcheck){
        .code = code,
        .parameters = { p1, 0xFFFFF80012345678ULL, 0, 0x10 },
        .name = "BAD_POOL_CALLER",
        .meaning = "A driver made a bad pool request.",
        .detail = "ExFreePool(0x1): \"quoted\"\tand\nsecond line\x01",
        .driver = NULL,
        .at = NULL,
        .at_is_return = true,
        .frames = frames,
        .frame_count = nframes,
        .irql = DISPATCH_LEVEL,
        .thread = 1234,
        .process = "client.exe",
        .process_id = 1004,
    };
}

/* Without --report nothing is written (this runs first: the path stays
 * set once a test opens a report). */
KT_TEST(vf_report_nothing_unless_asked)
{
    snprintf(report_path, sizeof report_path, "/tmp/ntbox-report-%d.json", (int)getpid());
    unlink(report_path);
    struct vf_bugcheck b = sample_bugcheck(0xC2, 0x07, NULL, 0);
    vf_report_bugcheck(&b);
    vf_report_finish(0);
    KT_EQ_PTR(read_report(), NULL);
}

/* A path that cannot be written is refused, saying why. */
KT_TEST(vf_report_open_unwritable)
{
    char err[512];
    KT_FALSE(vf_report_open("/nonexistent-dir/report.json", err, sizeof err));
    KT_CONTAINS(err, "cannot write the report /nonexistent-dir/report.json: No such file or directory");
}

/* The bugcheck: code, name, parameters as hex strings, meaning, detail
 * (escaped and read back intact), irql, thread, process, the noted pool
 * block, the backtrace; the run's driver file and the enabled groups. */
KT_TEST(vf_report_bugcheck_fields)
{
    char err[256];
    const void *frames[2] = { (const void *)&ExFreePool, (const void *)&ExAllocatePoolWithTag };
    KT_REQUIRE(KT_TRUE(vf_report_open(report_path, err, sizeof err)));
    KT_EQ_STR(read_report(), "");
    vf_report_set_driver("drivers/sample.cpp");
    vf_set_groups((1u << VF_IRQL) | (1u << VF_IO));
    struct vf_block block = { (const void *)0x7F0000001000ULL, 0x74, 'dcba', PagedPool, NULL, NULL };
    vf_report_note_block(&block);
    struct vf_bugcheck b = sample_bugcheck(0xC2, 0x07, frames, 2);
    vf_report_bugcheck(&b);
    vf_set_groups(VF_LIBRARY_DEFAULT);

    struct jvalue *r = jdocument(read_report());
    KT_REQUIRE(KT_TRUE(r != NULL));
    KT_EQ_INT(jnum(r, "schema"), 1);
    KT_EQ_STR(jstr(r, "result"), "bugcheck");
    KT_EQ_INT(jnum(r, "exit_status"), 3);
    KT_EQ_STR(jstr(r, "driver"), "sample");
    KT_EQ_STR(jstr(r, "driver_file"), "drivers/sample.cpp");
    const struct jvalue *groups = jget(r, "verifier");
    KT_REQUIRE(KT_TRUE(groups && groups->type == J_ARRAY && groups->n == 2));
    KT_EQ_STR(groups->items[0]->string, "irql");
    KT_EQ_STR(groups->items[1]->string, "io");
    KT_EQ_INT(jnum(r, "warnings"), 0);
    KT_EQ_STR(jstr(r, "code"), "0x000000C2");
    KT_EQ_STR(jstr(r, "name"), "BAD_POOL_CALLER");
    const struct jvalue *p = jget(r, "parameters");
    KT_REQUIRE(KT_TRUE(p && p->type == J_ARRAY && p->n == 4));
    KT_EQ_STR(p->items[0]->string, "0x0000000000000007");
    KT_EQ_STR(p->items[1]->string, "0xFFFFF80012345678");
    KT_EQ_STR(p->items[2]->string, "0x0000000000000000");
    KT_EQ_STR(p->items[3]->string, "0x0000000000000010");
    KT_EQ_STR(jstr(r, "meaning"), "A driver made a bad pool request.");
    KT_EQ_STR(jstr(r, "detail"), "ExFreePool(0x1): \"quoted\"\tand\nsecond line\x01");
    const struct jvalue *irql = jget(r, "irql");
    KT_EQ_INT(jnum(irql, "value"), 2);
    KT_EQ_STR(jstr(irql, "name"), "DISPATCH_LEVEL");
    KT_EQ_INT(jnum(r, "thread"), 1234);
    KT_EQ_STR(jstr(jget(r, "process"), "name"), "client.exe");
    KT_EQ_INT(jnum(jget(r, "process"), "pid"), 1004);
    KT_TRUE(jnull(r, "location"));

    const struct jvalue *blk = jget(r, "block");
    KT_EQ_STR(jstr(blk, "address"), "0x00007F0000001000");
    KT_EQ_STR(jstr(blk, "tag"), "abcd");
    KT_EQ_STR(jstr(blk, "tag_value"), "0x64636261");
    KT_EQ_INT(jnum(blk, "size"), 0x74);
    KT_EQ_STR(jstr(blk, "type"), "PagedPool");
    KT_TRUE(jnull(blk, "allocated_at"));
    KT_TRUE(jnull(blk, "freed_at"));

    /* ntbox's own frames: module and offset from the dynamic symbols, no
     * source line. */
    const struct jvalue *bt = jget(r, "backtrace");
    KT_REQUIRE(KT_TRUE(bt && bt->type == J_ARRAY && bt->n == 2));
    char address[32];
    snprintf(address, sizeof address, "0x%016llX", (unsigned long long)(uintptr_t)&ExFreePool);
    KT_EQ_STR(jstr(bt->items[0], "address"), address);
    KT_TRUE(jnull(bt->items[0], "file"));
    KT_TRUE(jnull(bt->items[0], "line"));
    KT_EQ_STR(jstr(bt->items[0], "module"), "verifier_test_report");
    KT_TRUE(jstr(bt->items[0], "offset") != NULL);
    KT_FALSE(jget(r, "leaked") != NULL);
    jfree(r);
}

/* A leak at unload (0xC4/0x62): every block still allocated from the
 * leaking image (P3) listed, the first as the block, charged to the line
 * that allocated it; leaked_count is P4. Here the "image" is none: the
 * test's own allocations. */
KT_TEST(vf_report_leak_lists_blocks)
{
    char err[256];
    KT_REQUIRE(KT_TRUE(vf_report_open(report_path, err, sizeof err)));
    void *leak = ExAllocatePoolWithTag(NonPagedPoolNx, 40, 'kaeL');
    struct vf_bugcheck b = sample_bugcheck(0xC4, 0x62, NULL, 0);
    b.parameters[2] = 0;
    b.parameters[3] = 1;
    vf_report_bugcheck(&b);
    ExFreePoolWithTag(leak, 'kaeL');

    struct jvalue *r = jdocument(read_report());
    KT_REQUIRE(KT_TRUE(r != NULL));
    KT_EQ_STR(jstr(r, "code"), "0x000000C4");
    KT_EQ_INT(jnum(r, "leaked_count"), 1);
    const struct jvalue *leaked = jget(r, "leaked");
    KT_REQUIRE(KT_TRUE(leaked && leaked->type == J_ARRAY && leaked->n >= 1));
    bool found = false;
    char address[32];
    snprintf(address, sizeof address, "0x%016llX", (unsigned long long)(uintptr_t)leak);
    for (size_t i = 0; i < leaked->n; i++)
        if (jstr(leaked->items[i], "address") && strcmp(jstr(leaked->items[i], "address"), address) == 0) {
            found = true;
            KT_EQ_STR(jstr(leaked->items[i], "tag"), "Leak");
            KT_EQ_INT(jnum(leaked->items[i], "size"), 40);
            KT_EQ_STR(jstr(leaked->items[i], "type"), "NonPagedPoolNx");
            const struct jvalue *at = jget(leaked->items[i], "allocated_at");
            KT_TRUE(at && at->type == J_OBJECT && jstr(at, "module") != NULL);
        }
    KT_TRUE(found);
    KT_TRUE(jget(r, "block") && jget(r, "block")->type == J_OBJECT);
    KT_TRUE(jget(r, "location") && jget(r, "location")->type == J_OBJECT);
    jfree(r);
}

/* A run that ends without a bugcheck: its result by exit status. */
KT_TEST(vf_report_finish_results)
{
    static const struct { int status; const char *result; } runs[] = {
        { 0, "clean" }, { 1, "error" }, { 2, "driver_entry_failed" },
    };
    char err[256];
    for (size_t i = 0; i < 3; i++) {
        KT_REQUIRE(KT_TRUE(vf_report_open(report_path, err, sizeof err)));
        vf_report_finish(runs[i].status);
        struct jvalue *r = jdocument(read_report());
        KT_REQUIRE(KT_TRUE(r != NULL));
        KT_EQ_STR(jstr(r, "result"), runs[i].result);
        KT_EQ_INT(jnum(r, "exit_status"), runs[i].status);
        KT_EQ_STR(jstr(r, "driver"), "sample");
        KT_FALSE(jget(r, "code") != NULL);
        jfree(r);
    }
    unlink(report_path);
}
