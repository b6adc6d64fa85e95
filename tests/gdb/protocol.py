#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# protocol.py - throw malformed, hostile and careless traffic at hv440's gdb stub.
# Usage: protocol.py PORT HV_PID UART_OUT   (hv440 started with -S on PORT running tests/gdb's prog.elf)
import os
import socket
import sys
import time

port = int(sys.argv[1])
hv_pid = int(sys.argv[2])
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS proto-" + name)
    else:
        failed += 1
        print("FAIL proto-" + name + (": " + detail if detail else ""))


def alive():
    try:
        os.kill(hv_pid, 0)
        return True
    except OSError:
        return False


def frame(data):
    if isinstance(data, str):
        data = data.encode()
    return b"$" + data + b"#%02x" % (sum(data) & 0xFF)


class Client:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def recv_more(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def read_ack(self):
        while not self.buf:
            self.recv_more()
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def read_packet(self, skip_o=True):
        """Next $...#xx reply (acks are skipped); checks the checksum."""
        while True:
            while b"$" not in self.buf or b"#" not in self.buf[self.buf.index(b"$"):] or \
                    len(self.buf) < self.buf.index(b"#", self.buf.index(b"$")) + 3:
                self.recv_more()
            start = self.buf.index(b"$")
            end = self.buf.index(b"#", start)
            data, ck = self.buf[start + 1:end], self.buf[end + 1:end + 3]
            self.buf = self.buf[end + 3:]
            if int(ck, 16) != sum(data) & 0xFF:
                raise ValueError("bad checksum from stub")
            if skip_o and data.startswith(b"O") and data != b"OK":
                continue
            return data.decode("latin-1")

    def cmd(self, data):
        self.s.sendall(frame(data))
        return self.read_packet()

    def raw(self, b):
        self.s.sendall(b)

    def close(self):
        self.s.close()


def healthy(c, name):
    try:
        r = c.cmd("?")
        check(name + "-then-alive", r.startswith("T"), r)
    except Exception as e:  # noqa: BLE001 - any failure here is a test failure
        check(name + "-then-alive", False, repr(e))


c = Client()
r = c.cmd("qSupported:multiprocess+;swbreak+;hwbreak+")
check("qsupported", "PacketSize=" in r and "qXfer:features:read+" in r, r)
check("hold-stop-reply", c.cmd("?").startswith("T05"))
xml = ""
off = 0
while True:
    r = c.cmd("qXfer:features:read:target.xml:%x,200" % off)
    if r[:1] not in ("m", "l"):
        break
    xml += r[1:]
    off += len(r) - 1
    if r[0] == "l":
        break
check("target-xml", "org.gnu.gdb.power.core" in xml and 'name="srr0"' in xml and
      'name="fpscr"' in xml and xml.rstrip().endswith("</target>"))

# Framing errors.
c.raw(b"$?#00")
check("bad-checksum-nak", c.read_ack() == b"-")
c.raw(b"$?#zz")
check("non-hex-checksum-nak", c.read_ack() == b"-")
healthy(c, "bad-checksum")
c.raw(b"\x00\xffnoise+++\r\n")
healthy(c, "noise")
big = b"m" + b"1" * 20000
c.raw(frame(big))
check("overlong-packet", c.read_packet() == "E22")
healthy(c, "overlong")
c.raw(frame(b"m100\x00000,4"))
check("nul-in-packet", c.read_packet() == "E22")
check("empty-packet", c.cmd("") == "")

# Bad arguments.
for name, pkt, want in [
    ("m-bad-hex", "mzz,4", "E22"),
    ("m-no-length", "m100000", "E22"),
    ("m-huge-addr", "m" + "f" * 30 + ",4", "E22"),
    ("m-huge-len", "m100000,ffffffffffffffffff", "E22"),
    ("m-outside-ram", "mf0000000,10", "E14"),
    ("M-bad-data", "M100000,4:zzzzzzzz", "E22"),
    ("M-short-data", "M100000,4:00", "E22"),
    ("M-huge-len", "M100000,ffffffff:00", "E22"),
    ("G-bad-length", "G" + "0" * 7, "E22"),
    ("p-bad-reg", "pffff", "E22"),
    ("P-bad-size", "P40=12", "E22"),
    ("P-bad-reg", "P9999=00000000", "E22"),
    ("P-readonly", "P%x=00000000" % (71 + 40), "E01"),
    ("Z-bad-addr", "Z0,zz,4", "E22"),
    ("Z-unknown-type", "Z9,100000,4", ""),
    ("Z-zero-length-watch", "Z2,100000,0", "E22"),
    ("Z-watch-wraps", "Z2,ffffffff,8", "E22"),
    ("xfer-other-file", "qXfer:features:read:../../etc/passwd:0,100", "E00"),
    ("xfer-past-end", "qXfer:features:read:target.xml:ffffffff,10", "l"),
    ("rcmd-bad-hex", "qRcmd,zz", "E22"),
    ("c-bad-addr", "cxyz", "E22"),
    ("unknown-v", "vFooBar;1", ""),
    ("unknown-letter", "!", ""),
    ("thread-bad", "T5", "E01"),
]:
    try:
        r = c.cmd(pkt)
        check(name, r == want, "got %r" % r)
    except Exception as e:  # noqa: BLE001
        check(name, False, repr(e))
healthy(c, "bad-arguments")

r = c.cmd("qXfer:features:read:target.xml:0,ffffffffffffffff")
check("xfer-huge-len-capped", r[:1] in ("m", "l") and len(r) <= 4100, "len %d" % len(r))
c.raw(frame("qRcmd," + b"help".hex()))
r = c.read_packet(skip_o=False)
check("monitor-help", r.startswith("O") and "step-irq" in bytes.fromhex(r[1:]).decode(), r[:40])
check("monitor-help-ok", c.read_packet() == "OK")

# Limits: hardware breakpoints and watchpoints run out cleanly.
hw = [c.cmd("Z1,%x,4" % (0x300000 + 4 * i)) for i in range(6)]
check("hw-breakpoint-limit", hw[:4] == ["OK"] * 4 and hw[4] == "E28", repr(hw))
for i in range(6):
    c.cmd("z1,%x,4" % (0x300000 + 4 * i))
wp = [c.cmd("Z2,%x,4" % (0x300000 + 8 * i)) for i in range(10)]
check("watchpoint-limit", wp[:8] == ["OK"] * 8 and wp[8] == "E28", repr(wp))
for i in range(10):
    c.cmd("z2,%x,4" % (0x300000 + 8 * i))
check("remove-absent-breakpoint", c.cmd("z0,12345678,4") == "OK")

# Registers and memory round trips.
pc = c.cmd("p40")
check("read-pc", pc == "00100100", pc)
check("write-gpr", c.cmd("P3=deadbeef") == "OK" and c.cmd("p3") == "deadbeef")
g = c.cmd("g")
check("g-size", len(g) == 2 * (32 * 4 + 32 * 8 + 7 * 4 + 41 * 4), "len %d" % len(g))
check("G-roundtrip", c.cmd("G" + g) == "OK" and c.cmd("g") == g)
# Guest time stands still while gdb holds the guest (DEC is register 94, TBL 96).
check("write-dec", c.cmd("P5e=7fffffff") == "OK")
tb0 = int(c.cmd("p60"), 16)
time.sleep(0.3)
dec = int(c.cmd("p5e"), 16)
tb1 = int(c.cmd("p60"), 16)
# 0.3 s at the 400 MHz timebase would be 120M ticks; allow 10 ms of slack.
check("time-frozen-dec", 0x7fffffff - dec < 4000000, "dec %#x" % dec)
check("time-frozen-tb", tb1 == tb0, "%#x -> %#x" % (tb0, tb1))
check("restore-dec", c.cmd("P5e=00000000") == "OK")
orig = c.cmd("m200000,8")
# nop; b .-4 (a loop hv440 does not take for a halt, as it does "b ." with interrupts off)
loop = "600000004bfffffc"
check("write-memory", c.cmd("M200000,8:" + loop) == "OK" and c.cmd("m200000,8") == loop)

# A second client is refused; the first keeps its session.
c2 = socket.create_connection(("127.0.0.1", port), timeout=10)
got = b""
try:
    while True:
        d = c2.recv(100)
        if not d:
            break
        got += d
except OSError:
    pass
c2.close()
check("second-client-refused", b"another gdb is attached" in got, repr(got))
healthy(c, "second-client")

# Continue into the loop at 0x200000, Ctrl-C stops it with SIGINT there.
c.raw(frame("c200000"))
time.sleep(0.3)
c.raw(b"\x03")
r = c.read_packet()
check("ctrl-c", r.startswith("T02"), r)
check("ctrl-c-pc", c.cmd("p40") in ("00200000", "00200004"))

# The client vanishes while the guest runs: hv440 keeps going; a new client can attach.
c.raw(frame("c"))
time.sleep(0.2)
c.close()
time.sleep(0.3)
check("vanish-running-hv-alive", alive())
c = Client()
r = c.cmd("?")
check("reattach-stops-guest", r.startswith("T"), r)
check("reattach-pc-in-loop", c.cmd("p40") in ("00200000", "00200004"))
# Put things back, set a breakpoint and detach: it goes, the guest runs to its end.
check("restore", c.cmd("P40=" + pc) == "OK" and c.cmd("M200000,8:" + orig) == "OK")

# FP arithmetic run hot: fadd f1,f1,f2; b .-4 from f1 = 2^53 - 10^6, f2 = 1, FPSCR = XX. The sums
# are exact until f1 reaches 2^53 (FI clear; after the first resume the core steps through up to
# 50,000 instructions in the interpreter), then inexact for good, in the JIT, in line, their FI and
# FPRF lazy. A stop (Ctrl-C) seconds later: register 70 must show XX, FI and FPRF + normal.
saved = {r: c.cmd("p" + r) for r in ("41", "46", "21", "22")}
msr = int(saved["41"], 16) | 0x2000  # MSR[FP]
ok = all(c.cmd(w) == "OK" for w in ("M200000,8:fc21102a4bfffffc", "P41=%08x" % msr, "P46=02000000",
                                     "P21=433ffffffff0bdc0", "P22=3ff0000000000000"))
c.raw(frame("c200000"))
time.sleep(0.5)
c.raw(b"\x03")
r = c.read_packet()
fpscr, f1 = c.cmd("p46"), c.cmd("p21")
check("fpscr-after-inline-fp", ok and r.startswith("T02") and fpscr == "02024000" and
      f1 == "4340000000000000", "%s fpscr %s f1 %s" % (r, fpscr, f1))
check("fp-restore", all(c.cmd("P%s=%s" % (k, v)) == "OK" for k, v in saved.items()) and
      c.cmd("P40=" + pc) == "OK" and c.cmd("M200000,8:" + orig) == "OK")
check("break-before-detach", c.cmd("Z0,100100,4") == "OK")
check("detach", c.cmd("D") == "OK")
try:
    closed = c.s.recv(100) == b""
except OSError:
    closed = True
check("detach-closes", closed)
c.close()
print("protocol: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
