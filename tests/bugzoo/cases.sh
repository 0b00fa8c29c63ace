# tests/bugzoo/cases.sh: the bug zoo's table, one line per case, sourced by
# zoo.sh (the drivers built from source) and zoo_sys.sh (the same drivers
# built by mingw-w64 as .sys images). Each case is
#   zoo_case DRIVER CODE P1 NAME WHERE MARKER [CLIENT_ARGS...]
# DRIVER   the file in tests/bugzoo/drivers/
# CODE P1  the STOP code and first parameter, as Microsoft's bug check
#          reference documents them, 16 hex digits; "@TEXT" for the
#          address the driver prints after TEXT ("overrun: writing 0x")
# NAME     the bugcheck's name
# WHERE    "at": the report's At: line is the faulty statement;
#          "allocated": a leak, charged to the allocating statement
# MARKER   the text marking the faulty line in the driver ("BUG:")
# CLIENT_ARGS, when present, run tests/bugzoo/client.c with them.
zoo_cases() {
    # pool
    zoo_case pool_leak.c          C4 0000000000000062 DRIVER_VERIFIER_DETECTED_VIOLATION allocated BUG:
    zoo_case double_free.c        C2 0000000000000007 BAD_POOL_CALLER at BUG:
    zoo_case free_not_pool.c      C2 0000000000000042 BAD_POOL_CALLER at BUG:
    zoo_case wrong_tag.c          C2 000000000000000A BAD_POOL_CALLER at BUG:
    zoo_case zero_size.c          C4 0000000000000000 DRIVER_VERIFIER_DETECTED_VIOLATION at BUG:
    zoo_case paged_at_dispatch.c  C4 0000000000000001 DRIVER_VERIFIER_DETECTED_VIOLATION at BUG:
    # special pool
    zoo_case overrun.c            D6 "@overrun: writing 0x" DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION at BUG:
    zoo_case slack_after.c        C1 "@slack_after: block 0x" SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION at BUG:
    zoo_case underrun.c           C1 "@underrun: block 0x" SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION at BUG:
    zoo_case use_after_free.cpp   D5 "@use_after_free: reading 0x" DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL at BUG:
    # IRQL and locks
    zoo_case paged_under_lock.c   D1 "@paged_under_lock: reading 0x" DRIVER_IRQL_NOT_LESS_OR_EQUAL at BUG:
    zoo_case lower_irql_up.c      C4 0000000000000031 DRIVER_VERIFIER_DETECTED_VIOLATION at BUG:
    zoo_case raise_irql_down.c    C4 0000000000000030 DRIVER_VERIFIER_DETECTED_VIOLATION at BUG:
    zoo_case spinlock_not_held.c  C4 0000000000001007 DRIVER_VERIFIER_DETECTED_VIOLATION at BUG:
    zoo_case zw_at_dispatch.c     C4 000000000002001F DRIVER_VERIFIER_DETECTED_VIOLATION at BUG:
    zoo_case entry_raised.c       E1 "@entry_raised: DriverEntry 0x" WORKER_THREAD_RETURNED_AT_BAD_IRQL at BUG:
    zoo_case dispatch_fault.c     C9 0000000000000005 DRIVER_VERIFIER_IOMANAGER_VIOLATION at BUG-IRQL: ZooFault 0x8000200C
    zoo_case lock_order_spin.c    C4 0000000000001001 DRIVER_VERIFIER_DETECTED_VIOLATION at BUG: ZooOrder 0x80002000 0x80002004
    zoo_case lock_order_mutex.c   C4 0000000000001001 DRIVER_VERIFIER_DETECTED_VIOLATION at BUG:
    # lists
    zoo_case list_corruption.c    139 0000000000000003 KERNEL_SECURITY_CHECK_FAILURE at BUG:
    # faults and exceptions
    zoo_case null_entry.c         7E 00000000C0000005 SYSTEM_THREAD_EXCEPTION_NOT_HANDLED at BUG:
    zoo_case wild_entry.c         50 FFFFF80012345678 PAGE_FAULT_IN_NONPAGED_AREA at BUG:
    zoo_case raise_status.c       7E 00000000C000000D SYSTEM_THREAD_EXCEPTION_NOT_HANDLED at BUG:
    zoo_case stack_overrun.c      F7 0000000000000000 DRIVER_OVERRAN_STACK_BUFFER at BUG:
    zoo_case dispatch_fault.c     3B 00000000C0000005 SYSTEM_SERVICE_EXCEPTION at BUG-NULL: ZooFault 0x80002000
    zoo_case dispatch_fault.c     50 FFFFF80012345678 PAGE_FAULT_IN_NONPAGED_AREA at BUG-WILD: ZooFault 0x80002004
    zoo_case dispatch_fault.c     3B 00000000C0000010 SYSTEM_SERVICE_EXCEPTION at BUG-RAISE: ZooFault 0x80002008
    # IRPs
    zoo_case double_complete.c    44 "@double_complete: IRP 0x" MULTIPLE_IRP_COMPLETE_REQUESTS at BUG: ZooTwice
    zoo_case bad_device.c         C9 0000000000000004 DRIVER_VERIFIER_IOMANAGER_VIOLATION at BUG:
}

# zoo_check IMAGE DRIVER CODE P1 NAME WHERE MARKER [CLIENT_ARGS...]: runs
# IMAGE (the driver, from source or .sys) with a JSON report and checks
# the exit status, the STOP line's code and first parameter, the name, the
# faulty statement's file:line, and the same in the report.
zoo_check() {
    image=$1 driver=$2 code=$3 p1=$4 name=$5 where=$6 marker=$7
    shift 7
    src=tests/bugzoo/drivers/$driver
    line=$(grep -n -- "$marker" "$src" | head -n 1 | cut -d: -f1)
    [ -n "$line" ] || fail "$driver: no $marker line"
    what="$driver${1:+ ($*)}"
    if [ $# -gt 0 ]; then
        run run "$image" --report "$REPORT" --client tests/bugzoo/client.c "$@"
    else
        run run "$image" --report "$REPORT"
    fi
    expect_status 3
    code8=$(printf '%08X' "0x$code")
    case $p1 in
    @*)
        p1=$(sed -n "s/^${p1#@}\\([0-9A-F]*\\)\$/\\1/p" "$OUT" | head -n 1)
        [ -n "$p1" ] || fail "$what: the driver did not print its address"
        ;;
    esac
    expect_stdout_has "*** STOP: 0x$code8 (0x$p1,"
    grep -qx -- "$name" "$OUT" || fail "$what: no line $name"
    grep -q "\"code\": \"0x$code8\"" "$REPORT" || fail "$what: the JSON report's code is not 0x$code8"
    grep -q "\"parameters\": \[\"0x$p1\"" "$REPORT" || fail "$what: the JSON report's P1 is not 0x$p1"
    grep -q "\"name\": \"$name\"" "$REPORT" || fail "$what: the JSON report's name is not $name"
    file=$(basename "$src")
    if [ "$where" = allocated ]; then
        text="allocated at $file:$line in "
    else
        text="At: $file:$line in "
    fi
    json="\"location\": {\"address\": \"0x[0-9A-F]*\", \"file\": \"$file\", \"line\": $line,"
    if ! grep -qF -- "$text" "$OUT" || ! grep -q -- "$json" "$REPORT"; then
        fail "$what: the report does not name $file:$line (\"$text\", and in the JSON report)"
    fi
    ok "$what: STOP 0x$code8 (0x$p1) $name, at $file:$line"
}
