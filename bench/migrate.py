#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# migrate.py - live migration of a Linux guest running fork.sh: downtime and total time.
"""Usage: bench/migrate.py [BUILD_DIR] [--runs N] [--engine jit|interp] [--delay S]

Boots the bamboo Linux guest (256 MiB, busybox initramfs) with
run=/bench/fork.sh and a control socket, starts a destination
(`hv440 --incoming unix:PATH`), and S seconds (default 0.5) after the
guest's init is up, while fork.sh forks, sends `migrate unix:PATH`. Does
this N times (default 5) and prints, per run and as min/median/max:

  downtime  the source's vcpu stopped -> the destination said the state is
            loaded (from the migrate command's answer)
  total     the migrate command -> the same point
  rounds    pre-copy rounds, the last one with the vcpu stopped
  pages     4 KiB pages sent
  stop      of those, the pages dirty at the stop (sent with the vcpu stopped)

and checks each time that the console of source and destination together
is the uninterrupted run's (times masked), as tests/snapshot does."""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "snapshot"))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
import migrate_tests as mt  # noqa: E402
import snapshot_tests as st  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", nargs="?", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--engine", default="jit", choices=["jit", "interp"])
    ap.add_argument("--delay", type=float, default=0.5)
    args = ap.parse_args()
    ctx = st.Ctx(args.build)
    ctx.tmp = tempfile.mkdtemp(prefix="hv440-migbench-")
    env = dict(os.environ, HV440_ENGINE=args.engine)
    argv = st.linux_argv(ctx, "console=ttyS0 run=/bench/fork.sh")
    whole = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    if whole.returncode or b"forked 400" not in whole.stdout:
        sys.exit(f"migrate.py: the uninterrupted run failed (status {whole.returncode})")
    ref = mt.masked(whole.stdout.decode("utf-8", "replace"))
    rows = []
    for i in range(args.runs):
        msock, csock = ctx.path(f"m{i}.sock"), ctx.path(f"c{i}.sock")
        dst = mt.Proc([ctx.hv440, "--no-reboot", "--incoming", "unix:" + msock], env)
        mt.wait_socket(msock, dst)
        src = mt.Proc(argv + ["--control", "unix:" + csock], env)
        src.wait_line(lambda x: x.startswith(b"guest: up after"), 300, "init")
        time.sleep(args.delay)
        answer = mt.migrate(csock, "unix:" + msock)
        rc_s, out_s, _ = src.finish(60)
        rc_d, out_d, err_d = dst.finish(600)
        downtime, total, rounds, pages = mt.migrated(answer)
        stop = int(re.search(r"(\d+) dirty at the stop", answer).group(1))
        same = rc_s == 0 and rc_d == 0 and b"forked 400" in out_d and b"forked 400" not in out_s and \
            mt.masked((out_s + out_d).decode("utf-8", "replace")) == ref
        print(f"run {i + 1}: downtime {downtime:.1f} ms, total {total:.1f} ms, {rounds} rounds, "
              f"{pages} pages, {stop} at the stop; output {'identical' if same else 'DIFFERS'}",
              flush=True)
        if not same:
            sys.exit(f"migrate.py: run {i + 1}: the migrated run's output differs "
                     f"(status {rc_s}/{rc_d}): {err_d.decode(errors='replace')}")
        rows.append((downtime, total, rounds, pages, stop))
    for k, name, unit in ((0, "downtime", "ms"), (1, "total", "ms"), (2, "rounds", ""),
                          (3, "pages", ""), (4, "stop", "")):
        vals = [r[k] for r in rows]
        print(f"{name:8}: min {min(vals):g} {unit}, median {statistics.median(vals):g} {unit}, "
              f"max {max(vals):g} {unit}".replace(" ,", ","))


if __name__ == "__main__":
    main()
