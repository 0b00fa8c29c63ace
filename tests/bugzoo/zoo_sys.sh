# The bug zoo as .sys images (mingw-w64 builds of the same sources, see
# CMakeLists.txt): each case ends as its source build does, the report
# naming the faulty line from the image's DWARF.
. "$2/tests/cli/lib.sh"
need_sys
. "$SRC/tests/bugzoo/cases.sh"
REPORT=$(mktemp)
trap 'rm -f "$OUT" "$ERR" "$OUT.norm" "$OUT.exp" "$REPORT"' EXIT

zoo_case() {
    zoo_check "$SYS/bugzoo/${1%.*}.sys" "$@"
}
zoo_cases
