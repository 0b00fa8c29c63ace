# Faults and bugchecks in driver code end the run with Windows' bugcheck and
# the driver's source line, never a bare Linux crash.
. "$2/tests/cli/lib.sh"
run run tests/cli/drivers/null_deref.c
expect_status 3
expect_stdout_has "*** STOP: 0x0000007E (0x00000000C0000005,"
expect_stdout_has "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"
expect_stdout_has "The driver's code faulted writing address 0x0000000000000000."
expect_stdout_has "At: null_deref.c:9 in DriverEntry (null_deref.so+0x"
expect_stdout_has "Driver: null_deref"
ok "NULL write in DriverEntry: 0x7E with STATUS_ACCESS_VIOLATION at null_deref.c:9"

run run tests/cli/drivers/calls_bugcheck.c
expect_status 3
expect_stdout_has "*** STOP: 0x000000E2 (0x0000000000000001,0x0000000000000002,0x0000000000000003,0x0000000000000004)"
expect_stdout_has "MANUALLY_INITIATED_CRASH"
expect_stdout_has "At: calls_bugcheck.c:10 in DriverEntry"
tid=$(sed -n 's/^thread \([0-9]*\)$/\1/p' "$OUT")
expect_stdout_has "Thread: $tid in process System (PID 4)"
ok "KeBugCheckEx: STOP line with all four parameters, the calling line, and the thread's id as PsGetCurrentThreadId gives it"
