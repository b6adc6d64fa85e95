#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the Linux boot test tier: tests/boot/run.sh BUILD_DIR [--vmm hv440|qemu] [TEST...]
# Tests: all_sh interactive buildroot_uimage dtb_roundtrip reboot poweroff_halts
# plain_reboot_poweroff sigstop_holds_time sigint serial_file serial_unix serial_pty escape_key
# sysrq sandbox ptrace (all but the first three and sysrq are hv440 only). Prints PASS/FAIL per test and
# "N passed, N failed"; failing tests leave console logs in BUILD_DIR/test-logs/boot/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/boot_tests.py" "$@"
