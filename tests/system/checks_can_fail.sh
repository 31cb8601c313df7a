#!/bin/sh
# Prove that every check of a tests/system guest can fail.  The guest is run
# once to count its checks ("N checks, M failed"), then with
# --append systest.break=all, which inverts every check: each check that
# passed must now print "FAIL K - " and the run must not end with the passing
# status 1.  A check the inverted run does not reach (a guest may stop early
# once something failed) is then inverted alone, with systest.break=K.
# A check that fails unmodified (a simulator bug) must pass when inverted.
# usage: checks_can_fail.sh VMXSIM IMAGE [more vmxsim arguments]
set -u
vmxsim=$1
image=$2
shift 2
base=$(mktemp)
all=$(mktemp)
out=$(mktemp)
trap 'rm -f "$base" "$all" "$out"' EXIT
run() { "$vmxsim" run "$image" --max-insns 20000000 "$@" 2>&1; }
run "$@" >"$base"
total=$(sed -n 's/^\([0-9][0-9]*\) checks, [0-9][0-9]* failed$/\1/p' "$base")
if [ -z "$total" ] || [ "$total" -eq 0 ]; then
    echo "FAIL: the unmodified run printed no check total:"
    cat "$base"
    exit 1
fi
run --append "systest.break=all" "$@" >"$all"
all_status=$?
fail=0
k=1
while [ "$k" -le "$total" ]; do
    if grep -q "^ok $k - " "$base"; then
        flipped="^FAIL $k - "
    else
        flipped="^ok $k - "
    fi
    if grep -q "$flipped" "$all"; then
        status=$all_status
        cp "$all" "$out"
    else
        run --append "systest.break=$k" "$@" >"$out"
        status=$?
    fi
    if ! grep -q "$flipped" "$out" || { [ "$flipped" = "^FAIL $k - " ] && [ "$status" -eq 1 ]; }; then
        echo "FAIL: check $k did not flip when inverted (status $status)"
        fail=1
    fi
    k=$((k + 1))
done
[ "$fail" -eq 0 ] && echo "each of the $total checks flips when inverted"
exit "$fail"
