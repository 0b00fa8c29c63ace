/* loader/symbols.c: code addresses described for reports (placeholder:
 * module+offset and nearest dynamic symbol). */
#include "loader/symbols.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *ldr_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

const char *ldr_describe_address(const void *addr, bool is_return_address, char *buf, size_t n)
{
    Dl_info info;
    (void)is_return_address;
    if (dladdr(addr, &info) && info.dli_fname) {
        uintptr_t off = (uintptr_t)addr - (uintptr_t)info.dli_fbase;
        if (info.dli_sname)
            snprintf(buf, n, "%s (%s+0x%lx)", info.dli_sname, ldr_basename(info.dli_fname), (unsigned long)off);
        else
            snprintf(buf, n, "%s+0x%lx", ldr_basename(info.dli_fname), (unsigned long)off);
    } else {
        snprintf(buf, n, "0x%016lx", (unsigned long)(uintptr_t)addr);
    }
    return buf;
}

const char *ldr_source_line(const void *addr, bool is_return_address, char *buf, size_t n)
{
    return ldr_describe_address(addr, is_return_address, buf, n);
}

const char *ldr_driver_name_at(const void *addr)
{
    (void)addr;
    return NULL;
}
