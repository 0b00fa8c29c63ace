# The bug zoo, from source: one small faulty driver per bug class, each
# caught with the bugcheck Windows (with Driver Verifier) gives, its first
# parameter, its name and the faulty statement's file:line, on stdout and
# in the --report JSON; every run ends with exit status 3.
. "$2/tests/cli/lib.sh"
. "$SRC/tests/bugzoo/cases.sh"
REPORT=$(mktemp)
trap 'rm -f "$OUT" "$ERR" "$OUT.norm" "$OUT.exp" "$REPORT"' EXIT

zoo_case() {
    zoo_check "tests/bugzoo/drivers/$1" "$@"
}
zoo_cases
