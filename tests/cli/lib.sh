# tests/cli/lib.sh: helpers for end-to-end runs of the ntbox command.
# A test script is run as: sh tests/cli/NAME.sh NTBOX SOURCE_DIR
# It prints KTAP-like lines and exits non-zero on the first failure.
set -u
NTBOX=$1
SRC=$2
OUT=$(mktemp)
ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR" "$OUT.norm" "$OUT.exp"' EXIT
STATUS=0
cd "$SRC" || exit 1

# run ARGS...: runs ntbox, capturing stdout, stderr and the exit status.
run() {
    "$NTBOX" "$@" >"$OUT" 2>"$ERR"
    STATUS=$?
}

fail() {
    echo "not ok - $*"
    echo "# stdout:"; sed 's/^/#   /' "$OUT"
    echo "# stderr:"; sed 's/^/#   /' "$ERR"
    exit 1
}

expect_status() {
    [ "$STATUS" = "$1" ] || fail "exit status $STATUS, expected $1"
}

# Addresses (user-space pointers: 0x0000[1-7]...) and image offsets
# (name.so+0x..., name.sys+0x...) differ from run to run, and between
# compilers: they are replaced by fixed placeholders before comparing;
# bugcheck parameters that are values stay.
normalize() {
    sed -E -e 's/0x0000[1-7][0-9A-Fa-f]{11}/0xADDRESS/g' -e 's/\.so\+0x[0-9a-f]+/.so+0xOFFSET/g' \
        -e 's/\.sys\+0x[0-9a-f]+/.sys+0xOFFSET/g' -e 's/^Thread: [0-9]+ /Thread: TID /' "$1"
}

# need_sys: the .sys test drivers, which CMake builds with mingw-w64 into
# $NTBOX_SYS_DIR (SYS); without them the test is skipped, saying why (exit
# status 77: ctest reports it as skipped, not failed).
need_sys() {
    if [ -z "${NTBOX_SYS_DIR:-}" ] || [ ! -f "$NTBOX_SYS_DIR/clean.sys" ]; then
        echo "1..0 # SKIP no .sys test drivers: x86_64-w64-mingw32-gcc was not found when CMake configured" \
             "the build (install mingw-w64, e.g. apt-get install mingw-w64, and configure again)"
        exit 77
    fi
    SYS=$NTBOX_SYS_DIR
}

# expect_stdout FILE: stdout, normalized, is exactly FILE's text.
expect_stdout() {
    normalize "$OUT" >"$OUT.norm"
    diff -u "$1" "$OUT.norm" >/dev/null || {
        echo "# stdout differs from $1:"; diff -u "$1" "$OUT.norm" | sed 's/^/#   /'
        fail "stdout is not the expected text"
    }
}

expect_stdout_has() {
    grep -qF -- "$1" "$OUT" || fail "stdout lacks: $1"
}

expect_stderr_has() {
    grep -qF -- "$1" "$ERR" || fail "stderr lacks: $1"
}

ok() {
    echo "ok - $*"
}
