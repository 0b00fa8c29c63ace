# `ntbox --help` documents the command, its options and exit statuses.
. "$2/tests/cli/lib.sh"
run --help
expect_status 0
expect_stdout_has "usage: ntbox run [--pool] [--objects] [--os-version=M.m.B] [--allow-missing] DRIVER"
expect_stdout_has "[--client PROGRAM [ARGS...]]"
expect_stdout_has "--os-version=M.m.B"
expect_stdout_has "--pool"
expect_stdout_has "3  a bugcheck or verifier finding"
expect_stdout_has "-mabi=ms"
run --version
expect_status 0
expect_stdout_has "ntbox "
ok "help and version"
