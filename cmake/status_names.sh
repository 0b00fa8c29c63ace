#!/bin/sh
# Generates the NTSTATUS name table from include/ntstatus.h: one source of truth.
# usage: status_names.sh NTSTATUS_H OUT_C
set -eu
awk '
BEGIN { print "/* Generated from include/ntstatus.h by cmake/status_names.sh. Do not edit. */";
        print "#include \"rtl/status_name.h\"";
        print "const struct rtl_status_entry { unsigned value; const char *name; } rtl_status_table[] = {" }
/^#define STATUS_[A-Z0-9_]+[ \t]+NTBOX_STATUS\(0x[0-9A-Fa-f]+L?\)/ {
    v = $2; name = $2; val = $3;
    sub(/^NTBOX_STATUS\(/, "", val); sub(/L?\)$/, "", val);
    key = tolower(val);
    if (!(key in seen)) { seen[key] = 1; printf "    { %sU, \"%s\" },\n", val, name }
}
END { print "};"; print "const unsigned rtl_status_table_count = sizeof rtl_status_table / sizeof rtl_status_table[0];" }
' "$1" > "$2.tmp"
mv "$2.tmp" "$2"
