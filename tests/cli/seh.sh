# Structured exception handling: one driver source (tests/cli/drivers/seh.c)
# using __try, __except, __finally and __leave the way drivers do, run as
# built natively (C and C++) and, when the cross compilers are here, as
# .sys images: mingw-w64 gcc and g++ (ntbox's __try macros) and clang at -O0
# and -O2 (real __try: scope tables read by __C_specific_handler through the
# image's unwind data). Every build must print the same; then a fault whose
# filter declines gets the report any unhandled fault gets.
. "$2/tests/cli/lib.sh"

as_one_driver() {
    normalize "$1" | sed -E 's/^(ntbox: loaded [^ ]+ from ).*/\1DRIVER/'
}

same_as_expected() { # DRIVER
    run run "$1"
    expect_status 0
    as_one_driver "$OUT" >"$OUT.norm"
    diff -u tests/cli/expected/seh.out "$OUT.norm" >/dev/null || {
        echo "# $1 prints other than tests/cli/expected/seh.out:"
        diff -u tests/cli/expected/seh.out "$OUT.norm" | sed 's/^/#   /'
        fail "$1 does not handle exceptions as expected"
    }
    ok "$1: every exception handled as on Windows"
}

declines() { # DRIVER IMAGE
    run run "$1"
    expect_status 3
    expect_stdout_has "seh_unhandled: the filter declines C0000005"
    expect_stdout_has "*** STOP: 0x0000007E (0x00000000C0000005,"
    expect_stdout_has "The driver's code faulted writing address 0x0000000000000000."
    expect_stdout_has "At: seh_unhandled.c:7 in Poke ($2+0x"
    grep -qF "seh_unhandled: not reached" "$OUT" && fail "$1: the __except block ran"
    ok "$1: a fault no filter takes is bugcheck 0x7E at the faulting line"
}

same_as_expected tests/cli/drivers/seh.c
same_as_expected tests/cli/drivers/seh_cpp/seh.cpp
declines tests/cli/drivers/seh_unhandled.c seh_unhandled.so

if [ -z "${NTBOX_SYS_DIR:-}" ] || [ ! -f "$NTBOX_SYS_DIR/seh.sys" ]; then
    echo "ok - .sys builds # SKIP no .sys test drivers: x86_64-w64-mingw32-gcc was not found when CMake configured"
    exit 0
fi
same_as_expected "$NTBOX_SYS_DIR/seh.sys"
same_as_expected "$NTBOX_SYS_DIR/seh_cpp/seh.sys"
declines "$NTBOX_SYS_DIR/seh_unhandled.sys" seh_unhandled.sys
if [ ! -f "$NTBOX_SYS_DIR/clang-O0/seh.sys" ]; then
    echo "ok - clang builds # SKIP clang with Windows __try and ld.lld were not found when CMake configured"
    exit 0
fi
for opt in O0 O2; do
    same_as_expected "$NTBOX_SYS_DIR/clang-$opt/seh.sys"
    declines "$NTBOX_SYS_DIR/clang-$opt/seh_unhandled.sys" seh_unhandled.sys
done
