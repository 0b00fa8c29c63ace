# The Timers example: a periodic timer's DPC queues a work item; the
# client waits for runs through an I/O control and times a high-resolution
# executive timer; unloading cancels the timer, flushes the DPCs and waits
# for the last work item, so the unload check finds nothing pending.
. "$2/tests/cli/lib.sh"
run run examples/timers/timers.cpp --client examples/timers/client.c
expect_status 0
expect_stdout tests/cli/expected/client_timers.out
ok "timers: periodic timer, DPC, work item, executive timer and a clean unload, exact output"
