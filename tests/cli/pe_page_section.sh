# Pageable sections (#pragma alloc_text(PAGE, ...), data_seg("PAGEDATA"), or
# a gcc section attribute) are inaccessible while a thread runs at
# DISPATCH_LEVEL or above, so touching them there is caught every time, as
# paged pool is: at PASSIVE_LEVEL the PAGE routine and the PAGEDATA table
# work, also after a spin lock trimmed them, and the driver unloads
# cleanly; reading PAGEDATA under a spin lock and calling the PAGE routine
# from a DPC are DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1: P3 0 a read, 8 an
# execute) naming the section and the driver's line. With the irql group
# off both bugs pass unseen, as on Windows while the pages are resident.
. "$2/tests/cli/lib.sh"
need_sys

# report NAME: the run's stdout, addresses and the backtrace's ntbox frames
# left out, against tests/cli/expected/pe_NAME.out.
report() {
    normalize "$OUT" | sed -E -e 's/^(ntbox: loaded [^ ]+ from ).*/\1DRIVER/' -e '/^Backtrace:/,$d' >"$OUT.norm"
    diff -u "tests/cli/expected/pe_$1.out" "$OUT.norm" >/dev/null || {
        echo "# the output differs from tests/cli/expected/pe_$1.out:"
        diff -u "tests/cli/expected/pe_$1.out" "$OUT.norm" | sed 's/^/#   /'
        fail "$1.sys: not the expected output"
    }
}

run run "$SYS/page_section.sys"
expect_status 0
report page_section
ok "page_section.sys: PAGE code and PAGEDATA work at PASSIVE_LEVEL, also after a raise trimmed them"

run run "$SYS/page_section_data.sys"
expect_status 3
report page_section_data
ok "page_section_data.sys: PAGEDATA read under a spin lock is 0xD1 at the reading line"

run run "$SYS/page_section_call.sys"
expect_status 3
report page_section_call
ok "page_section_call.sys: the PAGE routine called from a DPC is 0xD1, naming the call's line"

for d in page_section_data page_section_call; do
    run run --verifier=-irql "$SYS/$d.sys"
    expect_status 0
    grep -q "STOP" "$OUT" && fail "$d.sys without irql was caught"
    expect_stdout_has "page_section: the result is "
done
ok "without the irql group, pageable sections are not trimmed: both bugs pass unseen"
