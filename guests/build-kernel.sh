#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build-kernel.sh - build the Linux 6.1 bamboo guest kernels from Debian's linux-source-6.1.
#
# Usage: guests/build-kernel.sh [--config-only] [--force]
#   --config-only  stop after olddefconfig (proves the recipe without the 5-minute compile)
#   --force        rebuild even when the outputs are up to date
#
# Writes guests/cache/linux-6.1-bamboo/{vmlinux,vmlinux-pv,vmlinux-mgr,uImage,config}:
#   vmlinux     44x/bamboo_defconfig + linux/config.fragment, ELF
#   uImage      the same kernel as a U-Boot image ("make uImage": gzip payload, load/entry 0)
#   vmlinux-pv  the same kernel with the paravirt patches (pvpatches below):
#               linux/kvm-magic-page-selftest.patch, so a 32-bit guest's magic-page self-test
#               succeeds and it patches itself for the paravirt interface, and
#               linux/kvm-tmp-1mib.patch, a 1 MiB kvm_tmp so that the patch pass has room for
#               every site of the bamboo kernel (64 KiB holds about a quarter of them)
#   vmlinux-mgr vmlinux-pv plus Linux's hypervisor management driver (/dev/fsl-hv,
#               CONFIG_FSL_HV_MANAGER, linux/mgr.fragment), which Kconfig offers only to FSL SoCs
#               until linux/fsl-hv-manager-44x.patch lets the 440 have it: the kernel of a
#               system's managing partition (docs/system.md); built last, incrementally
# The work is skipped when all outputs exist and the hash of the inputs (this script, the
# fragment, the patches and the linux-source package version) is the one they were built from.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache="$here/cache"
out="$cache/linux-6.1-bamboo"
src_parent="$cache/src"
src="$src_parent/linux-source-6.1"
kbuild="$cache/kbuild-6.1-bamboo"
fragment="$here/linux/config.fragment"
# applied in this order for vmlinux-pv, reverted in the opposite order
pvpatches=("$here/linux/kvm-magic-page-selftest.patch" "$here/linux/kvm-tmp-1mib.patch")
# vmlinux-mgr: vmlinux-pv's patches, then these, then mgr_fragment on top of vmlinux-pv's config
mgrpatches=("$here/linux/fsl-hv-manager-44x.patch")
mgr_fragment="$here/linux/mgr.fragment"
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

log() { echo "build-kernel: $*" >&2; }

# Debian packages the recipe needs; installed only when missing (needs root or sudo).
need_pkgs=(gcc-powerpc-linux-gnu libc6-dev-powerpc-cross linux-source-6.1 bc bison flex cpio
	   make u-boot-tools xz-utils patch)
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
inputs_hash=$( { echo "linux-source-6.1 $src_version"; cat "$0" "$fragment" "${pvpatches[@]}" \
	"${mgrpatches[@]}" "$mgr_fragment"; } |
	       sha256sum | cut -d' ' -f1)
if [ $force -eq 0 ] && [ $config_only -eq 0 ] &&
   [ -s "$out/vmlinux" ] && [ -s "$out/vmlinux-pv" ] && [ -s "$out/vmlinux-mgr" ] && [ -s "$out/uImage" ] &&
   [ "$(cat "$out/inputs.sha256" 2>/dev/null)" = "$inputs_hash" ]; then
	log "up to date ($out)"
	exit 0
fi

# A fresh source tree whenever the package version changes; the stamp records which one we have.
mkdir -p "$src_parent" "$out"
if [ "$(cat "$src_parent/.version" 2>/dev/null)" != "$src_version" ] || [ ! -d "$src" ]; then
	log "unpacking $tarball ($src_version)"
	rm -rf "$src" "$kbuild"
	tar -C "$src_parent" -xf "$tarball"
	echo "$src_version" > "$src_parent/.version"
fi

# revert_pv: undo whichever paravirt and manager patches are applied (last first), so the
# tree is pristine.
revert_pv() {
	local i p all=("${pvpatches[@]}" "${mgrpatches[@]}")
	for ((i = ${#all[@]} - 1; i >= 0; i--)); do
		p=${all[i]}
		if patch -d "$src" -p1 -R --dry-run -s -f < "$p" > /dev/null 2>&1; then
			patch -d "$src" -p1 -R -s < "$p"
			log "reverted $(basename "$p")"
		fi
	done
}

# An interrupted earlier run may have left paravirt patches applied; start from pristine.
revert_pv

# Fixed identity and time stamp so two builds of the same inputs give the same image.
export KBUILD_BUILD_USER=hv440 KBUILD_BUILD_HOST=guests KBUILD_BUILD_VERSION=1
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
kmake=(make -C "$src" ARCH=powerpc CROSS_COMPILE=powerpc-linux-gnu- O="$kbuild" -j"$jobs")

log "configuring: 44x/bamboo_defconfig + $(basename "$fragment")"
mkdir -p "$kbuild"
"${kmake[@]}" -s 44x/bamboo_defconfig
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
log "olddefconfig done: $kbuild/.config"
if [ $config_only -eq 1 ]; then
	exit 0
fi

log "building vmlinux and uImage (several minutes)"
"${kmake[@]}" vmlinux uImage
cp "$kbuild/vmlinux" "$out/vmlinux.tmp"
cp "$kbuild/arch/powerpc/boot/uImage" "$out/uImage.tmp"
cp "$kbuild/.config" "$out/config"

log "building vmlinux-pv (with $(for p in "${pvpatches[@]}"; do basename "$p"; done | paste -sd' '))"
trap revert_pv EXIT
for p in "${pvpatches[@]}"; do
	patch -d "$src" -p1 -s < "$p"
done
"${kmake[@]}" vmlinux
cp "$kbuild/vmlinux" "$out/vmlinux-pv.tmp"

log "building vmlinux-mgr (vmlinux-pv with $(for p in "${mgrpatches[@]}"; do basename "$p"; done |
	paste -sd' ') and $(basename "$mgr_fragment"))"
for p in "${mgrpatches[@]}"; do
	patch -d "$src" -p1 -s < "$p"
done
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$kbuild" "$kbuild/.config" "$mgr_fragment") > \
	"$kbuild/merge_config-mgr.log"
"${kmake[@]}" -s olddefconfig
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$kbuild/.config" ||
		{ log "manager fragment line not in final .config: $line"; exit 1; } ;;
	esac
done < "$mgr_fragment"
"${kmake[@]}" vmlinux
cp "$kbuild/vmlinux" "$out/vmlinux-mgr.tmp"
cp "$kbuild/.config" "$out/config-mgr"
revert_pv
trap - EXIT

mv "$out/vmlinux.tmp" "$out/vmlinux"
mv "$out/uImage.tmp" "$out/uImage"
mv "$out/vmlinux-pv.tmp" "$out/vmlinux-pv"
mv "$out/vmlinux-mgr.tmp" "$out/vmlinux-mgr"
echo "$inputs_hash" > "$out/inputs.sha256"
log "done: $out/{vmlinux,vmlinux-pv,vmlinux-mgr,uImage}"
