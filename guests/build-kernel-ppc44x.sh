#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build-kernel-ppc44x.sh - build the multi-board Linux 6.1 ppc44x guest (bamboo and sam460ex).
#
# Usage: guests/build-kernel-ppc44x.sh [--config-only] [--force]
#   --config-only  stop after olddefconfig (proves the recipe without the 10-minute compile)
#   --force        rebuild even when the output is up to date
#
# Writes guests/cache/linux-6.1-ppc44x/{vmlinux,config}: upstream 44x/ppc44x_defconfig (every
# 44x board: bamboo, canyonlands/460EX, ...) + linux/ppc44x.config.fragment, ELF. The same
# kernel boots on -M bamboo and -M sam460ex (docs/boards.md). Debian's linux-source-6.1 is
# unpacked once under guests/cache/src, shared with build-kernel.sh (which leaves it pristine);
# the steps both recipes share are in lib/kernel.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/kernel.sh
. "$here/lib/kernel.sh"
name=build-kernel-ppc44x
out="$cache/linux-6.1-ppc44x"
kbuild="$cache/kbuild-6.1-ppc44x"
fragment="$here/linux/ppc44x.config.fragment"
need_pkgs=(gcc-powerpc-linux-gnu libc6-dev-powerpc-cross linux-source-6.1 bc bison flex make
	   xz-utils)

kernel_args "$@"
kernel_deps
kernel_hash "$fragment"
if kernel_up_to_date vmlinux; then
	log "up to date ($out)"
	exit 0
fi
kernel_source

kernel_config ppc44x_defconfig
# Both boards' platforms must be in: the point of this kernel.
for sym in CONFIG_BAMBOO CONFIG_CANYONLANDS CONFIG_PPC4xx_PCI_EXPRESS; do
	grep -qx "$sym=y" "$kbuild/.config" || { log "$sym is not set"; exit 1; }
done
log "olddefconfig done: $kbuild/.config"
if [ "$config_only" -eq 1 ]; then
	exit 0
fi

log "building vmlinux (about 10 minutes on 2 cores)"
kmake vmlinux
cp "$kbuild/vmlinux" "$out/vmlinux.tmp"
cp "$kbuild/.config" "$out/config"
mv "$out/vmlinux.tmp" "$out/vmlinux"
echo "$inputs_hash" > "$out/inputs.sha256"
log "done: $out/vmlinux"
