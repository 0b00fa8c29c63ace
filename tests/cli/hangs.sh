# Hangs become reports: when every thread is blocked for good, or threads
# wait for each other in a cycle, the run ends within seconds with a
# *** DEADLOCK report (each thread, what it waits for and who owns it, the
# driver's line of the wait, what it holds) and exit status 3; --timeout
# bounds any run the same way. Thread ids, addresses and client image
# hashes are normalized.
. "$2/tests/cli/lib.sh"

# expect_report FILE: stdout, normalized, is FILE; thread ids become T1,
# T2... in order of appearance, so who waits for whom still shows.
expect_report() {
    perl -pe 's/((?:\bthreads?|\band|,) )(\d+)\b/$1 . "T" . ($id{$2} ||= ++$n)/ge; s/-[0-9a-f]{16}\.so/.so/g' \
        "$OUT" >"$OUT.t" && mv "$OUT.t" "$OUT"
    expect_stdout "$1"
}

# hang_case EXPECTED WHAT ARGS...: `ntbox run ARGS` ends with exit status 3
# and the report in tests/cli/expected/EXPECTED.out. Lock-order checking
# (the deadlock group) is off: it would stop the lock cases at their first
# inverted acquisition, before they can hang.
hang_case() {
    expected=$1 what=$2
    shift 2
    run run --verifier=-deadlock "$@"
    expect_status 3
    expect_report "tests/cli/expected/$expected.out"
    ok "$what"
}

hang_case deadlock_event "DriverEntry waits for an event nothing sets" \
    tests/cli/drivers/deadlock_event.c
hang_case deadlock_named "DriverEntry waits through a handle for a named event: the report names it" \
    tests/cli/drivers/deadlock_named.c
hang_case deadlock_mutexes "two system threads, two mutexes taken in opposite orders" \
    tests/cli/drivers/deadlock_mutexes.c
hang_case deadlock_cycle "a wait cycle over two fast mutexes is found while another thread runs" \
    tests/cli/drivers/deadlock_cycle.c
hang_case deadlock_spin "two threads spin on each other's spin locks" \
    tests/cli/drivers/deadlock_spin.c
hang_case deadlock_locks "an ERESOURCE and a push lock taken in opposite orders" \
    tests/cli/drivers/deadlock_locks.c
hang_case deadlock_client "a client waits for an I/O control the driver never completes" \
    tests/cli/drivers/pends_forever.c --client tests/cli/clients/ioctl_waits.c
hang_case timeout "--timeout ends a run that would sleep for an hour" \
    --timeout 1 tests/cli/drivers/sleeps_long.c

# The JSON report says how the run ended, with the text report.
run run --report "$OUT.json" tests/cli/drivers/deadlock_event.c
expect_status 3
grep -qF '"result": "deadlock"' "$OUT.json" || fail "the JSON report lacks \"result\": \"deadlock\""
grep -qF '"report": "*** DEADLOCK: every thread is blocked for good' "$OUT.json" || fail "the JSON report lacks the text"
run run --report "$OUT.json" --timeout 1 tests/cli/drivers/sleeps_long.c
expect_status 3
grep -qF '"result": "timeout"' "$OUT.json" || fail "the JSON report lacks \"result\": \"timeout\""
rm -f "$OUT.json"
ok "--report: result deadlock or timeout, and the report"

# With every check on, the inverted mutex order is reported (0xC4/0x1001)
# at the second thread's acquisition, before the threads can hang.
run run tests/cli/drivers/deadlock_mutexes.c
expect_status 3
expect_stdout_has "*** STOP: 0x000000C4 (0x0000000000001001,"
ok "by default the mutexes' inverted order is reported before they deadlock"

# The mutex deadlock as a .sys.
need_sys
run run --verifier=-deadlock "$SYS/deadlock_mutexes.sys"
expect_status 3
expect_stdout_has "*** DEADLOCK: every thread is blocked for good, and no timer, DPC or work item is left to wake one;"
expect_stdout_has "  waits in KeWaitForSingleObject for mutex 0x"
expect_stdout_has "  waits in ZwWaitForMultipleObjects (WaitAll) for thread 0x"
ok "two system threads, two mutexes taken in opposite orders, .sys"
