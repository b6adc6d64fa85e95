#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the snapshot tier: tests/snapshot/run.sh BUILD_DIR [TEST...]
# Tests: bad_files sandbox_needs_fd bare_metal_jit bare_metal_interp linux_shell_jit linux_shell_interp
# linux_pv_shell disk_keeps_data all_sh_points; migrate_refused migrate_bare_metal_jit
# migrate_bare_metal_interp migrate_tcp migrate_linux_fork_jit migrate_linux_fork_interp
# migrate_disk_io (migrate_tests.py). Prints PASS/FAIL per test and "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/snapshot_tests.py" "$@"
