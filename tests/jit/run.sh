#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the JIT's own checks (docs/jit.md): the engines agree on a bare-metal program, --stats
# counts translations, --perf-map names translated code, a bad engine name is refused.
# Usage: tests/jit/run.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/jit/run.sh BUILD_DIR}
hv=$build/hv440
out=$build/test-jit
mkdir -p "$out"
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# The bare-metal integer loop of bench/ (hot loops, calls, branches), built like the ISA programs
# with a tenth of its iterations.
elf=$out/intloop.elf
if ! powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 \
	-DITERATIONS=2000000u -fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -I "$top/tests/isa/lib" \
	-T "$top/tests/isa/lib/link.ld" -Wl,--build-id=none -Wl,--no-warn-rwx-segments -o "$elf" \
	"$top/tests/isa/lib/crt0.S" "$top/tests/isa/lib/lib.c" "$top/bench/intloop.c" -lgcc; then
	echo "cannot build intloop.elf (powerpc-linux-gnu-gcc: scripts/install-deps.sh test)"
	echo "0 passed, 1 failed"
	exit 1
fi

for e in interp jit; do
	"$hv" --engine $e --no-reboot --kernel "$elf" --stats=json >"$out/$e.out" 2>"$out/$e.err"
	echo "$?" >"$out/$e.rc"
done
if [ "$(cat "$out/interp.rc")" = 0 ] && [ "$(cat "$out/jit.rc")" = 0 ] &&
	grep -q "intloop checksum 0x" "$out/jit.out" && cmp -s "$out/interp.out" "$out/jit.out"; then
	ok "interp and jit print the same checksum"
else
	bad "interp and jit print the same checksum ($(cat "$out/interp.out") / $(cat "$out/jit.out"))"
fi
# --stats=json: the same instruction count; the JIT translated blocks, the interpreter none.
read -r ji jt < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["core"]; print(d["instructions"], d["translated"])' "$out/jit.err")
read -r ii it < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["core"]; print(d["instructions"], d["translated"])' "$out/interp.err")
if [ -n "${ji:-}" ] && [ "$ji" = "${ii:-x}" ] && [ "${jt:-0}" -gt 0 ] && [ "${it:-1}" = 0 ]; then
	ok "same instruction count ($ji); jit translated $jt blocks, interp 0"
else
	bad "instruction counts / translations: jit ${ji:-?}/${jt:-?}, interp ${ii:-?}/${it:-?}"
fi

# --perf-map: /tmp/perf-PID.map names the shared code and every translated block.
"$hv" --perf-map --no-reboot --kernel "$elf" >"$out/perf.out" 2>&1 &
pid=$!
wait $pid
rc=$?
map=/tmp/perf-$pid.map
if [ $rc = 0 ] && [ -f "$map" ] && grep -q ' jit-dispatch$' "$map" &&
	[ "$(grep -cE '^[0-9a-f]+ [0-9a-f]+ guest-pa-[0-9a-f]{8}$' "$map")" -ge 10 ]; then
	ok "perf map: $(grep -c guest-pa "$map") translated blocks named"
else
	bad "perf map $map (exit $rc)"
fi
rm -f "$map"

# Lockstep on the same program: no difference, same output.
if HV440_ENGINE=lockstep "$hv" --no-reboot --kernel "$elf" >"$out/lock.out" 2>"$out/lock.err" &&
	cmp -s "$out/lock.out" "$out/interp.out"; then
	ok "lockstep: no difference"
else
	bad "lockstep: $(tail -2 "$out/lock.err")"
fi

# Bad engine names: one line, status 1.
for spec in "--engine fast" "--engine="; do
	# shellcheck disable=SC2086
	err=$("$hv" $spec --kernel "$elf" 2>&1 >/dev/null)
	rc=$?
	if [ $rc = 1 ] && grep -q "^hv440: --engine takes jit, interp or lockstep" <<<"$err"; then
		ok "refused: $spec"
	else
		bad "refused: $spec (exit $rc: $err)"
	fi
done
err=$(HV440_ENGINE=turbo "$hv" --kernel "$elf" 2>&1 >/dev/null)
rc=$?
if [ $rc = 1 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q "HV440_ENGINE takes" <<<"$err"; then
	ok "refused: HV440_ENGINE=turbo"
else
	bad "refused: HV440_ENGINE=turbo (exit $rc: $err)"
fi
# progs/*.c: instructions the JIT translates, run hot, their outcomes checked by the program
# itself against values worked out by hand; the same lines on every engine and in lockstep.
for src in "$here"/progs/*.c; do
	name=$(basename "$src" .c)
	pelf=$out/$name.elf
	if ! powerpc-linux-gnu-gcc -mcpu=440 -mhard-float -ffreestanding -nostdlib -nostartfiles -O2 \
		-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -I "$top/tests/isa/lib" \
		-T "$top/tests/isa/lib/link.ld" -Wl,--build-id=none -Wl,--no-warn-rwx-segments -o "$pelf" \
		"$top/tests/isa/lib/crt0.S" "$top/tests/isa/lib/lib.c" "$src" -lgcc; then
		bad "$name: cannot build"
		continue
	fi
	for e in interp jit lockstep; do
		"$hv" --engine $e --no-reboot --kernel "$pelf" >"$out/$name.$e.out" 2>"$out/$name.$e.err"
		rc=$?
		lines=$(grep -c ': ok ' "$out/$name.$e.out")
		if [ $rc = 0 ] && [ "$lines" -gt 0 ] && ! grep -q ': BAD ' "$out/$name.$e.out" &&
			cmp -s "$out/$name.$e.out" "$out/$name.interp.out"; then
			ok "$name on $e: $lines checks"
		else
			bad "$name on $e (exit $rc): $(grep -h 'BAD' "$out/$name.$e.out" | head -3) $(tail -1 "$out/$name.$e.err")"
		fi
	done
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
