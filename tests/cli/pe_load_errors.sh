# What ntbox says about a .sys it cannot load: exit status 1 and one message
# naming the part of the file and what is wrong, never a crash; imports ntbox
# lacks are listed, all of them (module names compared without regard to
# case), and --allow-missing runs the driver until it calls one.
. "$2/tests/cli/lib.sh"
need_sys
tmp=$(mktemp -d)
trap 'rm -f "$OUT" "$ERR" "$OUT.norm" "$OUT.exp"; rm -rf "$tmp"' EXIT

run run "$SYS/missing_import.sys"
expect_status 1
expect_stderr_has "ntbox: missing_import imports 2 routines ntbox does not provide: IoNotARealRoutine, KeAlsoNotReal (\`ntbox run --allow-missing\` binds each to a stub that stops the run when called)"
ok "imports ntbox lacks are listed, all of them"

run run "$SYS/user_api.sys"
expect_status 1
expect_stderr_has "ntbox: user_api imports 2 routines ntbox does not provide: kernel32.dll!CreateFileW, kernel32.dll!DeviceIoControl; CreateFileW (kernel32.dll), DeviceIoControl (kernel32.dll) are user-mode APIs, for client programs, not available to drivers"
ok "a .sys importing the client API from kernel32.dll is refused, naming each routine"

run run "$SYS/allow_missing.sys"
expect_status 1
expect_stderr_has "ntbox: allow_missing imports 1 routine ntbox does not provide: IoNotARealRoutine"
cd "$SYS"
run run --allow-missing allow_missing.sys
cd "$SRC"
expect_status 3
expect_stdout_has "  #2 allow_missing.c:12 in DriverEntry (allow_missing.sys+0x"
sed -i '/^Backtrace:/,$d' "$OUT" # its frames inside ntbox and libc vary between builds
expect_stdout tests/cli/expected/pe_allow_missing.out
ok "--allow-missing: the driver runs until it calls the missing routine, which stops the run naming it"

run run --allow-missing tests/cli/drivers/missing_import.c
expect_status 1
expect_stderr_has "(--allow-missing binds stubs for .sys images only: the system's dynamic linker binds native ones)"
ok "--allow-missing with a native driver says why it cannot help"

# Broken copies of a good image.
lfanew=$(od -An -tu4 -j60 -N4 "$SYS/clean.sys" | tr -d ' ')
head -c 500 "$SYS/clean.sys" >"$tmp/cut_headers.sys"
run run "$tmp/cut_headers.sys"
expect_status 1
expect_stderr_has "ntbox: $tmp/cut_headers.sys: optional header: SizeOfHeaders 0x400 extends past end of file"
run info "$tmp/cut_headers.sys"
expect_status 1
expect_stderr_has "ntbox: $tmp/cut_headers.sys: optional header: SizeOfHeaders 0x400 extends past end of file"
head -c 1200 "$SYS/clean.sys" >"$tmp/cut_text.sys"
run run "$tmp/cut_text.sys"
expect_status 1
expect_stderr_has "ntbox: $tmp/cut_text.sys: section .text: raw data extends past end of file"
ok "truncated images: the header or section that is cut short"

cp "$SYS/clean.sys" "$tmp/i386.sys"
printf '\114\001' | dd of="$tmp/i386.sys" bs=1 seek=$((lfanew + 4)) conv=notrunc 2>/dev/null
run run "$tmp/i386.sys"
expect_status 1
expect_stderr_has "ntbox: $tmp/i386.sys: COFF file header: machine 0x014c (i386) is not AMD64 (0x8664): ntbox runs x64 drivers"
cp "$SYS/clean.sys" "$tmp/no_sections.sys"
printf '\000\000' | dd of="$tmp/no_sections.sys" bs=1 seek=$((lfanew + 6)) conv=notrunc 2>/dev/null
run run "$tmp/no_sections.sys"
expect_status 1
expect_stderr_has "ntbox: $tmp/no_sections.sys: COFF file header: the image has no sections"
printf 'MZ, but not a driver' >"$tmp/short.sys"
run run "$tmp/short.sys"
expect_status 1
expect_stderr_has "ntbox: $tmp/short.sys: DOS header: extends past end of file (the file is 20 bytes, the header 64)"
ok "wrong machine, no sections, too short: each its message"

run run "$tmp/does_not_exist.sys"
expect_status 1
expect_stderr_has "ntbox: $tmp/does_not_exist.sys: No such file or directory"
ok "a missing .sys"
