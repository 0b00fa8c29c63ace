/* verifier/report.c: the JSON report of a run (see report.h; the schema is
 * docs/report-schema.md).
 *
 * Written once, as the run ends: from the bugcheck path (possibly inside
 * the fault handler, like the text report it mirrors: the process exits
 * right after) or from the command once the run is over. Addresses and
 * bugcheck parameters are hex strings: 64-bit values do not survive JSON
 * numbers in every parser. */
#include "verifier/report.h"

#include "base/diag.h"
#include "ex/pool.h"
#include "ke/irql.h"
#include "loader/compile.h"
#include "loader/module.h"
#include "loader/symbols.h"
#include "verifier/verifier.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VF_REPORT_SCHEMA 1
/* Leaked blocks listed one by one; the count is always exact. */
#define VF_REPORT_MAX_BLOCKS 256

static char vf_report_path[4096];
static char vf_driver_file[4096];
static __thread struct vf_block vf_noted_block;
static __thread bool vf_block_noted;

bool vf_report_open(const char *path, char *err, size_t errn)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errn, "cannot write the report %s: %s", path, strerror(errno));
        return false;
    }
    fclose(f);
    snprintf(vf_report_path, sizeof vf_report_path, "%s", path);
    return true;
}

void vf_report_set_driver(const char *driver_file)
{
    snprintf(vf_driver_file, sizeof vf_driver_file, "%s", driver_file);
}

void vf_report_note_block(const struct vf_block *block)
{
    vf_noted_block = *block;
    vf_block_noted = true;
}

/* ------------------------------------------------------------------ */
/* JSON output */

static void vf_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void vf_json_hex(FILE *f, unsigned long long value, int digits)
{
    fprintf(f, "\"0x%0*llX\"", digits, value);
}

/* What a code address is, in the report's terms. */
struct vf_where {
    char file[512];
    long line; /* 0: unknown */
    char function[256];
    char module[96];
    uintptr_t offset;
};

static const char *vf_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Driver addresses from the loader's symbolization ("FILE:LINE in FUNCTION
 * (IMAGE+0xOFFSET)", parts missing when unknown); others (ntbox itself)
 * from the dynamic symbols. */
static void vf_where_of(const void *addr, bool is_return, struct vf_where *w)
{
    const struct ldr_module *m = ldr_module_at(addr);
    char text[512], suffix[128];
    Dl_info info;

    memset(w, 0, sizeof *w);
    if (!m) {
        if (dladdr(addr, &info) && info.dli_fname) {
            snprintf(w->module, sizeof w->module, "%s", vf_basename(info.dli_fname));
            w->offset = (uintptr_t)addr - (uintptr_t)info.dli_fbase;
            snprintf(w->function, sizeof w->function, "%s", info.dli_sname ? info.dli_sname : "");
        }
        return;
    }
    snprintf(w->module, sizeof w->module, "%s", m->image_name);
    w->offset = (uintptr_t)addr - m->start;
    ldr_source_line(addr, is_return, text, sizeof text);
    char *colon = strrchr(text, ':');
    if (colon && strncmp(text, m->image_name, strlen(m->image_name)) != 0) {
        *colon = 0;
        snprintf(w->file, sizeof w->file, "%s", text);
        w->line = strtol(colon + 1, NULL, 10);
    }
    ldr_describe_address(addr, is_return, text, sizeof text);
    snprintf(suffix, sizeof suffix, "(%s+0x", m->image_name);
    char *end = strstr(text, suffix);
    const char *in = strstr(text, "in ");
    if (end && in && in < end) {
        in += 3;
        int len = (int)(end - in);
        while (len > 0 && in[len - 1] == ' ')
            len--;
        snprintf(w->function, sizeof w->function, "%.*s", len, in);
    }
}

static void vf_json_where(FILE *f, const void *addr, bool is_return)
{
    struct vf_where w;
    if (!addr) {
        fputs("null", f);
        return;
    }
    vf_where_of(addr, is_return, &w);
    fputs("{\"address\": ", f);
    vf_json_hex(f, (uintptr_t)addr, 16);
    fputs(", \"file\": ", f);
    vf_json_string(f, w.file[0] ? w.file : NULL);
    fputs(", \"line\": ", f);
    if (w.line)
        fprintf(f, "%ld", w.line);
    else
        fputs("null", f);
    fputs(", \"function\": ", f);
    vf_json_string(f, w.function[0] ? w.function : NULL);
    fputs(", \"module\": ", f);
    vf_json_string(f, w.module[0] ? w.module : NULL);
    fputs(", \"offset\": ", f);
    if (w.module[0])
        fprintf(f, "\"0x%llx\"", (unsigned long long)w.offset);
    else
        fputs("null", f);
    fputc('}', f);
}

static void vf_json_block(FILE *f, const struct vf_block *b)
{
    char tag[5];
    const char *type = ex_pool_type_name(b->type);
    fputs("{\"address\": ", f);
    vf_json_hex(f, (uintptr_t)b->address, 16);
    fputs(", \"tag\": ", f);
    vf_json_string(f, ex_pool_tag_text(b->tag, tag));
    fputs(", \"tag_value\": ", f);
    vf_json_hex(f, b->tag, 8);
    fprintf(f, ", \"size\": %llu, \"type\": ", (unsigned long long)b->size);
    vf_json_string(f, type);
    fputs(", \"allocated_at\": ", f);
    vf_json_where(f, b->allocated_at, true);
    fputs(", \"freed_at\": ", f);
    vf_json_where(f, b->freed_at, true);
    fputc('}', f);
}

/* The fields every report starts with. */
static void vf_json_head(FILE *f, const char *result, int exit_status, const char *driver)
{
    char stem[64] = "";
    if (vf_driver_file[0])
        ldr_file_stem(vf_driver_file, stem, sizeof stem);
    fprintf(f, "{\n  \"schema\": %d,\n  \"result\": ", VF_REPORT_SCHEMA);
    vf_json_string(f, result);
    fprintf(f, ",\n  \"exit_status\": %d,\n  \"driver\": ", exit_status);
    vf_json_string(f, driver ? driver : stem[0] ? stem : NULL);
    fputs(",\n  \"driver_file\": ", f);
    vf_json_string(f, vf_driver_file[0] ? vf_driver_file : NULL);
    fputs(",\n  \"verifier\": [", f);
    for (int g = 0, n = 0; g < VF_GROUPS; g++)
        if (vf_enabled((enum vf_group)g)) {
            fputs(n++ ? ", " : "", f);
            vf_json_string(f, vf_group_name((enum vf_group)g));
        }
    fprintf(f, "],\n  \"warnings\": %u", diag_warning_count());
}

/* The allocations a leak report (0xC4/0x62) lists: P3 is the leaking
 * image's module record (src/io/driver_load.c). */
static size_t vf_leaked_blocks(const struct vf_bugcheck *b, struct vf_block *out, size_t max)
{
    struct ex_pool_block_info *blocks;
    const struct ldr_module *owner = (const struct ldr_module *)b->parameters[2];
    size_t n = ex_pool_live_blocks(&blocks), found = 0;
    for (size_t i = 0; i < n && found < max; i++)
        if (ldr_module_at(blocks[i].caller) == owner)
            out[found++] = (struct vf_block){ blocks[i].address, blocks[i].size, blocks[i].tag,
                                              (ULONG)blocks[i].type, blocks[i].caller, NULL };
    free(blocks);
    return found;
}

void vf_report_bugcheck(const struct vf_bugcheck *b)
{
    static struct vf_block leaked[VF_REPORT_MAX_BLOCKS];
    size_t nleaked = 0;
    /* A note is for the bugcheck that follows it, reported or not. */
    const struct vf_block *block = vf_block_noted ? &vf_noted_block : NULL;
    vf_block_noted = false;

    if (!vf_report_path[0])
        return;
    FILE *f = fopen(vf_report_path, "w");
    if (!f)
        return;
    if (b->code == 0xC4 && b->parameters[0] == 0x62) {
        nleaked = vf_leaked_blocks(b, leaked, VF_REPORT_MAX_BLOCKS);
        if (nleaked && !block)
            block = &leaked[0];
    }
    /* A leak is charged to the line that allocated the block. */
    const void *at = b->at ? b->at : block ? block->allocated_at : NULL;
    bool at_is_return = b->at ? b->at_is_return : true;
    const char *driver = b->driver ? b->driver : at ? ldr_driver_name_at(at) : NULL;

    vf_json_head(f, "bugcheck", 3, driver);
    fputs(",\n  \"code\": ", f);
    vf_json_hex(f, b->code, 8);
    fputs(",\n  \"name\": ", f);
    vf_json_string(f, b->name);
    fputs(",\n  \"parameters\": [", f);
    for (int i = 0; i < 4; i++) {
        fputs(i ? ", " : "", f);
        vf_json_hex(f, b->parameters[i], 16);
    }
    fputs("],\n  \"meaning\": ", f);
    vf_json_string(f, b->meaning);
    fputs(",\n  \"detail\": ", f);
    vf_json_string(f, b->detail);
    fputs(",\n  \"location\": ", f);
    vf_json_where(f, at, at_is_return);
    fputs(",\n  \"backtrace\": [", f);
    for (int i = 0; i < b->frame_count; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        vf_json_where(f, b->frames[i], i > 0 || b->at_is_return);
    }
    fprintf(f, "%s],\n  \"irql\": {\"value\": %u, \"name\": ", b->frame_count ? "\n  " : "", b->irql);
    vf_json_string(f, ke_irql_name(b->irql));
    fprintf(f, "},\n  \"thread\": %ld,\n  \"process\": {\"name\": ", b->thread);
    vf_json_string(f, b->process);
    fprintf(f, ", \"pid\": %u},\n  \"block\": ", b->process_id);
    if (block)
        vf_json_block(f, block);
    else
        fputs("null", f);
    if (b->code == 0xC4 && b->parameters[0] == 0x62) {
        fprintf(f, ",\n  \"leaked_count\": %llu,\n  \"leaked\": [", (unsigned long long)b->parameters[3]);
        for (size_t i = 0; i < nleaked; i++) {
            fputs(i ? ",\n    " : "\n    ", f);
            vf_json_block(f, &leaked[i]);
        }
        fputs(nleaked ? "\n  ]" : "]", f);
    }
    fputs("\n}\n", f);
    fclose(f);
}

void vf_report_hang(const char *result, const char *text)
{
    if (!vf_report_path[0])
        return;
    FILE *f = fopen(vf_report_path, "w");
    if (!f)
        return;
    vf_json_head(f, result, 3, NULL);
    fputs(",\n  \"report\": ", f);
    vf_json_string(f, text);
    fputs("\n}\n", f);
    fclose(f);
}

void vf_report_finish(int exit_status)
{
    static const char *const results[] = { "clean", "error", "driver_entry_failed" };
    if (!vf_report_path[0])
        return;
    FILE *f = fopen(vf_report_path, "w");
    if (!f)
        return;
    vf_json_head(f, exit_status >= 0 && exit_status <= 2 ? results[exit_status] : "error", exit_status, NULL);
    fputs("\n}\n", f);
    fclose(f);
}
