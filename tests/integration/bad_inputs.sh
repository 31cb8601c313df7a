#!/bin/sh
# Bad command lines and bad images: each must end with its documented exit
# status and exactly one line on stderr, never a crash.
# usage: bad_inputs.sh VMXSIM GOOD_ELF
set -u
vmxsim=$1
good=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
passes=0

# expect STATUS DESCRIPTION ARGS...
expect() {
    want=$1
    what=$2
    shift 2
    "$vmxsim" "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    lines=$(wc -l <"$dir/err")
    if [ "$got" -ne "$want" ] || [ "$lines" -ne 1 ]; then
        echo "FAIL: $what: status $got (want $want), $lines stderr lines:"
        cat "$dir/err"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}

expect 2 "unknown flag" run "$good" --frobnicate
expect 2 "missing image" run
expect 2 "bad --mem" run "$good" --mem lots
expect 2 "unknown cpu model" run "$good" --cpu-model pentium-pro-9000
expect 4 "missing file" run "$dir/does-not-exist.elf"
: >"$dir/empty.elf"
expect 4 "empty file" run "$dir/empty.elf"
printf 'not an elf at all, just text\n' >"$dir/text.elf"
expect 4 "not an ELF" run "$dir/text.elf"
# Cuts inside the ELF header, the program headers and the first segment's data.
for n in 4 16 52 63 64 100 200 4200; do
    head -c "$n" "$good" >"$dir/trunc.elf"
    expect 4 "truncated to $n bytes" run "$dir/trunc.elf"
done
head -c 3000000 /dev/zero >"$dir/big.bin"
expect 4 "image and module larger than --mem" run "$good" --mem 2M --module "$dir/big.bin"
expect 4 "missing module" run "$good" --module "$dir/nope.bin"
expect 4 "directory as image" run "$dir"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
