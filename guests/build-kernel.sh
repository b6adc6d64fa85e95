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
#               until linux/fsl-hv-manager-44x.patch lets the 440 have it, and the 440's own
#               watchdog as /dev/watchdog (CONFIG_BOOKE_WDT): the kernel of a system's
#               partitions in the system tier (docs/system.md); built last, incrementally
# The work is skipped when all outputs exist and the hash of the inputs (this script, the
# fragment, the patches and the linux-source package version) is the one they were built from.
# The steps both kernel recipes share are in lib/kernel.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/kernel.sh
. "$here/lib/kernel.sh"
name=build-kernel
out="$cache/linux-6.1-bamboo"
kbuild="$cache/kbuild-6.1-bamboo"
fragment="$here/linux/config.fragment"
# applied in this order for vmlinux-pv, reverted in the opposite order
pvpatches=("$here/linux/kvm-magic-page-selftest.patch" "$here/linux/kvm-tmp-1mib.patch")
# vmlinux-mgr: vmlinux-pv's patches, then these, then mgr_fragment on top of vmlinux-pv's config
mgrpatches=("$here/linux/fsl-hv-manager-44x.patch")
mgr_fragment="$here/linux/mgr.fragment"
# Debian packages the recipe needs; installed only when missing (needs root or sudo).
need_pkgs=(gcc-powerpc-linux-gnu libc6-dev-powerpc-cross linux-source-6.1 bc bison flex cpio
	   make u-boot-tools xz-utils patch)

kernel_args "$@"
kernel_deps
kernel_hash "$fragment" "${pvpatches[@]}" "${mgrpatches[@]}" "$mgr_fragment"
if kernel_up_to_date vmlinux vmlinux-pv vmlinux-mgr uImage; then
	log "up to date ($out)"
	exit 0
fi
kernel_source

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

kernel_config 44x/bamboo_defconfig
log "olddefconfig done: $kbuild/.config"
if [ "$config_only" -eq 1 ]; then
	exit 0
fi

log "building vmlinux and uImage (several minutes)"
kmake vmlinux uImage
cp "$kbuild/vmlinux" "$out/vmlinux.tmp"
cp "$kbuild/arch/powerpc/boot/uImage" "$out/uImage.tmp"
cp "$kbuild/.config" "$out/config"

log "building vmlinux-pv (with $(for p in "${pvpatches[@]}"; do basename "$p"; done | paste -sd' '))"
trap revert_pv EXIT
for p in "${pvpatches[@]}"; do
	patch -d "$src" -p1 -s < "$p"
done
kmake vmlinux
cp "$kbuild/vmlinux" "$out/vmlinux-pv.tmp"

log "building vmlinux-mgr (vmlinux-pv with $(for p in "${mgrpatches[@]}"; do basename "$p"; done |
	paste -sd' ') and $(basename "$mgr_fragment"))"
for p in "${mgrpatches[@]}"; do
	patch -d "$src" -p1 -s < "$p"
done
kernel_merge "$mgr_fragment" merge_config-mgr.log
kmake vmlinux
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
