#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# virtio.py - virtio-blk and virtio-net throughput on hv440 and on qemu-system-ppc -M bamboo, side by side.
"""Usage: bench/virtio.py [--build DIR] [--reps N] [--mib N]

In one guest session per VMM (same kernel and initramfs; QEMU with
virtio-blk-pci and virtio-net-pci on user networking):
  blk-write  dd N MiB of zeros to /dev/vda (raw, bs=1M, conv=fsync)
  blk-read   dd N MiB from /dev/vda after dropping the guest's page cache
  net-rx     busybox wget of an N MiB file from a host loopback HTTP server
             (10.0.2.2 through slirp on both)
Times are host wall-clock around each guest command (the console round trip
included), medians of --reps; prints MB/s and the hv440/QEMU ratio (above 1:
hv440 is faster). Not a test: nothing here passes or fails.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
from console import Console  # noqa: E402


def guest(what):
    return subprocess.run([os.path.join(TOP, "tests", "lib", "guest-path.sh"), what],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          check=True).stdout.strip()


def argv(vmm, build, kernel, initrd, disk):
    append = "console=ttyS0"
    if vmm == "qemu":
        return ["qemu-system-ppc", "-M", "bamboo", "-m", "256", "-nographic", "-no-reboot",
                "-kernel", kernel, "-initrd", initrd, "-append", append,
                "-drive", f"file={disk},if=none,id=d0,format=raw", "-device",
                "virtio-blk-pci,drive=d0", "-netdev", "user,id=n0", "-device",
                "virtio-net-pci,netdev=n0"]
    return [os.path.join(build, "hv440"), "-m", "256M", "--no-reboot", "--kernel", kernel,
            "--initrd", initrd, "--append", append, "--disk", disk, "--net", "user,host-loopback=on"]


def timed(con, cmd, timeout=600):
    t0 = time.monotonic()
    rc, out = con.run(cmd, timeout)
    dt = time.monotonic() - t0
    if rc != 0:
        raise RuntimeError(f"{cmd!r} failed: {out[-300:]!r}")
    return dt


def session(vmm, args, kernel, initrd, port, tmp):
    disk = os.path.join(tmp, f"{vmm}.img")
    with open(disk, "wb") as f:
        f.truncate((args.mib + 8) << 20)
    con = Console(argv(vmm, args.build, kernel, initrd, disk), 3600)
    res = {"blk-write": [], "blk-read": [], "net-rx": []}
    try:
        con.expect(r"^guest: shell ready$", 600)
        con.expect(r"[#$] $", 60)
        con.run("ip link set eth0 up && udhcpc -i eth0 -q -n -s /bin/true >/dev/null 2>&1 && "
                "ip addr add 10.0.2.15/24 dev eth0", 120)
        n = args.mib
        for _ in range(args.reps):
            res["blk-write"].append(n / timed(con, f"dd if=/dev/zero of=/dev/vda bs=1M count={n} "
                                                   "conv=fsync 2>/dev/null"))
            con.run("sync; echo 3 > /proc/sys/vm/drop_caches", 60)
            res["blk-read"].append(n / timed(con, f"dd if=/dev/vda of=/dev/null bs=1M count={n} "
                                                  "2>/dev/null"))
            res["net-rx"].append(n / timed(con, f"wget -q -O /dev/null http://10.0.2.2:{port}/blob"))
        con.send("reboot -f")
        con.wait_exit(120)
    finally:
        con.close()
    return {k: statistics.median(v) for k, v in res.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--mib", type=int, default=32)
    args = ap.parse_args()
    kernel, initrd = guest("kernel"), guest("initrd")
    with tempfile.TemporaryDirectory(prefix="hv440-bench-virtio-") as tmp:
        www = os.path.join(tmp, "www")
        os.makedirs(www)
        with open(os.path.join(www, "blob"), "wb") as f:
            f.write(os.urandom(args.mib << 20))
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                                   "127.0.0.1", "--directory", www], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            hv = session("hv440", args, kernel, initrd, port, tmp)
            qe = session("qemu", args, kernel, initrd, port, tmp)
        finally:
            server.terminate()
            server.wait(10)
    print(f"{'workload':<10} {'hv440 MB/s':>11} {'QEMU MB/s':>10} {'hv440/QEMU':>11}   "
          f"({args.mib} MiB, median of {args.reps})")
    for k in hv:
        print(f"{k:<10} {hv[k]:>11.1f} {qe[k]:>10.1f} {hv[k] / qe[k]:>11.2f}")


if __name__ == "__main__":
    main()
