#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the qemu-cli tier: tests/qemu/run.sh BUILD_DIR [--vmm hv440|qemu] [TEST...]
# Runs real qemu-system-ppc -M bamboo command lines (boot-utils ppc32, buildroot's start script,
# LAVA-style -drive/-netdev/-device with -snapshot, serial sockets, -daemonize) with only the
# program name changed; prints PASS/FAIL per test and "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/qemu_tests.py" "$@"
