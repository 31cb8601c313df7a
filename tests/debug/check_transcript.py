#!/usr/bin/env python3
"""Run a command and compare its standard output with an expected transcript.

usage: check_transcript.py --status N --expected FILE [--image ELF] -- COMMAND...

Each line of the expected file is matched against the next output line:
text is literal, except
  {*}         any run of non-blank characters,
  {sym:NAME}  the address of symbol NAME in --image, as 0x<lowercase hex>,
  {sym:NAME+N} that address plus N (decimal or 0x hex),
  {sym16:NAME} the address as 0x and 16 hex digits,
{...} inside a line matches any text, and a line holding only {...} skips
output lines up to the next match.
The command's exit status must be N.  Standard error is shown on failure.
"""
import argparse
import re
import subprocess
import sys


def symbols(image):
    out = subprocess.run(["nm", image], check=True, capture_output=True, text=True).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            table[parts[2]] = int(parts[0], 16)
    return table


def pattern(line, syms):
    out = []
    for tok in re.split(r"(\{\*\}|\{\.\.\.\}|\{sym(?:16)?:[^}]+\})", line):
        if tok == "{*}":
            out.append(r"\S+")
        elif tok == "{...}":
            out.append(".*")
        elif tok.startswith("{sym"):
            kind, _, ref = tok[1:-1].partition(":")
            name, _, off = ref.partition("+")
            addr = syms[name] + (int(off, 0) if off else 0)
            out.append(re.escape(f"0x{addr:016x}" if kind == "sym16" else hex(addr)))
        else:
            out.append(re.escape(tok))
    return re.compile("".join(out) + r"\Z")


def compare(expected, actual, syms):
    """None when actual matches expected, else a message."""
    i = 0
    skipping = False
    for n, want in enumerate(expected, 1):
        if want == "{...}":
            skipping = True
            continue
        rx = pattern(want, syms)
        while i < len(actual) and not rx.match(actual[i]):
            if not skipping:
                return f"expected line {n}: {want!r}\n     got line {i + 1}: {actual[i]!r}"
            i += 1
        if i == len(actual):
            return f"expected line {n} not found: {want!r}"
        skipping = False
        i += 1
    if i < len(actual) and not skipping:
        return f"unexpected output at line {i + 1}: {actual[i]!r}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--status", type=int, required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--image")
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()
    syms = symbols(a.image) if a.image else {}
    with open(a.expected) as f:
        expected = f.read().splitlines()
    run = subprocess.run(a.command, capture_output=True, text=True, timeout=300)
    actual = run.stdout.splitlines()
    problem = compare(expected, actual, syms)
    if run.returncode != a.status:
        problem = f"exit status {run.returncode}, expected {a.status}" + (f"; {problem}" if problem else "")
    if problem:
        sys.stdout.write(run.stdout)
        sys.stderr.write(run.stderr)
        print(f"check_transcript: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
