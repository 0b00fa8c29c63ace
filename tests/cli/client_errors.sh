# A client ntbox cannot run: the driver still loads, runs and unloads, and
# the run ends with exit status 1 and the reason on stderr.
. "$2/tests/cli/lib.sh"
run run tests/cli/drivers/clean.c --client tests/cli/clients/no_such_client.c
expect_status 1
expect_stderr_has "ntbox: tests/cli/clients/no_such_client.c: No such file or directory"
expect_stdout_has "ntbox: clean: loaded, ran and unloaded cleanly; no pool leaked; no warnings"
ok "a missing client program"

run run tests/cli/drivers/clean.c --client tests/cli/clients/no_main.c
expect_status 1
expect_stderr_has "ntbox: tests/cli/clients/no_main.c has no main: define int main(int argc, char **argv)"
ok "a client program without main"

run run tests/cli/drivers/clean.c --client tests/cli/expected/clean.out
expect_status 1
expect_stderr_has "tests/cli/expected/clean.out: not a client program ntbox can run"
ok "a file that is no client program"
