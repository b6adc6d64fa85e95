# SPDX-License-Identifier: MIT
# boards_tests.py - the boards tier: -M/--machine, and the multi-board ppc44x kernel on every board.
"""Usage: boards_tests.py BUILD_DIR [TEST...]

-M help and --help list the boards; an unknown board is one error line;
-M sam460ex writes a canyonlands device tree; the ppc44x_defconfig kernel
(tests/lib/guest-path.sh kernel-ppc44x) boots to the busybox shell on
-M bamboo and -M sam460ex, with the JIT and the interpreter, reads a virtio
disk and the virtio rng, and gives /bench/all.sh's exact answers.
Prints PASS/FAIL per test and ends with "N passed, N failed"; a failing
test leaves its console log in BUILD_DIR/test-logs/boards/.
"""

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
from console import Console, ConsoleError  # noqa: E402

GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
BOARDS = ("bamboo", "sam460ex")


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def guest(what):
    r = subprocess.run([GUEST_PATH, what], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True, timeout=3600)
    if r.returncode != 0 or not r.stdout.strip():
        raise Fail(f"no guest artifact '{what}'")
    return r.stdout.strip()


class Ctx:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.hv440 = os.path.join(self.build, "hv440")
        self.logdir = os.path.join(self.build, "test-logs", "boards")
        self.tmp = tempfile.mkdtemp(prefix="hv440-boards-")
        self.cons = []

    def hv(self, args, timeout=60):
        """hv440 ARGS with no guest console: (exit status, stdout, stderr)."""
        r = subprocess.run([self.hv440] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr

    def close_all(self, name, failed):
        for i, con in enumerate(self.cons):
            con.close()
            if failed:
                os.makedirs(self.logdir, exist_ok=True)
                p = con.save_log(os.path.join(self.logdir, f"{name}-{i}.log"))
                print(f"  log: {p}")
        self.cons = []


def dts_of(ctx, args):
    """The device tree hv440 ARGS --dump-dtb writes, as dtc's source text."""
    dtb = os.path.join(ctx.tmp, "t.dtb")
    if os.path.exists(dtb):
        os.unlink(dtb)
    rc, out, err = ctx.hv(args + ["--dump-dtb", dtb])
    check(rc == 0 and not out and not err, f"{args} --dump-dtb: exit {rc}, {out!r} {err!r}")
    r = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    check(r.returncode == 0, f"dtc cannot read the tree: {r.stderr!r}")
    return r.stdout


# ---------------------------------------------------------------- the command line

def test_machine_help(ctx):
    """-M help, --machine help and QEMU's -machine help list both boards, bamboo the default;
    --help names them too."""
    for args in (["-M", "help"], ["--machine", "help"], ["--machine=help"]):
        rc, out, err = ctx.hv(args)
        check(rc == 0 and not err, f"{args}: exit {rc}, stderr {err!r}")
        lines = out.splitlines()
        check(len(lines) == 2 and lines[0].startswith("bamboo ") and "(default)" in lines[0] and
              lines[1].startswith("sam460ex ") and "460EX" in lines[1], f"{args}: {out!r}")
    rc, out, err = ctx.hv(["-machine", "help"])
    check(rc == 0 and out.startswith("Supported machines are:\n") and
          re.search(r"^bamboo ", out, re.M) and re.search(r"^sam460ex ", out, re.M),
          f"-machine help: exit {rc}, {out!r} {err!r}")
    rc, out, _ = ctx.hv(["--help"])
    check(rc == 0 and re.search(r"^ +bamboo ", out, re.M) and re.search(r"^ +sam460ex ", out, re.M),
          f"--help does not list the boards: {out[:600]!r}")


def test_machine_unknown(ctx):
    """An unknown board is refused with one line naming it and exit 1, in both spellings;
    so is --cpu (a 440EP revision) on the sam460ex."""
    kernel = guest("kernel-ppc44x")
    for args in (["-M", "nosuch", "--kernel", kernel], ["--machine=nosuch", "--kernel", kernel],
                 ["-M", "sam460ex", "-M", "nosuch", "--kernel", kernel],
                 ["-machine", "nosuch", "-kernel", kernel, "-nographic"]):
        rc, out, err = ctx.hv(args)
        lines = err.strip().splitlines()
        check(rc == 1 and not out and len(lines) == 1 and "nosuch" in lines[0],
              f"{args}: exit {rc}, stdout {out!r}, stderr {err!r}")
    # --cpu picks a 440EP revision: not for the 460EX.
    rc, out, err = ctx.hv(["-M", "sam460ex", "--cpu", "440epx", "--kernel", kernel])
    lines = err.strip().splitlines()
    check(rc == 1 and len(lines) == 1 and "--cpu" in lines[0] and "sam460ex" in lines[0],
          f"-M sam460ex --cpu 440epx: exit {rc}, stderr {err!r}")


def test_sam460ex_tree(ctx):
    """-M sam460ex (and QEMU's -machine sam460ex,dumpdtb=F) describe the 460EX as canyonlands.dts
    does: four UICs (1-3 cascaded into UIC0), UARTs on the OPB at 0x4_EF600300/400, the PCI-X
    bridge at 0xC_0EC00000; bamboo's tree is unchanged by the other board."""
    dts = dts_of(ctx, ["-M", "sam460ex"])
    for pat in (r'compatible = "amcc,canyonlands";', r'model = "PowerPC,460EX";',
                r"interrupt-controller0 \{", r"interrupt-controller3 \{",
                r"interrupts = <0x1e 0x04 0x1f 0x04>;", r"dcr-reg = <0xf0 0x09>;",
                r'compatible = "ibm,plb-pcix-460ex\\0ibm,plb-pcix";',
                r"pci@c0ec00000 \{", r"ranges = <0xb0000000 0x04 0xb0000000 0x50000000>;",
                r"serial@ef600300 \{"):
        check(re.search(pat, dts), f"sam460ex tree lacks {pat}")
    check(dts.count("interrupt-controller;") == 4, "sam460ex tree: not four UICs")
    qdtb = os.path.join(ctx.tmp, "q.dtb")
    for spelling in (["-machine", f"sam460ex,dumpdtb={qdtb}"], [f"--machine=sam460ex,dumpdtb={qdtb}"],
                     ["-M", f"type=sam460ex,dumpdtb={qdtb}"]):
        if os.path.exists(qdtb):
            os.unlink(qdtb)
        rc, out, err = ctx.hv(spelling + ["-m", "256"])
        check(rc == 0 and os.path.exists(qdtb), f"{spelling}: exit {rc} {err!r}")
        q = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", qdtb], stdout=subprocess.PIPE,
                           text=True)
        check('"amcc,canyonlands"' in q.stdout, f"{spelling}: not the sam460ex tree")
    dts = dts_of(ctx, ["-M", "bamboo"])
    check('compatible = "amcc,bamboo";' in dts and "pci@ec000000" in dts and
          dts.count("interrupt-controller;") == 1, "bamboo tree changed")


# ---------------------------------------------------------------- the guests

BENCH = (r"^0e10426a1d5bddffcef02f1345787128  -$",
         r"^67235281ebbe500c400cb9fd79407125d547975f9fffe671917e0a8000df7dd3  -$",
         r"^89443054\.1985$", r"^forked 400$")


def boot_board(ctx, board, engine, bench):
    """The ppc44x kernel on BOARD with ENGINE, a virtio disk holding a known file and the virtio
    rng: shell, the board's own CPU and interrupt controllers, disk and rng read, then (bench)
    /bench/all.sh with its exact answers, else /bench/cpu.sh's first answer; no oops."""
    kernel, initrd = guest("kernel-ppc44x"), guest("initrd")
    payload = os.urandom(300 << 10)
    img = os.path.join(ctx.tmp, f"{board}-{engine}.img")
    with open(img, "wb") as f:
        f.write(payload)
        f.truncate(4 << 20)
    argv = [ctx.hv440, "-M", board, "--engine", engine, "-m", "256M", "--kernel", kernel,
            "--initrd", initrd, "--append", "console=ttyS0", "--no-reboot",
            "--disk", img, "--rng"]
    con = Console(argv, 900)
    ctx.cons.append(con)
    con.expect(r"^guest: shell ready$", 400)
    con.expect(r"[#$] $", 60)
    cpu = "460EX" if board == "sam460ex" else "440EP"
    rc, out = con.run("grep -m1 '^cpu' /proc/cpuinfo; cat /proc/interrupts", 60)
    check(rc == 0 and re.search(r"^cpu\s+: " + cpu, out, re.M), f"cpu on {board}: {out!r}")
    n_uic = 4 if board == "sam460ex" else 1
    _, out = con.run("dmesg | grep -c 'IRQ sources) at DCR'", 60)
    check(re.search(r"^%d$" % n_uic, out, re.M), f"{board}: not {n_uic} UICs: {out!r}")
    rc, out = con.run(f"dd if=/dev/vda bs=1k count={len(payload) >> 10} 2>/dev/null | md5sum", 120)
    check(rc == 0 and hashlib.md5(payload).hexdigest() in out, f"{board} /dev/vda: {out!r}")
    rc, out = con.run("dd if=/dev/hwrng bs=128 count=2 2>/dev/null | wc -c", 60)
    check(rc == 0 and re.search(r"^256$", out, re.M), f"{board} /dev/hwrng: {out!r}")
    if bench:
        con.send("sh /bench/all.sh; echo BENCH-EXIT-$?")
        for pat in BENCH:
            con.expect(pat, 600)
        con.expect(r"^BENCH-EXIT-0$", 300)
    else:
        # The interpreter takes minutes for all of it: /bench/cpu.sh's integer and floating
        # point lines alone, with their answers.
        rc, out = con.run("seq 1 200000 | md5sum; awk 'BEGIN { s = 0; for (i = 1; i <= 200000; "
                          "i++) s += sqrt(i) * 1.5; printf \"%.4f\\n\", s }'", 400)
        check(rc == 0 and re.search(BENCH[0], out, re.M) and re.search(BENCH[2], out, re.M),
              f"{board}/{engine} answers: {out!r}")
    text = con.text()
    for word in ("Oops", "BUG", "WARNING", "Illegal instruction", "machine check"):
        check(word not in text, f"{board}/{engine} console contains {word!r}")
    con.send("reboot -f")
    st = con.wait_exit(120)
    check(st == 0, f"{board}/{engine}: hv440 exit status after reboot: {st}")


def test_bamboo_jit(ctx):
    boot_board(ctx, "bamboo", "jit", bench=True)


def test_sam460ex_jit(ctx):
    boot_board(ctx, "sam460ex", "jit", bench=True)


def test_bamboo_interp(ctx):
    boot_board(ctx, "bamboo", "interp", bench=False)


def test_sam460ex_interp(ctx):
    boot_board(ctx, "sam460ex", "interp", bench=False)


TESTS = {name[5:].replace("_", "-"): fn for name, fn in list(globals().items())
         if name.startswith("test_")}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    ctx = Ctx(sys.argv[1])
    names = sys.argv[2:] or list(TESTS)
    for n in names:
        if n not in TESTS:
            print(f"unknown test {n}; tests: {' '.join(TESTS)}", file=sys.stderr)
            return 2
    passed = failed = 0
    for name in names:
        t0 = time.monotonic()
        try:
            TESTS[name](ctx)
            verdict, why = "PASS", ""
        except (Fail, ConsoleError, OSError, subprocess.SubprocessError) as e:
            verdict, why = "FAIL", str(e)
        ctx.close_all(name, verdict == "FAIL")
        if verdict == "PASS":
            passed += 1
        else:
            failed += 1
        print(f"{verdict} {name} {time.monotonic() - t0:.1f} s" + (f": {why}" if why else ""),
              flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
