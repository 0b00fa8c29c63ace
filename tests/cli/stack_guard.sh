# Native drivers are compiled with gcc's stack protector, the guard in the
# image's own C runtime (src/crt/stack_guard.c): the loader gives it a
# random /GS-style cookie each load (48 bits, never the linker's
# 0x2B992DDFA232), and an overrun is bugcheck 0xF7 with P2 the cookie and
# P3 its complement, as for a .sys (tests/cli/pe_stack_guard.sh).
. "$2/tests/cli/lib.sh"

cookie() { # the P2 of the run's STOP line
    sed -n 's/^\*\*\* STOP: 0x000000F7 (0x0000000000000000,0x\([0-9A-F]*\),.*/\1/p' "$OUT"
}

run run tests/bugzoo/drivers/stack_overrun.c
expect_status 3
first=$(cookie)
[ -n "$first" ] || fail "no 0xF7 STOP line"
case $first in
0000*) ;;
*) fail "the cookie's top 16 bits are set: $first" ;;
esac
[ "$first" != 00002B992DDFA232 ] || fail "the cookie is still the linker's default"
expect_stdout_has ",0x$first,0x$(printf '%016X' $(( ~0x$first ))),0x0000000000000000)"
ok "an overrun is 0xF7 with the initialized cookie and its complement"

run run tests/bugzoo/drivers/stack_overrun.c
[ "$(cookie)" != "$first" ] || fail "the same cookie twice: $first"
ok "a new cookie each load"
