#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the QMP tier: tests/qmp/run.sh BUILD_DIR [TEST...] (bare_metal tcp_and_hold wait_and_client
# against_qemu linux)
# A Python QMP client drives hv440 --qmp on a bare-metal loop and on Linux; prints PASS/FAIL per
# test and "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/qmp_tests.py" "$@"
