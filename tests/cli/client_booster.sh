# The Booster example: the client writes its thread id and a priority; the
# driver looks the thread up and sets the priority (printing the old one),
# and refuses priorities out of 1..31, short writes and unknown threads.
. "$2/tests/cli/lib.sh"
run run examples/booster/booster.cpp --client examples/booster/client.c
expect_status 0
expect_stdout tests/cli/expected/client_booster.out
ok "booster: PsLookupThreadByThreadId, KeSetPriorityThread and the errors, exact output"
