# A client that returns with a handle open: its process's exit closes it,
# so the driver sees IRP_MJ_CLEANUP and IRP_MJ_CLOSE after the client has
# exited, in the client's process; DriverEntry and DriverUnload run in the
# System process (4), and the device cannot be opened during DriverEntry.
. "$2/tests/cli/lib.sh"
run run tests/cli/drivers/tracer.c --client tests/cli/clients/exits_open.c
expect_status 0
expect_stdout tests/cli/expected/client_exits_open.out
ok "a client's handle left open: cleanup and close after it exited"
