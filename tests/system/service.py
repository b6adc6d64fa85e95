#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# service.py - ask a hot-standby service "who are you" before and after a failure, and time the takeover.
# Usage: service.py [--before N] SOCKET FIRST SECOND [CMD ARG...]
# Connects to SOCKET (the supervisor's shared host endpoint), asks until FIRST answers (60 s),
# asks N (5) more times (each answer must be FIRST), runs CMD (e.g. kill -9 PID; none: the
# failure comes by itself), then asks every 20 ms on the same connection until SECOND answers
# (10 s). Prints each answer seen and "takeover S s" (from CMD to SECOND's first answer); exit
# 0 when SECOND answered, only FIRST before CMD and only FIRST or SECOND after it, else 1.
import socket
import subprocess
import sys
import time

args = sys.argv[1:]
before = 5
if args[:1] == ["--before"]:
    before = int(args[1])
    args = args[2:]
path, first, second = args[:3]
cmd = args[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(100):
    try:
        s.connect(path)
        break
    except OSError:
        time.sleep(0.1)
else:
    print(f"cannot connect to {path}")
    sys.exit(1)
s.settimeout(0.02)
buf = b""
bad = []


def ask_until(want, seconds, allowed):
    """Ask every 20 ms; True when a line == want arrived."""
    global buf
    end = time.monotonic() + seconds
    last = 0.0
    while time.monotonic() < end:
        if time.monotonic() - last >= 0.02:
            s.sendall(b"who are you\n")
            last = time.monotonic()
        try:
            data = s.recv(4096)
            if not data:
                print("the service closed the connection")
                return False
            buf += data
        except socket.timeout:
            pass
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            ans = line.decode(errors="replace").strip("\r")
            print(f"answer: {ans}")
            if ans not in allowed:
                bad.append(ans)
            if ans == want:
                return True
    return False


if not ask_until(first, 60, (first,)):
    print(f"no answer {first}")
    sys.exit(1)
for _ in range(before):
    if not ask_until(first, 5, (first,)):
        print(f"{first} stopped answering before the failure")
        sys.exit(1)
t0 = time.monotonic()
if cmd:
    subprocess.run(cmd, check=False)
ok = ask_until(second, 10, (first, second))
t1 = time.monotonic()
print(f"takeover {t1 - t0:.3f} s" if ok else f"no answer {second} within 10 s")
if bad:
    print("unexpected answers: " + ", ".join(bad))
sys.exit(0 if ok and not bad else 1)
