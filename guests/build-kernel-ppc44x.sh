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
# unpacked once under guests/cache/src, shared with build-kernel.sh (which leaves it pristine).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache="$here/cache"
out="$cache/linux-6.1-ppc44x"
src_parent="$cache/src"
src="$src_parent/linux-source-6.1"
kbuild="$cache/kbuild-6.1-ppc44x"
fragment="$here/linux/ppc44x.config.fragment"
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${JOBS:-2}

config_only=0
force=0
for arg in "$@"; do
	case "$arg" in
	--config-only) config_only=1 ;;
	--force) force=1 ;;
	*) echo "usage: $0 [--config-only] [--force]" >&2; exit 2 ;;
	esac
done

log() { echo "build-kernel-ppc44x: $*" >&2; }

need_pkgs=(gcc-powerpc-linux-gnu libc6-dev-powerpc-cross linux-source-6.1 bc bison flex make
	   xz-utils)
missing=()
for p in "${need_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}"
fi

src_version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
inputs_hash=$( { echo "linux-source-6.1 $src_version"; cat "$0" "$fragment"; } |
	       sha256sum | cut -d' ' -f1)
if [ $force -eq 0 ] && [ $config_only -eq 0 ] && [ -s "$out/vmlinux" ] &&
   [ "$(cat "$out/inputs.sha256" 2>/dev/null)" = "$inputs_hash" ]; then
	log "up to date ($out)"
	exit 0
fi

mkdir -p "$src_parent" "$out"
if [ "$(cat "$src_parent/.version" 2>/dev/null)" != "$src_version" ] || [ ! -d "$src" ]; then
	log "unpacking $tarball ($src_version)"
	rm -rf "$src" "$kbuild"
	tar -C "$src_parent" -xf "$tarball"
	echo "$src_version" > "$src_parent/.version"
fi

export KBUILD_BUILD_USER=hv440 KBUILD_BUILD_HOST=guests KBUILD_BUILD_VERSION=1
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
kmake=(make -C "$src" ARCH=powerpc CROSS_COMPILE=powerpc-linux-gnu- O="$kbuild" -j"$jobs")

log "configuring: 44x/ppc44x_defconfig + $(basename "$fragment")"
mkdir -p "$kbuild"
"${kmake[@]}" -s ppc44x_defconfig
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$kbuild" "$kbuild/.config" "$fragment") > \
	"$kbuild/merge_config.log"
"${kmake[@]}" -s olddefconfig

# merge_config only warns when a fragment line does not survive; make that an error.
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$kbuild/.config" ||
		{ log "fragment line not in final .config: $line"; exit 1; } ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$kbuild/.config" ||
		{ log "fragment disables $sym but it is set"; exit 1; } ;;
	esac
done < "$fragment"
# Both boards' platforms must be in: the point of this kernel.
for sym in CONFIG_BAMBOO CONFIG_CANYONLANDS CONFIG_PPC4xx_PCI_EXPRESS; do
	grep -qx "$sym=y" "$kbuild/.config" || { log "$sym is not set"; exit 1; }
done
log "olddefconfig done: $kbuild/.config"
if [ $config_only -eq 1 ]; then
	exit 0
fi

log "building vmlinux (about 10 minutes on 2 cores)"
"${kmake[@]}" vmlinux
cp "$kbuild/vmlinux" "$out/vmlinux.tmp"
cp "$kbuild/.config" "$out/config"
mv "$out/vmlinux.tmp" "$out/vmlinux"
echo "$inputs_hash" > "$out/inputs.sha256"
log "done: $out/vmlinux"
