#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# latency.py - timer wake-up latency in a 440 Linux guest: hv440 with and without --realtime, and
# QEMU -M bamboo, on an idle host and under a host load, side by side in one run. Runs on Debian's
# python3, whose python3-matplotlib draws --plot.
"""Usage: bench/latency.py [--build DIR] [--loops N] [--interval US] [--no-idle] [--json]
                          [--plot FILE.png]

The guest runs /bench/latency.sh: `latency -m -p 80 -i US -l N` (guests/tools/latency.c, measured
as rt-tests' cyclictest measures: SCHED_FIFO 80, locked memory, clock_nanosleep to absolute
times on CLOCK_MONOTONIC). Configurations:
  hv440-rt  hv440 --realtime prio=80,cpu=LAST (LAST: the host's last CPU)
  hv440     hv440 as it runs by default
  qemu      qemu-system-ppc -M bamboo (TCG)
each on an idle host, then under `stress-ng --cpu NCPU --io 1` (loaded). Prints min, avg, 99.9th
percentile and max in microseconds for each; with --json, the last line is one JSON object with
keys hv440-rt, hv440 and qemu, each {"min", "avg", "p999", "max"}, measured under the host load.
--plot draws every configuration's histogram on one log-scale chart (python3-matplotlib).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
CONFIGS = ("hv440-rt", "hv440", "qemu")


def guest(what):
    return subprocess.run([GUEST_PATH, what], check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout.strip()


def argv_of(name, build, kernel, initrd, append):
    if name == "qemu":
        return ["qemu-system-ppc", "-M", "bamboo", "-m", "256", "-nographic", "-no-reboot",
                "-kernel", kernel, "-initrd", initrd, "-append", append]
    a = [os.path.join(build, "hv440"), "-m", "256M", "--no-reboot", "--kernel", kernel,
         "--initrd", initrd, "--append", append]
    if name == "hv440-rt":
        a += ["--realtime", f"prio=80,cpu={os.cpu_count() - 1}"]
    return a


def run_one(name, args, kernel, initrd):
    append = (f"console=ttyS0 run=/bench/latency.sh lat_loops={args.loops} "
              f"lat_interval={args.interval}")
    timeout = 120 + args.loops * args.interval / 1e6 * 4
    r = subprocess.run(argv_of(name, args.build, kernel, initrd, append), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    out = r.stdout.decode("utf-8", "replace")
    hist = {int(m.group(1)): int(m.group(2)) for m in re.finditer(r"^hist (\d+) (\d+)\r?$", out, re.M)}
    m = re.search(r"latency: loops=(\d+) min=(\d+) avg=(\d+) max=(\d+)", out)
    if r.returncode != 0 or not m or sum(hist.values()) != args.loops:
        sys.exit(f"latency: {name}: no result (exit {r.returncode}):\n{out[-1500:]}")
    return {"min": int(m.group(2)), "avg": int(m.group(3)), "p999": percentile(hist, 0.999),
            "max": int(m.group(4)), "hist": hist}


def percentile(hist, q):
    """The smallest bucket (us) at or below which a fraction q of the samples lie."""
    total, seen = sum(hist.values()), 0
    for us in sorted(hist):
        seen += hist[us]
        if seen >= q * total:
            return us
    return max(hist)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--loops", type=int, default=10000)
    ap.add_argument("--interval", type=int, default=1000, help="microseconds between wake-ups")
    ap.add_argument("--no-idle", action="store_true", help="only the loaded host")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--plot", metavar="FILE.png")
    args = ap.parse_args()
    for tool in ("qemu-system-ppc", "stress-ng"):
        if not shutil.which(tool):
            sys.exit(f"latency: {tool} is not installed (scripts/install-deps.sh bench)")
    kernel, initrd = guest("kernel"), guest("initrd")
    results = {}
    loads = ([("idle", None)] if not args.no_idle else []) + \
        [("loaded", ["stress-ng", "--cpu", str(os.cpu_count()), "--io", "1", "--quiet"])]
    for load, cmd in loads:
        stress = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True) if cmd else None
        try:
            for name in CONFIGS:
                results[(load, name)] = run_one(name, args, kernel, initrd)
        finally:
            if stress:
                os.killpg(stress.pid, 15)
                stress.wait()
    print(f"timer wake-up latency, {args.loops} loops every {args.interval} us, guest SCHED_FIFO 80 "
          "(microseconds)")
    print(f"{'host':8} {'vmm':9} {'min':>6} {'avg':>6} {'p99.9':>7} {'max':>7}")
    for (load, name), r in results.items():
        print(f"{load:8} {name:9} {r['min']:6} {r['avg']:6} {r['p999']:7} {r['max']:7}")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(9, 5))
        for (load, name), r in results.items():
            xs = sorted(r["hist"])    # bucket us holds [us, us+1): drawn at its upper edge
            ax.step([x + 1 for x in xs], [r["hist"][x] for x in xs], where="pre",
                    label=f"{name}, {load} host")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("wake-up latency, at most (us, 1 us buckets)")
        ax.set_ylabel("wake-ups")
        ax.set_title(f"Timer latency in a 440 Linux guest ({args.loops} loops, {args.interval} us)")
        ax.legend()
        fig.savefig(args.plot, dpi=100, bbox_inches="tight")
        print(f"plot: {args.plot}")
    if args.json:
        print(json.dumps({name: {k: results[("loaded", name)][k] for k in ("min", "avg", "p999", "max")}
                          for name in CONFIGS}))


if __name__ == "__main__":
    main()
