#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# system.py - `hv440 system` numbers: byte-channel throughput and round trips between two
# partitions, and the start-up time of examples/system/three-partitions.dts.
"""Usage: bench/system.py [--build DIR] [--hv440 BIN] [--reps N] [--no-startup]

Byte channel: two bare-metal partitions (bench/progs/bcpeer.c) joined by one channel. The
sender pushes 1 MiB in 16-byte EV_BYTE_CHANNEL_SEND calls (again at once on EV_EAGAIN, as
Linux's ehv_bytechan does) until the echo answers that all of it came, then makes 200 round
trips of one byte. Both busy-poll EV_BYTE_CHANNEL_RECEIVE. The host times the sender's marker
lines on its console (the supervisor's log), so the partitions' start-up is not in the numbers.
--hv440 BIN runs another build (e.g. one without batched host writes) the same way.

Start-up: the example system on guests from tests/lib/guest-path.sh (all consoles to the
supervisor's log), timed by this script from the supervisor's start until each partition
prints "guest: shell ready".

Every number is the median of --reps runs (min and max beside it). On a shared host the
round trips mostly measure the host scheduler: each one needs both processes on a CPU.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ISA = os.path.join(TOP, "tests", "isa", "lib")
GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
STREAM = 1024 * 1024
TRIPS = 200


def build_peer(tmp, role):
    out = os.path.join(tmp, f"bc{role}.elf")
    cmd = ["powerpc-linux-gnu-gcc", "-mcpu=440", "-msoft-float", "-ffreestanding", "-nostdlib",
           "-nostartfiles", "-O2", "-fno-pie", "-no-pie", "-msdata=none", "-G", "0",
           "-fno-builtin", "-fno-stack-protector", "-Wall", "-Wextra", "-Werror",
           "-I", ISA, "-T", os.path.join(ISA, "link.ld"), "-Wl,--build-id=none",
           "-Wl,-z,noexecstack", "-Wl,--no-warn-rwx-segments", "-o", out,
           os.path.join(ISA, "crt0.S"), os.path.join(ISA, "lib.c"),
           os.path.join(TOP, "bench", "progs", "bcpeer.c"), "-lgcc"]
    if role == "echo":
        cmd.insert(1, "-DECHO")
    subprocess.run(cmd, check=True)
    return out


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bytechan_run(hv, tmp, send, echo, timeout=600):
    dts = os.path.join(tmp, "bc.dts")
    with open(dts, "w") as f:
        f.write(f"""/dts-v1/;
/ {{ partitions {{
	sender {{ kernel = "{send}"; memory = "16M"; console = "log"; }};
	echo {{ kernel = "{echo}"; memory = "16M"; console = "null"; }};
}};
channels {{ link {{ endpoints = "sender", "echo"; }}; }}; }};
""")
    sup = subprocess.Popen([hv, "system", dts], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    t0 = time.time()
    at = {}
    try:
        # the first run only: the sender starts again after it returns
        for line in sup.stdout:
            m = re.match(rb"sender\| bcpeer: (stream start|stream end|trips end)", line)
            if m:
                at[m.group(1).decode()] = time.time()
                if m.group(1) == b"trips end":
                    break
            if time.time() - t0 > timeout:
                break
    finally:
        stop(sup)
    if len(at) != 3:
        raise RuntimeError(f"the sender did not finish in {timeout} s (saw {sorted(at)})")
    return (STREAM / 1024 / (at["stream end"] - at["stream start"]),
            (at["trips end"] - at["stream end"]) / TRIPS * 1e6)


def guest(what):
    r = subprocess.run([GUEST_PATH, what], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def startup_run(hv, tmp, timeout=600):
    kernel, initrd = guest("kernel-pv"), guest("initrd")
    src = open(os.path.join(TOP, "examples", "system", "three-partitions.dts")).read()
    src = re.sub(r'"[./]*shared/guests/linux-6.1-bamboo/vmlinux-pv"', f'"{kernel}"', src)
    src = re.sub(r'"[./]*shared/guests/initramfs.cpio.gz"', f'"{initrd}"', src)
    src = re.sub(r'console = "[^"]*";', 'console = "log";', src)
    src = src.replace("/tmp/hv440-", tmp + "/")
    dts = os.path.join(tmp, "three.dts")
    with open(dts, "w") as f:
        f.write(src)
    t0 = time.time()
    sup = subprocess.Popen([hv, "system", dts], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    up = {}
    try:
        for line in sup.stdout:
            m = re.match(r"(\w+)\| .*guest: shell ready", line)
            if m and m.group(1) not in up:
                up[m.group(1)] = time.time() - t0
                if len(up) == 3:
                    break
            if time.time() - t0 > timeout:
                break
    finally:
        stop(sup)
    if len(up) != 3:
        raise RuntimeError(f"only {sorted(up)} reached a shell in {timeout} s")
    return max(up.values()), up


def spread(xs, fmt):
    return f"{fmt % statistics.median(xs)} (min {fmt % min(xs)}, max {fmt % max(xs)})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--hv440", help="the hv440 binary (default: BUILD/hv440)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-startup", action="store_true", help="byte channel only")
    a = ap.parse_args()
    hv = os.path.abspath(a.hv440 or os.path.join(a.build, "hv440"))
    with tempfile.TemporaryDirectory(prefix="hv440-bench-system-") as tmp:
        send, echo = build_peer(tmp, "send"), build_peer(tmp, "echo")
        rate, rtt = [], []
        for _ in range(a.reps):
            r, t = bytechan_run(hv, tmp, send, echo)
            rate.append(r)
            rtt.append(t)
        print(f"hv440: {hv}")
        print(f"byte channel, 1 MiB sender -> echo: {spread(rate, '%.0f')} KiB/s")
        print(f"byte channel, one-byte round trip: {spread(rtt, '%.0f')} us (mean of {TRIPS})")
        if not a.no_startup:
            ups = []
            for _ in range(a.reps):
                t, each = startup_run(hv, tmp)
                ups.append(t)
                print("start-up run: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(each.items())))
            print(f"three-partition system to three shells: {spread(ups, '%.1f')} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
