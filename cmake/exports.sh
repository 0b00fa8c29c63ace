#!/bin/sh
# Generates what the export table (src/loader/exports.list) decides: one
# source of truth for the loaders, the documentation and the import
# libraries test drivers link against.
#
# usage: exports.sh c LIST OUT_C            the table as C (src/loader/exports.h)
#        exports.sh def LIST MODULE OUT_DEF  a module's exports as a .def file for
#                                            dlltool (its ordinals are the table's)
#        exports.sh coverage LIST OUT_MD     docs/coverage.md
#        exports.sh check-coverage LIST MD   fails when MD is not what `coverage` writes
# A malformed row stops every mode with LIST:LINE and what is wrong.
set -eu
mode=$1
list=$2

# rows: validated rows as "module name kind irql state symbol ordinal", in
# file order; ordinal counts a module's rows from 1.
rows() {
    awk -v list="$list" '
    function fail(msg) { printf "%s:%d: %s\n", list, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
    /^[ \t]*(#|$)/ { next }
    {
        if (NF < 5 || NF > 6) fail("a row is MODULE NAME KIND IRQL STATE [SYMBOL]: " NF " fields")
        if ($3 != "func" && $3 != "data") fail("KIND is func or data, not " $3)
        if ($4 !~ /^((PASSIVE|APC|DISPATCH)!?|HIGH|-)$/) fail("IRQL is PASSIVE, APC, DISPATCH (each with an optional !), HIGH or -, not " $4)
        if ($5 != "impl" && $5 != "missing") fail("STATE is impl or missing, not " $5)
        if (NF == 6 && $5 != "impl") fail("only an impl row names an implementing SYMBOL")
        key = tolower($1) " " $2
        if (key in seen) fail($1 " " $2 " is listed twice (first at line " seen[key] ")")
        seen[key] = NR
        ordinal[tolower($1)]++
        print $1, $2, $3, $4, $5, (NF == 6 ? $6 : $2), ordinal[tolower($1)]
    }
    END { if (bad) exit 1 }' "$list"
}

gen_c() {
    rows | awk -v list="$list" '
    BEGIN {
        irql["PASSIVE"] = 0; irql["APC"] = 1; irql["DISPATCH"] = 2; irql["HIGH"] = 15; irql["-"] = "LDR_IRQL_UNKNOWN"
        irql["PASSIVE!"] = 0; irql["APC!"] = 1; irql["DISPATCH!"] = 2
        print "/* Generated from " list " by cmake/exports.sh. Do not edit. */"
        print "#include \"loader/exports.h\""
        print "#include \"loader/irql_thunk.h\""
        print ""
        print "/* The implementations, declared without prototypes: a row claiming an"
        print " * implementation that does not exist fails the link. */"
    }
    { n++; module[n] = $1; name[n] = $2; kind[n] = $3; level[n] = $4; state[n] = $5; sym[n] = $6; ord[n] = $7
      if ($5 == "impl" && !($6 in declared)) { declared[$6] = 1; print "extern char " $6 "[];" } }
    END {
        print ""
        print "/* The IRQL checks: a thunk per routine a driver may call below HIGH_LEVEL"
        print " * that does not check its IRQL itself (loader/irql_thunk.h). */"
        for (i = 1; i <= n; i++) {
            if (kind[i] != "func" || state[i] != "impl" || level[i] !~ /^(PASSIVE|APC|DISPATCH)$/)
                continue
            thunk[i] = "ldr_irql_thunk_" i - 1
            print "extern char " thunk[i] "[];"
            print "__asm__(LDR_IRQL_THUNK(" thunk[i] ", " sym[i] ", " irql[level[i]] ", " i - 1 "));"
        }
        print ""
        print "const struct ldr_export ldr_exports[] = {"
        for (i = 1; i <= n; i++)
            printf "    { \"%s\", \"%s\", %s, %s, %d, %s, %s },\n", module[i], name[i],
                   kind[i] == "func" ? "LDR_EXPORT_FUNC" : "LDR_EXPORT_DATA", irql[level[i]], ord[i],
                   state[i] == "impl" ? sym[i] : "NULL", (i in thunk) ? thunk[i] : "NULL"
        print "};"
        print "const unsigned ldr_export_count = sizeof ldr_exports / sizeof ldr_exports[0];"
    }'
}

gen_def() {
    module=$1
    echo "; Generated from $list by cmake/exports.sh. Do not edit."
    echo "LIBRARY $module"
    echo "EXPORTS"
    rows | awk -v m="$module" 'tolower($1) == tolower(m) { print $2 " @" $7 ($3 == "data" ? " DATA" : "") }'
}

gen_coverage() {
    echo "# What ntbox provides to drivers"
    echo
    echo "Generated from \`src/loader/exports.list\` by \`cmake/exports.sh coverage\`; do not"
    echo "edit. Each row is an export of a Windows kernel module: *implemented* rows are"
    echo "bound to ntbox's routine when a driver imports them; a driver importing a"
    echo "*missing* one is refused at load with the list of every such name"
    echo "(\`ntbox run --allow-missing\` binds each to a stub that stops the run when"
    echo "called). \`ntbox info DRIVER.sys\` marks a driver's imports the same way."
    echo
    echo "| Module | Implemented | Missing | Total |"
    echo "|---|---:|---:|---:|"
    rows | awk '
    { m = $1; if (!(m in total)) order[++k] = m; total[m]++; if ($5 == "impl") impl[m]++ }
    END { for (i = 1; i <= k; i++) { m = order[i]; printf "| %s | %d | %d | %d |\n", m, impl[m], total[m] - impl[m], total[m] } }'
    for module in $(rows | awk '!($1 in s) { s[$1] = 1; print $1 }'); do
        echo
        echo "## $module"
        echo
        echo "| Export | Kind | Highest IRQL | State |"
        echo "|---|---|---|---|"
        rows | awk -v m="$module" '$1 == m {
            level = $4 == "-" ? "" : $4 "_LEVEL"
            sub(/!/, "", level)
            printf "%s\t| `%s` | %s | %s | %s |\n", $2, $2, $3 == "func" ? "routine" : "variable", level,
                   $5 == "impl" ? "implemented" : "missing" }' | LC_ALL=C sort -f -t "$tab" -k1,1 | cut -f2-
    done
}

tab=$(printf '\t')
rows >/dev/null
case $mode in
c)
    gen_c >"$3.tmp"
    mv "$3.tmp" "$3"
    ;;
def)
    gen_def "$3" >"$4.tmp"
    mv "$4.tmp" "$4"
    ;;
coverage)
    gen_coverage >"$3.tmp"
    mv "$3.tmp" "$3"
    ;;
check-coverage)
    tmp=$(mktemp)
    trap 'rm -f "$tmp"' EXIT
    gen_coverage >"$tmp"
    if ! diff -u "$3" "$tmp"; then
        echo "$3 is not current with $list; regenerate it:" >&2
        echo "    sh cmake/exports.sh coverage $list $3" >&2
        exit 1
    fi
    echo "$3 is current with $list"
    ;;
*)
    echo "usage: exports.sh c|def|coverage|check-coverage LIST ..." >&2
    exit 2
    ;;
esac
