#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-disk.sh - make a raw ext4 disk image for a guest's /dev/vda (hv440 --disk FILE).
# Usage: scripts/make-disk.sh FILE [SIZE]   (SIZE as truncate(1) takes it; default 64M)
# The image holds www/index.html, so `httpd -h /mnt/www` in the guest serves a page through
# `--net user,hostfwd=tcp:127.0.0.1:8080-:80`. Refuses to overwrite an existing file.
set -euo pipefail
out=${1:?usage: $0 FILE [SIZE]}
size=${2:-64M}
[ ! -e "$out" ] || { echo "make-disk: $out exists; not overwriting it" >&2; exit 1; }
command -v mkfs.ext4 > /dev/null || "$(dirname "$0")/install-deps.sh" disk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/www"
printf '<html><body><h1>Hello from a PowerPC 440 guest on hv440</h1></body></html>\n' > "$tmp/www/index.html"
truncate -s "$size" "$out"
mkfs.ext4 -q -F -L hv440-root -d "$tmp" "$out"
echo "make-disk: $out ($size, ext4): in the guest, mount /dev/vda /mnt" >&2
