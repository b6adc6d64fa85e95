# SPDX-License-Identifier: MIT
# console.py - drive a VMM's serial console over stdin/stdout pipes, expect-style (stdlib only).
"""Spawn a VMM whose guest console is its stdin/stdout, wait for output
patterns with timeouts, send lines, and keep the whole console log so a
failing test can leave it in a file.

Every wait is bounded twice: by its own timeout and by the deadline of the
whole session, so a hung guest can never hang the test run.
"""

import os
import re
import signal
import subprocess
import threading
import time


class ConsoleError(Exception):
    """An expectation was not met: timeout, VMM exit or a bad exit status."""


class Console:
    """One VMM process and everything it printed."""

    def __init__(self, argv, deadline_s, env=None):
        self.argv = list(argv)
        self.deadline = time.monotonic() + deadline_s
        self._buf = bytearray()
        self._pos = 0		# expect() searches from here; a match moves it past the match
        self._eof = False
        self._cond = threading.Condition()
        # A new session so that closing can signal the VMM and anything it forked.
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self._buf += chunk
                self._cond.notify_all()

    def _remaining(self, timeout):
        return min(timeout, self.deadline - time.monotonic())

    def text(self, start=0, end=None):
        """The console output from byte offset start, CRs dropped."""
        with self._cond:
            data = bytes(self._buf[start:end])
        return data.decode("utf-8", "replace").replace("\r", "")

    @property
    def pos(self):
        return self._pos

    def expect(self, pattern, timeout, flags=re.MULTILINE):
        """Wait until pattern (a regex on bytes, CRs removed) appears after the
        last match; return the match. Raises ConsoleError on timeout or EOF."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern,
                        flags)
        start = time.monotonic()
        end = start + self._remaining(timeout)
        with self._cond:
            while True:
                # Serial consoles end lines with CR LF; matching is easier without the CR.
                view = bytes(self._buf[self._pos:])
                clean = view.replace(b"\r", b"")
                m = rx.search(clean)
                if m:
                    self._pos += self._raw_offset(view, m.end())
                    return m
                if self._eof:
                    raise ConsoleError(f"VMM output ended before /{rx.pattern.decode()}/"
                                       f" (exit status {self._status_after_eof()})")
                left = end - time.monotonic()
                if left <= 0:
                    raise ConsoleError(f"timeout after {time.monotonic() - start:.0f} s"
                                       f" waiting for /{rx.pattern.decode()}/")
                self._cond.wait(min(left, 1.0))

    def _status_after_eof(self):
        """The VMM closed its output: give it a moment to exit so the report has a status."""
        try:
            return self.proc.wait(5)
        except subprocess.TimeoutExpired:
            return "none yet: still running"

    @staticmethod
    def _raw_offset(view, clean_off):
        """Map an offset in the CR-less text back to an offset in the raw bytes."""
        seen = 0
        for i, b in enumerate(view):
            if seen == clean_off:
                return i
            if b != 0x0D:
                seen += 1
        return len(view)

    def send(self, line):
        """Type one line on the guest console (newline appended)."""
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as e:
            raise ConsoleError(f"cannot send {line!r}: VMM stdin closed ({e})")

    def run(self, cmd, timeout=60):
        """Run a shell command in the guest; return (exit status, output).
        The status marker's digits never occur in the echoed command line,
        so the echo cannot satisfy the wait."""
        start = self._pos
        self.send(f"{cmd}; echo @@rc=$?@@")
        m = self.expect(r"@@rc=(\d+)@@", timeout)
        out = self.text(start, self._pos)
        # Drop the echoed command line and the marker from the output.
        lines = out.split("\n")
        if lines and "@@rc=$?@@" in lines[0]:
            lines = lines[1:]
        out = "\n".join(lines)
        out = out[:out.rfind("@@rc=")]
        return int(m.group(1)), out

    def wait_exit(self, timeout):
        """Wait for the VMM to exit by itself; return its exit status."""
        try:
            return self.proc.wait(max(0.1, self._remaining(timeout)))
        except subprocess.TimeoutExpired:
            raise ConsoleError(f"VMM still running {timeout} s later")

    def close(self):
        """Stop the VMM if it still runs (TERM, then KILL) and reap it."""
        if self.proc.poll() is None:
            for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        self._reader.join(2)

    def save_log(self, path):
        """Write the whole console log (with the command line) to path."""
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as f:
            f.write("# " + " ".join(self.argv) + "\n")
            f.write(self.text())
        return path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
