# SPDX-License-Identifier: MIT
# control.py - a client of hv440's control socket (--control unix:PATH; docs/measuring.md),
# shared by the snapshot tests and the benchmarks.
"""request(path, command) sends one command line and returns the answer.

The socket is retried until it accepts (hv440 may still be starting) for up
to connect_timeout seconds; a descriptor can ride along (SCM_RIGHTS), as
`snapshot FILE` under the sandbox needs; `done` says when the answer is
whole (default: one line)."""

import socket
import time


class ControlError(Exception):
    pass


def one_line(buf):
    return buf.endswith(b"\n")


def request(path, command, timeout=60, fd=None, done=one_line, connect_timeout=None):
    end = time.monotonic() + (timeout if connect_timeout is None else connect_timeout)
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            break
        except OSError:
            s.close()
            if time.monotonic() > end:
                raise ControlError(f"control socket {path}: cannot connect") from None
            time.sleep(0.02)
    with s:
        s.settimeout(timeout)
        line = (command + "\n").encode()
        if fd is None:
            s.sendall(line)
        else:
            socket.send_fds(s, [line], [fd])
        buf = b""
        while not done(buf):
            d = s.recv(4096)
            if not d:
                break
            buf += d
    return buf.decode().strip()
