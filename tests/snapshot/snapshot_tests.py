# SPDX-License-Identifier: MIT
# snapshot_tests.py - the snapshot tier: save with the control socket, --restore, bad files refused.
"""Usage: tests/snapshot/run.sh BUILD_DIR [TEST...]

Each test prints PASS/FAIL; the last line is "N passed, N failed".
Snapshots are written to a descriptor passed with the command (the
sandbox forbids opening files; docs/snapshot.md), except one by path with
--sandbox off."""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import control as control_client  # noqa: E402
from console import Console, ConsoleError  # noqa: E402


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def guest(what):
    return subprocess.check_output([os.path.join(TOP, "tests/lib/guest-path.sh"), what],
                                   stderr=subprocess.DEVNULL).decode().strip()


def control(path, command, timeout=60, fd=None):
    """One command on the control socket (with descriptor fd passed along); its one-line answer."""
    try:
        return control_client.request(path, command, timeout=timeout, fd=fd)
    except control_client.ControlError as e:
        raise Fail(str(e)) from None


def snapshot(sock, path):
    """`snapshot PATH` with PATH's descriptor passed: the way under the sandbox."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        return control(sock, "snapshot " + path, fd=fd)
    finally:
        os.close(fd)


class Ctx:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.hv440 = os.path.join(self.build, "hv440")
        self.tmp = tempfile.mkdtemp(prefix="hv440-snap-")
        self.logdir = os.path.join(self.build, "test-logs", "snapshot")
        os.makedirs(self.logdir, exist_ok=True)

    def path(self, name):
        return os.path.join(self.tmp, name)


# ---- bare metal ----

def count_elf(ctx):
    elf = ctx.path("count.elf")
    if os.path.exists(elf):
        return elf
    lib = os.path.join(TOP, "tests/isa/lib")
    cc = os.environ.get("CROSS_CC", "powerpc-linux-gnu-gcc")
    subprocess.check_call([cc, "-mcpu=440", "-msoft-float", "-ffreestanding", "-nostdlib",
                           "-nostartfiles", "-O2", "-fno-pie", "-no-pie", "-msdata=none", "-G", "0",
                           "-fno-builtin", "-fno-stack-protector", "-Wall", "-Wextra", "-Werror",
                           "-I", lib, "-T", os.path.join(lib, "link.ld"), "-Wl,--build-id=none",
                           "-Wl,-z,noexecstack", "-Wl,--no-warn-rwx-segments", "-o", elf,
                           os.path.join(lib, "crt0.S"), os.path.join(lib, "lib.c"),
                           os.path.join(HERE, "count.c"), "-lgcc"])
    return elf


def bare_metal(ctx, engine):
    """Two snapshots of a running bare-metal guest; each restore prints exactly the rest."""
    elf = count_elf(ctx)
    env = dict(os.environ, HV440_ENGINE=engine)
    whole = subprocess.run([ctx.hv440, "--no-reboot", "--kernel", elf], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    check(whole.returncode == 0 and whole.stdout.endswith(b"done\n"),
          f"uninterrupted run: status {whole.returncode}")
    sock = ctx.path(f"bm-{engine}.sock")
    snaps = [ctx.path(f"bm-{engine}-{i}.snap") for i in range(2)]
    p = subprocess.Popen([ctx.hv440, "--no-reboot", "--control",
                          "unix:" + sock, "--kernel", elf], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Snapshots at fixed points of the guest's progress, not of the wall clock: a fast host
    # runs the whole guest in less time than any sleep would guess. A thread drains the pipes
    # so the guest never waits on a full one.
    lines, seen = [], threading.Condition()

    def drain():
        for line in p.stdout:
            with seen:
                lines.append(line)
                seen.notify_all()
        with seen:
            lines.append(None)
            seen.notify_all()

    errs = []
    readers = [threading.Thread(target=drain), threading.Thread(target=lambda: errs.append(p.stderr.read()))]
    for t in readers:
        t.start()
    answers = []

    def step():
        last = lines[-1] if lines else b""
        return 1 << 30 if last is None else int(last.split()[1]) if last.startswith(b"step ") else -1

    for at in (100, 700):
        with seen:
            check(seen.wait_for(lambda: step() >= at, 120), f"the guest did not reach step {at} in 120 s")
            check(lines[-1] is not None, f"the guest ended before step {at}")
        answers.append(snapshot(sock, snaps[len(answers)]))
    p.wait(timeout=300)
    for t in readers:
        t.join()
    out = b"".join(lines[:-1])
    check(answers == ["ok", "ok"], f"snapshot answers {answers}")
    check(p.returncode == 0 and out == whole.stdout,
          "a run with snapshots taken differs from the uninterrupted one")
    rests = []
    for snap in snaps:
        r = subprocess.run([ctx.hv440, "--no-reboot", "--restore", snap], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        check(r.returncode == 0, f"restore {snap}: status {r.returncode}: {r.stderr!r}")
        check(0 < len(r.stdout) < len(whole.stdout) and whole.stdout.endswith(r.stdout),
              f"restore of {os.path.basename(snap)} did not print the rest of the run")
        rests.append(len(r.stdout))
    check(rests[0] > rests[1], "the later snapshot should have less left to print")
    # A restored board read no image (docs/snapshot.md): the guest's reset after its end must
    # load them and zero RAM, so the run starts again exactly as the first did (its volatile
    # counter included) -- not from the snapshot's RAM.
    first = whole.stdout.split(b"\n")[:3]
    p = subprocess.Popen([ctx.hv440, "--restore", snaps[1]], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        again = []
        for line in p.stdout:
            if line == b"done\n" or again:
                again.append(line.rstrip(b"\n"))
            if len(again) > len(first):
                break
        check(again[1:] == first, f"after the restored guest's reset: {again[1:]!r}, a fresh run "
              f"prints {first!r}")
    finally:
        p.kill()
        p.wait()
    # A restored guest's RAM maps its file: a snapshot onto that file is refused, another is fine.
    sock2 = ctx.path(f"bm-{engine}-again.sock")
    p = subprocess.Popen([ctx.hv440, "--no-reboot", "--control", "unix:" + sock2, "--restore",
                          snaps[0]], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        fd = os.open(snaps[0], os.O_WRONLY)
        try:
            ans = control(sock2, "snapshot " + snaps[0], fd=fd)
        finally:
            os.close(fd)
        check(re.match(r"^error: '.*' is the snapshot this guest was restored from", ans),
              f"snapshot onto the mapped file: {ans!r}")
        check(snapshot(sock2, snaps[0] + ".2") == "ok", "snapshot of a restored guest")
    finally:
        p.kill()
        p.wait()
    r = subprocess.run([ctx.hv440, "--no-reboot", "--restore", snaps[0] + ".2"], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    check(r.returncode == 0 and whole.stdout.endswith(r.stdout) and r.stdout.endswith(b"done\n"),
          f"a snapshot of a restored guest: status {r.returncode}")


def test_bare_metal_jit(ctx):
    bare_metal(ctx, "jit")


def test_bare_metal_interp(ctx):
    bare_metal(ctx, "interp")


# ---- Linux ----

def linux_argv(ctx, append, extra=(), kernel="kernel"):
    return [ctx.hv440, "-m", "256M", "--no-reboot", "--kernel", guest(kernel),
            "--initrd", guest("initrd"), "--append", append] + list(extra)


def shell_restore(ctx, engine, kernel="kernel", board=(), reboot=False):
    env = dict(os.environ, HV440_ENGINE=engine)
    sock, snap = ctx.path(f"sh-{engine}.sock"), ctx.path(f"sh-{engine}-{kernel}.snap")
    con = Console(linux_argv(ctx, "console=ttyS0", list(board) + ["--control", "unix:" + sock],
                             kernel), 600, env=env)
    try:
        con.expect(r"^guest: shell ready$", 400)
        con.expect(r"[#$] $", 60)
        rc, out = con.run("echo before > /tmp/mark; echo $((6*7))", 60)
        check(rc == 0 and "42" in out, f"before: {out!r}")
        check(snapshot(sock, snap) == "ok", "snapshot at the shell prompt")
        rc, out = con.run("echo after > /tmp/mark; echo $((7*8))", 60)
        check(rc == 0 and "56" in out, "the guest goes on after a snapshot")
    finally:
        con.close()
    # With reboot: the restored board read no image; the guest's reboot loads them and boots
    # afresh (a new tmpfs: no /tmp/mark), not into the snapshot's RAM.
    con = Console([ctx.hv440] + ([] if reboot else ["--no-reboot"]) + ["--restore", snap], 300,
                  env=env)
    try:
        rc, out = con.run("cat /tmp/mark; echo $((6*7))", 120)
        check(rc == 0 and re.search(r"^before$", out, re.M) and re.search(r"^42$", out, re.M),
              f"restored shell: {out!r}")
        rc, out = con.run("uname -a", 60)
        check(rc == 0 and "Linux guest 6.1" in out, f"uname: {out!r}")
        con.send("reboot -f")
        if reboot:
            con.expect(r"Linux version 6\.1", 120)
            con.expect(r"^guest: shell ready$", 400)
            con.expect(r"[#$] $", 60)
            rc, out = con.run("cat /tmp/mark 2>&1; echo $((7*7))", 60)
            check(re.search(r"^49$", out, re.M) and not re.search(r"^before$", out, re.M),
                  f"after the restored guest's reboot: {out!r}")
        else:
            check(con.wait_exit(120) == 0, "restored guest's reboot")
    finally:
        con.close()


def test_linux_shell_jit(ctx):
    shell_restore(ctx, "jit", reboot=True)


def test_linux_shell_interp(ctx):
    shell_restore(ctx, "interp")


def test_linux_pv_shell(ctx):
    """The paravirt kernel: its magic page is mapped and is the master copy of its state."""
    shell_restore(ctx, "jit", "kernel-pv")


def test_sam460ex_shell(ctx):
    """The other board: cascaded UICs, the PCI-X bridge's registers, the 460EX's DCR files."""
    shell_restore(ctx, "jit", "kernel-ppc44x", ["-M", "sam460ex"])


ALL_SH = [r"^guest: up after [0-9.]+ s$",
          r"^0e10426a1d5bddffcef02f1345787128  -$",
          r"^67235281ebbe500c400cb9fd79407125d547975f9fffe671917e0a8000df7dd3  -$",
          r"^89443054\.1985$",
          r"^bench cpu: [0-9.]+ s$",
          r"^forked 400$",
          r"^bench fork: [0-9.]+ s$",
          r"^guest: /bench/all\.sh exited with 0$"]


def test_all_sh_points(ctx):
    """Snapshots during the boot and during all.sh: each restore gives the answers still due."""
    sock = ctx.path("all.sock")
    con = Console(linux_argv(ctx, "console=ttyS0 run=/bench/all.sh", ["--control", "unix:" + sock]),
                  900)
    points = []
    try:
        for i, (wait, delay) in enumerate([(r"Linux version 6\.1", 0.0),
                                           (r"Freeing unused kernel", 0.0),
                                           (ALL_SH[0], 0.0), (ALL_SH[3], 0.5)]):
            con.expect(wait, 400)
            time.sleep(delay)
            snap = ctx.path(f"all-{i}.snap")
            check(snapshot(sock, snap) == "ok", f"snapshot {i}")
            points.append((snap, con.text()))
        con.expect(ALL_SH[-1], 600)
        check(con.wait_exit(60) == 0, "uninterrupted run's status")
    finally:
        con.close()
    for snap, before in points:
        due = [rx for rx in ALL_SH if not re.search(rx, before, re.M)]
        con = Console([ctx.hv440, "--no-reboot", "--restore", snap], 900)
        try:
            for rx in due:
                con.expect(rx, 600)
            check(con.wait_exit(60) == 0, f"{os.path.basename(snap)}: restored run's status")
            check(not re.search(r"Oops|BUG|Kernel panic", con.text()),
                  f"{os.path.basename(snap)}: kernel error after restore")
        finally:
            con.close()


def test_disk_keeps_data(ctx):
    """A disk-backed guest: data written before the snapshot reads back after the restore."""
    img, sock, snap = ctx.path("disk.img"), ctx.path("disk.sock"), ctx.path("disk.snap")
    with open(img, "wb") as f:
        f.truncate(8 << 20)
    con = Console(linux_argv(ctx, "console=ttyS0", ["--control", "unix:" + sock, "--disk", img]),
                  600)
    try:
        con.expect(r"^guest: shell ready$", 400)
        con.expect(r"[#$] $", 60)
        rc, out = con.run("dd if=/dev/urandom of=/dev/vda bs=4k count=64 2>/dev/null; sync; "
                          "dd if=/dev/vda bs=4k count=64 2>/dev/null | md5sum", 120)
        sums = re.findall(r"^([0-9a-f]{32})  -$", out, re.M)
        check(rc == 0 and sums, f"write: {out!r}")
        check(snapshot(sock, snap) == "ok", "snapshot with a disk")
    finally:
        con.close()
    con = Console([ctx.hv440, "--no-reboot", "--restore", snap], 300)
    try:
        rc, out = con.run("echo 3 > /proc/sys/vm/drop_caches; "
                          "dd if=/dev/vda bs=4k count=64 2>/dev/null | md5sum", 120)
        check(rc == 0 and sums[0] in out, f"after restore: {out!r}")
        rc, out = con.run("echo again | dd of=/dev/vda bs=512 seek=100 conv=fsync 2>/dev/null; "
                          "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 skip=100 "
                          "count=1 2>/dev/null | head -c 5", 120)
        check(rc == 0 and "again" in out, f"write after restore: {out!r}")
        con.send("reboot -f")
        check(con.wait_exit(120) == 0, "reboot")
    finally:
        con.close()
    # The image changed since the snapshot: the restore is refused.
    r = subprocess.run([ctx.hv440, "--restore", snap], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    check(r.returncode == 1 and b"mtime differs" in r.stderr and not r.stdout,
          f"changed image accepted: {r.returncode} {r.stderr!r}")


# ---- bad files ----

def bad_file_snapshot(ctx):
    snap = ctx.path("count.snap")
    if os.path.exists(snap):
        return snap
    elf = count_elf(ctx)
    sock = ctx.path("bad.sock")
    p = subprocess.Popen([ctx.hv440, "--sandbox", "off", "--no-reboot", "--control",
                          "unix:" + sock, "--kernel", elf], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)
    ans = control(sock, "snapshot  " + snap)
    p.wait(300)
    check(ans == "ok", f"snapshot by path (--sandbox off): {ans}")
    return snap


def test_sandbox_needs_fd(ctx):
    """Under the sandbox a snapshot by path is refused with one line, and no file is left."""
    sock, snap = ctx.path("sb.sock"), ctx.path("sb.snap")
    p = subprocess.Popen([ctx.hv440, "--no-reboot", "--control", "unix:" + sock, "--kernel",
                          count_elf(ctx)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.2)
        with open(os.path.join(ctx.build, "meson-info", "intro-buildoptions.json")) as f:
            sanitize = [o["value"] for o in json.load(f) if o["name"] == "b_sanitize"]
        if sanitize and sanitize[0] != "none":
            # A sanitizer build's sandbox refuses nothing (host/sandbox.c): a path works there.
            ans = control(sock, "snapshot  " + snap)
            check(ans == "ok" and os.path.exists(snap), f"no sandbox: answer {ans!r}")
            return
        ans = control(sock, "snapshot  " + snap)
        check(re.match(r"^error: cannot create '.*sb\.snap\.tmp': Permission denied \(under the "
                       r"sandbox, pass the file's descriptor", ans), f"answer {ans!r}")
        check(not os.path.exists(snap) and not os.path.exists(snap + ".tmp"), "a file was left")
        check(control(sock, "snapshot") == "error: snapshot needs a file name (snapshot FILE)",
              "snapshot without a name")
    finally:
        p.kill()
        p.wait()


def refused(ctx, data, pattern, extra=()):
    bad = ctx.path("bad.snap")
    with open(bad, "wb") as f:
        f.write(data)
    r = subprocess.run([ctx.hv440, "--no-reboot"] + list(extra) + ["--restore", bad],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    err = r.stderr.decode()
    check(r.returncode == 1, f"status {r.returncode} for {pattern!r}")
    check(len(err.strip().split("\n")) == 1 and re.search(pattern, err),
          f"expected one line matching {pattern!r}, got {err!r}")
    check(not r.stdout, "the guest ran")


def header_crc(h):
    return h[:48] + struct.pack(">I", zlib.crc32(h[:48])) + h[52:]


def sections(data):
    """[(name, payload offset, payload length)] of a snapshot file, and where the sections end."""
    pos, out = 56, []
    for _ in range(struct.unpack(">I", data[40:44])[0]):
        name = data[pos:pos + 32].rstrip(b"\0").decode()
        length = struct.unpack(">Q", data[pos + 32:pos + 40])[0]
        out.append((name, pos + 48, length))
        pos += 48 + length
    return out, pos


def section(name, payload):
    h = name.encode().ljust(32, b"\0") + struct.pack(">QI", len(payload), zlib.crc32(payload))
    return h + struct.pack(">I", zlib.crc32(h)) + payload


def as_version_1(data):
    """A version-2 file rewritten as version 1 (RAM as one zstd frame), as an older hv440 wrote."""
    secs, end = sections(data)
    _, off, length = secs[1]
    ram = data[off:off + length]
    # util/state.h's header (tag, u32 version), then u32 page size, u32 runs, the runs
    check(ram[:4] == b"RAMI" and struct.unpack(">II", ram[4:12]) == (1, 4096), "RAM index header")
    n = struct.unpack(">I", ram[12:16])[0]
    runs = [struct.unpack(">II", ram[16 + 8 * i:24 + 8 * i]) for i in range(n)]
    pages = [first + k for first, count in runs for k in range(count)]
    start = (end + 4095) // 4096 * 4096
    raw = struct.pack(">II", 4096, len(pages)) + struct.pack(f">{len(pages)}I", *pages) + \
        data[start:start + 4096 * len(pages)]
    frame = subprocess.run(["zstd", "-3", "-c", "-q"], input=raw, capture_output=True,
                           check=True).stdout
    body = b"".join(section(name, frame if name == "ram" else data[o:o + ln])
                    for name, o, ln in secs)
    return header_crc(data[:8] + struct.pack(">I", 1) + data[12:56]) + body


def test_bad_files(ctx):
    good = open(bad_file_snapshot(ctx), "rb").read()
    r = subprocess.run([ctx.hv440, "--no-reboot", "--restore", bad_file_snapshot(ctx)],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    check(r.returncode == 0 and r.stdout.endswith(b"done\n"), "the good file restores")
    # Given by descriptor (a caller that may open it and hv440 may not): the same run.
    with open(bad_file_snapshot(ctx), "rb") as f:
        r2 = subprocess.run([ctx.hv440, "--no-reboot", "--restore", f"/dev/fd/{f.fileno()}"],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=300,
                            pass_fds=[f.fileno()])
    check(r2.returncode == 0 and r2.stdout == r.stdout, f"restore from /dev/fd/N: {r2.stderr!r}")
    # The restored board builds its tree at the first reset; --dump-dtb still gets it, the same
    # tree as the recorded machine's first start.
    trees = [ctx.path("restored.dtb"), ctx.path("started.dtb")]
    for tree, argv in zip(trees, (["--restore", bad_file_snapshot(ctx)],
                                  ["--kernel", count_elf(ctx)])):
        d = subprocess.run([ctx.hv440] + argv + ["--dump-dtb", tree],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        check(d.returncode == 0, f"--dump-dtb with {argv[0]}: {d.stderr!r}")
    t = [open(f, "rb").read() for f in trees]
    check(t[0][:4] == b"\xd0\x0d\xfe\xed" and t[0] == t[1],
          "--restore --dump-dtb: not the tree of the snapshot's machine")
    for cut in (10, 60, 120, len(good) // 2, len(good) - 1):
        refused(ctx, good[:cut], r"truncated")
    secs, end = sections(good)
    pages_at = (end + 4095) // 4096 * 4096
    check(len(good) > pages_at and (len(good) - pages_at) % 4096 == 0,
          "version 2: whole RAM pages from the page boundary after the sections")
    refused(ctx, good[:len(good) - 4096], r"truncated: the RAM pages need \d+ bytes")
    refused(ctx, good + bytes(4096), r"corrupted: the RAM pages need \d+ bytes")
    for name, off, length in secs:
        if length:
            bad = bytearray(good)
            bad[off + length // 2] ^= 0x40
            refused(ctx, bytes(bad), r"corrupted: section '%s' \(CRC mismatch\)" % re.escape(name))
    hdr = bytearray(good)
    hdr[36] ^= 1
    refused(ctx, bytes(hdr), r"corrupted header \(CRC mismatch\)")
    foreign = bytearray(good)
    foreign[16:32] = b"ml507".ljust(16, b"\0")
    refused(ctx, header_crc(bytes(foreign)), r"a snapshot of board 'ml507', which this hv440 "
            r"does not have")
    refused(ctx, good, r"a snapshot of board 'bamboo'; -M asks for 'sam460ex'", ["-M", "sam460ex"])
    newer = bytearray(good)
    newer[8:12] = struct.pack(">I", 3)
    refused(ctx, header_crc(bytes(newer)), r"written by a newer hv440 \(format version 3; this "
            r"one reads version 2\)")
    refused(ctx, good, r"has 256 MiB of RAM, -m asks for 128 MiB", ["-m", "128M"])
    refused(ctx, b"\x7fELF" + bytes(200), r"not an hv440 snapshot")
    refused(ctx, good, r"give none of them", ["--kernel", "/dev/null"])
    refused(ctx, good, r"has no virtio-rng", ["--rng"])


def test_reads_version_1(ctx):
    """A version-1 file (RAM compressed) restores as it did: the same output as the version-2 one."""
    good = open(bad_file_snapshot(ctx), "rb").read()
    v1 = ctx.path("count-v1.snap")
    with open(v1, "wb") as f:
        f.write(as_version_1(good))
    outs = []
    for snap in (bad_file_snapshot(ctx), v1):
        r = subprocess.run([ctx.hv440, "--no-reboot", "--restore", snap], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=300)
        check(r.returncode == 0 and r.stdout.endswith(b"done\n"),
              f"{os.path.basename(snap)}: status {r.returncode}: {r.stderr!r}")
        outs.append(r.stdout)
    check(outs[0] == outs[1], "the version-1 file restores to other output")
    bad = bytearray(open(v1, "rb").read())
    _, off, length = sections(bytes(bad))[0][1]
    bad[off + length // 2] ^= 0x40  # version 1 checks its RAM (all read at restore)
    refused(ctx, bytes(bad), r"corrupted: section 'ram' \(CRC mismatch\)")


TESTS = [test_bad_files, test_reads_version_1, test_sandbox_needs_fd, test_bare_metal_jit, test_bare_metal_interp, test_linux_shell_jit,
         test_linux_shell_interp, test_linux_pv_shell, test_sam460ex_shell, test_disk_keeps_data, test_all_sh_points]


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    ctx = Ctx(argv[1])
    only = set(argv[2:])
    import migrate_tests  # live migration (its own file); it imports this one's helpers
    tests = TESTS + migrate_tests.TESTS
    passed = failed = 0
    try:
        for t in tests:
            name = t.__name__[5:]
            if only and name not in only:
                continue
            t0 = time.monotonic()
            try:
                t(ctx)
                print(f"PASS {name} ({time.monotonic() - t0:.1f} s)", flush=True)
                passed += 1
            except (Fail, migrate_tests.Fail, ConsoleError, subprocess.SubprocessError, OSError) as e:
                print(f"FAIL {name}: {e}", flush=True)
                failed += 1
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
