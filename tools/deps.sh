#!/bin/sh
# Checks the build dependencies; installs the missing ones with apt-get when
# run as root, else prints the exact command to run.
set -u
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need cc gcc
need gcc gcc
need g++ g++
need make make
need cmake cmake
need addr2line binutils
[ -z "$missing" ] && exit 0
pkgs=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ntbox: installing build dependencies: $pkgs"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs || {
        echo "ntbox: apt-get could not install: $pkgs" >&2; exit 1; }
else
    echo "ntbox: missing build dependencies. Install them with:" >&2
    echo "    sudo apt-get install -y $pkgs" >&2
    exit 1
fi
