#!/usr/bin/env python3
"""GDB in batch mode against `vmxsim run --gdb :0` (docs/debugger.md).

usage: gdb_batch.py VMXSIM IMAGE

Starts vmxsim with the GDB stub on a free loopback port, runs Debian's gdb
with the commands below, and checks that gdb attached, stepped, read
registers (including the system registers of the target description), hit
a breakpoint in the guest, a VMX breakpoint set with `monitor break vmexit`,
a watchpoint, printed the VMCS through `monitor vmcs` and `monitor explain`,
and that vmxsim ran the guest to its end after gdb detached.

Then the protocol by hand: a bad checksum is refused with '-', an oversized
packet and a truncated one do no harm, Ctrl-C (0x03) stops a guest that
spins, 'k' ends vmxsim; and a client that disconnects in the middle of a
packet leaves vmxsim running the guest to its end.
"""
import re
import socket
import subprocess
import sys
import time

COMMANDS = [
    "set pagination off",
    "set confirm off",
    "info registers rip",
    "stepi",
    "info registers rip",
    "p/x $cr0",
    "p/x $efer",
    "break dbg_guest_cpuid",
    "continue",
    "monitor where",
    "delete",
    "monitor break vmexit CPUID",
    "continue",
    "monitor explain",
    "monitor vmcs EXIT_REASON",
    "x/2i $pc",
    "watch dbg_exit_count",
    "continue",
    "delete",
    "monitor info breakpoints",
    "detach",
]

# (what, regex) in the order gdb prints them.
EXPECT = [
    ("the entry point", r"rip\s+0x100000\s+0x100000 <_start>"),
    ("one step on", r"rip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <_start\+\d+>"),
    ("CR0 from the system feature", r"\$1 = 0x[0-9a-f]+"),
    ("EFER from the system feature", r"\$2 = 0x[0-9a-f]+"),
    ("the guest breakpoint", r"Breakpoint 1, .*dbg_vmx_guest\.S:\d+\s+\d+\s+cpuid"),
    ("non-root operation", r"vmx:\s+VMX non-root operation"),
    ("the VMX breakpoint", r"Breakpoint 2: vm-exit CPUID \(10\)"),
    ("the stop as a SIGTRAP", r"SIGTRAP"),
    ("explain of the exit", r"EXIT_REASON\s+0x4402\s+0x0000000a\s+\[CPUID \(10\)"),
    ("monitor vmcs", r"EXIT_REASON\s+0x4402\s+0x0000000a"),
    ("disassembly at the host's landing pad", r"vmx_exit_stub"),
    ("the watchpoint", r"atchpoint 2: dbg_exit_count"),
    ("its old and new value", r"Old value = 0\s+New value = 1"),
    ("the monitor's breakpoint kept, GDB's removed", r"\n2\s+vmexit CPUID \(10\), hits 1\n"),
    ("the detach", r"Detaching from program|Inferior 1 .* detached"),
]


def start(vmxsim, image, *extra):
    """vmxsim with the stub, and the port it announced (None on failure)."""
    sim = subprocess.Popen([vmxsim, "run", image, "--gdb", ":0", *extra], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    line = sim.stderr.readline()
    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    if not m:
        sim.kill()
        print(f"gdb_batch: no port announced: {line!r}", file=sys.stderr)
        return sim, None
    return sim, int(m.group(1))


def packet(data):
    return b"$" + data + b"#" + f"{sum(data) & 0xff:02x}".encode()


def reply(conn):
    """The next packet's data, after acks and console output ('O' packets)."""
    buf = b""
    while True:
        for m in re.finditer(rb"\$([^#]*)#..", buf):
            if not m.group(1).startswith(b"O"):
                return m.group(1)
        chunk = conn.recv(4096)
        if not chunk:
            return None
        buf += chunk


def raw_protocol(vmxsim, image):
    problems = []
    sim, port = start(vmxsim, image, "--append", "spin=1")
    if port is None:
        return ["raw: no stub"]
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"$m100000,4#00")                       # bad checksum
        if conn.recv(1) != b"-":
            problems.append("raw: a bad checksum was not refused with '-'")
        conn.sendall(b"$" + b"A" * 20000 + b"#00")          # oversized
        conn.sendall(b"$g")                                  # truncated, then a new packet
        conn.sendall(packet(b"qSupported"))
        if b"PacketSize" not in (reply(conn) or b""):
            problems.append("raw: no qSupported reply after the bad packets")
        conn.sendall(packet(b"c"))
        time.sleep(0.2)                                      # the guest spins
        conn.sendall(b"\x03")                                # Ctrl-C
        stop = reply(conn)
        if stop is None or not stop.startswith(b"T02"):
            problems.append(f"raw: Ctrl-C gave {stop!r}, expected T02 (SIGINT)")
        conn.sendall(packet(b"k"))
    sim.communicate(timeout=60)
    if sim.returncode != 0:
        problems.append(f"raw: vmxsim exit status {sim.returncode} after kill, expected 0")
    return problems


def disconnect(vmxsim, image):
    sim, port = start(vmxsim, image)
    if port is None:
        return ["disconnect: no stub"]
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(packet(b"?") + b"$m1000")              # leave inside a packet
    out, _ = sim.communicate(timeout=60)
    if sim.returncode != 1 or "dbg-vmx: VM exit 12" not in out:
        return [f"disconnect: vmxsim status {sim.returncode}, output {out!r}"]
    return []


def main():
    vmxsim, image = sys.argv[1], sys.argv[2]
    sim, port = start(vmxsim, image)
    if port is None:
        return 1
    args = ["gdb", "-nx", "-batch", image, "-ex", f"target remote 127.0.0.1:{port}"]
    for c in COMMANDS:
        args += ["-ex", c]
    gdb = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    out, err = sim.communicate(timeout=300)
    text = gdb.stdout
    pos, problems = 0, []
    for what, rx in EXPECT:
        found = re.compile(rx).search(text, pos)
        if not found:
            problems.append(f"missing {what}: /{rx}/")
            continue
        pos = found.end()
    # In 64-bit mode CR0.PE and CR0.PG are 1 (SDM Vol. 3A 2.5), and so are
    # IA32_EFER.LME and LMA (2.2.1).
    for reg, mask, bits in (("1", 0x80000001, "PE and PG"), ("2", 0x500, "LME and LMA")):
        v = re.search(r"\$" + reg + r" = (0x[0-9a-f]+)", text)
        if v and int(v.group(1), 16) & mask != mask:
            problems.append(f"${reg} = {v.group(1)} without {bits}")
    if sim.returncode != 1:
        problems.append(f"vmxsim exit status {sim.returncode}, expected 1 (the guest's code 0)")
    if "dbg-vmx: VM exit 12" not in out:
        problems.append("the guest did not run to its end after the detach")
    if problems:
        print(text)
        print("--- vmxsim stdout ---\n" + out + "--- vmxsim stderr ---\n" + err)
    problems += raw_protocol(vmxsim, image) + disconnect(vmxsim, image)
    if problems:
        for p in problems:
            print(f"gdb_batch: {p}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
