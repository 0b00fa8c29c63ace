/* ke/breakpoint.c: DbgBreakPoint, the kernel's breakpoint routine.
 *
 * It executes int 3, as ntoskrnl's does. Under gdb that stops in the
 * debugger, which can continue the driver; with no debugger the breakpoint
 * exception is unhandled and the fault handler (ke/bugcheck.c) ends the run
 * with bugcheck 0x7E, STATUS_BREAKPOINT, the driver's call in the
 * backtrace. Written in assembly so that its frame is the same whatever
 * the optimization level: the int 3 sits right in a frame of its own,
 * whose return address is the driver's call (gcc gives a leaf function no
 * frame at -O2 and its own around inline assembly at -O0). */

/* Breaks into the kernel debugger (WDK, DbgBreakPoint); any IRQL. It takes
 * no arguments and returns nothing: the Microsoft and System V conventions
 * agree on it. */
__asm__(".text\n"
        ".globl DbgBreakPoint\n"
        ".type DbgBreakPoint, @function\n"
        "DbgBreakPoint:\n"
        "    push %rbp\n"
        "    mov %rsp, %rbp\n"
        "    int3\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size DbgBreakPoint, . - DbgBreakPoint\n");
