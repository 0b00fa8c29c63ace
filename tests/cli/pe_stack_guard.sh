# A mingw-built driver compiled with -fstack-protector-all: its guard is the
# image's /GS cookie, which the loader replaces as Windows does (48 random
# bits, never the linker's 0x2B992DDFA232), and a stack overrun ends the run
# with bugcheck 0xF7 DRIVER_OVERRAN_STACK_BUFFER, P2 the cookie, P3 its
# complement, charged to the overrunning function's line.
. "$2/tests/cli/lib.sh"
need_sys

run run "$SYS/stack_guard.sys"
expect_status 3
expect_stdout_has "stack_guard: the guard is no longer the linker's default; its top 16 bits are clear"
expect_stdout_has "stack_guard: copied short"
guard=$(sed -n 's/^stack_guard: guard 0x\([0-9A-F]*\)$/\1/p' "$OUT")
[ -n "$guard" ] || fail "the driver did not print its guard"
expect_stdout_has "*** STOP: 0x000000F7 (0x0000000000000000,0x$guard,0x$(printf '%016X' $(( ~0x$guard ))),0x0000000000000000)"
expect_stdout_has "DRIVER_OVERRAN_STACK_BUFFER"
expect_stdout_has "At: stack_guard.c:"
expect_stdout_has " in Overrun (stack_guard.sys+0x"
ok "stack overrun: 0xF7 with the initialized cookie"

run run "$SYS/stack_guard.sys"
[ "$(sed -n 's/^stack_guard: guard 0x\([0-9A-F]*\)$/\1/p' "$OUT")" != "$guard" ] || fail "the same cookie twice: $guard"
ok "a new cookie each load"
