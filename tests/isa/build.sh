#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build.sh - build every ISA test program (progs/*.c, progs/*.S) into tests/isa/out/*.elf.
# Programs named fp_* are built for the 440 with its FPU (-mcpu=440fp), the rest for -mcpu=440.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${ISA_OUT:-$here/out}
cc=${CROSS_CC:-powerpc-linux-gnu-gcc}
mkdir -p "$out"
common=(-ffreestanding -nostdlib -nostartfiles -O2 -fno-pie -no-pie -msdata=none -G 0
	-fno-builtin -fno-stack-protector -Wall -Wextra -Werror -I "$here/lib"
	-T "$here/lib/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)
lib=("$here/lib/crt0.S" "$here/lib/lib.c")
status=0
for src in "$here"/progs/*.c "$here"/progs/*.S; do
	[ -e "$src" ] || continue
	name=$(basename "${src%.*}")
	case $name in
	fp_*) cpu=(-mcpu=440fp -mhard-float) ;;
	*) cpu=(-mcpu=440 -msoft-float) ;;
	esac
	elf="$out/$name.elf"
	if [ "$elf" -nt "$src" ] && [ "$elf" -nt "$here/lib/lib.c" ] && [ "$elf" -nt "$here/lib/crt0.S" ] &&
		[ "$elf" -nt "$here/lib/isa.h" ] && [ "$elf" -nt "$here/lib/link.ld" ]; then
		continue
	fi
	if ! "$cc" "${cpu[@]}" "${common[@]}" -o "$elf" "${lib[@]}" "$src" -lgcc; then
		echo "build failed: $name" >&2
		rm -f "$elf"
		status=1
	fi
done
exit $status
