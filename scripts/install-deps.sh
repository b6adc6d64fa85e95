#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install-deps.sh - install the Debian 12 packages hv440 needs to build, run and test.
# Usage: scripts/install-deps.sh [build|disk|test|bench|lava]
#   build: what building and running hv440 needs; disk: build + mkfs.ext4 (scripts/make-disk.sh);
#   test: build + everything the test tiers use; bench: test + the host load and plots of bench/;
#   lava: test + lava-dispatcher for tests/lava (150 packages, 260 MB, not part of test)
set -euo pipefail
what=${1:-build}
build_pkgs=(meson ninja-build gcc clang pkg-config libfdt-dev zlib1g-dev device-tree-compiler libslirp-dev libglib2.0-dev libseccomp-dev libzstd-dev)
test_pkgs=(gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu qemu-system-ppc ipxe-qemu u-boot-tools zstd cpio
           python3 gdb-multiarch e2fsprogs libclang-rt-14-dev iproute2 iputils-ping curl wget)
pkgs=("${build_pkgs[@]}")
case "$what" in
build) ;;
disk) pkgs+=(e2fsprogs) ;;
test) pkgs+=("${test_pkgs[@]}") ;;
bench) pkgs+=("${test_pkgs[@]}" qemu-user stress-ng python3-matplotlib) ;;
lava) pkgs+=("${test_pkgs[@]}" lava-dispatcher) ;;
*) echo "usage: $0 [build|disk|test|bench|lava]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
