#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build-initramfs.sh - build the busybox guest initramfs from Debian's busybox source package.
#
# Usage: guests/build-initramfs.sh [--force] [--native]
#   --native: instead, build the same busybox source with the same config for this host (x86-64,
#   static) into guests/cache/busybox-native/busybox: bench/parts.py's physical limit.
#
# Writes guests/cache/initramfs.cpio.gz: a static, hard-float powerpc busybox built with
# initramfs/busybox.config, plus initramfs/init, bench/*.sh, etc/ and usr/, and guests/tools/*.c
# built static into one multi-call /usr/bin/hv440-tools, run as /usr/bin/NAME (latency: timer
# wake-up latency, see docs/realtime.md; ptrace-test: the guest debug facilities through ptrace,
# run by usr/share/tests/ptrace.sh; partctl: partition management, docs/system.md). The archive is
# reproducible: names sorted, owner 0:0, every mtime SOURCE_DATE_EPOCH, inode numbers
# renumbered, gzip without name or time stamp. Skipped when the output exists and the hash of
# the inputs (this script, every file of initramfs/, the busybox source version) matches.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache="$here/cache"
out="$cache/initramfs.cpio.gz"
work="$cache/busybox-build"
cfg="$here/initramfs/busybox.config"
jobs=${JOBS:-2}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}	# 2026-01-01 00:00:00 UTC

force=0
native=0
for arg in "$@"; do
	case "$arg" in
	--force) force=1 ;;
	--native) native=1 ;;
	*) echo "usage: $0 [--force] [--native]" >&2; exit 2 ;;
	esac
done

log() { echo "build-initramfs: $*" >&2; }

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

need_pkgs=(gcc-powerpc-linux-gnu libc6-dev-powerpc-cross make cpio gzip dpkg-dev)
missing=()
for p in "${need_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}"
fi

# apt-get source needs a deb-src entry; Debian images often ship only binary ones. deb-src.sh
# twins the machine's own entries, so no archive host is named in the project.
"$here/lib/deb-src.sh" busybox
bb_version=$(apt-get source --print-uris busybox 2>/dev/null |
	     sed -n "s/^'[^']*' busybox_\([^ ]*\)\.dsc .*/\1/p")
[ -n "$bb_version" ] || { log "cannot find the busybox source package"; exit 1; }

# Every file of initramfs/ (names, modes, contents) is an input.
inputs_hash=$( { echo "busybox $bb_version $SOURCE_DATE_EPOCH"; cat "$0";
		 (cd "$here/initramfs" && find . -type f | LC_ALL=C sort |
		  while read -r f; do echo "$f $(stat -c %a "$f")"; cat "$f"; done);
		 cat "$here"/tools/*.c; } |
	       sha256sum | cut -d' ' -f1)
if [ $native -eq 1 ]; then
	out="$cache/busybox-native/busybox"
	inputs_hash=$( { echo "busybox $bb_version native"; cat "$0" "$cfg"; } | sha256sum | cut -d' ' -f1)
fi
if [ $force -eq 0 ] && [ -s "$out" ] && [ "$(cat "$out.inputs.sha256" 2>/dev/null)" = "$inputs_hash" ]; then
	log "up to date ($out)"
	exit 0
fi

mkdir -p "$work"
if [ "$(cat "$work/.version" 2>/dev/null)" != "$bb_version" ] ||
   ! ls -d "$work"/busybox-*/ > /dev/null 2>&1; then
	log "fetching busybox $bb_version source"
	rm -rf "$work"
	mkdir -p "$work"
	(cd "$work" && apt-get source -q busybox > apt-source.log 2>&1) ||
		{ cat "$work/apt-source.log" >&2; exit 1; }
	echo "$bb_version" > "$work/.version"
fi
srcdir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'busybox-*' | head -n 1)
[ -f "$srcdir/Makefile" ] || { log "no busybox source tree in $work"; exit 1; }

if [ $native -eq 1 ]; then
	# A copy of the source, so the guest's cross build in the tree is left alone.
	log "building busybox for this host (static, $(uname -m))"
	obj="$cache/busybox-native/src"
	rm -rf "$obj"
	mkdir -p "$(dirname "$obj")"
	cp -a "$srcdir" "$obj"
	make -C "$obj" -s mrproper > /dev/null 2>&1
	cp "$cfg" "$obj/.config"
	make -C "$obj" -s oldconfig < /dev/null > "$obj/oldconfig.log" 2>&1
	make -C "$obj" -j"$jobs" busybox > "$obj/make.log" 2>&1 ||
		{ tail -30 "$obj/make.log" >&2; exit 1; }
	cp "$obj/busybox" "$out"
	echo "$inputs_hash" > "$out.inputs.sha256"
	log "done: $out"
	exit 0
fi

log "building busybox (static, powerpc-linux-gnu-)"
bbmake=(make -C "$srcdir" CROSS_COMPILE=powerpc-linux-gnu- KBUILD_BUILD_TIMESTAMP=@"$SOURCE_DATE_EPOCH")
cp "$cfg" "$srcdir/.config"
"${bbmake[@]}" -s oldconfig < /dev/null > "$work/oldconfig.log" 2>&1
grep -qx 'CONFIG_STATIC=y' "$srcdir/.config" || { log "config lost CONFIG_STATIC"; exit 1; }
"${bbmake[@]}" -j"$jobs" busybox > "$work/make.log" 2>&1 ||
	{ tail -30 "$work/make.log" >&2; exit 1; }

root="$work/rootfs"
rm -rf "$root"
"${bbmake[@]}" CONFIG_PREFIX="$root" install > "$work/install.log" 2>&1
mkdir -p "$root"/{bench,dev,etc,mnt,proc,root,sys,tmp}
# init, bench/, etc/ and usr/ of initramfs/ as they are (busybox.config is the build's, not the guest's).
(cd "$here/initramfs" && find . -type f ! -name busybox.config | LC_ALL=C sort |
	while read -r f; do install -D -m "$(stat -c %a "$f")" "$f" "$root/$f"; done)

# The guest's own tools (guests/tools/*.c) in one static multi-call binary, /usr/bin/hv440-tools,
# with a symlink /usr/bin/NAME per tool that it dispatches on (as busybox does): static glibc is
# about 700 KB a copy, and a copy per tool left a 16 MiB guest out of memory at boot. Each tool
# keeps its own main(), compiled as NAME_main (-Dmain=...).
mkdir -p "$root/usr/bin" "$work/tools"
tools=()
for f in "$here"/tools/*.c; do
	name=$(basename "$f" .c)
	powerpc-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -Dmain="${name//-/_}_main" -c \
		-o "$work/tools/$name.o" "$f" || { log "cannot build guests/tools/$name.c"; exit 1; }
	tools+=("$name")
done
{
	printf '#include <stdio.h>\n#include <string.h>\n'
	for n in "${tools[@]}"; do printf 'int %s_main(int argc, char **argv);\n' "${n//-/_}"; done
	printf 'int main(int argc, char **argv)\n{\n'
	printf '\tconst char *n = strrchr(argv[0], 0x2f) ? strrchr(argv[0], 0x2f) + 1 : argv[0];\n\n'
	for n in "${tools[@]}"; do
		printf '\tif (!strcmp(n, "%s"))\n\t\treturn %s_main(argc, argv);\n' "$n" "${n//-/_}"
	done
	printf '\tfprintf(stderr, "hv440-tools: no tool called %%s\\n", n);\n\treturn 127;\n}\n'
} > "$work/tools/main.c"
powerpc-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$root/usr/bin/hv440-tools" \
	"$work/tools/main.c" "$work"/tools/*.o || { log "cannot link guests/tools"; exit 1; }
powerpc-linux-gnu-strip "$root/usr/bin/hv440-tools"
for n in "${tools[@]}"; do ln -s hv440-tools "$root/usr/bin/$n"; done

# Reproducible archive: fixed mtimes (symlinks too), sorted names, no host uid/inode/devno.
find "$root" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
echo "$inputs_hash" > "$out.inputs.sha256"
log "done: $out ($(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -c1-16)...)"
