/* crt/stack_guard.c: gcc's stack protector for native drivers, which ntbox
 * compiles with -fstack-protector-strong -mstack-protector-guard=global.
 *
 * The guard is this image's own variable, as a .sys image's /GS cookie is:
 * the loader gives it a random value before DriverEntry runs
 * (src/loader/native.c) and stores ntbox's report of an overrun in
 * __ntbox_stack_chk_fail. Both are visible to the loader's dlsym; the
 * routine gcc calls is hidden, so no driver imports glibc's. */
#include <ntdef.h>

/* The linker's default /GS cookie, until the loader replaces it. */
__attribute__((visibility("default"))) ULONG_PTR __stack_chk_guard = 0x2B992DDFA232ULL;

/* ntbox's bug check 0xF7 (src/loader/pe_gs.c). */
__attribute__((visibility("default"))) void *__ntbox_stack_chk_fail;

/* Called by a function that found the guard in its frame overwritten. A
 * jump, not a call, so the report's caller is that function. */
__asm__(".text\n"
        ".globl __stack_chk_fail\n"
        ".hidden __stack_chk_fail\n"
        ".type __stack_chk_fail, @function\n"
        "__stack_chk_fail:\n"
        "    movq __ntbox_stack_chk_fail@GOTPCREL(%rip), %rax\n"
        "    jmp *(%rax)\n"
        ".size __stack_chk_fail, . - __stack_chk_fail\n");
