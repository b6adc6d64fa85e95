#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# diff.sh - differential test: gen_random.py sequences run on QEMU and on hv440, outputs compared.
# Usage: tests/isa/diff.sh BUILD_DIR [N]   (N seeds from a fixed list, default 30)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: tests/isa/diff.sh BUILD_DIR [N]}
n=${2:-30}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
out=$here/out/random-$(basename "$build") # per build: concurrent runs must not share files
mkdir -p "$out"
if [ ! -x "$build/hv440" ] || ! command -v qemu-system-ppc >/dev/null; then
	echo "need $build/hv440 and qemu-system-ppc"
	echo "0 passed, 1 failed"
	exit 1
fi
cc=${CROSS_CC:-powerpc-linux-gnu-gcc}
flags=(-mcpu=440fp -mhard-float -ffreestanding -nostdlib -nostartfiles -O2 -fno-pie -no-pie
	-msdata=none -G 0 -fno-builtin -Wall -Wextra -Werror -I "$here/lib" -T "$here/lib/link.ld"
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments)
pass=0
fail=0
for i in $(seq 1 "$n"); do
	seed=$((1000 + i * 7919))
	src=$out/seed$seed.S
	elf=$out/seed$seed.elf
	python3 "$here/gen_random.py" "$seed" "$src" || { echo "FAIL seed $seed (generator)"; fail=$((fail + 1)); continue; }
	if ! "$cc" "${flags[@]}" -o "$elf" "$here/lib/crt0.S" "$here/lib/lib.c" \
		"$here/lib/random/rand_main.c" "$src" -lgcc; then
		echo "FAIL seed $seed (build)"
		fail=$((fail + 1))
		continue
	fi
	timeout -k 2 20 qemu-system-ppc -M bamboo -nic none -nographic -no-reboot -monitor none -kernel "$elf" \
		</dev/null 2>/dev/null | tr -d '\r' >"$out/seed$seed.qemu"
	timeout -k 2 20 "$build/hv440" --no-reboot --kernel "$elf" </dev/null 2>"$out/seed$seed.err" |
		tr -d '\r' >"$out/seed$seed.hv440"
	if [ -s "$out/seed$seed.qemu" ] && cmp -s "$out/seed$seed.qemu" "$out/seed$seed.hv440"; then
		echo "PASS seed $seed"
		pass=$((pass + 1))
	else
		echo "FAIL seed $seed"
		diff "$out/seed$seed.qemu" "$out/seed$seed.hv440" | head -8 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
