#!/bin/sh
# Writes an import library definition that imports DbgPrint from NTOSKRNL.EXE
# by ordinal (NONAME), the ordinal taken from the export table's own .def:
# a driver linked with it binds by ordinal, to a module named in other case.
# usage: ordinal_def.sh NTOSKRNL_DEF OUT_DEF
set -eu
ordinal=$(awk '$1 == "DbgPrint" { print $2 }' "$1")
[ -n "$ordinal" ] || { echo "$1: no DbgPrint row" >&2; exit 1; }
printf 'LIBRARY NTOSKRNL.EXE\nEXPORTS\nDbgPrint %s NONAME\n' "$ordinal" >"$2"
