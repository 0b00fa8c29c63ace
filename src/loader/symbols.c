/* loader/symbols.c: code addresses described for reports (see symbols.h).
 *
 * Driver addresses are resolved from the image's DWARF line table by
 * binutils' addr2line (which reads PE images as well as ELF ones), run only
 * when a report needs it, and cached; in a PE image without line tables the
 * function is its nearest exported or COFF symbol. Other addresses (ntbox
 * itself) are described by their nearest dynamic symbol. */
#include "loader/symbols.h"

#include "loader/module.h"
#include "loader/pe_load.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct ldr_line {
    uintptr_t addr;
    char function[128];
    char file_line[192]; /* "sample.cpp:22", or "" */
};

#define LDR_LINE_CACHE 64
static struct ldr_line ldr_line_cache[LDR_LINE_CACHE];
static unsigned ldr_line_next;
static pthread_mutex_t ldr_line_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *ldr_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Copies src into dst[n], cutting it short when it does not fit. */
static void ldr_copy(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = 0;
}

/* True for a file of ntbox's own headers (km_list.h's inline list checks):
 * a report names the driver's statement that called them instead. */
static bool ldr_is_ntbox_header(const char *path)
{
    size_t n = strlen(NTBOX_INCLUDE_DIR);
    return strncmp(path, NTBOX_INCLUDE_DIR, n) == 0 && path[n] == '/';
}

/* Runs `addr2line -f -i -C -e IMAGE 0xVADDR`: for each frame of the inline
 * chain, innermost first, a line with the function and one with FILE:LINE
 * ("??" parts when unknown). The frame described is the first whose file
 * is not one of ntbox's headers, so a check inlined from wdm.h is charged
 * to the driver's call; the innermost when every frame is in them. */
static void ldr_addr2line(const char *image, uintptr_t vaddr, struct ldr_line *out)
{
    int fds[2];
    char arg[32];
    char text[4096] = "";
    size_t used = 0;
    ssize_t got;

    snprintf(arg, sizeof arg, "0x%lx", (unsigned long)vaddr);
    if (pipe(fds) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execlp("addr2line", "addr2line", "-f", "-i", "-C", "-e", image, arg, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (pid > 0 && (got = read(fds[0], text + used, sizeof text - 1 - used)) > 0)
        used += (size_t)got;
    text[used] = 0;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);

    char *function = NULL, *location = NULL;
    for (char *line = text, *next; *line; line = next) {
        char *end = strchr(line, '\n');
        if (!end)
            break;
        *end = 0;
        char *second = end + 1;
        end = strchr(second, '\n');
        if (!end)
            break;
        *end = 0;
        next = end + 1;
        bool in_header = ldr_is_ntbox_header(second);
        if (!function || !in_header) {
            function = line;
            location = second;
        }
        if (!in_header)
            break;
    }
    if (!function)
        return;
    char *discriminator = strstr(location, " (discriminator");
    if (discriminator)
        *discriminator = 0;
    if (strcmp(function, "??") != 0)
        ldr_copy(out->function, sizeof out->function, function);
    if (strncmp(location, "??", 2) != 0 && !strstr(location, ":?") && !strstr(location, ":0"))
        ldr_copy(out->file_line, sizeof out->file_line, ldr_basename(location));
}

static struct ldr_line ldr_lookup_line(const struct ldr_module *m, uintptr_t addr)
{
    struct ldr_line line;

    pthread_mutex_lock(&ldr_line_lock);
    for (unsigned i = 0; i < LDR_LINE_CACHE; i++) {
        if (ldr_line_cache[i].addr == addr) {
            line = ldr_line_cache[i];
            pthread_mutex_unlock(&ldr_line_lock);
            return line;
        }
    }
    memset(&line, 0, sizeof line);
    line.addr = addr;
    ldr_addr2line(m->image, addr - m->bias, &line);
    if (!line.function[0])
        ldr_pe_symbol(m, addr, line.function, sizeof line.function);
    ldr_line_cache[ldr_line_next++ % LDR_LINE_CACHE] = line;
    pthread_mutex_unlock(&ldr_line_lock);
    return line;
}

const char *ldr_describe_address(const void *addr, bool is_return_address, char *buf, size_t n)
{
    uintptr_t a = (uintptr_t)addr;
    const struct ldr_module *m = ldr_module_at(addr);
    Dl_info info;

    if (m) {
        /* A return address's line is the call's: look one byte back. */
        struct ldr_line line = ldr_lookup_line(m, is_return_address ? a - 1 : a);
        snprintf(buf, n, "%s%s%s%s%s(%s+0x%lx)", line.file_line, line.file_line[0] ? " " : "",
                 line.function[0] ? "in " : "", line.function, line.function[0] ? " " : "", m->image_name,
                 (unsigned long)(a - m->start));
    } else if (dladdr(addr, &info) && info.dli_fname) {
        uintptr_t off = a - (uintptr_t)info.dli_fbase;
        if (info.dli_sname)
            snprintf(buf, n, "%s (%s+0x%lx)", info.dli_sname, ldr_basename(info.dli_fname), (unsigned long)off);
        else
            snprintf(buf, n, "%s+0x%lx", ldr_basename(info.dli_fname), (unsigned long)off);
    } else {
        snprintf(buf, n, "0x%016lx", (unsigned long)a);
    }
    return buf;
}

const char *ldr_source_line(const void *addr, bool is_return_address, char *buf, size_t n)
{
    uintptr_t a = (uintptr_t)addr;
    const struct ldr_module *m = ldr_module_at(addr);

    if (m) {
        struct ldr_line line = ldr_lookup_line(m, is_return_address ? a - 1 : a);
        if (line.file_line[0]) {
            snprintf(buf, n, "%s", line.file_line);
            return buf;
        }
        snprintf(buf, n, "%s+0x%lx", m->image_name, (unsigned long)(a - m->start));
        return buf;
    }
    return ldr_describe_address(addr, is_return_address, buf, n);
}
