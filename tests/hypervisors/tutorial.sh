#!/bin/sh
# Run docs/tutorial.md as a reader would, so the tutorial never rots.
#   - a fenced block after "<!-- file: PATH -->" is saved as PATH (relative
#     to the directory the commands have reached);
#   - every ```sh block runs, in order, in one shell, starting in a
#     directory that holds "vmxsim": the source tree (guests/, include/) and
#     build/vmxsim (the binary under test); each line must succeed (as typed
#     at a prompt: "cmd; echo $?" succeeds whatever cmd returns);
#   - a fenced block after "<!-- output -->" must equal the output (stdout
#     and stderr) of the ```sh block before it, line for line; "..." in an
#     expected line matches any text.
# usage: tutorial.sh TUTORIAL_MD SOURCE_DIR VMXSIM_BINARY
set -u
md=$1
src=$2
bin=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/vmxsim/build" "$tmp/blocks"
ln -s "$src/guests" "$tmp/vmxsim/guests"
ln -s "$src/include" "$tmp/vmxsim/include"
ln -s "$bin" "$tmp/vmxsim/build/vmxsim"

# Split the tutorial into blocks/NNN.{sh,file,output,other}; a file block's
# path goes to NNN.path.
awk -v dir="$tmp/blocks" '
    /^<!-- file: [^ ]+ -->$/ { marker = "file"; path = $3; next }
    /^<!-- output -->$/ { marker = "output"; next }
    /^```/ && !inblock {
        n++
        kind = marker != "" ? marker : (substr($0, 4) == "sh" ? "sh" : "other")
        f = sprintf("%s/%03d.%s", dir, n, kind)
        printf "" > f
        if (kind == "file") print path > sprintf("%s/%03d.path", dir, n)
        marker = ""
        inblock = 1
        next
    }
    /^```/ && inblock { close(f); inblock = 0; next }
    inblock { print > f }
' "$md"

# One script: file blocks become here-documents, each sh block is preceded
# by a marker line that splits the combined output afterwards.
script=$tmp/tutorial-run.sh
: >"$script"
for b in "$tmp"/blocks/*; do
    case $b in
    *.file)
        path=$(cat "${b%.file}.path")
        printf 'mkdir -p "$(dirname %s)"\ncat >%s <<'"'"'@@TUTORIAL_EOF'"'"'\n' "$path" "$path"
        cat "$b"
        echo "@@TUTORIAL_EOF"
        ;;
    *.sh)
        block=$(basename "$b" .sh)
        echo "echo '@@block $block'"
        awk -v block="$block" '{
            print
            printf "s=$?; [ $s -eq 0 ] || { echo \"@@FAIL: block %s line %d: status $s\"; exit 1; }\n", block, NR
        }' "$b"
        ;;
    esac >>"$script"
done
(cd "$tmp" && sh "$script") >"$tmp/all.out" 2>&1
status=$?
awk -v dir="$tmp/blocks" '
    /^@@block [0-9]+$/ { f = dir "/" $2 ".actual"; printf "" > f; next }
    f != "" { print > f }
' "$tmp/all.out"
if [ "$status" -ne 0 ]; then
    echo "FAIL: a tutorial command failed (status $status); the output up to it:"
    cat "$tmp/all.out"
    exit 1
fi

# Line-by-line comparison; "..." in an expected line is a wildcard.
same() {
    awk '
        function fits(w, g,    parts, n, i, pos, p, last) {
            if (index(w, "...") == 0) return w == g
            n = split(w, parts, /\.\.\./)
            if (substr(g, 1, length(parts[1])) != parts[1]) return 0
            pos = length(parts[1]) + 1
            for (i = 2; i < n; i++) {
                p = index(substr(g, pos), parts[i])
                if (!p) return 0
                pos += p - 1 + length(parts[i])
            }
            last = parts[n]
            if (length(g) - length(last) + 1 < pos) return 0
            return substr(g, length(g) - length(last) + 1) == last
        }
        NR == FNR { want[++ne] = $0; next }
        { got[++na] = $0 }
        END {
            if (ne != na) { printf "%d lines, expected %d\n", na, ne; exit 1 }
            for (i = 1; i <= ne; i++)
                if (!fits(want[i], got[i])) {
                    printf "line %d: got\n  %s\nexpected\n  %s\n", i, got[i], want[i]
                    exit 1
                }
        }
    ' "$1" "$2"
}

fail=0
last=""
for b in "$tmp"/blocks/*; do
    case $b in
    *.sh) last=${b%.sh}.actual ;;
    *.output)
        if [ -z "$last" ] || ! same "$b" "$last"; then
            echo "FAIL: the output of block $(basename "$last" .actual) differs from the tutorial:"
            echo "--- expected ---"
            cat "$b"
            echo "--- got ---"
            cat "$last"
            fail=1
        fi
        ;;
    esac
done
commands=$(ls "$tmp"/blocks/*.sh | wc -l)
outputs=$(ls "$tmp"/blocks/*.output 2>/dev/null | wc -l)
[ "$fail" -eq 0 ] && echo "tutorial: $commands command blocks ran, $outputs outputs matched"
exit "$fail"
