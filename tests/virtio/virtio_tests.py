# SPDX-License-Identifier: MIT
# virtio_tests.py - the virtio tier: real Linux guests use virtio-blk/net/console/rng on hv440.
"""Usage: virtio_tests.py BUILD_DIR [TEST...]

Prints PASS/FAIL per test and ends with "N passed, N failed"; a failing
test leaves its console log in BUILD_DIR/test-logs/virtio/.
"""

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
from console import Console, ConsoleError  # noqa: E402

GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")


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


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Ctx:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.hv440 = os.path.join(self.build, "hv440")
        self.logdir = os.path.join(self.build, "test-logs", "virtio")
        self.tmp = tempfile.mkdtemp(prefix="hv440-virtio-")
        self.kernel = guest("kernel")
        self.initrd = guest("initrd")
        self.cons = []

    def argv(self, append, extra, prefix=(), reboot=False):
        return list(prefix) + [self.hv440, "-m", "256M", "--kernel", self.kernel,
                               "--initrd", self.initrd, "--append", append] + \
            ([] if reboot else ["--no-reboot"]) + list(extra)

    def boot(self, extra, append="console=ttyS0", prefix=(), deadline=600, reboot=False):
        con = Console(self.argv(append, extra, prefix, reboot), deadline)
        self.cons.append(con)
        con.expect(r"^guest: shell ready$", 300)
        con.expect(r"[#$] $", 60)
        return con

    def run(self, con, cmd, timeout=120, ok=True):
        rc, out = con.run(cmd, timeout)
        if ok:
            check(rc == 0, f"guest command {cmd!r} failed ({rc}): {out[-400:]!r}")
        return rc, out

    def close_all(self, name, failed):
        for i, con in enumerate(self.cons):
            con.close()
            if failed:
                p = con.save_log(os.path.join(self.logdir, f"{name}-{i}.log"))
                print(f"  log: {p}")
        self.cons = []


def make_image(ctx, name, files=None, size_mb=64):
    d = os.path.join(ctx.tmp, name + ".d")
    os.makedirs(d, exist_ok=True)
    for fname, data in (files or {}).items():
        with open(os.path.join(d, fname), "wb") as f:
            f.write(data)
    img = os.path.join(ctx.tmp, name + ".img")
    with open(img, "wb") as f:
        f.truncate(size_mb << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-d", d, img], check=True,
                   stdout=subprocess.DEVNULL)
    return img


def e2fsck_clean(img):
    r = subprocess.run(["e2fsck", "-fn", img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    check(r.returncode == 0, f"e2fsck -fn {img}: exit {r.returncode}: {r.stdout[-600:]}")


def host_md5(img, path):
    """md5 of a file inside an ext4 image, read with debugfs (no mount needed)."""
    r = subprocess.run(["debugfs", "-R", f"cat {path}", img], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    check(r.returncode == 0, f"debugfs cannot read {path}")
    return hashlib.md5(r.stdout).hexdigest(), len(r.stdout)


def check_features(ctx, con, modern):
    """The driver's view of virtio0's negotiated features: bit 32 VERSION_1 only when
    modern; indirect descriptors (28) and event index (29) either way."""
    _, out = ctx.run(con, "cat /sys/bus/virtio/devices/virtio0/features")
    m = re.search(r"^([01]{64})$", out, re.M)
    check(m, f"features: {out!r}")
    bits = m.group(1)
    check(bits[32] == ("1" if modern else "0"), f"VERSION_1 bit {bits[32]} (modern={modern})")
    check(bits[28] == "1" and bits[29] == "1", f"indirect/event idx not negotiated: {bits}")


def guest_write_files(ctx, con, n=3):
    """Write n random files on /mnt (1 MiB, 300 KiB, ...) and return {name: md5} as the guest saw it."""
    sums = {}
    for i in range(n):
        kb = 1024 if i == 0 else 300 + 77 * i
        ctx.run(con, f"dd if=/dev/urandom of=/mnt/f{i} bs=1k count={kb} 2>/dev/null")
        _, out = ctx.run(con, f"md5sum /mnt/f{i}")
        m = re.search(r"^([0-9a-f]{32})  /mnt/f%d$" % i, out, re.M)
        check(m, f"md5sum output: {out!r}")
        sums[f"f{i}"] = m.group(1)
    return sums


# ---------------------------------------------------------------- disk

def test_disk_persist(ctx):
    """ext4 on virtio-blk (modern): mount, read a host file, write, sync, umount, reboot;
    host e2fsck -fn clean and checksums equal. A second disk is read-only and locked."""
    hello = os.urandom(5000)
    img = make_image(ctx, "persist", {"hello.bin": hello})
    ro = make_image(ctx, "ro", {"x": b"read-only\n"}, size_mb=8)
    ro_md5 = hashlib.md5(open(ro, "rb").read()).hexdigest()
    con = ctx.boot(["--disk", img, "--disk", ro + ",readonly=on"])
    _, out = ctx.run(con, "cat /sys/bus/virtio/devices/*/device; ls /sys/bus/pci/devices")
    check("0x0002" in out and "0000:00:02.0" in out, f"two virtio-blk devices: {out!r}")
    # Locking: a second hv440 cannot open the same images for writing.
    r = subprocess.run([ctx.hv440, "--kernel", ctx.kernel, "--disk", img], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    check(r.returncode == 1 and "in use by another process" in r.stdout,
          f"second writer of a locked image: exit {r.returncode}: {r.stdout!r}")
    r = subprocess.run([ctx.hv440, "--kernel", ctx.kernel, "--disk", ro], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    check(r.returncode == 1 and "in use by another process" in r.stdout,
          f"writer of an image another hv440 reads: exit {r.returncode}: {r.stdout!r}")

    check_features(ctx, con, modern=True)
    ctx.run(con, "mkdir -p /mnt /ro && mount -t ext4 /dev/vda /mnt")
    _, out = ctx.run(con, "md5sum /mnt/hello.bin")
    check(hashlib.md5(hello).hexdigest() in out, f"file written on the host reads back: {out!r}")
    sums = guest_write_files(ctx, con)
    ctx.run(con, "sync && umount /mnt")
    # The read-only disk: flagged read-only, mountable read-only, writes refused.
    _, out = ctx.run(con, "cat /sys/block/vdb/ro")
    check(out.strip().endswith("1"), f"/sys/block/vdb/ro: {out!r}")
    ctx.run(con, "mount -t ext4 -o ro /dev/vdb /ro && cat /ro/x")
    rc, out = ctx.run(con, "dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync", ok=False)
    check(rc != 0, f"dd to the read-only disk succeeded: {out!r}")
    ctx.run(con, "umount /ro")
    con.send("reboot -f")
    st = con.wait_exit(120)
    check(st == 0, f"hv440 exit status after reboot: {st}")
    e2fsck_clean(img)
    for name, md5 in sums.items():
        got, _ = host_md5(img, "/" + name)
        check(got == md5, f"{name}: host md5 {got} != guest md5 {md5}")
    check(hashlib.md5(open(ro, "rb").read()).hexdigest() == ro_md5, "read-only image changed")
    e2fsck_clean(ro)


def test_disk_kill9_legacy(ctx):
    """Legacy virtio (virtio_pci.force_legacy=1): write, sync, kill -9 hv440 as soon as sync
    returns; after journal replay the host fs is clean and every synced file matches."""
    img = make_image(ctx, "kill9")
    con = ctx.boot(["--disk", img, "--net", "user", "--rng"],
                   append="console=ttyS0 virtio_pci.force_legacy=1")
    check_features(ctx, con, modern=False)
    # virtio-net's 10-byte legacy header and virtio-rng through the legacy interface too.
    guest_dhcp(ctx, con)
    _, out = ctx.run(con, "dd if=/dev/hwrng bs=128 count=2 2>/dev/null | wc -c")
    check(re.search(r"^256$", out, re.M), f"/dev/hwrng (legacy): {out!r}")
    ctx.run(con, "mkdir -p /mnt && mount -t ext4 /dev/vda /mnt")
    sums = guest_write_files(ctx, con)
    con.send("sync; echo SYNC''DONE")
    con.expect(r"^SYNCDONE$", 180)
    os.killpg(con.proc.pid, signal.SIGKILL)
    con.proc.wait(10)
    # The journal was committed by sync: replaying it is what the next mount would do.
    r = subprocess.run(["e2fsck", "-fy", img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    check(r.returncode in (0, 1), f"e2fsck -fy after kill -9: exit {r.returncode}: {r.stdout[-600:]}")
    e2fsck_clean(img)
    for name, md5 in sums.items():
        got, _ = host_md5(img, "/" + name)
        check(got == md5, f"{name}: host md5 {got} != guest md5 {md5} after kill -9")


def test_many_disks_reboot(ctx):
    """Six disks and an rng: slots 5-7 share UIC lines with slots 1-3 (wired-OR INTx). Every
    disk reads back its host content; after a guest reboot (board and device reset) the data
    written before it is there and the devices work again."""
    imgs, sums = [], []
    for i in range(6):
        img = os.path.join(ctx.tmp, f"raw{i}.img")
        data = os.urandom(256 << 10)
        with open(img, "wb") as f:
            f.write(data)
        imgs.append(img)
        sums.append(hashlib.md5(data).hexdigest())
    extra = [a for img in imgs for a in ("--disk", img)] + ["--rng"]
    con = ctx.boot(extra, reboot=True)
    _, out = ctx.run(con, "cat /proc/interrupts")
    check(re.search(r"virtio\d+, virtio\d+", out), f"no shared virtio interrupt line: {out!r}")
    for i in range(6):
        dev = "/dev/vd" + "abcdef"[i]
        _, out = ctx.run(con, f"dd if={dev} bs=64k count=4 2>/dev/null | md5sum")
        check(sums[i] in out, f"{dev} reads back the host image: {out!r}")
    ctx.run(con, "dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c")
    ctx.run(con, "echo written-before-reboot | dd of=/dev/vdf bs=512 conv=sync,fsync 2>/dev/null")
    con.send("reboot -f")
    con.expect(r"^guest: shell ready$", 300)
    con.expect(r"[#$] $", 60)
    _, out = ctx.run(con, "dd if=/dev/vdf bs=512 count=1 2>/dev/null | head -1")
    check("written-before-reboot" in out, f"after reboot: {out!r}")
    _, out = ctx.run(con, "dd if=/dev/vda bs=64k count=4 2>/dev/null | md5sum")
    check(sums[0] in out, f"/dev/vda after reboot: {out!r}")
    with open(imgs[5], "rb") as f:
        check(f.read(22) == b"written-before-reboot\n", "host sees the guest's write")


def test_disk_flush_at_exit(ctx):
    """cache=writeback: writes the guest never flushed (O_DIRECT, no FLUSH request) are made
    stable when hv440 ends (SIGTERM here): strace sees fdatasync() after the signal."""
    if not shutil.which("strace"):
        raise Fail("needs strace(1)")
    img = os.path.join(ctx.tmp, "unflushed.img")
    with open(img, "wb") as f:
        f.truncate(4 << 20)
    log = os.path.join(ctx.tmp, "flush.strace")
    con = ctx.boot(["--disk", img],
                   prefix=["strace", "-f", "--seccomp-bpf", "-e", "trace=fdatasync",
                           "-e", "signal=SIGTERM", "-o", log])
    ctx.run(con, "dd if=/dev/urandom of=/dev/vda bs=4k count=16 oflag=direct 2>&1")
    with open(log) as f:
        before = f.read()
    check("fdatasync" not in before, f"the guest's dd flushed already: {before!r}")
    # hv440 is strace's child: signal it alone (strace would detach on its own SIGTERM).
    kids = []
    for task in os.listdir(f"/proc/{con.proc.pid}/task"):
        with open(f"/proc/{con.proc.pid}/task/{task}/children") as f:
            kids += f.read().split()
    check(len(kids) == 1, f"hv440 under strace: children {kids}")
    os.kill(int(kids[0]), signal.SIGTERM)
    st = con.wait_exit(60)
    with open(log) as f:
        after = f.read()
    check(re.search(r"SIGTERM.*\n(.*\n)*.*fdatasync\(\d+\) += 0", after),
          f"no fdatasync after SIGTERM (hv440 status {st}): {after[-600:]!r}")


def test_disk_errors(ctx):
    """Bad --disk input: one clear line and exit 1, before any guest runs."""
    cases = [
        (["--disk", os.path.join(ctx.tmp, "missing.img")], r"cannot open disk image .*missing\.img"),
        (["--disk", "/etc/hostname,cache=bogus"], r"unknown option 'cache=bogus'"),
        (["--disk", ctx.tmp], r"disk image .*(Is a directory|not a regular file)"),
    ]
    noread = os.path.join(ctx.tmp, "noread.img")
    with open(noread, "wb") as f:
        f.truncate(1 << 20)
    os.chmod(noread, 0)
    if os.geteuid() != 0:
        cases.append((["--disk", noread], r"cannot open disk image .*Permission denied"))
    for extra, pattern in cases:
        r = subprocess.run([ctx.hv440, "--kernel", ctx.kernel] + extra, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        lines = r.stdout.strip().splitlines()
        check(r.returncode == 1 and len(lines) == 1 and re.search(pattern, lines[0]),
              f"{extra}: exit {r.returncode}, output {r.stdout!r}")


def test_hostile_guest(ctx):
    """A bare-metal driver (hostile.c) hands virtio-blk descriptors outside RAM, loops, zero and
    huge lengths, bad queue sizes and a write to a read-only disk: hv440 logs guest errors,
    sets NEEDS_RESET, keeps running, and the device works again after a reset. Then code read
    from the disk by DMA over code that already ran must run as read."""
    cc = shutil.which("powerpc-linux-gnu-gcc")
    if not cc:
        raise Fail("powerpc-linux-gnu-gcc is not installed (scripts/install-deps.sh test)")
    isa = os.path.join(TOP, "tests", "isa")
    elf = os.path.join(ctx.tmp, "hostile.elf")
    subprocess.run([cc, "-mcpu=440", "-msoft-float", "-ffreestanding", "-nostdlib",
                    "-nostartfiles", "-O2", "-fno-pie", "-no-pie", "-msdata=none", "-G", "0",
                    "-fno-builtin", "-fno-stack-protector", "-Wall", "-Wextra", "-Werror",
                    "-I", os.path.join(isa, "lib"), "-T", os.path.join(isa, "lib", "link.ld"),
                    "-Wl,--build-id=none", "-Wl,-z,noexecstack", "-Wl,--no-warn-rwx-segments",
                    "-o", elf, os.path.join(isa, "lib", "crt0.S"), os.path.join(isa, "lib", "lib.c"),
                    os.path.join(HERE, "hostile.c"), "-lgcc"], check=True)
    rw, ro = os.path.join(ctx.tmp, "h-rw.img"), os.path.join(ctx.tmp, "h-ro.img")
    with open(rw, "wb") as f:
        f.write(b"\x5a" * 4096)
    with open(ro, "wb") as f:
        f.write(b"\x00" * 4096)
    r = subprocess.run([ctx.hv440, "--no-reboot", "-m", "64M", "--kernel", elf, "--disk", rw,
                        "--disk", ro + ",readonly=on"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    out = r.stdout.replace("\r", "")
    oks = re.findall(r"^ok ", out, re.M)
    fails = re.findall(r"^FAIL .*", out, re.M)
    check(r.returncode == 0, f"hv440 exit {r.returncode}: {r.stderr[-500:]}")
    check("hostile: done" in out and not fails and len(oks) == 26,
          f"{len(oks)} ok, failures {fails}: {out[-800:]!r}")
    check(len(re.findall(r"guest error", r.stderr)) >= 8, f"guest errors logged: {r.stderr!r}")
    with open(ro, "rb") as f:
        check(f.read() == b"\x00" * 4096, "read-only image changed")


# ---------------------------------------------------------------- net

def guest_dhcp(ctx, con):
    """udhcpc with the initramfs's own default.script: the lease must leave eth0 configured
    (address, default route, DNS server), as a user typing `udhcpc` expects."""
    _, out = ctx.run(con, "udhcpc -i eth0 -q -n 2>&1", 120)
    m = re.search(r"lease of (\d+\.\d+\.\d+\.\d+) obtained", out)
    check(m, f"no DHCP lease: {out!r}")
    ip = m.group(1)
    _, conf = ctx.run(con, "ip -4 addr show eth0; ip route; cat /etc/resolv.conf")
    check(f"inet {ip}/24" in conf, f"the lease's address is not on eth0: {conf!r}")
    check(re.search(r"default via 10\.0\.2\.2 dev eth0", conf), f"no default route: {conf!r}")
    check("nameserver 10.0.2.3" in conf, f"no DNS server in resolv.conf: {conf!r}")
    return ip


def host_get(url):
    """GET url from the host, retried for 30 s while the guest's server comes up; None if never."""
    for _ in range(30):
        try:
            with urllib.request.urlopen(url, timeout=20) as resp:
                return resp.read()
        except OSError:
            time.sleep(1)
    return None


def start_loopback_http(ctx, www):
    """A Python HTTP server on the host's 127.0.0.1 (a free port), listening when this returns.
    Its request log is in www/../requests.log."""
    port = free_port()
    log = open(os.path.join(ctx.tmp, f"requests-{port}.log"), "w")
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", www], stdout=subprocess.DEVNULL,
                              stderr=log)
    # The guest boots in about a second: make sure the server listens first.
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, port, log.name


def test_net_user_isolated(ctx):
    """Default --net user: the guest cannot reach a host loopback service through 10.0.2.2,
    while DHCP and hostfwd work."""
    www = os.path.join(ctx.tmp, "www-iso")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "secret"), "w") as f:
        f.write("host-loopback-secret\n")
    server, port, log = start_loopback_http(ctx, www)
    fwd = free_port()
    try:
        con = ctx.boot(["--net", f"user,hostfwd=tcp::{fwd}-:80"])
        ip = guest_dhcp(ctx, con)
        check(ip == "10.0.2.15", f"DHCP address {ip}")
        rc, out = ctx.run(con, f"wget -T 10 -q -O - http://10.0.2.2:{port}/secret 2>&1; echo rc=$?",
                          120)
        check("host-loopback-secret" not in out and not re.search(r"rc=0\b", out),
              f"guest reached the host's loopback through 10.0.2.2: {out!r}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/secret", timeout=20) as r:
            check(r.read() == b"host-loopback-secret\n", "host loopback server not serving")
        ctx.run(con, "mkdir -p /www && echo hello-from-guest > /www/index.html && httpd -p 80 -h /www")
        body = host_get(f"http://127.0.0.1:{fwd}/index.html")
        check(body == b"hello-from-guest\n", f"host GET through hostfwd: {body!r}")
        with open(log) as f:
            requests = f.read()
        check(requests.count("GET /secret") == 1,
              f"requests the loopback server saw (only the host's own expected): {requests!r}")
        con.send("reboot -f")
        check(con.wait_exit(120) == 0, "hv440 exit status")
    finally:
        server.terminate()
        server.wait(10)


def test_net_user(ctx):
    """slirp with host-loopback=on: DHCP lease, guest wget from a host loopback HTTP server,
    host curl of the guest's httpd through hostfwd."""
    www = os.path.join(ctx.tmp, "www")
    os.makedirs(www, exist_ok=True)
    payload = os.urandom(300000)
    with open(os.path.join(www, "blob"), "wb") as f:
        f.write(payload)
    port, fwd = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", www], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        # The guest boots in about a second: make sure the server listens first.
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        con = ctx.boot(["--net", f"user,hostfwd=tcp::{fwd}-:80,host-loopback=on"])
        ip = guest_dhcp(ctx, con)
        check(ip == "10.0.2.15", f"DHCP address {ip}")
        _, out = ctx.run(con, f"wget -q -O /tmp/blob http://10.0.2.2:{port}/blob && md5sum /tmp/blob", 180)
        check(hashlib.md5(payload).hexdigest() in out, f"wget from the host: {out!r}")
        # 40 downloads at once: more host sockets than the event loop has slots.
        _, out = ctx.run(con, "rm /tmp/blob; for i in $(seq 40); do wget -q -O /tmp/p$i "
                         f"http://10.0.2.2:{port}/blob & done; wait; md5sum /tmp/p* | "
                         "cut -d' ' -f1 | sort | uniq -c; rm /tmp/p*", 300)
        check(re.search(r"^\s*40 %s$" % hashlib.md5(payload).hexdigest(), out, re.M),
              f"40 parallel downloads: {out!r}")
        ctx.run(con, "mkdir -p /www && echo hello-from-guest > /www/index.html && httpd -p 80 -h /www")
        body = host_get(f"http://127.0.0.1:{fwd}/index.html")
        check(body == b"hello-from-guest\n", f"host GET through hostfwd: {body!r}")
        if shutil.which("curl"):
            r = subprocess.run(["curl", "-s", "-m", "30", f"http://127.0.0.1:{fwd}/index.html"],
                               stdout=subprocess.PIPE, timeout=60)
            check(r.stdout == b"hello-from-guest\n", f"curl through hostfwd: {r.stdout!r}")
        con.send("reboot -f")
        check(con.wait_exit(120) == 0, "hv440 exit status")
    finally:
        server.terminate()
        server.wait(10)


def test_readme_disk_net(ctx):
    """The README's disk-and-network example (make run-net): scripts/make-disk.sh makes the image,
    the guest mounts it, takes a DHCP lease and serves its www/ through hostfwd to the host."""
    img = os.path.join(ctx.tmp, "readme-root.img")
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([os.path.join(top, "scripts", "make-disk.sh"), img], check=True,
                   stderr=subprocess.DEVNULL)
    r = subprocess.run([os.path.join(top, "scripts", "make-disk.sh"), img],
                       stderr=subprocess.PIPE, text=True)
    check(r.returncode != 0 and "exists" in r.stderr, f"make-disk overwrote {img}: {r.stderr!r}")
    fwd = free_port()
    con = ctx.boot(["--disk", img, "--net", f"user,hostfwd=tcp:127.0.0.1:{fwd}-:80"])
    ctx.run(con, "mount /dev/vda /mnt")
    guest_dhcp(ctx, con)
    ctx.run(con, "httpd -h /mnt/www")
    body = host_get(f"http://127.0.0.1:{fwd}/")
    check(body and b"Hello from a PowerPC 440 guest" in body, f"the guest's page: {body!r}")
    con.send("reboot")
    check(con.wait_exit(120) == 0, "hv440 exit status after the guest's reboot")


def dns_answerer(sock, name, addr, stop):
    """A minimal DNS server: answers A queries for name with addr, NXDOMAIN otherwise."""
    import struct
    want = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            q, peer = sock.recvfrom(512)
        except OSError:
            continue
        if len(q) < 12:
            continue
        qid = q[:2]
        end = q.find(b"\0", 12)
        if end < 0 or len(q) < end + 5:
            continue
        qname, qtype = q[12:end + 1], struct.unpack(">H", q[end + 1:end + 3])[0]
        question = q[12:end + 5]
        if qname.lower() == want and qtype == 1:
            ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes(map(int, addr.split(".")))
            hdr = qid + struct.pack(">HHHHH", 0x8180, 1, 1, 0, 0)
            sock.sendto(hdr + question + ans, peer)
        else:
            rcode = 0x8183 if qname.lower() != want else 0x8180
            sock.sendto(qid + struct.pack(">HHHHH", rcode, 1, 0, 0, 0) + question, peer)


def test_net_dns(ctx):
    """slirp forwards the guest's DNS (10.0.2.3) to the host's resolver from
    /etc/resolv.conf, re-read under the sandbox: hv440 runs in a private mount namespace
    whose resolv.conf names a DNS server this test runs on 127.0.0.1:53."""
    import socket
    import threading
    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise Fail("needs root and unshare(1) for a private /etc/resolv.conf")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 53))
    except OSError as e:
        raise Fail(f"cannot run a test DNS server on 127.0.0.1:53: {e}")
    stop = threading.Event()
    t = threading.Thread(target=dns_answerer, args=(sock, "hv440-dns-test.example", "10.0.2.77",
                                                    stop), daemon=True)
    t.start()
    resolv = os.path.join(ctx.tmp, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\n")
    prefix = ["unshare", "-m", "sh", "-c",
              'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolv]
    try:
        con = ctx.boot(["--net", "user"], prefix=prefix)
        guest_dhcp(ctx, con)
        _, out = ctx.run(con, "nslookup hv440-dns-test.example 10.0.2.3 2>&1", 120)
        check(re.search(r"Address:?\s+10\.0\.2\.77", out), f"nslookup through slirp: {out!r}")
        rc, out = ctx.run(con, "nslookup no-such-name.example 10.0.2.3 2>&1", 120, ok=False)
        check("10.0.2.77" not in out, f"unknown name resolved: {out!r}")
        con.send("reboot -f")
        check(con.wait_exit(120) == 0, "hv440 exit status")
    finally:
        stop.set()
        t.join(2)
        sock.close()


def test_net_tap(ctx):
    """TAP in a network namespace the test creates: ping guest -> host and host -> guest."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        raise Fail("needs root and iproute2 for the TAP test")
    ns = f"hv440t{os.getpid()}"
    sh = lambda *a: subprocess.run(["ip", "netns", "exec", ns] + list(a), check=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        sh("ip", "link", "set", "lo", "up")
        sh("ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
        sh("ip", "addr", "add", "10.77.0.1/24", "dev", "tap0")
        sh("ip", "link", "set", "tap0", "up")
        con = ctx.boot(["--net", "tap,ifname=tap0"], prefix=["ip", "netns", "exec", ns])
        ctx.run(con, "ip link set eth0 up && ip addr add 10.77.0.2/24 dev eth0")
        _, out = ctx.run(con, "ping -c 3 -W 5 10.77.0.1", 120)
        check(re.search(r"3 packets received", out), f"guest ping: {out!r}")
        r = subprocess.run(["ip", "netns", "exec", ns, "ping", "-c", "3", "-W", "5", "10.77.0.2"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        check(r.returncode == 0 and " 0% packet loss" in r.stdout, f"host ping: {r.stdout!r}")
        con.send("reboot -f")
        check(con.wait_exit(120) == 0, "hv440 exit status")
    finally:
        for con in ctx.cons:
            con.close()
        subprocess.run(["ip", "netns", "del", ns])


def test_net_errors(ctx):
    cases = [
        (["--net", "bogus"], r"unknown backend 'bogus'"),
        (["--net", "user,hostfwd=tcp:80"], r"bad hostfwd 'tcp:80'"),
        (["--net", "tap"], r"tap needs ifname"),
        (["--net", "user," + ",".join(f"hostfwd=tcp::{20000 + i}-:{i + 1}" for i in range(17))],
         r"too many hostfwd rules \(at most 16\)"),
        (["--net", "user,host-loopback=yes"], r"host-loopback takes on or off"),
        (["--net", "user,restrict=1"], r"restrict takes on or off"),
        (["--net", "tap,ifname=hv440absent0"], r"no network interface 'hv440absent0'"),
    ]
    for extra, pattern in cases:
        r = subprocess.run([ctx.hv440, "--kernel", ctx.kernel] + extra, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        lines = r.stdout.strip().splitlines()
        check(r.returncode == 1 and len(lines) == 1 and re.search(pattern, lines[0]),
              f"{extra}: exit {r.returncode}, output {r.stdout!r}")


# ---------------------------------------------------------------- console, rng

def test_console_rng(ctx):
    """console=hvc0 on --console stdio: login shell on hvc0; /dev/hwrng from virtio-rng."""
    con = ctx.boot(["--console", "stdio", "--rng"], append="console=hvc0")
    _, out = ctx.run(con, "cat /sys/class/tty/console/active; readlink /proc/$$/fd/0; "
                     "tr '\\0' ' ' < /proc/$$/cmdline; echo")
    check(re.search(r"^hvc0$", out, re.M), f"console is not hvc0: {out!r}")
    check(re.search(r"^/dev/hvc0$", out, re.M), f"the shell's input is not /dev/hvc0: {out!r}")
    check(re.search(r"^sh -l $", out, re.M), f"not a login shell (sh -l): {out!r}")
    _, out = ctx.run(con, "cat /sys/class/misc/hw_random/rng_current")
    check("virtio_rng" in out, f"rng_current: {out!r}")
    _, out = ctx.run(con, "dd if=/dev/hwrng bs=256 count=4 2>/dev/null | wc -c; "
                     "dd if=/dev/hwrng bs=256 count=1 2>/dev/null | md5sum; "
                     "dd if=/dev/hwrng bs=256 count=1 2>/dev/null | md5sum")
    check(re.search(r"^1024$", out, re.M), f"/dev/hwrng byte count: {out!r}")
    sums = re.findall(r"^([0-9a-f]{32})  -$", out, re.M)
    check(len(sums) == 2 and sums[0] != sums[1], f"/dev/hwrng blocks: {out!r}")
    con.send("reboot -f")
    check(con.wait_exit(120) == 0, "hv440 exit status")


def test_console_slow_reader(ctx):
    """virtio-console into a 4 KiB FIFO whose reader takes 512 bytes every 10 ms: the device
    holds the guest's transmit buffers back and every byte arrives (none dropped)."""
    import fcntl
    import threading
    fifo = os.path.join(ctx.tmp, "hvc.fifo")
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
    got, stop = bytearray(), threading.Event()

    def reader():
        while True:
            try:
                d = os.read(fd, 512)
            except BlockingIOError:
                d = None
            if d:
                got.extend(d)
            elif stop.is_set():
                return
            time.sleep(0.01)
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        con = ctx.boot(["--console", f"file:{fifo}"])
        ctx.run(con, "stty -F /dev/hvc0 raw -echo; seq 1 30000 > /dev/hvc0 && echo written", 300)
        con.send("reboot -f")
        st = con.wait_exit(120)
        stop.set()
        t.join(30)
        want = "".join(f"{i}\n" for i in range(1, 30001)).encode()
        data = bytes(got).replace(b"\r", b"")
        check(data == want, f"received {len(data)} bytes, want {len(want)} "
              f"(md5 {hashlib.md5(data).hexdigest()} vs {hashlib.md5(want).hexdigest()})")
        check(st == 0, f"hv440 exit status {st}")
        check("dropped" not in con.text(), "hv440 reports dropped bytes")
    finally:
        stop.set()
        t.join(30)
        os.close(fd)


def test_disk_kill9_random(ctx):
    """kill -9 at random moments while the guest writes and syncs files, several rounds on
    one image: after each, e2fsck replays the journal and finds the fs clean, and every file
    the guest reported synced (all rounds so far) has the checksum the guest saw."""
    import random
    seed = int(os.environ.get("HV440_KILL9_SEED", str(int(time.time()))))
    rounds = int(os.environ.get("HV440_KILL9_ROUNDS", "5"))
    rng = random.Random(seed)
    print(f"  disk-kill9-random: seed {seed}, {rounds} rounds (HV440_KILL9_SEED to repeat)")
    img = make_image(ctx, "kill9r", size_mb=96)
    synced = {}
    for rnd in range(rounds):
        con = ctx.boot(["--disk", img])
        ctx.run(con, "mkdir -p /mnt && mount -t ext4 /dev/vda /mnt")
        # Each line "SYNCED name md5" is printed only after sync returned for that file.
        con.send(f"i=0; while true; do f=/mnt/r{rnd}_$i; "
                 f"dd if=/dev/urandom of=$f bs=1k count=$(( (i*37)%200+1 )) 2>/dev/null; "
                 "sync; echo SYNCED $f $(md5sum < $f); i=$((i+1)); done")
        con.expect(r"^SYNCED ", 120)
        time.sleep(rng.uniform(0.0, 3.0))
        os.killpg(con.proc.pid, signal.SIGKILL)
        con.proc.wait(10)
        n = 0
        for m in re.finditer(r"^SYNCED (/mnt/\S+) ([0-9a-f]{32})", con.text(), re.M):
            synced[m.group(1)[len("/mnt"):]] = m.group(2)
            n += 1
        r = subprocess.run(["e2fsck", "-fy", img], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        check(r.returncode in (0, 1),
              f"round {rnd}: e2fsck -fy after kill -9: exit {r.returncode}: {r.stdout[-600:]}")
        e2fsck_clean(img)
        for path, md5 in synced.items():
            got, _ = host_md5(img, path)
            check(got == md5, f"round {rnd}: {path}: host md5 {got} != synced md5 {md5}")
        print(f"  round {rnd}: {n} files synced before kill -9, {len(synced)} checked")
        ctx.close_all("disk-kill9-random", False)


TESTS = [
    ("disk-errors", test_disk_errors),
    ("net-errors", test_net_errors),
    ("disk-persist", test_disk_persist),
    ("disk-kill9-legacy", test_disk_kill9_legacy),
    ("disk-kill9-random", test_disk_kill9_random),
    ("hostile-guest", test_hostile_guest),
    ("many-disks-reboot", test_many_disks_reboot),
    ("readme-disk-net", test_readme_disk_net),
    ("disk-flush-at-exit", test_disk_flush_at_exit),
    ("net-user", test_net_user),
    ("net-user-isolated", test_net_user_isolated),
    ("net-dns", test_net_dns),
    ("net-tap", test_net_tap),
    ("console-rng", test_console_rng),
    ("console-slow-reader", test_console_slow_reader),
]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    ctx = Ctx(sys.argv[1])
    want = sys.argv[2:]
    passed = failed = 0
    try:
        for name, fn in TESTS:
            if want and name not in want:
                continue
            t0 = time.monotonic()
            ok = False
            try:
                fn(ctx)
                ok = True
            except (Fail, ConsoleError, subprocess.SubprocessError, OSError) as e:
                print(f"  {name}: {e}")
            ctx.close_all(name, not ok)
            print(f"{'PASS' if ok else 'FAIL'} {name} ({time.monotonic() - t0:.0f} s)", flush=True)
            passed += ok
            failed += not ok
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
