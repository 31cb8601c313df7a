#!/bin/sh
# Run one system guest under vmxsim; check its exit status, its exact COM1
# output and a pattern on stderr.
# usage: run_system.sh STATUS EXPECTED_STDOUT STDERR_REGEX VMXSIM ARGS...
# EXPECTED_STDOUT "-" skips the output comparison, STDERR_REGEX "-" the
# stderr check (an extended regular expression, grep -E).
set -u
expected_status=$1
expected_out=$2
stderr_regex=$3
shift 3
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
if [ "$stderr_regex" != "-" ] && ! grep -Eq "$stderr_regex" "$err"; then
    echo "FAIL: stderr does not match: $stderr_regex"
    fail=1
fi
if [ "$fail" -ne 0 ]; then
    echo "--- stdout ---"
    cat "$out"
    echo "--- stderr ---"
    cat "$err"
fi
exit "$fail"
