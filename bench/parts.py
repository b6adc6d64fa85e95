#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# parts.py - cpu.sh's parts and fork.sh, each timed alone, on hv440, QEMU system (-M bamboo),
# QEMU user mode (qemu-ppc on the guest's own busybox) and natively (the same busybox source and
# config built for this host): the physical limit beside the emulators.
"""Usage: bench/parts.py [--build DIR] [--reps N]

Parts (guests/initramfs/bench/parts.sh; every command reads and writes files, no pipelines):
  md5   seq 1 200000 > a; md5sum < a
  gzip  seq 1 60000 > b; gzip -6 < b > c; gzip -d < c > d; sha256sum < d
  awk   awk's sqrt loop of cpu.sh
  fork  400 runs of /bin/true
In the guests each part is timed by the guest (/proc/uptime, 10 ms steps); natively and under
qemu-user each command is its own host process (busybox APPLET ...), timed by this script. Prints
the median of --reps runs of each, and each one's ratio to native.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
NATIVE_BUSYBOX = os.path.join(TOP, "guests", "cache", "busybox-native", "busybox")
AWK = 'BEGIN { s = 0; for (i = 1; i <= 200000; i++) s += sqrt(i) * 1.5; printf "%.4f\\n", s }'
# name: [(argv after the applet's busybox, stdin file, stdout file)], the answer it must print
PARTS = {
    "md5": ([(["seq", "1", "200000"], None, "a"), (["md5sum"], "a", "out")],
            "0e10426a1d5bddffcef02f1345787128  -"),
    "gzip": ([(["seq", "1", "60000"], None, "b"), (["gzip", "-6"], "b", "c"),
              (["gzip", "-d"], "c", "d"), (["sha256sum"], "d", "out")],
             "67235281ebbe500c400cb9fd79407125d547975f9fffe671917e0a8000df7dd3  -"),
    "awk": ([(["awk", AWK], None, "out")], "89443054.1985"),
    "fork": ([(["true"], None, None)] * 400, None),
}
VMMS = ("hv440", "qemu", "qemu-user", "native")


def guest(what):
    return subprocess.run([GUEST_PATH, what], check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout.strip()


def run_guest(vmm, build):
    kernel, initrd = guest("kernel"), guest("initrd")
    append = "console=ttyS0 run=/bench/parts.sh"
    if vmm == "qemu":
        argv = ["qemu-system-ppc", "-M", "bamboo", "-m", "256", "-nic", "none", "-nographic",
                "-no-reboot", "-monitor", "none", "-kernel", kernel, "-initrd", initrd,
                "-append", append]
    else:
        argv = [os.path.join(build, "hv440"), "-m", "256M", "--no-reboot", "--kernel", kernel,
                "--initrd", initrd, "--append", append]
    out = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=900).stdout.decode("utf-8", "replace")
    times = {m.group(1): float(m.group(2)) for m in re.finditer(r"^part (\w+): ([0-9.]+) s", out, re.M)}
    for name, (_, answer) in PARTS.items():
        if answer and answer not in out:
            sys.exit(f"parts: {vmm}: wrong or missing answer for {name}:\n{out[-1500:]}")
    if set(times) != set(PARTS):
        sys.exit(f"parts: {vmm}: parts missing:\n{out[-1500:]}")
    return times


def run_host(prefix, tmp):
    """Each command is its own process: prefix + [applet, args...], files in tmp."""
    times = {}
    for name, (cmds, answer) in PARTS.items():
        t0 = time.monotonic()
        for argv, stdin, stdout in cmds:
            fin = open(os.path.join(tmp, stdin), "rb") if stdin else subprocess.DEVNULL
            fout = open(os.path.join(tmp, stdout), "wb") if stdout else subprocess.DEVNULL
            subprocess.run(prefix + argv, stdin=fin, stdout=fout, check=True)
            for f in (fin, fout):
                if f is not subprocess.DEVNULL:
                    f.close()
        times[name] = time.monotonic() - t0
        if answer:
            with open(os.path.join(tmp, "out")) as f:
                got = f.read().strip()
            if got != answer:
                sys.exit(f"parts: {prefix[0]}: {name} printed {got!r}, not {answer!r}")
    return times


def guest_busybox(tmp):
    """The guest's own static powerpc busybox, out of its initramfs."""
    initrd = guest("initrd")
    data = subprocess.run(["gzip", "-dc", initrd], check=True, stdout=subprocess.PIPE).stdout
    subprocess.run(["cpio", "-i", "--quiet", "-d", "bin/busybox"], input=data, cwd=tmp, check=True)
    return os.path.join(tmp, "bin", "busybox")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    # The recipe is a no-op when its native busybox is up to date.
    if subprocess.run([os.path.join(TOP, "guests", "build-initramfs.sh"), "--native"]).returncode:
        sys.exit("parts: cannot build the native busybox (guests/build-initramfs.sh --native)")
    for tool in ("qemu-system-ppc", "qemu-ppc"):
        if not shutil.which(tool):
            sys.exit(f"parts: {tool} is not installed (scripts/install-deps.sh bench)")
    with tempfile.TemporaryDirectory(prefix="hv440-parts-", dir="/dev/shm") as tmp:
        ppc_busybox = guest_busybox(tmp)
        runs = {v: [] for v in VMMS}
        for _ in range(args.reps):
            runs["hv440"].append(run_guest("hv440", args.build))
            runs["qemu"].append(run_guest("qemu", args.build))
            runs["qemu-user"].append(run_host(["qemu-ppc", ppc_busybox], tmp))
            runs["native"].append(run_host([NATIVE_BUSYBOX], tmp))
    med = {v: {p: statistics.median(r[p] for r in runs[v]) for p in PARTS} for v in VMMS}
    print(f"cpu.sh's parts and fork.sh, median of {args.reps} (seconds; x native in brackets)")
    print(f"{'part':6}" + "".join(f"{v:>20}" for v in VMMS))
    for p in PARTS:
        n = med["native"][p]
        cells = "".join(f"{med[v][p]:>12.3f} ({med[v][p] / n:5.1f}x)" for v in VMMS)
        print(f"{p:6}{cells}")
    print("ratios hv440/qemu: " + ", ".join(f"{p} {med['hv440'][p] / med['qemu'][p]:.2f}"
                                          for p in PARTS))


if __name__ == "__main__":
    main()
