#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# guest-path.sh - print the path of a guest artifact, from the shared prebuilt cache or our own.
#
# Usage: tests/lib/guest-path.sh kernel|kernel-pv|kernel-mgr|uimage|kernel-ppc44x|initrd|buildroot
# (kernel-ppc44x: the multi-board ppc44x_defconfig kernel that boots -M bamboo and -M sam460ex)
# Prefers ../shared/guests (next to the repository) when it holds the artifact; otherwise uses
# guests/cache/, running the guests/ recipe first when the artifact is missing there.
# Progress goes to stderr so that "$(guest-path.sh kernel)" captures only the path.
set -euo pipefail

what=${1:-}
case "$what" in
kernel) rel=linux-6.1-bamboo/vmlinux; recipe=build-kernel.sh ;;
kernel-pv) rel=linux-6.1-bamboo/vmlinux-pv; recipe=build-kernel.sh ;;
kernel-mgr) rel=linux-6.1-bamboo/vmlinux-mgr; recipe=build-kernel.sh ;;
uimage) rel=linux-6.1-bamboo/uImage; recipe=build-kernel.sh ;;
kernel-ppc44x) rel=linux-6.1-ppc44x/vmlinux; recipe=build-kernel-ppc44x.sh ;;
initrd) rel=initramfs.cpio.gz; recipe=build-initramfs.sh ;;
buildroot) rel=third-party/buildroot-ppc32-rootfs.cpio.zst; recipe= ;;
*) echo "usage: $0 kernel|kernel-pv|kernel-mgr|uimage|kernel-ppc44x|initrd|buildroot" >&2; exit 2 ;;
esac

script_dir=$(cd "$(dirname "$0")" && pwd)
top=$(git -C "$script_dir" rev-parse --show-toplevel 2>/dev/null || (cd "$script_dir/../.." && pwd))
# HV440_SHARED_GUESTS overrides the prebuilt location (e.g. /nonexistent to test the recipes).
shared=${HV440_SHARED_GUESTS:-"$top/../shared/guests"}
# The shared initramfs is a cache of our recipe: use it only when it was built from the same
# initramfs/ files (init, inittab, bench scripts, busybox.config) as ours.
stale=
if [ "$what" = initrd ] && [ -s "$shared/$rel" ] &&
   ! diff -r -q "$shared/initramfs" "$top/guests/initramfs" > /dev/null 2>&1; then
	stale=1
	echo "guests: ../shared/guests/$rel was built from other initramfs/ files than guests/initramfs;" \
	     "using the recipe's own" >&2
fi
if [ -z "$stale" ] && [ -s "$shared/$rel" ]; then
	if [ -n "${HV440_SHARED_GUESTS:-}" ]; then
		echo "guests: using prebuilt cache $shared" >&2
	else
		echo "guests: using prebuilt cache ../shared/guests" >&2
	fi
	echo "$(cd "$shared" && pwd)/$rel"
	exit 0
fi

cache="$top/guests/cache"
# One recipe run at a time: tiers and tests may ask for the same artifact at once.
mkdir -p "$cache"
exec 9> "$cache/.lock"
flock 9
if [ "$what" = initrd ] && [ -s "$cache/$rel" ]; then
	# The recipe is a no-op when its inputs are unchanged, and rebuilds when they changed.
	"$top/guests/$recipe" >&2
elif [ ! -s "$cache/$rel" ]; then
	if [ -z "$recipe" ]; then
		echo "guests: $rel is a third-party image with no recipe here;" \
		     "put it in $cache/$rel" >&2
		exit 1
	fi
	case "$recipe" in
	build-kernel.sh) took="about 5 minutes on 2 cores" ;;
	build-kernel-ppc44x.sh) took="about 10 minutes on 2 cores" ;;
	*) took="about a minute" ;;
	esac
	echo "guests: no $rel in ../shared/guests or guests/cache: building it now with" \
	     "guests/$recipe from Debian's sources ($took, once)" >&2
	"$top/guests/$recipe" >&2
fi
[ -s "$cache/$rel" ] || { echo "guests: guests/$recipe did not produce $rel" >&2; exit 1; }
echo "guests: using guests/cache/$rel" >&2
echo "$cache/$rel"
