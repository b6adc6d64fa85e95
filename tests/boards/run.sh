#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the boards tier: tests/boards/run.sh BUILD_DIR [TEST...]
# -M/--machine on the command line, and the multi-board ppc44x kernel booting on -M bamboo and
# -M sam460ex with the JIT and the interpreter (virtio disk and rng, /bench/all.sh); see
# boards_tests.py. Prints PASS/FAIL per test and "N passed, N failed"; failing tests leave console
# logs in BUILD_DIR/test-logs/boards/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec nice -n 10 python3 "$here/boards_tests.py" "$@"
