# One driver source, two builds: the native image ntbox compiles and the PE
# .sys mingw-w64 links against ntoskrnl.exe and hal.dll. Both run through the
# same path and must print the same (once addresses, image offsets and the
# file loaded are normalized) and end with the same exit status: clean runs,
# a failing DriverEntry, no DriverUnload, a fault, KeBugCheckEx, pool leaks
# (with their source lines), the seed's fixed sample (C++), the clean
# driver again with DbgPrint imported by ordinal from NTOSKRNL.EXE, and the
# Zero, Methods, Timers, Booster and ProdCons examples (C++) with their
# client programs.
. "$2/tests/cli/lib.sh"
need_sys

# The two runs' differences that are not the driver's: which file, which image.
as_one_image() {
    normalize "$1" | sed -E -e 's/^(ntbox: loaded [^ ]+ from ).*/\1DRIVER/' -e 's/\.(so|sys)\+0xOFFSET/.IMAGE+0xOFFSET/g'
}

same_as_native() { # SOURCE IMAGE.sys [ARGS...]: ARGS follow the driver (--client PROGRAM)
    source=$1
    image=$2
    shift 2
    run run "$source" "$@"
    native=$STATUS
    as_one_image "$OUT" >"$OUT.exp"
    run run "$image" "$@"
    [ "$STATUS" = "$native" ] || fail "$image: exit status $STATUS, the native build's $native"
    as_one_image "$OUT" >"$OUT.norm"
    diff -u "$OUT.exp" "$OUT.norm" >/dev/null || {
        echo "# $image prints other than $source:"; diff -u "$OUT.exp" "$OUT.norm" | sed 's/^/#   /'
        fail "$image does not behave as $source"
    }
    ok "$image behaves as $source${1:+ with $*} (exit status $STATUS)"
}

for name in clean entry_fails no_unload null_deref calls_bugcheck; do
    same_as_native tests/cli/drivers/$name.c "$SYS/$name.sys"
done
same_as_native tests/cli/drivers_pe/leak.c "$SYS/leak.sys"
same_as_native examples/sample-fixed/sample.cpp "$SYS/sample.sys"
same_as_native tests/cli/drivers/clean.c "$SYS/ordinal/clean.sys"
for name in zero methods timers booster prodcons; do
    same_as_native examples/$name/$name.cpp "$SYS/$name.sys" --client examples/$name/client.c
    expect_status 0
    expect_stdout_has "ntbox: $name: loaded, ran and unloaded cleanly; no pool leaked; no warnings"
done

# The reports name the PE image and the source line from its debug information.
run run "$SYS/sample.sys"
expect_stdout_has "allocated at sample.cpp:22 in DriverEntry (sample.sys+0x"
run run "$SYS/null_deref.sys"
expect_stdout_has "At: null_deref.c:9 in DriverEntry (null_deref.sys+0x"
ok "reports name the .sys image and the source line"
