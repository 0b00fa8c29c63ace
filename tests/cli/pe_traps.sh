# Breakpoints and assertions in .sys drivers, with no kernel debugger: int 3
# in the driver (__debugbreak), DbgBreakPoint (int 3 in ntoskrnl's
# routine), int 0x2c (NT_ASSERT, DbgRaiseAssertionFailure) end the run with
# bugcheck 0x7E and the exception's code (STATUS_BREAKPOINT,
# STATUS_ASSERTION_FAILURE), a CR8 write of a value that is no IRQL with
# Driver Verifier's 0xC4/0x30, a store to KUSER_SHARED_DATA (redirected by
# the loader or not) with 0xBE ATTEMPTED_WRITE_TO_READONLY_MEMORY, P1 the
# Windows address, and one to the driver's own read-only data with 0xBE too;
# each report names the driver's line.
. "$2/tests/cli/lib.sh"
need_sys
[ -f "$SYS/trap_debugbreak.sys" ] || {
    echo "1..0 # SKIP mingw-w64's DDK headers (ddk/wdm.h) were not found when CMake configured the build"
    exit 77
}

# The report up to its backtrace, which shows ntbox's own frames.
report() {
    normalize "$OUT" | sed -E -e 's/ntbox\+0x[0-9a-f]+/ntbox+0xOFFSET/g' -e 's/^(ntbox: loaded [^ ]+ from ).*/\1DRIVER/' -e '/^Backtrace:/,$d'
}

for trap in debugbreak dbgbreakpoint assert cr8 kuser_write kuser_write_unpatched rdata_write; do
    run run "$SYS/trap_$trap.sys"
    expect_status 3
    report >"$OUT.norm"
    diff -u tests/cli/expected/pe_trap_$trap.out "$OUT.norm" >/dev/null || {
        echo "# the report differs from tests/cli/expected/pe_trap_$trap.out:"
        diff -u tests/cli/expected/pe_trap_$trap.out "$OUT.norm" | sed 's/^/#   /'
        fail "trap_$trap.sys: not the expected report"
    }
    expect_stdout_has "Backtrace:"
    ok "trap_$trap.sys: the expected report"
done
# The backtrace reaches the driver's call through ntoskrnl's routine.
run run "$SYS/trap_dbgbreakpoint.sys"
expect_stdout_has "  #1 trap.c:25 in DriverEntry (trap_dbgbreakpoint.sys+0x"
ok "DbgBreakPoint's backtrace names the driver's call"
