#!/bin/sh
# `make run`: the seed's sample driver as written, then with its ExAllocatePool2
# call fixed. Each run's exit status is the driver's verdict (0 clean, 2
# DriverEntry failed, 3 bugcheck/verifier finding); this script fails only
# when ntbox itself could not do its job (status 1, or a crash).
set -u
ntbox=${1:-build/ntbox}
cd "$(dirname "$0")/.." || exit 1
rc=0
for driver in examples/sample/sample.cpp examples/sample-fixed/sample.cpp; do
    echo "\$ ntbox run $driver"
    "$ntbox" run "$driver"
    status=$?
    case $status in
        0) verdict="clean" ;;
        2) verdict="DriverEntry failed" ;;
        3) verdict="bugcheck / verifier finding" ;;
        *) verdict="ntbox could not do its job"; rc=1 ;;
    esac
    echo "(exit status $status: $verdict)"
    echo
done
exit $rc
