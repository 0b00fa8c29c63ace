/* ke/seh_stack.c: the stack probe that code compiled for Windows calls
 * before it moves the stack pointer down by more than a page: __chkstk
 * (MSVC, clang) and ___chkstk_ms (mingw-w64 gcc; the reserve each gcc
 * __try sets aside is such an allocation). RAX holds the size; every page
 * of the area below the caller's stack pointer is touched, from the top
 * down, so a stack's guard page is met before anything below it; every
 * register is kept and RSP is left to the caller. */

__asm__(".text\n"
        ".globl __chkstk\n.type __chkstk,@function\n"
        ".globl ___chkstk_ms\n.type ___chkstk_ms,@function\n.p2align 4\n"
        "__chkstk:\n___chkstk_ms:\n"
        ".cfi_startproc\n"
        "push %rcx\n.cfi_adjust_cfa_offset 8\n"
        "push %rax\n.cfi_adjust_cfa_offset 8\n"
        "lea 24(%rsp),%rcx\n"
        "cmp $0x1000,%rax\n"
        "jb 2f\n"
        "1:\nsub $0x1000,%rcx\norq $0,(%rcx)\nsub $0x1000,%rax\ncmp $0x1000,%rax\nja 1b\n"
        "2:\nsub %rax,%rcx\norq $0,(%rcx)\n"
        "pop %rax\n.cfi_adjust_cfa_offset -8\n"
        "pop %rcx\n.cfi_adjust_cfa_offset -8\n"
        "ret\n"
        ".cfi_endproc\n.size __chkstk,.-__chkstk\n.size ___chkstk_ms,.-___chkstk_ms\n");
