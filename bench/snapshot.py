#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# snapshot.py - restore time of a booted Linux guest to its shell answering, and the snapshot's size.
"""Usage: bench/snapshot.py [BUILD_DIR] [--runs N] [--engine jit|interp]

Boots the bamboo Linux guest (256 MiB, busybox initramfs) to its shell,
takes a snapshot through the control socket, then starts `hv440 --restore`
N times (default 5). Each restore is timed from the fork of hv440 to the
guest's answer to `echo` typed at once (the command is in the console's
input before the process starts). Prints the snapshot file's size (and
what it takes on disk) and the restore times (min, median, max) in ms:
wall clock, and hv440's own CPU time until the answer (the sum of its
threads' /proc/PID/task/*/schedstat run times), which a loaded host does
not inflate."""

import os
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import control as control_client  # noqa: E402
from console import Console  # noqa: E402


def guest(what):
    return subprocess.check_output([os.path.join(TOP, "tests/lib/guest-path.sh"), what],
                                   stderr=subprocess.DEVNULL).decode().strip()


def control(path, command):
    return control_client.request(path, command, connect_timeout=10)


def cpu_ms(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total / 1e6


def main():
    args = sys.argv[1:]
    build, runs, engine = "build", 5, "jit"
    while args:
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        elif a == "--engine":
            engine = args.pop(0)
        else:
            build = a
    hv440 = os.path.join(build, "hv440")
    env = dict(os.environ, HV440_ENGINE=engine)
    tmp = tempfile.mkdtemp(prefix="hv440-snapbench-")
    sock, snap = os.path.join(tmp, "c.sock"), os.path.join(tmp, "vm.snap")
    con = Console([hv440, "--sandbox", "off", "-m", "256M", "--no-reboot", "--control",
                   "unix:" + sock, "--kernel", guest("kernel"), "--initrd", guest("initrd"),
                   "--append", "console=ttyS0"], 600, env=env)
    con.expect(r"^guest: shell ready$", 400)
    con.expect(r"[#$] $", 60)
    con.run("true", 60)
    answer = control(sock, "snapshot " + snap)
    con.close()
    if answer != "ok":
        sys.exit(f"snapshot: {answer}")
    size, on_disk = os.path.getsize(snap), os.stat(snap).st_blocks * 512
    times, cpu = [], []
    for i in range(runs):
        marker = f"RESTORED{i}"
        r, w = os.pipe()
        os.write(w, f"echo {marker[:4]}''{marker[4:]}\n".encode())
        t0 = time.monotonic()
        p = subprocess.Popen([hv440, "--no-reboot", "--restore", snap], stdin=r,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        os.close(r)
        out = b""
        while marker.encode() + b"\r\n" not in out and marker.encode() + b"\n" not in out:
            d = os.read(p.stdout.fileno(), 65536)
            if not d:
                sys.exit(f"restore {i}: hv440 ended before the guest answered")
            out += d
        times.append((time.monotonic() - t0) * 1000)
        cpu.append(cpu_ms(p.pid))
        p.kill()
        p.wait()
        os.close(w)
    os.unlink(snap)
    os.rmdir(tmp)
    print(f"snapshot file: {size} bytes ({size / 1048576:.1f} MiB; {on_disk / 1048576:.1f} MiB on "
          f"disk) of a 256 MiB guest at its shell")
    print(f"restore to shell answering ({engine}, {runs} runs): min {min(times):.1f} ms, "
          f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    print(f"hv440's CPU time to that answer: min {min(cpu):.1f} ms, "
          f"median {statistics.median(cpu):.1f} ms, max {max(cpu):.1f} ms")
    print(f"host load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
