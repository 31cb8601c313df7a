#!/bin/sh
# Run triple-fault.elf and check the shutdown: exit status 6 (README "Exit
# status"), the guest's checks before it all passed, and stderr holds
# vmxsim's shutdown line with the RIP the guest announced on COM1.
# usage: check_triple_fault.sh VMXSIM IMAGE
set -u
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$1" run "$2" --max-insns 10000000 >"$out" 2>"$err"
status=$?
fail=0
rip=$(sed -n 's/^# .*expecting a triple fault at rip \(0x[0-9a-f]*\)$/\1/p' "$out")
if [ "$status" -ne 6 ]; then
    echo "FAIL: exit status $status, expected 6 (triple fault)"
    fail=1
fi
if grep -q '^FAIL' "$out" || [ -z "$rip" ]; then
    echo "FAIL: the guest's checks before the triple fault did not all pass"
    fail=1
fi
if ! grep -Eq "^vmxsim: triple fault: cpu0 shut down at rip $rip \(last exception vector [0-9]+" "$err"; then
    echo "FAIL: stderr lacks 'vmxsim: triple fault: cpu0 shut down at rip $rip (...)'"
    fail=1
fi
if [ "$fail" -ne 0 ]; then
    echo "--- stdout ---"
    cat "$out"
    echo "--- stderr ---"
    cat "$err"
fi
exit "$fail"
