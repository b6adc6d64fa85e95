#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# shares.py - CPU shares under `hv440 system`: two Linux partitions with cpu-weight 300 and 100,
# the supervisor (and so both partitions) pinned to one host CPU, each running a CPU-bound loop.
"""Usage: bench/shares.py [--build DIR] [--cpu N] [--seconds S] [--cycles C] [--weights BIG,SMALL]

Two partitions, "big" (cpu-weight BIG, 300) and "small" (SMALL, 100), each Linux 6.1 bamboo
(vmlinux-pv) on the busybox initramfs, 64M, consoles on unix sockets this script holds. The
supervisor runs under `taskset -c N` (default: the last CPU), so both partitions share that one
CPU and the shares decide. In each guest the loop

    i=0; while :; do seq 1 20000 | md5sum >/dev/null; i=$((i+1)); echo "tick $i"; done

prints a tick per round; this script stamps each tick as it arrives and counts them over
S seconds (default 6, the first second of each phase not counted), and reads the CPU time
each partition's process used meanwhile (/proc/PID/stat). After 5 s of both busy (uncounted:
the JIT translates the loop's code), C cycles (default 3) of three phases: big alone (small
idle at its shell), both busy, small alone; rates are over all cycles of a kind of phase. Reports each one's rate with the other busy
as a share of its rate alone, beside the share its weight gives it (BIG/(BIG+SMALL)), and
exits 0 when big keeps at least its share less 5 points (the host's other load and the idle
guest's timer cost that much), else 1. About 10 s of boot plus C x 3 x (S + 1.5) s.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
LOOP = b'i=0; while :; do seq 1 20000 | md5sum >/dev/null; i=$((i+1)); echo "tick $i"; done\n'
TICK = re.compile(rb"^tick (\d+)\r?$")


class Console:
    """One connection to a partition's console socket; every line stamped on arrival."""

    def __init__(self, path):
        self.lines = []
        self.sock = None
        for _ in range(300):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError:
                s.close()
                time.sleep(0.1)
        if not self.sock:
            sys.exit(f"shares.py: cannot connect to {path}")
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        buf = b""
        while True:
            data = self.sock.recv(4096)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self.lines.append((time.monotonic(), line.rstrip(b"\r")))

    def send(self, data):
        self.sock.sendall(data)

    def wait(self, pattern, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if any(pattern in line for _, line in self.lines):
                return True
            time.sleep(0.1)
        return False

    def ticks(self, t0, t1):
        return sum(1 for t, line in self.lines if t0 <= t < t1 and TICK.match(line))


def cpu_seconds(pid):
    """User plus system time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(c):
    """Ctrl-C until the loop's ticks stop (one can be lost while the shell forks)."""
    for _ in range(10):
        c.send(b"\x03")
        time.sleep(0.3)
        t = time.monotonic()
        time.sleep(1.0)
        if not c.ticks(t, time.monotonic() + 1):
            return
    sys.exit("shares.py: a partition's loop did not stop on Ctrl-C")


def phase(busy, pids, seconds):
    """Run the loop in each console of busy for seconds: the ticks of each busy one and the CPU
    seconds of each of pids in the time counted, and that time."""
    for c in busy:
        c.send(LOOP)
    time.sleep(1.0)
    t0 = time.monotonic()
    c0 = [cpu_seconds(p) for p in pids]
    time.sleep(seconds - 1.0)
    t1 = time.monotonic()
    c1 = [cpu_seconds(p) for p in pids]
    for c in busy:
        stop(c)
    return [c.ticks(t0, t1) for c in busy], [b - a for a, b in zip(c0, c1)], t1 - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--cpu", type=int, default=(os.cpu_count() or 1) - 1)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--weights", default="300,100")
    a = ap.parse_args()
    wbig, wsmall = (int(x) for x in a.weights.split(","))
    hv = os.path.join(a.build, "hv440")
    if not os.access(hv, os.X_OK):
        sys.exit(f"shares.py: no {hv} (build first)")
    kernel = subprocess.run([GUEST_PATH, "kernel-pv"], capture_output=True, text=True).stdout.strip()
    initrd = subprocess.run([GUEST_PATH, "initrd"], capture_output=True, text=True).stdout.strip()
    if not os.path.isfile(kernel) or not os.path.isfile(initrd):
        sys.exit(f"shares.py: guests missing (kernel-pv '{kernel}', initrd '{initrd}')")
    tmp = tempfile.mkdtemp(prefix="hv440-shares-")
    parts = ""
    for name, w in (("big", wbig), ("small", wsmall)):
        parts += (f'{name} {{ kernel = "{kernel}"; initrd = "{initrd}"; bootargs = "console=ttyS0"; '
                  f'memory = "64M"; console = "unix:{tmp}/{name}.console"; cpu-weight = <{w}>; }};\n')
    dts = os.path.join(tmp, "shares.dts")
    with open(dts, "w") as f:
        f.write("/dts-v1/;\n/ { partitions {\n" + parts + "}; };\n")
    cmd = ["taskset", "-c", str(a.cpu), hv, "system", dts]
    print("command: " + " ".join(cmd))
    err = open(os.path.join(tmp, "supervisor.err"), "w+")
    sup = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    try:
        big, small = Console(f"{tmp}/big.console"), Console(f"{tmp}/small.console")
        for c in (big, small):
            if not c.wait(b"guest: shell ready", 120):
                err.seek(0)
                sys.exit("shares.py: a partition did not reach its shell; the supervisor said:\n" +
                         "".join(err.readlines()[-5:]))
        time.sleep(1.0)
        err.seek(0)
        how = [l.strip() for l in err if "CPU shares by" in l]
        print(how[0] if how else "(the supervisor did not say how it applies shares)")
        with open(f"/proc/{sup.pid}/task/{sup.pid}/children") as f:
            kids = f.read().split()
        nices = []
        for k in kids:
            with open(f"/proc/{k}/stat") as f:
                nices.append(f.read().rsplit(")", 1)[1].split()[16])
        print("partition processes (big, small): pids " + ", ".join(kids) + "; nice " + ", ".join(nices))
        phase([big, small], kids, 5.0)
        # Phases in turn, --cycles times, so that the host's other load, which changes
        # while we measure, weighs on each kind of phase alike.
        sums = {k: [[0, 0], [0.0, 0.0], 0.0] for k in ("big", "both", "small")}
        for _ in range(a.cycles):
            for kind, busy in (("big", [big]), ("both", [big, small]), ("small", [small])):
                ticks, cpu, dt = phase(busy, kids, a.seconds)
                acc = sums[kind]
                for i, t in enumerate(ticks):
                    acc[0][i] += t
                for i, c in enumerate(cpu):
                    acc[1][i] += c
                acc[2] += dt
        rate = {k: [t / v[2] for t in v[0]] for k, v in sums.items()}
        cpu1, cpu2, cpu3 = ([c / sums[k][2] for c in sums[k][1]] for k in ("big", "both", "small"))
        big_solo, (big_both, small_both), small_solo = rate["big"][0], rate["both"], rate["small"][0]
    finally:
        sup.terminate()
        sup.wait()
        err.close()
        shutil.rmtree(tmp, ignore_errors=True)
    share_big = wbig / (wbig + wsmall)
    rb, rs = big_both / big_solo, small_both / small_solo
    print(f"host CPU {a.cpu}, {a.cycles} cycles of {a.seconds:g} s per phase, ticks per second (one tick: "
          "seq 1 20000 | md5sum in the guest)")
    print(f"big   (cpu-weight {wbig}): alone {big_solo:.2f}, with small busy {big_both:.2f}: "
          f"{100 * rb:.0f}% of alone (its share {100 * share_big:.0f}%)")
    print(f"small (cpu-weight {wsmall}): alone {small_solo:.2f}, with big busy {small_both:.2f}: "
          f"{100 * rs:.0f}% of alone (its share {100 * (1 - share_big):.0f}%)")
    for name, cpu in (("big alone", cpu1), ("both busy", cpu2), ("small alone", cpu3)):
        print(f"CPU time, {name}: big {100 * cpu[0]:.0f}%, small {100 * cpu[1]:.0f}% of the wall time")
    print(f"both busy: big had {100 * cpu2[0] / (cpu2[0] + cpu2[1]):.0f}% of the CPU time the two "
          f"used (its share {100 * share_big:.0f}%)")
    alone = min(cpu1[0], cpu3[1])
    if alone < 0.8:
        print(f"note: a partition alone ran only {100 * alone:.0f}% of the time: host CPU {a.cpu} "
              "was busy with other work, which these numbers include")
    ok = rb >= share_big - 0.05
    print(f"big kept {'at least' if ok else 'less than'} its share less 5 points: "
          f"{'yes' if ok else 'no'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
