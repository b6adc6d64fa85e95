#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the LAVA tier: tests/lava/run.sh BUILD_DIR [TEST...] (native qemu_reference qemu_dictionary
# literal_cmdline). lava-run (Debian's lava-dispatcher; scripts/install-deps.sh lava) boots a bamboo
# job with hv440 in place of qemu-system-ppc; prints PASS/FAIL/SKIP and "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/lava_tests.py" "$@"
