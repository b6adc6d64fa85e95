#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install-deps.sh - install the Debian 12 packages hv440 needs to build, run and test.
# Usage: scripts/install-deps.sh [build|test|lava]   (test = build + everything the test tiers use;
# lava = test + lava-dispatcher for tests/lava: 150 packages, 260 MB, not part of test)
set -euo pipefail
what=${1:-build}
build_pkgs=(meson ninja-build gcc clang pkg-config libfdt-dev zlib1g-dev libzstd-dev device-tree-compiler libslirp-dev libglib2.0-dev libseccomp-dev)
test_pkgs=(gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu qemu-system-ppc ipxe-qemu u-boot-tools zstd cpio
           python3 gdb-multiarch e2fsprogs libclang-rt-14-dev iproute2 iputils-ping curl wget)
pkgs=("${build_pkgs[@]}")
[ "$what" = test ] || [ "$what" = lava ] && pkgs+=("${test_pkgs[@]}")
[ "$what" = lava ] && pkgs+=(lava-dispatcher)
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
