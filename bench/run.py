#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# run.py - hv440 against qemu-system-ppc -M bamboo on the same guests, side by side in one run.
"""Usage: bench/run.py [--build DIR] [--reps N] [--only NAME,...] [--no-native] [--iterations N]
                     [--machine bamboo|sam460ex]

Workloads (same kernel and initramfs on both VMMs, runs alternate hv440/QEMU):
  boot      boot to init and reboot (run=/proc/cmdline: a no-op script), wall time
  cpu       run=/bench/cpu.sh: wall time and the guest's own "bench cpu: T s"
  fork      run=/bench/fork.sh: wall time and "bench fork: T s"
  all       run=/bench/all.sh: boot plus cpu.sh plus fork.sh, wall time
  intloop   bench/intloop.c, a bare-metal integer loop (--iterations, default 20M): wall time,
            guest instructions/s
  bootutils ClangBuiltLinux boot-utils' ppc32 line, literally (-display none -serial mon:stdio
            -no-reboot -machine bamboo -m 128m -kernel uImage -initrd ... -append
            "console=ttyS0 run=/bin/true"), the same argv on both: boot to init and reboot.
            Only QEMU runs (and a line says why) while hv440 refuses QEMU's syntax.
--machine sam460ex runs boot, cpu, fork and all on -M sam460ex on both VMMs, with the
multi-board ppc44x kernel (tests/lib/guest-path.sh kernel-ppc44x) instead of the bamboo one.
Prints per workload the median wall and in-guest times, the hv440/QEMU ratio
(below 1.0: hv440 is faster), hv440's exit count and shadow-TLB fills, peak
RSS of both, and natively on this host (the physical limit: the guest's scripts on the same
busybox source and config built for the host, and intloop.c compiled for x86-64);
then the median of each rep's own ratio ("paired": a rep's two runs are back
to back, so the host's drift moves them less apart).
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
GUEST_BENCH = os.path.join(TOP, "guests", "initramfs", "bench")

WORKLOADS = {
    # name: (run= script or None for bare metal, in-guest time regex)
    "boot": ("/proc/cmdline", None),
    "cpu": ("/bench/cpu.sh", r"bench cpu: ([0-9.]+) s"),
    "fork": ("/bench/fork.sh", r"bench fork: ([0-9.]+) s"),
    "all": ("/bench/all.sh", None),
    "intloop": (None, None),
    "bootutils": ("/bin/true", None),
}
# boot-utils (github.com/ClangBuiltLinux/boot-utils, boot-qemu.py, ppc32) with the shared uImage
# and initramfs; run=/bin/true makes the guest's init reboot, which -no-reboot turns into an exit.
BOOTUTILS = ["-display", "none", "-serial", "mon:stdio", "-no-reboot", "-machine", "bamboo",
             "-m", "128m", "-kernel", "@UIMAGE@", "-initrd", "@INITRD@",
             "-append", "console=ttyS0 run=/bin/true"]
BOOTUTILS_TIMEOUT = 120   # 128M hangs in hv440 before the fix on another branch
EXPECT = {
    "cpu": ["0e10426a1d5bddffcef02f1345787128  -", "89443054.1985"],
    "fork": ["forked 400"],
    "all": ["89443054.1985", "forked 400"],
    "intloop": ["intloop checksum "],
    # The initramfs's init runs run= as a shell script, so /bin/true (a binary) fails to parse and
    # init reboots anyway: the line is timed to the reboot, as boot-utils uses it.
    "bootutils": ["guest: up after", "reboot: Restarting system"],
}


def guest(what):
    return subprocess.run([GUEST_PATH, what], check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout.strip()


def build_intloop(outdir, iterations):
    """Cross-compile the bare-metal loop with the ISA suite's runtime."""
    isa = os.path.join(TOP, "tests", "isa")
    elf = os.path.join(outdir, "intloop.elf")
    cmd = ["powerpc-linux-gnu-gcc", "-mcpu=440", "-msoft-float", "-ffreestanding", "-nostdlib",
           "-nostartfiles", "-O2", "-fno-pie", "-no-pie", "-msdata=none", "-G", "0",
           "-fno-builtin", "-fno-stack-protector", f"-DITERATIONS={iterations}u", "-I", os.path.join(isa, "lib"),
           "-T", os.path.join(isa, "lib", "link.ld"), "-Wl,--build-id=none",
           "-Wl,--no-warn-rwx-segments", "-o", elf, os.path.join(isa, "lib", "crt0.S"),
           os.path.join(isa, "lib", "lib.c"), os.path.join(TOP, "bench", "intloop.c"), "-lgcc"]
    subprocess.run(cmd, check=True)
    return elf


def timed(argv, timeout):
    """Run argv; return (wall seconds, stdout+stderr text, peak RSS in KiB, status).
    Each run is a fresh child of a fresh fork, so RUSAGE_CHILDREN's maxrss is its own."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
            rc, out = p.returncode, p.stdout
        except subprocess.TimeoutExpired as e:
            rc, out = 124, (e.stdout or b"") + f"\nbench: timed out after {timeout} s\n".encode()
        wall = time.monotonic() - t0
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        os.write(w, f"{wall} {rss} {rc}\n".encode() + out)
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    head, _, out = data.partition(b"\n")
    wall, rss, rc = head.split()
    return float(wall), out.decode("utf-8", "replace").replace("\r", ""), int(rss), int(rc)


MACHINE = "bamboo"   # --machine


def kernel():
    return guest("kernel" if MACHINE == "bamboo" else "kernel-ppc44x")


def argv_for(vmm, build, name, elf):
    script = WORKLOADS[name][0]
    if name == "bootutils":
        prog = "qemu-system-ppc" if vmm == "qemu" else os.path.join(build, "hv440")
        return [prog] + [a.replace("@UIMAGE@", guest("uimage")).replace("@INITRD@", guest("initrd"))
                         for a in BOOTUTILS]
    if vmm == "qemu":
        base = ["qemu-system-ppc", "-M", MACHINE, "-m", "256", "-nic", "none", "-nographic",
                "-no-reboot", "-monitor", "none"]
        if script is None:
            return base + ["-kernel", elf]
        return base + ["-kernel", kernel(), "-initrd", guest("initrd"),
                       "-append", f"console=ttyS0 run={script}"]
    base = [os.path.join(build, "hv440"), "-M", MACHINE, "-m", "256M", "--no-reboot", "--stats"]
    if script is None:
        return base + ["--kernel", elf]
    return base + ["--kernel", kernel(), "--initrd", guest("initrd"),
                   "--append", f"console=ttyS0 run={script}"]


def qemu_syntax_refused(build):
    """None when hv440 takes the boot-utils line; else its error line."""
    argv = argv_for("hv440", build, "bootutils", None)
    wall, out, _, rc = timed(argv[:argv.index("-kernel")] + ["--dump-dtb", os.devnull], 60)
    if rc == 0:
        return None
    return (out.strip().splitlines() or [f"exit status {rc}"])[0]


def native_busybox_bin(tmp):
    """A directory of applet links to busybox built for this host from the guest's own busybox
    source and config (guests/build-initramfs.sh --native), or None."""
    recipe = os.path.join(TOP, "guests", "build-initramfs.sh")
    if subprocess.run([recipe, "--native"], stderr=subprocess.DEVNULL).returncode:
        return None
    bindir = os.path.join(tmp, "native-bin")
    if not os.path.isdir(bindir):
        os.makedirs(bindir)
        subprocess.run([os.path.join(TOP, "guests", "cache", "busybox-native", "busybox"),
                        "--install", "-s", bindir], check=True)
    return bindir


def native(name, tmp, iterations):
    """The same work on the host itself, the physical-limit column: the guest's scripts on the
    same busybox built for this host, and bench/intloop.c compiled for x86-64."""
    if name == "intloop":
        exe = os.path.join(tmp, "intloop-native")
        subprocess.run(["gcc", "-O2", "-I", os.path.join(TOP, "bench", "native"),
                        f"-DITERATIONS={iterations}u", "-o", exe,
                        os.path.join(TOP, "bench", "intloop.c")], check=True)
        return timed([exe], 600)[0], None
    if name not in ("cpu", "fork", "all"):
        return None
    bindir = native_busybox_bin(tmp)
    if bindir is None:
        return None
    env = dict(os.environ, PATH=bindir)
    wall, guest_s = 0.0, None
    for part in (("cpu", "fork") if name == "all" else (name,)):
        with open(os.path.join(GUEST_BENCH, part + ".sh")) as f:
            script = f.read().replace("/bin/true", os.path.join(bindir, "true"))
        path = os.path.join(tmp, f"native-{part}.sh")
        with open(path, "w") as f:
            f.write(script)
        t0 = time.monotonic()
        out = subprocess.run([os.path.join(bindir, "sh"), path], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=600).stdout.decode()
        wall += time.monotonic() - t0
        m = re.search(WORKLOADS[name][1], out) if name != "all" and WORKLOADS[name][1] else None
        guest_s = float(m.group(1)) if m else None
    return wall, guest_s


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec="{:.2f}"):
    return "-" if x is None else spec.format(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", default="boot,cpu,fork,all,intloop,bootutils")
    ap.add_argument("--no-native", action="store_true")
    ap.add_argument("--iterations", type=int, default=20000000,
                    help="intloop's iterations (default 20M; 100M measures the steady rate)")
    ap.add_argument("--machine", choices=("bamboo", "sam460ex"), default="bamboo",
                    help="the board on both VMMs (sam460ex: boot, cpu, fork, all only)")
    args = ap.parse_args()
    global MACHINE
    MACHINE = args.machine
    names = args.only.split(",")
    if MACHINE != "bamboo":
        if ap.get_default("only") == args.only:
            names = ["boot", "cpu", "fork", "all"]
        elif set(names) - {"boot", "cpu", "fork", "all"}:
            sys.exit("bench: --machine sam460ex runs boot, cpu, fork and all only (intloop and "
                     "bootutils are bamboo programs and lines)")
    for n in names:
        if n not in WORKLOADS:
            sys.exit(f"bench: unknown workload {n!r}; known: {', '.join(WORKLOADS)}")
    if not os.access(os.path.join(args.build, "hv440"), os.X_OK):
        sys.exit(f"bench: {args.build}/hv440 not built (make)")

    tmp = tempfile.mkdtemp(prefix="hv440-bench-")
    elf = build_intloop(tmp, args.iterations) if "intloop" in names else None
    print(f"# bench/run.py --reps {args.reps} --only {','.join(names)} --machine {MACHINE}  ({time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} CPUs)", flush=True)
    rows = []
    for name in names:
        res = {"hv440": [], "qemu": []}
        vmms = ("hv440", "qemu")
        if name == "bootutils" and (why := qemu_syntax_refused(args.build)):
            print(f"  bootutils: hv440 skipped, it does not take QEMU's syntax yet ({why}); "
                  "QEMU only", flush=True)
            vmms = ("qemu",)
        timeout = BOOTUTILS_TIMEOUT if name == "bootutils" else 1800
        for rep in range(args.reps):
            for vmm in vmms:                   # alternate, so drift hits both alike
                wall, out, rss, rc = timed(argv_for(vmm, args.build, name, elf), timeout)
                ok = rc == 0 and all(e in out for e in EXPECT.get(name, []))
                rx = WORKLOADS[name][1]
                m = re.search(rx, out) if rx else None
                r = {"wall": wall, "rss": rss, "ok": ok,
                     "guest": float(m.group(1)) if m else None}
                if vmm == "hv440":
                    m = re.search(r"^total exits\s+(\d+)", out, re.M)
                    r["exits"] = int(m.group(1)) if m else None
                    m = re.search(r"shadow TLB: (\d+) fills", out)
                    r["fills"] = int(m.group(1)) if m else None
                    m = re.search(r"core: (\d+) instructions", out)
                    r["insns"] = int(m.group(1)) if m else None
                res[vmm].append(r)
                g = f", {r['guest']:.2f} s in the guest" if r["guest"] is not None else ""
                print(f"  {name} {vmm} rep {rep + 1}: {wall:.2f} s wall{g}"
                      f"{'' if ok else '  WRONG OUTPUT OR STATUS ' + str(rc)}", flush=True)
        nat = None if args.no_native else native(name, tmp, args.iterations)
        rows.append((name, res, nat))

    print()
    hdr = (f"{'workload':9} {'hv440 s':>8} {'qemu s':>8} {'ratio':>6} {'hv guest':>9} "
           f"{'qemu guest':>10} {'ratio':>6} {'native s':>8} {'hv MIPS':>8} {'qemu MIPS':>9} "
           f"{'exits':>9} {'stlb fills':>10} {'hv RSS MiB':>10} {'qemu RSS':>8}")
    print(hdr)
    bad = 0
    for name, res, nat in rows:
        h, q = res["hv440"], res["qemu"]
        bad += sum(not r["ok"] for r in h + q)
        hw, qw = med(r["wall"] for r in h if r["ok"]), med(r["wall"] for r in q if r["ok"])
        hg, qg = med(r["guest"] for r in h), med(r["guest"] for r in q)
        insns = med(r.get("insns") for r in h)
        hm = insns / hw / 1e6 if insns and name == "intloop" else None
        qm = insns / qw / 1e6 if insns and name == "intloop" else None
        print(f"{name:9} {fmt(hw):>8} {fmt(qw):>8} {fmt(hw / qw if hw and qw else None):>6} "
              f"{fmt(hg):>9} {fmt(qg):>10} {fmt(hg / qg if hg and qg else None):>6} "
              f"{fmt(nat[0] if nat else None):>8} {fmt(hm, '{:.0f}'):>8} {fmt(qm, '{:.0f}'):>9} "
              f"{fmt(med(r.get('exits') for r in h), '{:.0f}'):>9} "
              f"{fmt(med(r.get('fills') for r in h), '{:.0f}'):>10} "
              f"{fmt(max(r['rss'] for r in h) / 1024 if h else None, '{:.0f}'):>10} "
              f"{fmt(max(r['rss'] for r in q) / 1024, '{:.0f}'):>8}")
    print("\nratio = hv440 / QEMU (medians); MIPS = hv440's guest instruction count / wall time;"
          " intloop's wall time includes start-up of each VMM.")
    # The two runs of a rep are back to back, so their ratio is less exposed to the host's drift.
    print("\npaired: the median of each rep's own ratio (hv440 / the QEMU run right after it)")
    print(f"{'workload':9} {'wall':>6} {'guest':>6}   each rep's wall ratio")
    for name, res, nat in rows:
        pw = [a["wall"] / b["wall"] for a, b in zip(res["hv440"], res["qemu"]) if b["wall"]]
        pg = [a["guest"] / b["guest"] for a, b in zip(res["hv440"], res["qemu"])
              if a["guest"] is not None and b["guest"]]
        print(f"{name:9} {fmt(med(pw)):>6} {fmt(med(pg)):>6}   {' '.join(f'{x:.2f}' for x in pw)}")
    if bad:
        print(f"bench: {bad} run(s) gave wrong output or a non-zero status", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
