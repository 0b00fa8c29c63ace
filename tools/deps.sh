#!/bin/sh
# Checks the build dependencies; installs the missing ones with apt-get when
# run as root, else prints the exact command to run. mingw-w64 is optional:
# it builds the .sys test drivers, whose tests are skipped without it.
set -u
missing=""
optional=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
want() { command -v "$1" >/dev/null 2>&1 || optional="$optional $2"; }
need cc gcc
need gcc gcc
need g++ g++
need make make
need cmake cmake
need addr2line binutils
want x86_64-w64-mingw32-gcc mingw-w64
[ -z "$missing$optional" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    pkgs=$(echo $missing $optional | tr ' ' '\n' | sort -u | tr '\n' ' ')
    echo "ntbox: installing build dependencies: $pkgs"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs || {
        echo "ntbox: apt-get could not install: $pkgs" >&2; exit 1; }
    exit 0
fi
if [ -n "$optional" ]; then
    echo "ntbox: without mingw-w64 the tests of .sys drivers are skipped. Install it with:" >&2
    echo "    sudo apt-get install -y mingw-w64" >&2
fi
[ -z "$missing" ] && exit 0
pkgs=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
echo "ntbox: missing build dependencies. Install them with:" >&2
echo "    sudo apt-get install -y $pkgs" >&2
exit 1
