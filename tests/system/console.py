#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# console.py - hold one connection to a partition's console socket for a whole test.
# Usage: console.py SOCKET LOG FIFO
# Connects to SOCKET (retrying while it does not exist yet, and again after the partition
# restarts), appends everything the guest prints to LOG, and sends the guest whatever is
# written to FIFO. One long connection, because hv440's unix: console takes one client and
# only notices a client left when the guest next reads its input.
import os
import select
import socket
import sys
import time

path, log_path, fifo_path = sys.argv[1:4]
fifo = os.open(fifo_path, os.O_RDWR | os.O_NONBLOCK)  # RDWR: never sees EOF
log = open(log_path, "ab", buffering=0)
while True:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError:
        s.close()
        time.sleep(0.1)
        continue
    while True:
        r, _, _ = select.select([s, fifo], [], [])
        if s in r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                break
            log.write(data)
        if fifo in r:
            data = os.read(fifo, 4096)
            try:
                s.sendall(data)
            except OSError:
                break
    s.close()
    log.write(b"\n[console.py: connection closed]\n")
