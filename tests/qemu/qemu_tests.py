# SPDX-License-Identifier: MIT
# qemu_tests.py - the qemu-cli tier: real QEMU bamboo command lines, only the program name changed.
"""Usage: qemu_tests.py BUILD_DIR [--vmm hv440|qemu] [TEST...]

Each test runs a command line people use with qemu-system-ppc -M bamboo
(ClangBuiltLinux boot-utils, buildroot's start script, LAVA's -drive/
-netdev/-device style, QEMU's own spellings) with the program name
replaced by hv440, to a shell prompt or to the guest's reboot. --vmm qemu
runs the very same argv on qemu-system-ppc (where a test does not depend
on hv440's own messages), which shows the lines are QEMU's.
Prints PASS/FAIL per test and ends with "N passed, N failed".
"""

import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
from console import Console, ConsoleError  # noqa: E402

GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")


class Skip(Exception):
    """The test does not apply to this VMM."""


def guest(what):
    r = subprocess.run([GUEST_PATH, what], stdout=subprocess.PIPE, text=True, timeout=3600)
    if r.returncode != 0 or not r.stdout.strip():
        raise ConsoleError(f"no guest artifact '{what}'")
    return r.stdout.strip()


def check(cond, what):
    if not cond:
        raise ConsoleError(what)


def md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Ctx:
    def __init__(self, build, vmm, tmp):
        self.vmm = vmm
        self.tmp = tmp
        self.prog = (os.path.join(build, "hv440") if vmm == "hv440" else "qemu-system-ppc")
        if vmm == "hv440" and not os.access(self.prog, os.X_OK):
            raise SystemExit(f"{self.prog} not built")

    def line(self, *args):
        """A QEMU command line with our program name in front: nothing else changes."""
        return [self.prog] + list(args)

    def ext4_image(self, name, mb=48):
        """A fresh ext4 image (mkfs.ext4) in the test's temporary directory."""
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(mb << 20)
        subprocess.run(["mkfs.ext4", "-q", "-F", path], check=True, stdout=subprocess.DEVNULL)
        return path


SHELL_PROMPT = r"[#$] $"


def shell_then_reboot(con, boot_s=300):
    """At the shell: run a command, then reboot; -no-reboot makes the VMM exit 0."""
    con.expect(r"^guest: shell ready$", boot_s)
    con.expect(SHELL_PROMPT, 60)
    rc, out = con.run("echo $((6*7)); cat /proc/cpuinfo", 60)
    check(rc == 0 and re.search(r"^42$", out, re.M) and re.search(r"440EP", out),
          f"shell: {out!r}")
    con.send("reboot -f")
    rc = con.wait_exit(60)
    check(rc == 0, f"exit status {rc}, expected 0 (-no-reboot)")


def test_bootutils_ppc32(ctx, con):
    """ClangBuiltLinux boot-utils' ppc32 line, literally (-m 128m), to a shell and its reboot.
    128M hangs at boot in a branch without the guest-TLB fix of issue 19 part 1 (another
    branch; the lead merges it): then this test fails here while the 256m one passes."""
    c = con(ctx.line("-display", "none", "-serial", "mon:stdio", "-no-reboot",
                     "-machine", "bamboo", "-m", "128m", "-kernel", guest("uimage"),
                     "-initrd", guest("initrd"), "-append", "console=ttyS0"), 400)
    shell_then_reboot(c, 120)


def test_bootutils_ppc32_256m(ctx, con):
    """The same boot-utils line with -m 256m (the parsing proven while 128M waits for its fix)."""
    c = con(ctx.line("-display", "none", "-serial", "mon:stdio", "-no-reboot",
                     "-machine", "bamboo", "-m", "256m", "-kernel", guest("uimage"),
                     "-initrd", guest("initrd"), "-append", "console=ttyS0"), 400)
    shell_then_reboot(c)


def test_bootutils_buildroot_rootfs(ctx, con):
    """boot-utils' line with boot-utils' own buildroot rootfs: its init prints the version and
    reboots (-m 256m until the 128M fix is merged, as above)."""
    c = con(ctx.line("-display", "none", "-serial", "mon:stdio", "-no-reboot",
                     "-machine", "bamboo", "-m", "256m", "-kernel", guest("uimage"),
                     "-initrd", guest("buildroot"), "-append", "console=ttyS0"), 400)
    c.expect(r"Linux version 6\.1\.\d+", 300)
    c.expect(r"reboot", 300)
    rc = c.wait_exit(60)
    check(rc == 0, f"exit status {rc}, expected 0")


def test_buildroot_start_script(ctx, con):
    """buildroot's board/qemu/ppc-bamboo start script. Buildroot's vmlinux carries its rootfs
    inside; ours has none, so the boot ends in the kernel's "VFS: Unable to mount root fs"
    panic after it found the virtio NIC (slot 1) on user networking: the line is understood
    and the guest sees what QEMU's does."""
    c = con(ctx.line("-nographic", "-M", "bamboo", "-kernel", guest("kernel"),
                     "-net", "nic,model=virtio-net-pci", "-net", "user"), 300)
    c.expect(r"virtio-pci 0000:00:01\.0: enabling device", 200)
    c.expect(r"Kernel panic - not syncing: VFS: Unable to mount root fs", 200)


def io_sh_ok(c):
    """/bench/io.sh's answers: ext4 on /dev/vda written, a DHCP lease on eth0, exit 0."""
    zero16 = hashlib.md5(b"\0" * (16 << 20)).hexdigest()
    c.expect(r"^" + zero16 + r"  /mnt/f$", 300)
    c.expect(r"lease of 10\.0\.2\.15 obtained", 120)
    c.expect(r"^guest: /bench/io\.sh exited with 0$", 60)
    rc = c.wait_exit(60)
    check(rc == 0, f"exit status {rc}, expected 0")


def test_lava_drive_netdev_snapshot(ctx, con):
    """LAVA-style -drive if=none/-device virtio-blk-pci and -netdev/-device virtio-net-pci
    with -snapshot: the guest writes 16 MiB to ext4, the image is unchanged afterwards. The
    image's directory has a comma in its name, so the path uses QEMU's ",," escape."""
    img = ctx.ext4_image("lava,dir/rootfs.ext4")
    before = md5(img)
    c = con(ctx.line("-nographic", "-M", "bamboo", "-m", "256", "-monitor", "none",
                     "-no-reboot", "-kernel", guest("kernel"), "-initrd", guest("initrd"),
                     "-append", "console=ttyS0 run=/bench/io.sh",
                     "-drive", "file=" + img.replace(",", ",,") + ",if=none,id=d0,format=raw",
                     "-device", "virtio-blk-pci,drive=d0",
                     "-netdev", "user,id=n0",
                     "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:58",
                     "-snapshot"), 600)
    io_sh_ok(c)
    check(md5(img) == before, "-snapshot: the image changed")


def test_lava_legacy_net_drive(ctx, con):
    """LAVA's qemu template style: -net nic,model=virtio,macaddr -net user and -drive
    if=virtio without -snapshot: here the guest's writes must reach the image (the other side
    of the -snapshot test)."""
    img = ctx.ext4_image("legacy/rootfs.ext4")
    before = md5(img)
    c = con(ctx.line("-M", "bamboo", "-m", "256", "-nographic", "-monitor", "none",
                     "-no-reboot", "-net", "nic,model=virtio,macaddr=52:54:00:12:34:58",
                     "-net", "user", "-drive", f"format=raw,file={img},if=virtio,cache=writeback",
                     "-kernel", guest("kernel"), "-initrd", guest("initrd"),
                     "-append", "console=ttyS0 run=/bench/io.sh"), 600)
    io_sh_ok(c)
    check(md5(img) != before, "without -snapshot the image did not change")
    r = subprocess.run(["debugfs", "-R", "stat /f", img], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    check("Size: 16777216" in r.stdout, f"/f is not on the image: {r.stdout[:200]!r}")


def test_devices_virtconsole_rng(ctx, con):
    """-chardev file + virtio-serial-pci + virtconsole as the console, virtio-rng-pci,
    and the spellings that change nothing the guest sees (-smp 1, -accel tcg, -cpu 440epb,
    -name, -D). -display none without -serial: the UART's output goes nowhere."""
    out = os.path.join(ctx.tmp, "hvc0.log")
    c = con(ctx.line("-M", "bamboo", "-m", "256", "-display", "none", "-no-reboot",
                     "-smp", "1", "-accel", "tcg", "-cpu", "440epb", "-name", "guest0",
                     "-D", os.path.join(ctx.tmp, "qemu.log"),
                     "-chardev", f"file,id=c0,path={out}", "-device", "virtio-serial-pci",
                     "-device", "virtconsole,chardev=c0", "-device", "virtio-rng-pci",
                     "-kernel", guest("kernel"), "-initrd", guest("initrd"),
                     "-append", "console=hvc0 run=/dev/null"), 300)
    rc = c.wait_exit(300)
    check(rc == 0, f"exit status {rc}, expected 0")
    text = open(out, errors="replace").read()
    check("guest: /dev/null exited with 0" in text, f"hvc0 log: {text[-300:]!r}")
    check("Linux version" not in c.text(), "the UART printed on stdout under -display none")


def test_no_shutdown(ctx, con):
    """-no-reboot -no-shutdown: the guest's reboot stops it, but the VMM stays (as QEMU's, for
    a test framework to look at it) until a signal ends it."""
    c = con(ctx.line("-M", "bamboo", "-m", "256", "-nographic", "-no-reboot", "-no-shutdown",
                     "-kernel", guest("kernel"), "-initrd", guest("initrd"),
                     "-append", "console=ttyS0 run=/dev/null"), 300)
    c.expect(r"^guest: /dev/null exited with 0$", 300)
    c.expect(r"reboot: Restarting system", 60)
    time.sleep(3)
    check(c.proc.poll() is None, f"the VMM exited ({c.proc.returncode}) under -no-shutdown")


def test_gdb_hold(ctx, con):
    """-S -gdb tcp:H:P: the guest waits before its first instruction until gdb says continue
    (a bare remote-protocol "c" here), then boots to its reboot."""
    port = free_port()
    log = os.path.join(ctx.tmp, "serial.log")
    c = con(ctx.line("-M", "bamboo", "-m", "256", "-display", "none", "-no-reboot", "-S",
                     "-gdb", f"tcp:127.0.0.1:{port}", "-serial", f"file:{log}",
                     "-kernel", guest("kernel"), "-initrd", guest("initrd"),
                     "-append", "console=ttyS0 run=/dev/null"), 300)
    s = None
    for _ in range(100):
        try:
            s = socket.create_connection(("127.0.0.1", port), 1)
            break
        except OSError:
            check(c.proc.poll() is None, f"exited early: {c.text()[-300:]!r}")
            time.sleep(0.1)
    check(s is not None, "no gdb stub on the port")
    time.sleep(2)
    check(c.proc.poll() is None and os.path.getsize(log) == 0, "-S did not hold the guest")
    s.sendall(b"+$c#63")
    rc = c.wait_exit(300)
    s.close()
    check(rc == 0, f"exit status {rc}, expected 0")
    text = open(log, errors="replace").read()
    check("guest: /dev/null exited with 0" in text, f"serial log: {text[-300:]!r}")


def test_serial_unix_client(ctx, con):
    """-serial unix:P connects as a client (QEMU's meaning): to our listener, which reads the
    guest's console."""
    path = os.path.join(ctx.tmp, "console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(60)
    got = bytearray()

    def reader():
        try:
            s, _ = srv.accept()
            s.settimeout(300)
            while True:
                b = s.recv(4096)
                if not b:
                    break
                got.extend(b)
        except OSError:
            pass

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        c = con(ctx.line("-M", "bamboo", "-m", "256", "-display", "none", "-no-reboot",
                         "-serial", f"unix:{path}", "-kernel", guest("kernel"),
                         "-initrd", guest("initrd"), "-append", "console=ttyS0 run=/dev/null"),
                300)
        rc = c.wait_exit(300)
        t.join(10)
    finally:
        srv.close()
    check(rc == 0, f"exit status {rc}, expected 0")
    check(b"guest: /dev/null exited with 0" in got, f"socket got {bytes(got[-200:])!r}")


def test_serial_tcp_server_wait(ctx, con):
    """-serial tcp:H:P,server waits for a client before the guest starts (QEMU's default for a
    server); the client then sees the whole boot. ",nowait" would not wait."""
    port = free_port()
    c = con(ctx.line("-M", "bamboo", "-m", "256", "-display", "none", "-no-reboot",
                     "-serial", f"tcp:127.0.0.1:{port},server", "-kernel", guest("kernel"),
                     "-initrd", guest("initrd"), "-append", "console=ttyS0 run=/dev/null"), 300)
    s = None
    for _ in range(100):
        try:
            s = socket.create_connection(("127.0.0.1", port), 1)
            break
        except OSError:
            check(c.proc.poll() is None, f"exited early: {c.text()[-300:]!r}")
            time.sleep(0.1)
    check(s is not None, "no server on the port")
    got = bytearray()
    s.settimeout(300)
    while True:
        b = s.recv(4096)
        if not b:
            break
        got.extend(b)
    s.close()
    rc = c.wait_exit(60)
    check(rc == 0, f"exit status {rc}, expected 0")
    # Waiting: the client saw the kernel's first line, so nothing was lost before it came.
    check(b"Linux version 6.1" in got and b"exited with 0" in got,
          f"client got {bytes(got[:120])!r}...")


def test_serial_tcp_server_nowait(ctx, con):
    """-serial tcp::P,server,nowait: the guest runs with no client at all."""
    port = free_port()
    c = con(ctx.line("-M", "bamboo", "-m", "256", "-display", "none", "-no-reboot",
                     "-serial", f"tcp::{port},server,nowait", "-kernel", guest("kernel"),
                     "-initrd", guest("initrd"), "-append", "console=ttyS0 run=/dev/null"), 300)
    rc = c.wait_exit(300)
    check(rc == 0, f"exit status {rc}, expected 0")


def test_daemonize_pidfile(ctx, con):
    """-daemonize -pidfile: the command returns at once with status 0, the pid file names the
    running VM, the console goes to -serial file:, and the pid file goes when the VM ends."""
    pidfile = os.path.join(ctx.tmp, "vm.pid")
    log = os.path.join(ctx.tmp, "serial.log")
    c = con(ctx.line("-M", "bamboo", "-m", "256", "-display", "none", "-no-reboot",
                     "-daemonize", "-pidfile", pidfile, "-serial", f"file:{log}",
                     "-kernel", guest("kernel"), "-initrd", guest("initrd"),
                     "-append", "console=ttyS0 run=/bench/fork.sh"), 300)
    rc = c.wait_exit(60)
    check(rc == 0, f"-daemonize: exit status {rc}, expected 0")
    pid = int(open(pidfile).read().split()[0])
    check(os.path.exists(f"/proc/{pid}"), f"pid {pid} from the pid file is not running")
    for _ in range(3000):
        if not os.path.exists(f"/proc/{pid}"):
            break
        time.sleep(0.1)
    check(not os.path.exists(f"/proc/{pid}"), "the daemon did not end")
    text = open(log, errors="replace").read()
    check("guest: /bench/fork.sh exited with 0" in text, f"serial log: {text[-300:]!r}")
    check(not os.path.exists(pidfile), "the pid file is still there (QEMU 7.2 removes it)")


TESTS = {f.__name__[5:]: f for f in (
    test_bootutils_ppc32, test_bootutils_ppc32_256m, test_bootutils_buildroot_rootfs,
    test_buildroot_start_script, test_lava_drive_netdev_snapshot, test_lava_legacy_net_drive,
    test_devices_virtconsole_rng, test_no_shutdown, test_gdb_hold, test_serial_unix_client, test_serial_tcp_server_wait,
    test_serial_tcp_server_nowait, test_daemonize_pidfile)}


def main():
    ap = argparse.ArgumentParser(description="QEMU command lines on hv440")
    ap.add_argument("build")
    ap.add_argument("--vmm", choices=("hv440", "qemu"), default="hv440")
    ap.add_argument("tests", nargs="*", metavar="TEST")
    args = ap.parse_intermixed_args()
    names = args.tests or list(TESTS)
    unknown = [n for n in names if n not in TESTS]
    if unknown:
        print(f"unknown test(s): {' '.join(unknown)}; known: {' '.join(TESTS)}",
              file=sys.stderr)
        return 2
    logdir = os.path.join(os.path.abspath(args.build), "test-logs", "qemu")
    passed = failed = 0
    for name in names:
        consoles = []
        tmp = tempfile.mkdtemp(prefix="hv440-qemu-")

        def factory(argv, deadline_s):
            c = Console(argv, deadline_s)
            consoles.append(c)
            return c

        t0 = time.monotonic()
        try:
            TESTS[name](Ctx(os.path.abspath(args.build), args.vmm, tmp), factory)
            verdict, why = "PASS", ""
        except (ConsoleError, OSError, ValueError, subprocess.SubprocessError) as e:
            verdict, why = "FAIL", str(e)
        finally:
            for c in consoles:
                c.close()
            shutil.rmtree(tmp, ignore_errors=True)
        if verdict == "FAIL":
            failed += 1
            for i, c in enumerate(consoles):
                why += " (log: " + c.save_log(os.path.join(logdir, f"{name}.{i}.log")) + ")"
        else:
            passed += 1
        print(f"{verdict} {name} [{args.vmm}] {time.monotonic() - t0:.1f} s"
              + (f": {why}" if why else ""), flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
