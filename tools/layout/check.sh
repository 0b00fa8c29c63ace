#!/bin/sh
# tools/layout/check.sh: compares ntbox's WDK headers with mingw-w64's.
#
# Compiles layout.c twice to assembly, natively against ntbox's include/ and
# with x86_64-w64-mingw32-gcc against mingw-w64's ddk headers, and compares
# every structure size, field offset, enumerator and #define (those of
# km_types.h, km_io.h and ntstatus.h) that both define. Fails on a value that
# differs or a name ntbox lacks; lists names mingw-w64 lacks (checked against
# Microsoft's documentation instead). A developer tool: mingw-w64 is not a
# build dependency. usage: tools/layout/check.sh [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
mingw=${MINGW_CC:-x86_64-w64-mingw32-gcc}
ddk=$($mingw -print-sysroot 2>/dev/null)
[ -n "$ddk" ] || ddk=/usr/x86_64-w64-mingw32
command -v "$mingw" >/dev/null || { echo "check.sh: $mingw not found (apt-get install mingw-w64)" >&2; exit 2; }

# Every object-like #define of ours whose value is a number, guarded so a
# name mingw-w64 lacks is simply absent from its output.
for h in include/ntbox/km_types.h include/ntbox/km_io.h include/ntstatus.h; do
    sed -n 's/^#define \([A-Za-z_][A-Za-z0-9_]*\)[ \t][ \t]*[^ \t].*/\1/p' "$root/$h"
done | grep -v -e '^NTBOX_' -e '^POINTER_ALIGNMENT$' -e '^_NTSTATUS_$' | sort -u |
    awk '{ printf "#ifdef %s\n    OUT(\"%s\", %s);\n#endif\n", $1, $1, $1 }' > "$work/consts.inc"

# "->NAME P3 P2 P1 P0" (16-bit pieces, some compilers print a "$") -> "NAME 0x...".
extract() {
    sed -n 's/.*->\(.*\)"$/\1/p' "$1" | tr -d '$' |
        awk '{ v = sprintf("0x%04X%04X%04X%04X", $(NF-3), $(NF-2), $(NF-1), $NF); NF -= 4; print $0, v }'
}

gcc -S -O0 -fshort-wchar -I"$root/include" -I"$work" "$here/layout.c" -o "$work/ntbox.s"
"$mingw" -S -O0 -I"$ddk/include/ddk" -I"$work" "$here/layout.c" -o "$work/mingw.s"
extract "$work/ntbox.s" > "$work/ntbox.txt"
extract "$work/mingw.s" > "$work/mingw.txt"

awk '
{ v = $NF; $NF = ""; sub(/ $/, ""); }
NR == FNR { m[$0] = v; next }
{
    n++
    if (!($0 in m)) { only++; list = list " " $0; next }
    seen[$0] = 1
    if (m[$0] != v) { bad++; printf "DIFFERS: %s ntbox %s, mingw-w64 %s\n", $0, v, m[$0] }
}
END {
    for (k in m) if (!(k in seen)) { bad++; printf "MISSING in ntbox: %s (mingw-w64 %s)\n", k, m[k] }
    printf "%d values compared, %d differ or are missing; %d not in mingw-w64 (check against Microsoft docs):\n%s\n",
           n - only, bad, only, list
    exit bad ? 1 : 0
}' "$work/mingw.txt" "$work/ntbox.txt"
