# A client that returns with requests pending in a driver: as its thread
# ends the I/O manager cancels them (the driver's cancel routine runs in
# the client's process and completes the read with STATUS_CANCELLED), then
# the process exits and its handle closes (IRP_MJ_CLEANUP, IRP_MJ_CLOSE).
# A request the driver holds without a cancel routine is waited for 2
# seconds, then disassociated from the thread with a warning; the driver
# completes it at IRP_MJ_CLEANUP, and IRP_MJ_CLOSE follows.
. "$2/tests/cli/lib.sh"
run run tests/cli/drivers/pender.c --client tests/cli/clients/exits_pending.c read
expect_status 0
expect_stdout tests/cli/expected/client_exits_pending_read.out
ok "a client's pending read is cancelled as its thread ends, before cleanup and close"

run run tests/cli/drivers/pender.c --client tests/cli/clients/exits_pending.c
expect_status 0
sed -i -E 's/which thread [0-9]+ in/which thread TID in/' "$OUT"
expect_stdout tests/cli/expected/client_exits_pending.out
ok "a pending request without a cancel routine is disassociated from the ended thread, with a warning"
