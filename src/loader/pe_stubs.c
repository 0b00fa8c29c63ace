/* loader/pe_stubs.c: what `ntbox run --allow-missing` binds a missing import
 * to (see pe_load.h).
 *
 * A routine's stub is a few instructions in an executable page: load the
 * stub's record and the return address into the driver, and call
 * ldr_stub_called, which ends the run the way an unhandled exception would
 * (bugcheck 0x7E, STATUS_NOT_IMPLEMENTED, charged to the driver's call
 * site): the driver gets as far as it can without the routine, then stops
 * with the routine named. A variable's stub is an inaccessible page, so
 * reading it faults and stops the run too. x86-64 only, like ntbox. */
#include "loader/pe_load.h"

#include "ke/bugcheck.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LDR_STUB_CODE_SIZE 48
#define LDR_STUB_PAGE 4096
#define LDR_STUBS_PER_BLOCK (LDR_STUB_PAGE / LDR_STUB_CODE_SIZE)

struct ldr_stub {
    char what[192];           /* "IoCreateDevice (ntoskrnl.exe)" */
    void *data_page;          /* a variable's inaccessible page */
};

struct ldr_stubs {
    struct ldr_stubs *next;
    uint8_t *code;            /* one page, LDR_STUBS_PER_BLOCK stubs */
    unsigned used;
    struct ldr_stub stub[LDR_STUBS_PER_BLOCK];
};

/* Called (System V ABI) by a stub's code, which passes its record and the
 * driver's return address. */
__attribute__((noreturn, used)) static void ldr_stub_called(const struct ldr_stub *stub, const void *ret)
{
    char detail[320];
    snprintf(detail, sizeof detail,
             "The driver called %s, which ntbox does not implement; `ntbox run --allow-missing` bound it to a stub "
             "that stops the run here.", stub->what);
    ke_unhandled_exception(STATUS_NOT_IMPLEMENTED, ret, detail);
}

/* push rbp; mov rbp, rsp (a frame, so the backtrace reaches the driver);
 * movabs rdi, stub; mov rsi, [rbp + 8]; movabs rax, ldr_stub_called;
 * and rsp, -16; call rax; ud2 */
static void ldr_stub_emit(uint8_t *code, const struct ldr_stub *stub)
{
    uint64_t record = (uintptr_t)stub, handler = (uintptr_t)ldr_stub_called;
    uint8_t *p = code;
    *p++ = 0x55;
    *p++ = 0x48, *p++ = 0x89, *p++ = 0xE5;
    *p++ = 0x48, *p++ = 0xBF;
    memcpy(p, &record, 8), p += 8;
    *p++ = 0x48, *p++ = 0x8B, *p++ = 0x75, *p++ = 0x08;
    *p++ = 0x48, *p++ = 0xB8;
    memcpy(p, &handler, 8), p += 8;
    *p++ = 0x48, *p++ = 0x83, *p++ = 0xE4, *p++ = 0xF0;
    *p++ = 0xFF, *p++ = 0xD0;
    *p++ = 0x0F, *p++ = 0x0B;
}

static struct ldr_stubs *ldr_stubs_block(struct ldr_stubs **stubs)
{
    if (*stubs && (*stubs)->used < LDR_STUBS_PER_BLOCK)
        return *stubs;
    struct ldr_stubs *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->code = mmap(NULL, LDR_STUB_PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b->code == MAP_FAILED) {
        free(b);
        return NULL;
    }
    b->next = *stubs;
    *stubs = b;
    return b;
}

void *ldr_stub_for(struct ldr_stubs **stubs, const char *module, const char *name, unsigned ordinal, bool data)
{
    struct ldr_stubs *b = ldr_stubs_block(stubs);
    if (!b)
        return NULL;
    struct ldr_stub *stub = &b->stub[b->used];
    if (name)
        snprintf(stub->what, sizeof stub->what, "%s (%s)", name, module);
    else
        snprintf(stub->what, sizeof stub->what, "ordinal %u of %s", ordinal, module);
    if (data) {
        stub->data_page = mmap(NULL, LDR_STUB_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (stub->data_page == MAP_FAILED) {
            stub->data_page = NULL;
            return NULL;
        }
        b->used++;
        return stub->data_page;
    }
    uint8_t *code = b->code + b->used * LDR_STUB_CODE_SIZE;
    if (mprotect(b->code, LDR_STUB_PAGE, PROT_READ | PROT_WRITE) != 0)
        return NULL;
    ldr_stub_emit(code, stub);
    mprotect(b->code, LDR_STUB_PAGE, PROT_READ | PROT_EXEC);
    b->used++;
    return code;
}

void ldr_stubs_free(struct ldr_stubs *stubs)
{
    while (stubs) {
        struct ldr_stubs *next = stubs->next;
        for (unsigned i = 0; i < stubs->used; i++)
            if (stubs->stub[i].data_page)
                munmap(stubs->stub[i].data_page, LDR_STUB_PAGE);
        munmap(stubs->code, LDR_STUB_PAGE);
        free(stubs);
        stubs = next;
    }
}
