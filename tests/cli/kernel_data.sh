# The variables ntoskrnl exports, read by one driver source built native and
# as a .sys (whose imports of variables bind the import slot to the
# variable's address, as the WDK's ntoskrnl.lib expects): both print the
# same; and the thread an inline gs:[0x188] load reads is the current
# ETHREAD on every kind of thread that runs driver code. The .sys imports
# KeStallExecutionProcessor from ntoskrnl.exe, where modern Windows exports
# the HAL's routines. --os-version sets NtBuildNumber.
. "$2/tests/cli/lib.sh"

check() { # IMAGE: runs it; the output, but for which file was loaded, is the expected text
    run run "$1"
    expect_status 0
    sed -E 's/^(ntbox: loaded kernel_data from ).*/\1DRIVER/' "$OUT" >"$OUT.exp"
    mv "$OUT.exp" "$OUT"
    expect_stdout tests/cli/expected/kernel_data.out
    ok "$1: the exported variables and gs:[0x188] as on Windows"
}

check tests/cli/drivers/kernel_data.c

run run --os-version=6.1.7601 tests/cli/drivers/kernel_data.c
expect_status 0
expect_stdout_has "kernel_data: NtBuildNumber 0xf0001db1,"
ok "NtBuildNumber follows --os-version"

need_sys
check "$SYS/kernel_data.sys"
