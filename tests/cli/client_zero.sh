# The Zero example with its client: reads, writes, statistics through an
# I/O control, and each error the client provokes, with the Win32 error
# GetLastError gives for the driver's status.
. "$2/tests/cli/lib.sh"
run run examples/zero/zero.cpp --client examples/zero/client.c
expect_status 0
expect_stdout tests/cli/expected/client_zero.out
ok "zero: the client's reads, writes and I/O controls, exact output"
