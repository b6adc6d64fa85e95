# SPDX-License-Identifier: MIT
# migrate_tests.py - live migration tests of the snapshot tier (run by snapshot_tests.py).
"""Each test starts a source hv440 with a control socket and a destination
with --incoming, migrates the running guest, and compares what the two
printed together with an uninterrupted run of the same guest."""

import hashlib
import os
import re
import socket
import subprocess
import threading
import time

import snapshot_tests as st
from snapshot_tests import Fail, check

MIGRATED = re.compile(r"^migrated: downtime ([0-9.]+) ms, total ([0-9.]+) ms, (\d+) rounds, "
                      r"(\d+) pages .*\nok$", re.S)


def migrate(csock, uri, timeout=300):
    """`migrate URI` on the control socket: the whole answer (it comes when the migration ends)."""
    try:
        return st.control_client.request(
            csock, f"migrate {uri}", timeout=timeout, connect_timeout=30,
            done=lambda buf: buf.endswith(b"ok\n") or (buf.startswith(b"error") and buf.endswith(b"\n")))
    except st.control_client.ControlError as e:
        raise Fail(str(e)) from None


class Proc:
    """A process whose stdout is collected line by line (so a test can wait for a line)."""

    def __init__(self, argv, env):
        self.p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.lines, self.err, self.cond = [], [], threading.Condition()
        self.threads = [threading.Thread(target=self._out), threading.Thread(target=self._err)]
        for t in self.threads:
            t.start()

    def _out(self):
        for line in self.p.stdout:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)
            self.cond.notify_all()

    def _err(self):
        self.err.append(self.p.stderr.read())

    def wait_line(self, pred, timeout, what):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(x is not None and pred(x) for x in self.lines) or
                                    (self.lines and self.lines[-1] is None), timeout)
            check(ok and any(x is not None and pred(x) for x in self.lines), f"no {what} in {timeout} s")

    def finish(self, timeout):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise Fail(f"{os.path.basename(self.p.args[0])} did not end in {timeout} s")
        for t in self.threads:
            t.join()
        return self.p.returncode, b"".join(x for x in self.lines if x is not None), self.err[0]


def wait_socket(path, proc, timeout=60):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        check(proc.p.poll() is None, f"{path}: the process ended before listening")
        check(time.monotonic() < end, f"{path} did not appear in {timeout} s")
        time.sleep(0.01)


def migrated(answer):
    m = MIGRATED.match(answer)
    check(m, f"migrate answered {answer!r}")
    return float(m.group(1)), float(m.group(2)), int(m.group(3)), int(m.group(4))


# ---- bare metal ----

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def bare_metal(ctx, engine, tcp=False):
    """count.c migrated at step 200: source and destination print the uninterrupted run's output."""
    elf = st.count_elf(ctx)
    env = dict(os.environ, HV440_ENGINE=engine)
    whole = subprocess.run([ctx.hv440, "--no-reboot", "--kernel", elf], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    check(whole.returncode == 0 and whole.stdout.endswith(b"done\n"), "uninterrupted run")
    msock, csock = ctx.path(f"mig-bm-{engine}.sock"), ctx.path(f"ctl-bm-{engine}.sock")
    uri = f"tcp:127.0.0.1:{free_port()}" if tcp else "unix:" + msock
    dst = Proc([ctx.hv440, "--no-reboot", "--incoming", uri], env)
    if tcp:
        time.sleep(0.5)  # listening (a connection before it is refused: the test fails, not hangs)
    else:
        wait_socket(msock, dst)
    src = Proc([ctx.hv440, "--no-reboot", "--control", "unix:" + csock, "--kernel", elf], env)
    src.wait_line(lambda x: x.startswith(b"step 200 "), 120, "step 200")
    answer = migrate(csock, uri + " verify")
    rc_s, out_s, err_s = src.finish(60)
    rc_d, out_d, err_d = dst.finish(300)
    check("RAM verified" in answer and b"RAM checked: every page is the source's" in err_d,
          f"RAM not verified: {answer!r} {err_d!r}")
    downtime, total, rounds, pages = migrated(answer)
    check(rc_s == 0, f"the source ended with {rc_s}: {err_s!r}")
    check(rc_d == 0, f"the destination ended with {rc_d}: {err_d!r}")
    check(b"step 200 " in out_s and out_d, "the guest ran on both sides")
    check(out_s + out_d == whole.stdout, "source + destination output differs from the uninterrupted run")
    check(rounds >= 2 and pages > 0, f"{rounds} rounds, {pages} pages")
    print(f"  {engine}: downtime {downtime} ms, total {total} ms, {rounds} rounds", flush=True)


def test_migrate_bare_metal_jit(ctx):
    bare_metal(ctx, "jit")


def test_migrate_bare_metal_interp(ctx):
    bare_metal(ctx, "interp")


def test_migrate_tcp(ctx):
    bare_metal(ctx, "jit", tcp=True)


# ---- Linux: fork.sh ----

def masked(text):
    """The console from /init on, with what differs run to run (times) masked."""
    text = text[text.index("Run /init"):].replace("\r", "")
    text = re.sub(r"^\[ *[0-9.]+\] ", "[T] ", text, flags=re.M)
    text = re.sub(r"up after [0-9.]+ s", "up after T s", text)
    return re.sub(r"bench fork: [0-9.]+ s", "bench fork: T s", text)


def linux_fork(ctx, engine):
    """fork.sh migrated while it forks: the console is the uninterrupted run's."""
    env = dict(os.environ, HV440_ENGINE=engine)
    argv = st.linux_argv(ctx, "console=ttyS0 run=/bench/fork.sh")
    whole = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    check(whole.returncode == 0 and b"forked 400" in whole.stdout, f"uninterrupted run: {whole.returncode}")
    msock, csock = ctx.path(f"mig-fork-{engine}.sock"), ctx.path(f"ctl-fork-{engine}.sock")
    dst = Proc([ctx.hv440, "--no-reboot", "--incoming", "unix:" + msock], env)
    wait_socket(msock, dst)
    src = Proc(argv + ["--control", "unix:" + csock], env)
    src.wait_line(lambda x: x.startswith(b"guest: up after"), 300, "shell start")
    time.sleep(0.3)  # into the fork loop
    # verify: the destination checks every page of its RAM against the source's at the stop
    answer = migrate(csock, "unix:" + msock + " verify")
    rc_s, out_s, err_s = src.finish(60)
    rc_d, out_d, err_d = dst.finish(600)
    check("RAM verified" in answer and b"RAM checked: every page is the source's" in err_d,
          f"RAM not verified: {answer!r} {err_d!r}")
    downtime, total, rounds, _ = migrated(answer)
    check(rc_s == 0, f"the source ended with {rc_s}: {err_s!r}")
    check(rc_d == 0, f"the destination ended with {rc_d}: {err_d!r}")
    check(b"forked 400" not in out_s and b"forked 400" in out_d,
          "the migration did not happen during fork.sh")
    both = (out_s + out_d).decode("utf-8", "replace")
    check(masked(both) == masked(whole.stdout.decode("utf-8", "replace")),
          "the console of the migrated run differs from the uninterrupted one")
    print(f"  {engine}: downtime {downtime} ms, total {total} ms, {rounds} rounds", flush=True)


def test_migrate_linux_fork_jit(ctx):
    linux_fork(ctx, "jit")


def test_migrate_linux_fork_interp(ctx):
    linux_fork(ctx, "interp")


# ---- Linux: disk I/O ----

def test_migrate_disk_io(ctx):
    """Migrated while dd writes 16 MiB to a virtio disk: the guest, and the image, hold every byte."""
    img, msock, csock = ctx.path("mig.img"), ctx.path("mig-disk.sock"), ctx.path("ctl-disk.sock")
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    dst = st.Console([ctx.hv440, "--no-reboot", "--incoming", "unix:" + msock], 600)
    src = None
    try:
        end = time.monotonic() + 60
        while not os.path.exists(msock):
            check(time.monotonic() < end and dst.proc.poll() is None, "the destination does not listen")
            time.sleep(0.01)
        src = st.Console(st.linux_argv(ctx, "console=ttyS0", ["--control", "unix:" + csock,
                                                               "--disk", img]), 600)
        src.expect(r"^guest: shell ready$", 400)
        src.expect(r"[#$] $", 60)
        src.send("dd if=/dev/urandom of=/dev/vda bs=4k count=4096 conv=fsync 2>/dev/null; "
                 "dd if=/dev/vda bs=4k count=4096 2>/dev/null | md5sum; echo WR$((1+1))TE")
        time.sleep(0.3)  # into the writes
        answer = migrate(csock, "unix:" + msock + " verify")
        migrated(answer)
        check(src.wait_exit(60) == 0, "the source did not end with 0")
        dst.expect(r"WR2TE", 300)
        check("WR2TE" not in src.text(), "the migration did not happen during the writes")
        sums = re.findall(r"^([0-9a-f]{32})  -$", src.text() + dst.text(), re.M)
        check(len(sums) == 1, f"the guest's checksum: {sums}")
        rc, out = dst.run("echo 3 > /proc/sys/vm/drop_caches; "
                          "dd if=/dev/vda bs=4k count=4096 2>/dev/null | md5sum", 120)
        check(rc == 0 and sums[0] in out, f"read back from the disk in the destination: {out!r}")
        dst.send("reboot -f")
        check(dst.wait_exit(120) == 0, "the destination's reboot")
    finally:
        dst.close()
        if src:
            src.close()
    with open(img, "rb") as f:
        host = hashlib.md5(f.read(16 << 20)).hexdigest()
    check(host == sums[0], f"the image holds {host}, the guest wrote {sums[0]}")


# ---- refused: the source runs on ----

def test_migrate_refused(ctx):
    """Nothing listening; a destination of another RAM size or board: one line, the guest goes on."""
    elf = st.count_elf(ctx)
    env = dict(os.environ, HV440_ENGINE="interp")
    whole = subprocess.run([ctx.hv440, "--no-reboot", "--kernel", elf], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    csock = ctx.path("ctl-refused.sock")
    src = Proc([ctx.hv440, "--no-reboot", "--control", "unix:" + csock, "--kernel", elf], env)
    src.wait_line(lambda x: x.startswith(b"step 20 "), 120, "step 20")
    nobody = ctx.path("nobody.sock")
    answer = migrate(csock, "unix:" + nobody)
    check(answer == f"error: cannot connect to unix:{nobody}: No such file or directory",
          f"nothing listening: {answer!r}")
    check(migrate(csock, "ftp:x") ==
          "error: invalid migration address 'ftp:x' (use unix:PATH or tcp:HOST:PORT)", "bad address")
    cases = [(["-m", "128M"], "the source's machine has 256 MiB of RAM, -m asks for 128 MiB"),
             (["-M", "sam460ex"], "the source's machine is board 'bamboo'; -M asks for 'sam460ex'")]
    for opts, why in cases:
        msock = ctx.path("mig-refused.sock")
        dst = Proc([ctx.hv440, "--no-reboot", "--incoming", "unix:" + msock] + opts, env)
        wait_socket(msock, dst)
        answer = migrate(csock, "unix:" + msock)
        rc_d, out_d, err_d = dst.finish(60)
        check(answer == "error: the destination refused: " + why, f"{opts}: answer {answer!r}")
        check(rc_d == 1 and err_d.decode().strip() == f"hv440: --incoming unix:{msock}: {why}",
              f"{opts}: destination status {rc_d}, stderr {err_d!r}")
        check(out_d == b"", f"{opts}: the destination ran a guest")
    rc_s, out_s, err_s = src.finish(300)
    check(rc_s == 0 and out_s == whole.stdout,
          f"the source did not run on as if nothing happened (status {rc_s})")
    # the refusals that came from the destination are logged too (an address error is only answered)
    check(err_s.decode().count("(the guest runs on here)") == 2, f"source stderr {err_s!r}")


TESTS = [test_migrate_refused, test_migrate_bare_metal_jit, test_migrate_bare_metal_interp, test_migrate_tcp,
         test_migrate_linux_fork_jit, test_migrate_linux_fork_interp, test_migrate_disk_io]
