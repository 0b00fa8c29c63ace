/* ob/print.c: ob_print_namespace, WinObj's view of the namespace as text:
 *   \
 *     Device (Directory)
 *       Zero (Device)
 *     GLOBAL?? (Directory)
 *       Zero (SymbolicLink -> \Device\Zero)
 * Entries come in directory order (sorted by name); the whole tree is
 * written at once, so the output is one block even with other threads
 * printing. */
#include "ob/obp.h"

#include "base/diag.h"

#include <stdio.h>
#include <stdlib.h>

static void ob_print_utf16(FILE *out, const UNICODE_STRING *s)
{
    char *text = ob_utf8(s->Buffer, s->Length);
    if (text)
        fputs(text, out);
    free(text);
}

/* One entry, copied under the lock: its name may go while printing. */
struct ob_print_entry {
    struct ob_header *object; /* referenced */
    UNICODE_STRING name;
};

static void ob_print_directory(FILE *out, struct ob_header *directory, int depth)
{
    struct ob_print_entry *entries = NULL;
    ULONG n = 0;

    ob_lock();
    for (struct ob_header *e; (e = ob_directory_entry_locked(directory, n)) != NULL; n++) {
        struct ob_print_entry *grown = realloc(entries, (n + 1) * sizeof *entries);
        if (!grown || !ob_copy_string(&grown[n].name, e->name.Buffer, e->name.Length)) {
            entries = grown ? grown : entries;
            break;
        }
        entries = grown;
        ob_reference_header(e);
        entries[n].object = e;
    }
    ob_unlock();
    for (ULONG i = 0; i < n; i++) {
        struct ob_header *e = entries[i].object;
        fprintf(out, "%*s", 2 * depth, "");
        ob_print_utf16(out, &entries[i].name);
        fputs(" (", out);
        ob_print_utf16(out, &e->type->name);
        if (e->type == ob_symbolic_link_object_type) {
            fputs(" -> ", out);
            ob_print_utf16(out, &((struct ob_symbolic_link *)ob_body_of(e))->target);
        }
        fputs(")\n", out);
        if (e->type == ob_directory_object_type)
            ob_print_directory(out, e, depth + 1);
        free(entries[i].name.Buffer);
        ob_dereference_header(e, NULL);
    }
    free(entries);
}

void ob_print_namespace(void)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);

    if (!out)
        return;
    fputs("\\\n", out);
    ob_print_directory(out, ob_root_directory, 1);
    fclose(out);
    diag_write(text, length);
    free(text);
}
