# INIT sections (#pragma alloc_text(INIT, ...), or a gcc section attribute)
# are freed when DriverEntry returns, as Windows frees them: DriverEntry in
# INIT runs, and a call into INIT from DriverUnload is bugcheck 0x50
# PAGE_FAULT_IN_NONPAGED_AREA (P2 0x10: an execute), naming the section.
. "$2/tests/cli/lib.sh"
need_sys

run run "$SYS/init_section.sys"
expect_status 3
normalize "$OUT" | sed -E -e 's/ntbox\+0x[0-9a-f]+/ntbox+0xOFFSET/g' \
    -e 's/^(ntbox: loaded [^ ]+ from ).*/\1DRIVER/' -e '/^Backtrace:/,$d' >"$OUT.norm"
diff -u tests/cli/expected/pe_init_section.out "$OUT.norm" >/dev/null || {
    echo "# the report differs from tests/cli/expected/pe_init_section.out:"
    diff -u tests/cli/expected/pe_init_section.out "$OUT.norm" | sed 's/^/#   /'
    fail "init_section.sys: not the expected report"
}
ok "init_section.sys: INIT is freed after DriverEntry; calling into it is 0x50"
