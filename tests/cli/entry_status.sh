# DriverEntry's result decides the run: failure is exit 2 with the status by
# name; no DriverUnload means the driver cannot be unloaded; a clean driver
# exits 0.
. "$2/tests/cli/lib.sh"
run run tests/cli/drivers/entry_fails.c
expect_status 2
expect_stdout_has "ntbox: DriverEntry failed with STATUS_OBJECT_NAME_COLLISION (0xC0000035): the driver is unloaded without calling DriverUnload"
ok "failing DriverEntry: exit 2, status named"

run run tests/cli/drivers/no_unload.c
expect_status 0
expect_stdout_has "no_unload loaded"
expect_stdout_has "ntbox: no_unload sets no DriverUnload, so it cannot be unloaded (as on Windows)"
ok "no DriverUnload"

run run tests/cli/drivers/clean.c
expect_status 0
expect_stdout tests/cli/expected/clean.out
ok "a clean driver: exit 0, its output exact"

# A prebuilt .so (here, the image ntbox cached for clean.c) runs the same way.
image=$(ls "$NTBOX_CACHE"/clean-*.so | head -n 1)
[ -f "$image" ] || fail "no cached image of clean.c in $NTBOX_CACHE"
dir=$(mktemp -d)
cp "$image" "$dir/clean.so"
run run "$dir/clean.so"
rm -rf "$dir"
expect_status 0
expect_stdout_has "clean: unloading, sum 60"
expect_stdout_has "ntbox: clean: loaded, ran and unloaded cleanly; no pool leaked; no warnings"
ok "a prebuilt .so"
