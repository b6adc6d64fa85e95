#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the hostile-guest tier: tests/hostile/run.sh BUILD_DIR
# hostile.c storms hv440 with bus errors, privileged instructions from user mode, decrementer
# interrupts and TLB thrashing, and rewrites its own code with every store width. It must
# print exactly expected.out (counts are exact), exit 0, and hv440's guest-error log must stay
# rate-limited. Ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: tests/hostile/run.sh BUILD_DIR}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
isa=$here/../isa/lib
out=$build/hostile
mkdir -p "$out"
pass=0
fail=0
if ! powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 \
	-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
	-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/hostile.elf" "$isa/crt0.S" "$isa/lib.c" "$here/hostile.c" -lgcc; then
	echo "FAIL build hostile.elf"
	echo "0 passed, 1 failed"
	exit 1
fi
timeout -k 2 120 "$build/hv440" --no-reboot --kernel "$out/hostile.elf" </dev/null \
	>"$out/hostile.out" 2>"$out/hostile.err"
rc=$?
tr -d '\r' <"$out/hostile.out" >"$out/hostile.txt"
if [ $rc -eq 0 ]; then
	echo "PASS hostile exits 0"; pass=$((pass + 1))
else
	echo "FAIL hostile exit status $rc: $(tail -n 1 "$out/hostile.err")"; fail=$((fail + 1))
fi
if cmp -s "$out/hostile.txt" "$here/expected.out"; then
	echo "PASS hostile output exact"; pass=$((pass + 1))
else
	echo "FAIL hostile output"; diff -u "$here/expected.out" "$out/hostile.txt" | head -20 | sed 's/^/    /'
	fail=$((fail + 1))
fi
# 40000 bus errors must not mean 40000 log lines.
n=$(grep -c '^hv440: ' "$out/hostile.err")
if [ "$n" -ge 1 ] && [ "$n" -le 40 ]; then
	echo "PASS guest errors logged and rate-limited ($n lines)"; pass=$((pass + 1))
else
	echo "FAIL guest-error log: $n lines (want 1..40)"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
