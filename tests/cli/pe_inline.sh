# .sys drivers built against mingw-w64's own DDK headers, whose amd64 inline
# routines use what a user process may not: CR8 (KeGetCurrentIrql,
# KeRaiseIrql, KeLowerIrql), KUSER_SHARED_DATA at 0xFFFFF78000000000
# (KeQuerySystemTime, KeQueryTickCount, KeQueryInterruptTime,
# SharedUserData) and gs (KeGetCurrentThread, KeGetPcr,
# KeGetCurrentProcessorNumber). Built at -O0 and -O2 (other instruction
# forms); both run clean, see ntbox's IRQL and clocks, and the version
# --os-version sets. A native driver's inline assembly of the same
# instructions runs too (emulated: the loader patches only .sys images).
. "$2/tests/cli/lib.sh"

run run tests/cli/drivers_pe/native_inline.c
expect_status 0
expect_stdout_has "native_inline: CR8 2, KeGetCurrentIrql 2"
expect_stdout_has "native_inline: IRQL 0, thread set, KPCR set, Windows 10.0"
ok "a native driver's inline CR8, gs and KUSER_SHARED_DATA accesses are emulated"

need_sys
[ -f "$SYS/inline_o0.sys" ] || {
    echo "1..0 # SKIP mingw-w64's DDK headers (ddk/wdm.h) were not found when CMake configured the build"
    exit 77
}

for build in o0 o2; do
    run run "$SYS/inline_$build.sys"
    expect_status 0
    expect_stdout_has "inline: IRQL 0 at DriverEntry, 2 raised, the spin lock saw 2, 2 after it, 0 lowered"
    expect_stdout_has "inline: 1000 raise and lower pairs, 0 mismatches"
    expect_stdout_has "inline: Windows 10.0 build 26200, product type 1, architecture 9, root C:\\Windows"
    expect_stdout_has "inline: TickCountMultiplier 0x0fa00000, system time live, tick count matches the interrupt time"
    expect_stdout_has "inline: the tick count advances"
    expect_stdout_has "inline: KPCR Self ok, Prcb ok, CurrentThread ok, PsGetCurrentThread ok, processor 0"
    expect_stdout_has "inline: unloading at IRQL 0, Windows 10"
    expect_stdout_has "ntbox: inline_$build: loaded, ran and unloaded cleanly; no pool leaked; no warnings"
    ok "inline_$build.sys: CR8, KUSER_SHARED_DATA and gs as on Windows"
done

run run --os-version=6.1.7601 "$SYS/inline_o2.sys"
expect_status 0
expect_stdout_has "inline: Windows 6.1 build 7601, product type 1"
expect_stdout_has "inline: unloading at IRQL 0, Windows 6"
ok "SharedUserData's version is --os-version's"
