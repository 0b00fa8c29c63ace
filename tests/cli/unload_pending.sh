# Driver Verifier's unload check: a timer still set when DriverUnload
# returns would fire into unloaded code: bug check 0xCE, naming the timer
# and where it was set.
. "$2/tests/cli/lib.sh"
run run tests/cli/drivers/timer_left_set.c
expect_status 3
expect_stdout_has "*** STOP: 0x000000CE"
expect_stdout_has "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS"
expect_stdout_has "timer_left_set.c:17"
ok "a timer left set at unload"
