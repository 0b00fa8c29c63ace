# The Methods example: one I/O control per buffering method, what the
# driver is handed and what the client gets back.
. "$2/tests/cli/lib.sh"
run run examples/methods/methods.cpp --client examples/methods/client.c
expect_status 0
expect_stdout tests/cli/expected/client_methods.out
ok "methods: METHOD_BUFFERED, IN_DIRECT, OUT_DIRECT and NEITHER, exact output"
