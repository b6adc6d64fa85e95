# SPDX-License-Identifier: MIT
# qmp_tests.py - the QMP tier: a QMP client drives hv440 (--qmp) on a bare-metal loop and on Linux.
"""Usage: qmp_tests.py BUILD_DIR [TEST...]

Prints PASS/FAIL per test and ends with "N passed, N failed". Stdlib only:
the client below speaks QMP as QEMU's Python library does (JSON objects
without newlines; replies and events as CR LF terminated lines).
"""

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
from console import Console, ConsoleError  # noqa: E402

GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
# The bare-metal guest: "1: addi r3,r3,1; b 1b" at 0x100000. r3 starts at the
# device tree address (0x01800000, docs/design.md boot protocol) and counts.
LOOP = struct.pack(">II", 0x38630001, 0x4BFFFFFC)
LOOP_ADDR = 0x100000
R3_AT_BOOT = 0x01800000


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


class Qmp:
    """One QMP connection: commands, their answers, and the events seen."""

    def __init__(self, sock, timeout=30):
        self.s = sock
        self.s.settimeout(timeout)
        self.buf = b""
        self.events = []

    @classmethod
    def connect_unix(cls, path, timeout=30):
        end = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return cls(s)
            except OSError:
                s.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)

    def read_msg(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise Fail("QMP connection closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        check(line.endswith(b"\r"), f"QMP line not CR LF terminated: {line!r}")
        return json.loads(line)

    def greeting(self):
        g = self.read_msg()
        check("QMP" in g and "version" in g["QMP"] and "capabilities" in g["QMP"],
              f"bad greeting {g}")
        return g

    def send_raw(self, data):
        self.s.sendall(data)

    def reply(self):
        """The next answer; events before it are kept in self.events."""
        while True:
            m = self.read_msg()
            if "event" in m:
                check("timestamp" in m and "seconds" in m["timestamp"],
                      f"event without timestamp: {m}")
                self.events.append(m)
                continue
            return m

    def cmd(self, name, args=None, **extra):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        msg.update(extra)
        self.send_raw(json.dumps(msg).encode())
        return self.reply()

    def ok(self, name, args=None):
        r = self.cmd(name, args)
        check("return" in r, f"{name}: {r}")
        return r["return"]

    def error(self, name=None, args=None, raw=None, cls="GenericError"):
        if raw is not None:
            self.send_raw(raw)
            r = self.reply()
        else:
            r = self.cmd(name, args)
        check("error" in r and r["error"].get("class") == cls and r["error"].get("desc"),
              f"{raw or name}: expected a {cls} error, got {r}")
        return r["error"]["desc"]

    def take_event(self, name, timeout=30):
        end = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            check(time.monotonic() < end, f"no {name} event (saw {self.events})")
            self.s.settimeout(max(0.1, end - time.monotonic()))
            try:
                m = self.read_msg()
            except socket.timeout:
                continue
            finally:
                self.s.settimeout(30)
            if "event" in m:
                self.events.append(m)

    def registers(self):
        out = self.ok("human-monitor-command", {"command-line": "info registers"})
        regs = {}
        for line in out.replace("\r\n", "\n").splitlines():
            m = re.match(r"GPR(\d\d)((?: [0-9a-f]{8})+)$", line)
            if m:
                for i, w in enumerate(m.group(2).split()):
                    regs[f"r{int(m.group(1)) + i}"] = int(w, 16)
            m = re.match(r"NIP ([0-9a-f]{8}) ", line)
            if m:
                regs["pc"] = int(m.group(1), 16)
        return regs, out

    def close(self):
        self.s.close()


class Hv:
    """hv440 running the bare-metal loop, with --qmp SPEC and a --control socket."""

    def __init__(self, build, tmp, qmp_spec, extra=()):
        self.tmp = tmp
        prog = os.path.join(tmp, "loop.bin")
        with open(prog, "wb") as f:
            f.write(LOOP)
        self.ctl = os.path.join(tmp, "ctl")
        self.err = open(os.path.join(tmp, "stderr"), "w+")
        self.p = subprocess.Popen(
            [os.path.join(build, "hv440"), "--kernel", prog, "--kernel-addr", hex(LOOP_ADDR),
             "--serial", "null", "--control", "unix:" + self.ctl, "--qmp", qmp_spec, *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.err)

    def insns(self):
        """Guest instructions retired so far (the control socket's stats json)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.ctl)
        s.sendall(b"stats json\n")
        data = b""
        while not data.endswith(b"ok\n"):
            d = s.recv(65536)
            check(d, "control socket closed")
            data += d
        s.close()
        return json.loads(data.split(b"\n")[0])["core"]["instructions"]

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def wait(self, timeout=30):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Fail(f"hv440 did not exit within {timeout} s")

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.err.close()


def wait_for_path(path, timeout=30):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        check(time.monotonic() < end, f"{path} never appeared")
        time.sleep(0.05)


def test_bare_metal(build, tmp):
    """Negotiation, query-status, stop/cont (instruction count and r3 frozen
    while stopped), info registers, system_reset, system_powerdown, errors in
    QMP's shape for bad input, then quit with status 0."""
    path = os.path.join(tmp, "qmp")
    hv = Hv(build, tmp, f"unix:{path},server,nowait")
    try:
        wait_for_path(path)
        q = Qmp.connect_unix(path)
        g = q.greeting()
        check(g["QMP"]["version"]["qemu"]["major"] == 7, f"greeting version {g}")
        desc = q.error("query-status", cls="CommandNotFound")
        check("qmp_capabilities" in desc, f"before negotiation: {desc}")
        q.ok("qmp_capabilities")
        q.error("qmp_capabilities", cls="CommandNotFound")
        st = q.ok("query-status")
        check(st == {"status": "running", "singlestep": False, "running": True}, f"status {st}")

        # stop: STOP event, nothing retires while stopped.
        q.ok("stop")
        q.take_event("STOP")
        st = q.ok("query-status")
        check(st["status"] == "paused" and st["running"] is False, f"status after stop {st}")
        n1, (r1, _) = hv.insns(), q.registers()
        time.sleep(0.5)
        n2, (r2, text) = hv.insns(), q.registers()
        check(n1 == n2, f"instructions retired while stopped: {n1} -> {n2}")
        check(r1["r3"] == r2["r3"], f"r3 changed while stopped: {r1['r3']:#x} -> {r2['r3']:#x}")
        check(r2["pc"] in (LOOP_ADDR, LOOP_ADDR + 4), f"NIP {r2['pc']:#x} outside the loop")
        for word in ("MSR", "CR ", "SRR0", "PVR 422218d3", "IVOR15", "DECR", "FPSCR"):
            check(word in text, f"info registers lacks {word!r}")
        check(text.endswith("\r\n"), "HMP output lines not CR LF terminated")
        q.ok("stop")  # stopping a stopped guest: no second STOP
        # cont: RESUME, the count moves again.
        q.ok("cont")
        q.take_event("RESUME")
        time.sleep(0.3)
        n3, (r3, _) = hv.insns(), q.registers()
        check(n3 > n2 + 1000, f"cont: instructions {n2} -> {n3}")
        check(r3["r3"] != r2["r3"], "cont: r3 did not move")
        check(not [e for e in q.events if e["event"] == "STOP"], f"a second STOP: {q.events}")

        # system_reset while stopped: RESET, then the boot state, still stopped.
        q.ok("stop")
        q.take_event("STOP")
        r = q.cmd("system_reset", id="r1")
        check(r.get("return") == {} and r.get("id") == "r1", f"system_reset {r}")
        ev = q.take_event("RESET")
        check(ev.get("data") == {"guest": False, "reason": "host-qmp-system-reset"},
              f"RESET data {ev}")
        regs, _ = q.registers()
        check(regs["r3"] == R3_AT_BOOT and regs["pc"] == LOOP_ADDR,
              f"after reset r3 {regs['r3']:#x} pc {regs['pc']:#x}, expected the boot state")
        check(q.ok("query-status")["status"] == "paused", "reset un-stopped the guest")
        q.ok("cont")
        q.take_event("RESUME")
        time.sleep(0.2)
        check(q.registers()[0]["r3"] > R3_AT_BOOT, "guest did not run after reset + cont")

        # system_powerdown: the event only, as QEMU's bamboo; the guest runs on.
        q.ok("system_powerdown")
        q.take_event("POWERDOWN")
        check(q.ok("query-status")["running"] is True, "powerdown stopped the guest")

        # Bad input: an error each, in QMP's shape, and the server carries on.
        for raw in (b"garbage\n", b"42\n", b"[1,2]", b"}", b'{"execute": }',
                    b'{"execute": 3}', b'{"id": 1}', b'{"execute": "x", "bogus": 1}',
                    b'{"execute": "query-status", "arguments": []}',
                    b'{"execute": "query-status", "arguments": {"a": 1}}',
                    b'{"execute": "human-monitor-command"}',
                    b'{"execute": "\\ud800"}', b'"str"', b"nul\x00l\n",
                    b"[" * 100 + b"]" * 100):
            q.error(raw=raw)
        desc = q.error("no-such-command", cls="CommandNotFound")
        check("no-such-command" in desc, desc)
        r = q.cmd("query-status", id={"a": [1, "x"]})
        check(r.get("id") == {"a": [1, "x"]}, f"id not copied: {r}")
        out = q.ok("human-monitor-command", {"command-line": "frobnicate"})
        check(out == "unknown command: 'frobnicate'\r\n", f"HMP unknown: {out!r}")
        # One message over several writes, and two in one write.
        q.send_raw(b'{"execute": "query-')
        time.sleep(0.1)
        q.send_raw(b'status"}{"execute": "query-status"}')
        check("return" in q.reply() and "return" in q.reply(), "split/joined messages")

        r = q.cmd("quit")
        check(r == {"return": {}}, f"quit {r}")
        ev = q.take_event("SHUTDOWN")
        check(ev["data"] == {"guest": False, "reason": "host-qmp-quit"}, f"SHUTDOWN {ev}")
        rc = hv.wait()
        check(rc == 0, f"exit status after quit {rc}")
        check(not os.path.exists(path), "socket left behind")
    finally:
        hv.close()


def test_tcp_and_hold(build, tmp):
    """tcp:HOST:0,server,nowait picks a port and says which; with -S the guest
    is held ("prelaunch", nothing retired) until cont; a second client waits
    for the first to leave, then gets its own greeting."""
    hv = Hv(build, tmp, "tcp:127.0.0.1:0,server,nowait", extra=["-S"])
    try:
        end = time.monotonic() + 30
        while not (m := re.search(r"QMP listening on tcp:([\d.]+):(\d+)", hv.stderr())):
            check(time.monotonic() < end and hv.p.poll() is None,
                  f"no listening line: {hv.stderr()!r}")
            time.sleep(0.05)
        addr = (m.group(1), int(m.group(2)))
        q = Qmp(socket.create_connection(addr, 30))
        q.greeting()
        q.ok("qmp_capabilities")
        st = q.ok("query-status")
        check(st["status"] == "prelaunch" and not st["running"], f"-S status {st}")
        q.ok("stop")  # as QEMU 7.2 (observed): prelaunch stays prelaunch, no STOP event
        check(q.ok("query-status")["status"] == "prelaunch", "stop in prelaunch")
        time.sleep(0.3)
        check(hv.insns() == 0, "the guest ran before cont")
        check(q.registers()[0]["r3"] == R3_AT_BOOT, "r3 moved before cont")
        q2 = Qmp(socket.create_connection(addr, 30), timeout=0.5)
        try:
            q2.greeting()
            raise Fail("a second client was greeted while the first is connected")
        except socket.timeout:
            pass
        q.ok("cont")
        q.take_event("RESUME")
        check(not [e for e in q.events if e["event"] == "STOP"], f"STOP in prelaunch: {q.events}")
        time.sleep(0.2)
        check(hv.insns() > 0, "nothing ran after cont")
        q.close()
        q2.s.settimeout(30)
        q2.greeting()
        q2.ok("qmp_capabilities")
        check(q2.ok("query-status")["status"] == "running", "second client: not running")
        q2.ok("quit")
        check(hv.wait() == 0, "exit status after quit")
    finally:
        hv.close()


def test_wait_and_client(build, tmp):
    """unix:PATH,server (QEMU's default wait=on) holds start-up until a client
    connects; without server hv440 connects to a listening client itself."""
    path = os.path.join(tmp, "qmp")
    hv = Hv(build, tmp, f"unix:{path},server")
    try:
        wait_for_path(path)
        time.sleep(0.3)
        check(hv.p.poll() is None, "hv440 ended while waiting")
        check("waiting for a client" in hv.stderr(), f"no waiting line: {hv.stderr()!r}")
        check(not os.path.exists(hv.ctl), "the control socket opened before the QMP client came")
        q = Qmp.connect_unix(path)
        q.greeting()
        q.ok("qmp_capabilities")
        wait_for_path(hv.ctl)
        q.ok("quit")
        check(hv.wait() == 0, "exit status after quit")
    finally:
        hv.close()

    lpath = os.path.join(tmp, "listen")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(lpath)
    ls.listen(1)
    ls.settimeout(30)
    hv = Hv(build, tmp, f"unix:{lpath}")
    try:
        c, _ = ls.accept()
        q = Qmp(c)
        q.greeting()
        q.ok("qmp_capabilities")
        check(q.ok("query-status")["running"], "client mode: not running")
        q.ok("quit")
        check(hv.wait() == 0, "client mode: exit status after quit")
    finally:
        hv.close()
        ls.close()


# Inputs whose answers (and events, timestamps aside) must be QEMU 7.2's exactly: negotiation,
# malformed JSON and QMP, run control, HMP text, ids, then quit. Both start with -S (prelaunch).
AGAINST_QEMU = [
    b'{"execute":"query-status"}', b'{"execute":"qmp_capabilities"}',
    b'{"execute":"qmp_capabilities"}', b"garbage\n", b"42\n", b"[1,2]", b"}",
    b'{"execute": }', b'{"execute": 3}', b'{"id": 1}', b'{"execute": "x", "bogus": 1}',
    b'{"execute": "query-status", "arguments": []}',
    b'{"execute": "query-status", "arguments": {"a": 1}}',
    b'{"execute": "human-monitor-command"}', b'{"execute": "\\ud800"}', b'"str"',
    b"[" * 100 + b"]" * 100, b'{"execute": "no-such", "id": [1, {"a": null}]}',
    b"{'execute': 'query-status', 'id': 'q'}", b'{"execute": "stop"}',
    b'{"execute": "query-status"}',
    b'{"execute": "human-monitor-command", "arguments": {"command-line": 5}}',
    b'{"execute": "human-monitor-command", "arguments": {"command-line": "frob"}}',
    b'{"execute": "human-monitor-command", "arguments": {"command-line": "info status"}}',
    b'{"execute": "human-monitor-command", "arguments": {"command-line": "info status", '
    b'"cpu-index": 3}}',
    b'{"execute": "cont"}', b'{"execute": "query-status"}', b'{"execute": "stop"}',
    b'{"execute": "human-monitor-command", "arguments": {"command-line": "info status"}}',
    b'{"execute": "system_powerdown"}', b'{"execute": "system_reset", "id": 9}',
    b'{"execute": "quit", "arguments": {"x": 1}}', b'{"execute": "quit"}',
]


def answers(argv, path, tmp):
    """Everything the server sends for each of AGAINST_QEMU, timestamps dropped."""
    err = open(os.path.join(tmp, "err-" + os.path.basename(path)), "w")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    try:
        wait_for_path(path)
        q = Qmp.connect_unix(path)
        q.greeting()
        out = []
        for m in AGAINST_QEMU:
            q.send_raw(m)
            got = [q.read_msg()]
            # Events come before the answer; the answer ends the exchange.
            while "event" in got[-1]:
                got.append(q.read_msg())
            for g in got:
                g.pop("timestamp", None)
            out.append(got)
        check(p.wait(30) == 0, f"{argv[0]}: exit status {p.returncode} after quit")
        return out
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        err.close()


def test_against_qemu(build, tmp):
    """The same QMP session on qemu-system-ppc -M bamboo -S and on hv440 -S:
    every answer and event (but timestamps) identical."""
    if not shutil.which("qemu-system-ppc"):
        raise Fail("qemu-system-ppc is not installed (scripts/install-deps.sh test)")
    qpath, hpath = os.path.join(tmp, "qemu.sock"), os.path.join(tmp, "hv.sock")
    q = answers(["qemu-system-ppc", "-M", "bamboo", "-display", "none", "-serial", "null",
                 "-monitor", "none", "-S", "-qmp", f"unix:{qpath},server,nowait"], qpath, tmp)
    prog = os.path.join(tmp, "loop.bin")
    with open(prog, "wb") as f:
        f.write(LOOP)
    h = answers([os.path.join(build, "hv440"), "--kernel", prog, "--kernel-addr", hex(LOOP_ADDR),
                 "--serial", "null", "-S", "--qmp", f"unix:{hpath},server,nowait"], hpath, tmp)
    diffs = [f"{m!r}: QEMU {a} hv440 {b}" for m, a, b in zip(AGAINST_QEMU, q, h) if a != b]
    check(not diffs, f"{len(diffs)} answers differ from QEMU's: " + "; ".join(diffs[:3]))


def guest(what):
    r = subprocess.run([GUEST_PATH, what], stdout=subprocess.PIPE, text=True, timeout=3600)
    if r.returncode != 0 or not r.stdout.strip():
        raise Fail(f"no guest artifact '{what}'")
    return r.stdout.strip()


def test_linux(build, tmp):
    """Linux under the sandbox: stop holds the console (a command typed while
    stopped runs only after cont), system_reset reboots Linux, the guest's
    reboot sends RESET (guest), quit ends hv440 with status 0; SIGTERM sends
    SHUTDOWN (host-signal)."""
    path = os.path.join(tmp, "qmp")
    argv = [os.path.join(build, "hv440"), "-m", "256M", "--kernel", guest("kernel"),
            "--initrd", guest("initrd"), "--append", "console=ttyS0",
            "--qmp", f"unix:{path},server=on,wait=off"]
    con = Console(argv, 400)
    try:
        con.expect(r"^guest: shell ready$", 180)
        con.expect(r"[#$] $", 60)
        q = Qmp.connect_unix(path)
        q.greeting()
        q.ok("qmp_capabilities")
        q.ok("stop")
        q.take_event("STOP")
        mark = len(con.text())
        con.send("echo $((6*7))x")
        time.sleep(1.5)
        check("42x" not in con.text(mark), "the guest answered while stopped")
        q.ok("cont")
        q.take_event("RESUME")
        con.expect(r"^42x$", 60)
        regs, text = q.registers()
        check(regs["pc"] >= 0xC0000000 or regs["pc"] < 0x80000000, f"pc {regs['pc']:#x}")
        check(re.search(r"MSR [0-9a-f]{8} \[.* ME", text), f"Linux runs with MSR[ME]: {text[:300]}")
        q.ok("system_reset")
        ev = q.take_event("RESET")
        check(ev["data"]["reason"] == "host-qmp-system-reset", f"RESET {ev}")
        con.expect(r"^guest: up after [0-9.]+ s$", 180)
        con.expect(r"^guest: shell ready$", 120)
        con.expect(r"[#$] $", 60)
        # The guest's own reboot: RESET with guest true, and Linux boots again.
        con.send("reboot -f")
        ev = q.take_event("RESET", 120)
        check(ev["data"] == {"guest": True, "reason": "guest-reset"}, f"guest RESET {ev}")
        con.expect(r"^guest: shell ready$", 180)
        q.ok("quit")
        q.take_event("SHUTDOWN")
        rc = con.wait_exit(30)
        check(rc == 0, f"exit status after quit {rc}")
    finally:
        con.close()
    # SIGTERM: SHUTDOWN with reason host-signal, then 128+15.
    path2 = os.path.join(tmp, "qmp2")
    argv[-1] = f"unix:{path2},server,nowait"
    con = Console(argv, 300)
    try:
        con.expect(r"^guest: shell ready$", 180)
        q = Qmp.connect_unix(path2)
        q.greeting()
        q.ok("qmp_capabilities")
        con.proc.send_signal(signal.SIGTERM)
        ev = q.take_event("SHUTDOWN")
        check(ev["data"] == {"guest": False, "reason": "host-signal"}, f"SHUTDOWN {ev}")
        rc = con.wait_exit(30)
        check(rc == 128 + 15, f"exit status after SIGTERM {rc}")
    finally:
        con.close()


TESTS = {
    "bare_metal": test_bare_metal,
    "tcp_and_hold": test_tcp_and_hold,
    "wait_and_client": test_wait_and_client,
    "against_qemu": test_against_qemu,
    "linux": test_linux,
}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(TESTS)
    unknown = [n for n in names if n not in TESTS]
    if unknown:
        print(f"unknown test(s): {' '.join(unknown)}; known: {' '.join(TESTS)}", file=sys.stderr)
        return 2
    passed = failed = 0
    for name in names:
        tmp = tempfile.mkdtemp(prefix="hv440-qmp-")
        t0 = time.monotonic()
        try:
            TESTS[name](build, tmp)
            verdict, why = "PASS", ""
        except (Fail, ConsoleError, OSError, ValueError, KeyError,
                subprocess.SubprocessError) as e:
            verdict, why = "FAIL", f"{type(e).__name__}: {e}"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"{verdict} {name} ({time.monotonic() - t0:.1f} s){': ' + why if why else ''}",
              flush=True)
        if verdict == "PASS":
            passed += 1
        else:
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
