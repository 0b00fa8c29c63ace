# The service control manager from clients: stopping the driver ntbox runs
# (zero: DriverUnload runs during ControlService, a second stop is
# ERROR_SERVICE_NOT_ACTIVE, starting it again ERROR_SERVICE_ALREADY_RUNNING);
# a driver without DriverUnload cannot be stopped
# (ERROR_INVALID_SERVICE_CONTROL); a client that installs, starts, uses,
# stops (with a file open: DriverUnload waits for its close, new opens fail
# with ERROR_NO_SUCH_DEVICE) and deletes a second driver, DriverEntry and
# DriverUnload running in the System process, and starts one whose
# DriverEntry fails (ERROR_ALREADY_EXISTS, that is
# RtlNtStatusToDosError(STATUS_OBJECT_NAME_COLLISION)).
. "$2/tests/cli/lib.sh"
run run examples/zero/zero.cpp --client tests/cli/clients/stop_driver.c zero
expect_status 0
expect_stdout tests/cli/expected/client_scm_stop.out
ok "a client stops the driver through the SCM"

run run tests/cli/drivers/no_unload.c --client tests/cli/clients/stop_driver.c no_unload
expect_status 0
expect_stdout tests/cli/expected/client_scm_no_unload.out
ok "a driver without DriverUnload cannot be stopped"

run run tests/cli/drivers/clean.c --client tests/cli/clients/second_driver.c
expect_status 0
expect_stdout tests/cli/expected/client_scm_second.out
ok "a client installs, starts, uses, stops and deletes a second driver; a failing DriverEntry's error"
