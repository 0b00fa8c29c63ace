#!/bin/sh
# Points a mingw-built image's load configuration data directory at its
# _load_config_used structure, as the Microsoft linker does: GNU ld 2.40
# does not, and the /GS cookie is found through that directory.
# usage: set_load_config.sh NM IMAGE
set -eu
nm=$1
image=$2
addr=$("$nm" "$image" | awk '$3 == "_load_config_used" { print $1 }')
[ -n "$addr" ] || { echo "$image: no _load_config_used symbol" >&2; exit 1; }
size=112 # IMAGE_LOAD_CONFIG_DIRECTORY64 up to SecurityCookie and the SEH fields after it
# The PE header is at e_lfanew; the optional header 24 bytes on, ImageBase at
# its offset 24, data directory 10 at 112 + 10 * 8.
lfanew=$(od -An -tu4 -j60 -N4 "$image" | tr -d ' ')
base=$(od -An -tx8 -j$(( lfanew + 24 + 24 )) -N8 "$image" | tr -d ' ')
rva=$(( 0x$addr - 0x$base ))
at=$(( lfanew + 24 + 112 + 80 ))
le32() { # the little-endian bytes of $1, as printf escapes
    v=$1; out=""
    for _ in 1 2 3 4; do out="$out$(printf '\\%03o' $(( v & 255 )))"; v=$(( v >> 8 )); done
    printf "$out"
}
{ le32 "$rva"; le32 "$size"; } | dd of="$image" bs=1 seek="$at" conv=notrunc 2>/dev/null
