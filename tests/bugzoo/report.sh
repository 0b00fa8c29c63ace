# --report FILE: the run's end as JSON (docs/report-schema.md), written on
# every path: a bugcheck (here a leak, with its blocks, and a fault in a
# client's system service), a clean run, a failed DriverEntry; a FILE that
# cannot be written is refused before the driver runs. The fields are
# checked here with grep; tests/verifier/test_report.c parses the JSON.
. "$2/tests/cli/lib.sh"
REPORT=$(mktemp)
trap 'rm -f "$OUT" "$ERR" "$REPORT"' EXIT

has() { # TEXT...: each is in the report, as an extended regular expression
    for want in "$@"; do
        grep -Eq -- "$want" "$REPORT" || { echo "# report:"; sed 's/^/#   /' "$REPORT"; fail "the report lacks $want"; }
    done
}

# Well-formed JSON too, where python3 is there to say so.
valid() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -m json.tool "$REPORT" >/dev/null || fail "the report is not valid JSON"
    fi
}

run run tests/cli/drivers/clean.c --report "$REPORT"
expect_status 0
has '"schema": 1,' '"result": "clean",' '"exit_status": 0,' '"driver": "clean",' \
    '"driver_file": "tests/cli/drivers/clean.c",' \
    '"verifier": \["pool-tracking", "special-pool", "irql", "locks", "io", "lists", "deadlock"\],' '"warnings": 0'
grep -q '"code"' "$REPORT" && fail "a clean run's report has a code"
valid
ok "a clean run: result clean, exit status 0, the groups"

run run --report="$REPORT" tests/cli/drivers/entry_fails.c
expect_status 2
has '"result": "driver_entry_failed",' '"exit_status": 2,'
valid
ok "DriverEntry failing: result driver_entry_failed, exit status 2"

line=$(grep -n "BUG:" tests/bugzoo/drivers/pool_leak.c | cut -d: -f1)
run run tests/bugzoo/drivers/pool_leak.c --report "$REPORT"
expect_status 3
loc="\\{\"address\": \"0x[0-9A-F]{16}\", \"file\": \"pool_leak.c\", \"line\": $line, \"function\": \"DriverEntry\", \"module\": \"pool_leak.so\", \"offset\": \"0x[0-9a-f]+\"\\}"
has '"result": "bugcheck",' '"exit_status": 3,' '"code": "0x000000C4",' '"name": "DRIVER_VERIFIER_DETECTED_VIOLATION",' \
    '"parameters": \["0x0000000000000062", "0x[0-9A-F]{16}", "0x[0-9A-F]{16}", "0x0000000000000001"\],' \
    '"meaning": "Driver Verifier caught the driver breaking a kernel rule.",' \
    '"detail": "pool_leak unloaded without freeing 1 pool allocation' \
    "\"location\": $loc," '"backtrace": \[\],' '"irql": \{"value": 0, "name": "PASSIVE_LEVEL"\},' \
    '"thread": [0-9]+,' '"process": \{"name": "System", "pid": 4\},' \
    "\"block\": \\{\"address\": \"0x[0-9A-F]{16}\", \"tag\": \"Leak\", \"tag_value\": \"0x6B61654C\", \"size\": 100, \"type\": \"PagedPool\", \"allocated_at\": $loc, \"freed_at\": null\\}" \
    '"leaked_count": 1,' '"leaked": \['
valid
ok "a leak: code, parameters, the leaked block and its allocating line"

line=$(grep -n "BUG-NULL:" tests/bugzoo/drivers/dispatch_fault.c | cut -d: -f1)
run run tests/bugzoo/drivers/dispatch_fault.c --report "$REPORT" --client tests/bugzoo/client.c ZooFault 0x80002000
expect_status 3
has '"code": "0x0000003B",' '"parameters": \["0x00000000C0000005", ' \
    "\"location\": \\{\"address\": \"0x[0-9A-F]{16}\", \"file\": \"dispatch_fault.c\", \"line\": $line, \"function\": \"ZooDeviceControl\"," \
    "\"backtrace\": \\[\$" '"process": \{"name": "client.exe", "pid": [0-9]+\},' '"block": null'
valid
ok "a fault in a client's system service: 0x3B, the line, the backtrace, the client's process"

run run tests/cli/drivers/clean.c --report /nonexistent-dir/report.json
expect_status 1
expect_stderr_has "ntbox: cannot write the report /nonexistent-dir/report.json: No such file or directory"
grep -q "loaded" "$OUT" && fail "the driver ran"
run run tests/cli/drivers/clean.c --report
expect_status 1
expect_stderr_has "ntbox: --report needs a FILE"
ok "a report that cannot be written is refused before the run"
