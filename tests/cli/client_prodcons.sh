# The ProdCons example: the client produces 100 items in writes of ten; a
# system thread consumes them (a semaphore counts them, a spin lock guards
# the queue); unloading stops the thread with an event and waits on its
# object.
. "$2/tests/cli/lib.sh"
run run examples/prodcons/prodcons.cpp --client examples/prodcons/client.c
expect_status 0
expect_stdout tests/cli/expected/client_prodcons.out
ok "prodcons: system thread, semaphore, spin-locked queue and the unload handshake, exact output"
