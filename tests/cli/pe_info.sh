# `ntbox info DRIVER.sys`: the image's headers, sections and imports, each
# import marked implemented or missing in ntbox: what a user runs first on an
# unknown driver.
. "$2/tests/cli/lib.sh"
need_sys

# import NAME STATE: the line info prints for one import.
import_line() {
    printf '    %-44s %s' "$1" "$2"
}

run info "$SYS/clean.sys"
expect_status 0
expect_stdout_has "$SYS/clean.sys: x64 PE driver image (PE32+)"
expect_stdout_has "  Machine              0x8664 (AMD64)"
expect_stdout_has "  Subsystem            1 (native)"
expect_stdout_has "  Image base           0x0000000140000000"
expect_stdout_has "(DriverEntry)"
expect_stdout_has "  /GS security cookie  none"
expect_stdout_has "Sections: "
expect_stdout_has "r-x code"
expect_stdout_has "  ntoskrnl.exe"
expect_stdout_has "$(import_line DbgPrint implemented)"
expect_stdout_has "$(import_line ExAllocatePool2 implemented)"
expect_stdout_has "$(import_line KeReleaseSpinLock implemented)"
expect_stdout_has "7 imports: 7 implemented, 0 missing in ntbox."
ok "headers, sections, imports of a driver ntbox can run"

run info "$SYS/missing_import.sys"
expect_status 0
expect_stdout_has "  NTOSKRNL.EXE"
expect_stdout_has "$(import_line IoNotARealRoutine missing)"
expect_stdout_has "$(import_line KeAlsoNotReal missing)"
expect_stdout_has ", 2 missing in ntbox."
expect_stdout_has "\`ntbox run\` refuses the driver for the missing ones (IoNotARealRoutine, KeAlsoNotReal); \`ntbox run --allow-missing\` runs it until it calls one."
ok "missing imports are marked and summed up"

run info "$SYS/ordinal/clean.sys"
expect_status 0
ordinal=$(awk '$1 == "DbgPrint" { sub("@", "", $2); print $2 }' "$SYS/ntoskrnl.def")
expect_stdout_has "$(import_line "#$ordinal = DbgPrint" implemented)"
ok "an import by ordinal is shown with the routine it binds to"

run info "$SYS/stack_guard.sys"
expect_status 0
expect_stdout_has "  /GS security cookie  at RVA 0x"
expect_stdout_has "$(import_line __stack_chk_fail implemented)"
ok "the /GS cookie's place"

run info README.md
expect_status 1
expect_stderr_has "ntbox: README.md: DOS header: no MZ signature: not a PE image"
run info
expect_status 1
ok "not a PE image; no file"
