# --objects: the namespace after the Zero driver's DriverEntry, as WinObj
# shows it: its device, its driver object and its symbolic link.
. "$2/tests/cli/lib.sh"
run run --objects examples/zero/zero.cpp
expect_status 0
expect_stdout tests/cli/expected/client_objects.out
ok "--objects: the Zero driver's device, driver and link in the namespace"
