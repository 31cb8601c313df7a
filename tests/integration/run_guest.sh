#!/bin/sh
# Run one guest under vmxsim and check its exit status and its exact output.
# usage: run_guest.sh EXPECTED_STATUS EXPECTED_STDOUT_FILE VMXSIM ARGS...
# EXPECTED_STDOUT_FILE "-" skips the output comparison.
set -u
expected_status=$1
expected_out=$2
shift 2
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
status=$?
fail=0
if [ "$status" -ne "$expected_status" ]; then
    echo "FAIL: exit status $status, expected $expected_status"
    fail=1
fi
if [ "$expected_out" != "-" ] && ! diff -u "$expected_out" "$out"; then
    echo "FAIL: output differs from $expected_out"
    fail=1
fi
if [ "$fail" -ne 0 ]; then
    echo "--- stderr ---"
    cat "$err"
fi
exit "$fail"
