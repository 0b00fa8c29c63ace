/* tests/ke/test_seh_fault.c: faults as exceptions: an access violation,
 * a division by zero or an illegal instruction inside a __try reaches its
 * filter with the record and context Windows builds; a fault ntbox's own
 * routine takes on a driver's bad pointer too. Not exceptions: faults at
 * DISPATCH_LEVEL (0xD1) and on pool memory. A fault no filter takes gets
 * the report every unhandled fault gets. */
#include "ktest.h"

#include "ps/process.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED 0x7E
#define DRIVER_IRQL_NOT_LESS_OR_EQUAL 0xD1

static volatile ULONG_PTR g_info[2];
static volatile ULONG64 g_address, g_rip, g_rsp;

/* The accesses that fault on purpose, out of UBSan's sight (it would stop
 * them first), through pointers the compiler cannot see through. */
__attribute__((noinline, no_sanitize("undefined"))) static void write_at(uintptr_t addr)
{
    volatile uintptr_t a = addr;
    *(volatile ULONG *)a = 1;
}

__attribute__((noinline, no_sanitize("undefined"))) static ULONG read_at(uintptr_t addr)
{
    volatile uintptr_t a = addr;
    return *(volatile UCHAR *)a;
}

__attribute__((noinline, no_sanitize("undefined"))) static int divide(int a, int b)
{
    return a / b;
}

static LONG note(PEXCEPTION_POINTERS p)
{
    g_info[0] = p->ExceptionRecord->NumberParameters > 0 ? p->ExceptionRecord->ExceptionInformation[0] : 99;
    g_info[1] = p->ExceptionRecord->NumberParameters > 1 ? p->ExceptionRecord->ExceptionInformation[1] : 99;
    g_address = (ULONG64)(uintptr_t)p->ExceptionRecord->ExceptionAddress;
    g_rip = p->ContextRecord->Rip;
    g_rsp = p->ContextRecord->Rsp;
    return EXCEPTION_EXECUTE_HANDLER;
}

/* "An access violation ... The first element of the array contains a
 * read-write flag that indicates the type of operation that caused the
 * access violation (0 read, 1 write, 8 DEP). The second array element
 * specifies the virtual address of the inaccessible data." */
KT_TEST(null_write_is_an_access_violation)
{
    volatile NTSTATUS code = 0;
    __try {
        write_at(0);
    } __except (note(GetExceptionInformation())) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_ACCESS_VIOLATION);
    KT_EQ_INT(g_info[0], 1);
    KT_EQ_HEX(g_info[1], 0);
    KT_EQ_HEX(g_rip, g_address);
    KT_TRUE(g_rsp < (uintptr_t)__builtin_frame_address(0) + 256 && g_rsp + 4096 > (uintptr_t)__builtin_frame_address(0));
}

KT_TEST(read_of_an_unmapped_page)
{
    volatile NTSTATUS code = 0;
    volatile UCHAR *page = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KT_REQUIRE(KT_TRUE(page != MAP_FAILED));
    __try {
        code = read_at((uintptr_t)page + 5);
    } __except (note(GetExceptionInformation())) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_ACCESS_VIOLATION);
    KT_EQ_INT(g_info[0], 0);
    KT_EQ_HEX(g_info[1], (uintptr_t)page + 5);
    munmap((void *)page, PAGE_SIZE);
}

/* Executing a page that is not executable: flag 8, the address the code. */
KT_TEST(execution_of_data)
{
    volatile NTSTATUS code = 0;
    UCHAR *page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KT_REQUIRE(KT_TRUE(page != MAP_FAILED));
    page[0] = 0xC3;
    __try {
        ((void (*)(void))page)();
    } __except (note(GetExceptionInformation())) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_ACCESS_VIOLATION);
    KT_EQ_INT(g_info[0], 8);
    KT_EQ_HEX(g_info[1], (uintptr_t)page);
    KT_EQ_HEX(g_address, (uintptr_t)page);
    munmap(page, PAGE_SIZE);
}

static volatile int g_zero;

KT_TEST(division_by_zero)
{
    volatile NTSTATUS code = 0;
    __try {
        code = divide(10, g_zero);
    } __except (note(GetExceptionInformation())) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_INTEGER_DIVIDE_BY_ZERO);
    KT_EQ_INT(g_info[0], 99); /* no parameters */
}

KT_TEST(illegal_instruction)
{
    volatile NTSTATUS code = 0;
    __try {
        __asm__ volatile("ud2");
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_ILLEGAL_INSTRUCTION);
}

/* A kernel routine given a bad pointer faults inside itself; on Windows a
 * user-mode address's fault is an exception the calling driver's handler
 * takes, and so here. */
KT_TEST(fault_inside_an_ntbox_routine)
{
    volatile NTSTATUS code = 0;
    UNICODE_STRING string;
    __try {
        RtlInitUnicodeString(&string, (PCWSTR)(uintptr_t)0x10);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        code = GetExceptionCode();
    }
    KT_EQ_STATUS(code, STATUS_ACCESS_VIOLATION);
}

/* A load that faults, then the instruction after it, for a filter to
 * resume at. */
ULONG seh_test_load(volatile ULONG *p);
extern const char seh_test_load_resume[];
__asm__(".text\n.globl seh_test_load\nseh_test_load:\n"
        "mov (%rdi),%eax\n"
        ".globl seh_test_load_resume\nseh_test_load_resume:\n"
        "mov $42,%eax\nret\n");

static LONG skip_the_load(PEXCEPTION_POINTERS p)
{
    p->ContextRecord->Rip = (ULONG64)(uintptr_t)seh_test_load_resume;
    return EXCEPTION_CONTINUE_EXECUTION;
}

/* A fault is continuable: a filter that moves the context past the
 * faulting instruction continues there. */
KT_TEST(fault_continued_with_a_changed_context)
{
    volatile ULONG value = 0;
    __try {
        value = seh_test_load(NULL);
    } __except (skip_the_load(GetExceptionInformation())) {
        value = 1;
    }
    KT_EQ_INT(value, 42);
}

static void fault_declined(void *arg)
{
    (void)arg;
    __try {
        write_at(0);
    } __except (EXCEPTION_CONTINUE_SEARCH) {
    }
}

/* No filter takes the fault: the report any unhandled fault gets. */
KT_TEST(fault_no_filter_takes)
{
    const char *out = KT_EXPECT_BUGCHECK(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_ACCESS_VIOLATION,
                                         fault_declined, NULL);
    KT_CONTAINS(out, "The driver's code faulted writing address 0x0000000000000000.");
}

static void fault_at_dispatch_level(void *arg)
{
    KIRQL old;
    (void)arg;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    __try {
        write_at(0x20);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        printf("the handler ran\n");
    }
}

/* At DISPATCH_LEVEL no page fault can be taken: bug check 0xD1, whatever
 * handler there is. */
KT_TEST(fault_at_dispatch_level_is_0xD1)
{
    const char *out = KT_EXPECT_BUGCHECK(DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0x20, fault_at_dispatch_level, NULL);
    KT_REQUIRE(out);
    KT_FALSE(strstr(out, "the handler ran"));
}

static void fault_on_the_pool(void *arg)
{
    volatile UCHAR *block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64 * 1024, 'hesT');
    (void)arg;
    __try {
        block[64 * 1024 + 1] = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        printf("the handler ran\n");
    }
}

/* Pool memory is a kernel address: a fault there is a bug check on Windows,
 * never an exception a handler can take. */
KT_TEST(fault_on_the_pool_is_no_exception)
{
    int status;
    const char *out = kt_run_child(fault_on_the_pool, NULL, &status);
    KT_EQ_INT(status, 3);
    KT_CONTAINS(out, "*** STOP: ");
    KT_FALSE(strstr(out, "the handler ran"));
}

static void fault_in_a_client(void *arg)
{
    (void)arg;
    ps_process_attach(ps_process_create("client.exe"));
    write_at(0x30);
}

/* In a client program's thread, driver code runs inside the system service
 * the client called: an unhandled fault is SYSTEM_SERVICE_EXCEPTION (0x3B),
 * P1 the code. */
KT_TEST(unhandled_fault_in_a_client_thread_is_0x3B)
{
    const char *out = KT_EXPECT_BUGCHECK(0x3B, (ULONG)STATUS_ACCESS_VIOLATION, fault_in_a_client, NULL);
    KT_REQUIRE(out);
    KT_CONTAINS(out, "The driver's code faulted writing address 0x0000000000000030.");
}
