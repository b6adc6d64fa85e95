#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the virtio tier: tests/virtio/run.sh BUILD_DIR [TEST...]
# Boots Linux guests with virtio-blk/net/console/rng (see virtio_tests.py for the list; the TAP
# test needs root and iproute2). Prints PASS/FAIL per test and "N passed, N failed"; failing tests
# leave console logs in BUILD_DIR/test-logs/virtio/. The hostile-driver tests are in the unit tier
# (tests/unit/test_virtio.c).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec nice -n 10 python3 "$here/virtio_tests.py" "$@"
