#!/bin/sh
# ptrace.sh - run=/usr/share/tests/ptrace.sh: the ptrace test (guests/tools/ptrace-test.c).
exec /usr/bin/ptrace-test
