# What ntbox says when it cannot load or run a driver: exit status 1 and a
# message naming what was wrong and what to do.
. "$2/tests/cli/lib.sh"
run run tests/cli/drivers/does_not_exist.c
expect_status 1
expect_stderr_has "ntbox: tests/cli/drivers/does_not_exist.c: No such file or directory"
ok "missing file"

run run tests/cli/drivers/missing_import.c
expect_status 1
expect_stderr_has "ntbox: missing_import imports 2 routines ntbox does not provide: IoNotARealRoutine, KeAlsoNotReal"
ok "imports ntbox lacks are listed, all of them"

run run tests/cli/drivers/user_api.c
expect_status 1
expect_stderr_has "ntbox: user_api imports 2 routines ntbox does not provide: DeviceIoControl, CreateFileW; DeviceIoControl (kernel32.dll), CreateFileW (kernel32.dll) are user-mode APIs, for client programs, not available to drivers"
ok "the client API is not for drivers: importing it is refused, naming each routine"

run run tests/cli/drivers/compile_error.c
expect_status 1
expect_stderr_has "this_is_not_declared"
expect_stderr_has "gcc could not build the driver (its messages are above)"
ok "a compile error shows the compiler's messages"

run run tests/cli/drivers/no_entry.c
expect_status 1
expect_stderr_has "ntbox: no_entry has no DriverEntry"
ok "no DriverEntry"

run run README.md
expect_status 1
expect_stderr_has "not a driver ntbox can load"
ok "not a driver"

run frobnicate
expect_status 1
run run --frobnicate x.c
expect_status 1
expect_stderr_has "unknown option --frobnicate"
ok "bad command line"
