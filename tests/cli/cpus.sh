# --cpus N: the processor count drivers see (KeQueryActiveProcessorCount,
# KeNumberProcessors), the numbers a thread runs on, and one DPC queue per
# processor: a DPC targeted at the last processor runs there.
. "$2/tests/cli/lib.sh"
for n in 1 3 64; do
    run run --cpus $n tests/cli/drivers/processors.c
    expect_status 0
    last=$((n - 1))
    mask=$(printf '0x%x' $(((1 << n) - 1)))
    [ $n = 64 ] && mask=0xffffffffffffffff
    expect_stdout_has "processors: $n active (mask $mask), $n in all groups, KeNumberProcessors $n"
    expect_stdout_has "processors: DriverEntry runs on one of them: yes"
    expect_stdout_has "processors: pinned to the last, it runs on processor $last"
    expect_stdout_has "processors: the DPC runs on processor $last at IRQL 2"
    ok "--cpus $n"
done
run run --cpus 0 tests/cli/drivers/processors.c
expect_status 1
expect_stderr_has "ntbox: --cpus takes a whole number from 1 to 64; got 0"
run run --cpus 65 tests/cli/drivers/processors.c
expect_status 1
expect_stderr_has "ntbox: --cpus takes a whole number from 1 to 64; got 65"
ok "--cpus outside 1 to 64 is refused"

