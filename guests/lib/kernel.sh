# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2154  # here, name, out, kbuild, fragment, need_pkgs: set by the recipe
# kernel.sh - what the kernel recipes (build-kernel.sh, build-kernel-ppc44x.sh) share; sourced,
# not run. A recipe sets `here` (its folder), sources this, sets `name`, `fragment`, `out`,
# `kbuild` and `need_pkgs`, then calls:
#   kernel_args "$@"             --config-only / --force into config_only / force
#   kernel_deps                  installs the missing need_pkgs (root or sudo)
#   kernel_hash FILE...          inputs_hash: the linux-source version, the recipe, this file, FILE...
#   kernel_up_to_date OUTPUT...  true when every OUTPUT exists and was built from inputs_hash
#   kernel_source                unpacks Debian's linux-source-6.1 once under guests/cache/src
#   kernel_config DEFCONFIG      DEFCONFIG + fragment + olddefconfig in kbuild, every line checked
#   kernel_check_fragment FILE   fails unless every CONFIG_ line of FILE survived in kbuild/.config
# and uses kmake (make in the source tree with O=kbuild) and log.

cache="$here/cache"
src_parent="$cache/src"
src="$src_parent/linux-source-6.1"
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${JOBS:-2}

log() { echo "$name: $*" >&2; }

kernel_args() {
	config_only=0
	force=0
	local arg
	for arg in "$@"; do
		case "$arg" in
		--config-only) config_only=1 ;;
		--force) force=1 ;;
		*) echo "usage: $0 [--config-only] [--force]" >&2; exit 2 ;;
		esac
	done
}

kernel_deps() {
	local p missing=() sudo_cmd=()
	for p in "${need_pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	log "installing ${missing[*]}"
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}"
}

kernel_hash() {
	src_version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	inputs_hash=$( { echo "linux-source-6.1 $src_version"; cat "$0" "${BASH_SOURCE[0]}" "$@"; } |
		       sha256sum | cut -d' ' -f1)
}

kernel_up_to_date() {
	local f
	[ "$force" -eq 0 ] && [ "$config_only" -eq 0 ] || return 1
	for f in "$@"; do
		[ -s "$out/$f" ] || return 1
	done
	[ "$(cat "$out/inputs.sha256" 2>/dev/null)" = "$inputs_hash" ]
}

# A fresh source tree whenever the package version changes; the stamp records which one we have.
kernel_source() {
	mkdir -p "$src_parent" "$out"
	if [ "$(cat "$src_parent/.version" 2>/dev/null)" != "$src_version" ] || [ ! -d "$src" ]; then
		log "unpacking $tarball ($src_version)"
		rm -rf "$src" "$kbuild"
		tar -C "$src_parent" -xf "$tarball"
		echo "$src_version" > "$src_parent/.version"
	fi
}

# Fixed identity and time stamp so two builds of the same inputs give the same image.
export KBUILD_BUILD_USER=hv440 KBUILD_BUILD_HOST=guests KBUILD_BUILD_VERSION=1
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
kmake() {
	make -C "$src" ARCH=powerpc CROSS_COMPILE=powerpc-linux-gnu- O="$kbuild" -j"$jobs" "$@"
}

# merge_config only warns when a fragment line does not survive; make that an error.
kernel_check_fragment() {
	local line sym
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qxF "$line" "$kbuild/.config" ||
			{ log "$(basename "$1") line not in final .config: $line"; exit 1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$kbuild/.config" ||
			{ log "$(basename "$1") disables $sym but it is set"; exit 1; } ;;
		esac
	done < "$1"
}

# kernel_merge FILE [LOGNAME]: FILE merged into kbuild/.config, olddefconfig, checked.
kernel_merge() {
	(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$kbuild" "$kbuild/.config" "$1") > \
		"$kbuild/${2:-merge_config.log}"
	kmake -s olddefconfig
	kernel_check_fragment "$1"
}

kernel_config() {
	log "configuring: $1 + $(basename "$fragment")"
	mkdir -p "$kbuild"
	kmake -s "$1"
	kernel_merge "$fragment"
}
