#!/usr/bin/env python3
"""The VMX traces of dbg-vmx (docs/debugger.md "Traces").

usage: check_trace.py VMXSIM IMAGE

1. `--trace vmx --trace-file`: one line per VM entry and VM exit, in order:
   four entries at the guest RIPs the host set, four exits at CPUID (10),
   VMCALL (18), I/O instruction (30, qualification 0x800040: OUT of one
   byte to port 80H, immediate operand, SDM 27.2.1) and HLT (12), each at
   the exiting instruction's RIP; counts increase.
2. The instruction counts are exact: `vmxsim debug --max-insns N` with the
   CPUID exit's count stops right before CPUID.
3. `--trace-json`: valid JSON in the Chrome trace event format, root and
   non-root slices balanced, one instant per exit named by exit reason.
4. VM-entry failures: VMfailValid(7) (fail=1) and exit reason 80000021H
   (fail=3) appear in both traces.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"vmx: insn (\d+) cycles (\d+) (.*)")


def symbols(image):
    out = subprocess.run(["nm", image], check=True, capture_output=True, text=True).stdout
    return {p[2]: int(p[0], 16) for p in (l.split() for l in out.splitlines()) if len(p) == 3}


def run(vmxsim, image, tmp, extra):
    txt, js = os.path.join(tmp, "trace.txt"), os.path.join(tmp, "trace.json")
    r = subprocess.run([vmxsim, "run", image, "--serial", "none", "--trace", "vmx", "--trace-file", txt,
                        "--trace-json", js] + extra, capture_output=True, text=True, timeout=300)
    with open(txt) as f:
        lines = f.read().splitlines()
    with open(js) as f:
        events = json.load(f)["traceEvents"]
    return r.returncode, lines, events


def check_text(lines, s):
    g = s["dbg_guest_code"]
    want = [
        f"vm-entry, guest rip {hex(g)}",
        f"vm-exit CPUID (10), reason 0x0000000a, qualification 0x0, guest rip {hex(s['dbg_guest_cpuid'])}",
        f"vm-entry, guest rip {hex(s['dbg_guest_vmcall'])}",
        f"vm-exit VMCALL (18), reason 0x00000012, qualification 0x0, guest rip {hex(s['dbg_guest_vmcall'])}",
        f"vm-entry, guest rip {hex(s['dbg_guest_vmcall'] + 3)}",
        "vm-exit IO_INSTRUCTION (30), reason 0x0000001e, qualification 0x800040, guest rip "
        f"{hex(s['dbg_guest_out'])}",
        f"vm-entry, guest rip {hex(s['dbg_guest_hlt'])}",
        f"vm-exit HLT (12), reason 0x0000000c, qualification 0x0, guest rip {hex(s['dbg_guest_hlt'])}",
    ]
    got = [LINE.fullmatch(l) for l in lines]
    if None in got or [m.group(3) for m in got] != want:
        return ["text trace:\n  " + "\n  ".join(lines) + "\nexpected events:\n  " + "\n  ".join(want)], None
    counts = [(int(m.group(1)), int(m.group(2))) for m in got]
    if counts != sorted(counts) or len(set(counts)) != len(counts):
        return [f"text trace counts do not increase: {counts}"], None
    return [], counts[1][0]


def check_json(events, reasons):
    problems, open_slices, last_ts = [], [], 0
    instants = []
    for e in events:
        if e["ph"] == "M":
            continue
        if e["ts"] < last_ts:
            problems.append(f"ts goes backwards at {e}")
        last_ts = e["ts"]
        if e["ph"] == "B":
            open_slices.append(e["name"])
        elif e["ph"] == "E":
            if not open_slices or open_slices.pop() != e["name"]:
                problems.append(f"unbalanced E {e}")
        elif e["ph"] == "i":
            instants.append(e["name"])
    if open_slices:
        problems.append(f"slices left open: {open_slices}")
    if instants != reasons:
        problems.append(f"instants {instants}, expected {reasons}")
    return problems


def stops_before_cpuid(vmxsim, image, tmp, n, s):
    cmds = os.path.join(tmp, "cmds")
    with open(cmds, "w") as f:
        f.write("continue\n")
    r = subprocess.run([vmxsim, "debug", image, "--serial", "none", "--max-insns", str(n), "--commands", cmds],
                       capture_output=True, text=True, timeout=300)
    at = f"=> {hex(s['dbg_guest_cpuid'])} <dbg_guest_cpuid>:"
    return [] if at in r.stdout else [f"--max-insns {n} did not stop at CPUID:\n{r.stdout}"]


def check_failures(vmxsim, image, tmp):
    problems = []
    cases = [("fail=1", "vm-entry-failure VMfailValid(7) VM entry with invalid control field(s)", "VMfailValid"),
             ("fail=3", "vm-entry-failure ENTRY_FAILURE_GUEST_STATE (33), reason 0x80000021, qualification 0x0",
              "ENTRY_FAILURE_GUEST_STATE")]
    for arg, text, instant in cases:
        status, lines, events = run(vmxsim, image, tmp, ["--append", arg])
        if status != 1 or len(lines) != 1 or text not in lines[0]:
            problems.append(f"{arg}: status {status}, trace {lines}")
        problems += [f"{arg}: {p}" for p in check_json(events, [instant])]
    return problems


def main():
    vmxsim, image = sys.argv[1], sys.argv[2]
    s = symbols(image)
    with tempfile.TemporaryDirectory() as tmp:
        status, lines, events = run(vmxsim, image, tmp, [])
        problems = [] if status == 1 else [f"exit status {status}, expected 1"]
        p, cpuid_count = check_text(lines, s)
        problems += p
        problems += check_json(events, ["CPUID", "VMCALL", "IO_INSTRUCTION", "HLT"])
        if cpuid_count is not None:
            problems += stops_before_cpuid(vmxsim, image, tmp, cpuid_count, s)
        problems += check_failures(vmxsim, image, tmp)
    for p in problems:
        print(f"check_trace: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
