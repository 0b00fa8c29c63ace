# The seed's sample driver, as written: ExAllocatePool2(PagedPool, ...) is
# rejected (PagedPool is a POOL_TYPE; as POOL_FLAGS it means
# POOL_FLAG_USE_QUOTA with no pool type), so DriverEntry fails.
. "$2/tests/cli/lib.sh"
run run examples/sample/sample.cpp
expect_status 2
expect_stdout tests/cli/expected/sample.out
ok "sample: ExAllocatePool2(PagedPool) diagnosed, DriverEntry fails with STATUS_INSUFFICIENT_RESOURCES"
