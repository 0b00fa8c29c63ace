# --verifier switches Driver Verifier's check groups: `ntbox --help` lists
# them; without special pool an overrun or a use after free goes unseen (as
# on Windows without Verifier), without pool tracking a zero-byte
# allocation passes; a bare name selects that group alone; an unknown
# group is refused before anything runs.
. "$2/tests/cli/lib.sh"
REPORT=$(mktemp)
trap 'rm -f "$OUT" "$ERR" "$REPORT"' EXIT
ZOO=tests/bugzoo/drivers

run --help
expect_status 0
expect_stdout_has "--verifier=GROUPS"
expect_stdout_has "Driver Verifier's check groups:"
for group in pool-tracking special-pool irql locks io lists deadlock; do
    grep -q "^  $group  *[a-zA-Z]" "$OUT" || fail "--help does not list the group $group"
done
ok "--help lists the check groups"

run run --verifier=bogus "$ZOO/overrun.c"
expect_status 1
expect_stderr_has "ntbox: --verifier: unknown group \"bogus\" (groups: pool-tracking, special-pool, irql, locks, io, lists, deadlock; or all, none)"
grep -q "loaded" "$OUT" && fail "the driver ran"
run run "--verifier=irql,,io" "$ZOO/overrun.c"
expect_status 1
expect_stderr_has "ntbox: --verifier: empty item in \"irql,,io\""
ok "unknown groups and empty items are refused"

run run --verifier=-special-pool "$ZOO/overrun.c"
expect_status 0
grep -q "STOP" "$OUT" && fail "an overrun without special pool was caught"
run run --verifier=none "$ZOO/use_after_free.cpp"
expect_status 0
expect_stdout_has "use_after_free: session "
ok "without special pool, the overrun and the use after free go unseen"

run run --verifier=special-pool --report "$REPORT" "$ZOO/overrun.c"
expect_status 3
expect_stdout_has "*** STOP: 0x000000D6 ("
grep -q '"verifier": \["special-pool"\],' "$REPORT" || fail "the report does not list special-pool alone"
ok "--verifier=special-pool selects special pool alone"

run run --verifier=-pool-tracking "$ZOO/zero_size.c"
expect_status 0
run run --verifier=none,+pool-tracking "$ZOO/zero_size.c"
expect_status 3
expect_stdout_has "*** STOP: 0x000000C4 (0x0000000000000000,"
ok "the zero-byte check belongs to pool-tracking"

run run --verifier=-deadlock "$ZOO/lock_order_mutex.c"
expect_status 0
expect_stdout_has "DriverEntry returned STATUS_SUCCESS"
run run --verifier=none,+deadlock "$ZOO/lock_order_mutex.c"
expect_status 3
expect_stdout_has "*** STOP: 0x000000C4 (0x0000000000001001,"
ok "lock order inversions belong to deadlock"
