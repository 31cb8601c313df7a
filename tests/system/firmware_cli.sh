#!/bin/sh
# `vmxsim run --firmware` with odd files (docs/boot.md "Firmware boot"):
#   - a 16-byte ROM: any size up to 1 MiB works, its last byte at 0xFFFFFFFF;
#     the reset vector's code writes 42 to the debug-exit port (status 85);
#   - the same ROM with a direct-boot IMAGE: the image is loaded, the CPU
#     still starts at the reset vector;
#   - missing, empty and too large (1 MiB + 1) files: status 4, one line.
# usage: firmware_cli.sh VMXSIM IMAGE
set -u
vmxsim=$1
image=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

expect() { # expect STATUS STDERR_PATTERN|- ARGS...   ("-": stderr must be empty)
    want=$1
    pattern=$2
    shift 2
    "$vmxsim" run "$@" --max-insns 1000 >"$dir/out" 2>"$dir/err"
    got=$?
    if [ "$pattern" = "-" ]; then
        [ -s "$dir/err" ] && got="$got, with stderr"
    elif ! grep -Eq "$pattern" "$dir/err"; then
        got="$got, without the expected stderr"
    fi
    if [ "$got" != "$want" ]; then
        echo "FAIL: vmxsim run $*: status $got (expected $want), stderr:"
        cat "$dir/err"
        fail=1
    fi
}

# 16-bit code at 0xFFFFFFF0: mov eax, 42; out 0xf4, eax; hlt (padding).
printf '\146\270\052\000\000\000\146\347\364\364\364\364\364\364\364\364' >"$dir/tiny.rom"
expect 85 - --firmware "$dir/tiny.rom"
expect 85 - --firmware "$dir/tiny.rom" "$image"
expect 4 "^vmxsim: $dir/missing.rom: firmware: cannot open" --firmware "$dir/missing.rom"
: >"$dir/empty.rom"
expect 4 "^vmxsim: $dir/empty.rom: firmware: file is empty" --firmware "$dir/empty.rom"
head -c 1048577 /dev/zero >"$dir/big.rom"
expect 4 "^vmxsim: $dir/big.rom: firmware: file size 0x100001 exceeds the limit 0x100000" \
    --firmware "$dir/big.rom"
head -c 1048576 /dev/zero | tr '\000' '\364' >"$dir/full.rom" # 1 MiB of HLT
expect 12 "halted" --firmware "$dir/full.rom"
exit "$fail"
