#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - run every test tier against one build: unit, cli, isa, differential, boot, boards, qemu-cli,
# ramsize, snapshot, system, ...
# Usage: tests/run.sh BUILD_DIR [--quick]   (--quick: skip the Linux boots of the boot, virtio,
# qemu-cli, ramsize, pv, gdb, trace, system tiers)
set -uo pipefail
build=${1:?usage: tests/run.sh BUILD_DIR [--quick]}
quick=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logdir="$build/test-logs"
mkdir -p "$logdir"

total_pass=0
total_fail=0
failed_tiers=()

# run_tier NAME CMD...: runs a tier, echoes its output to a log, adds its closing "N passed, N failed".
run_tier() {
	local name=$1
	shift
	echo "=== tier: $name"
	local log="$logdir/$name.log"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "=== tier $name: no result line (exit $rc): counted as 1 failure"
		total_fail=$((total_fail + 1))
		failed_tiers+=("$name")
		return
	fi
	local p f
	p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$f" -eq 0 ] || failed_tiers+=("$name")
	echo "=== tier $name: $p passed, $f failed"
}

unit_tier() {
	meson test -C "$build" --suite unit --print-errorlogs --num-processes 2 > "$logdir/unit-meson.log" 2>&1
	local rc=$?
	cat "$logdir/unit-meson.log" | grep -E '^ *[0-9]+/[0-9]+ ' || true
	local ok fail
	ok=$(grep -E '^Ok:' "$logdir/unit-meson.log" | awk '{print $2}')
	fail=$(grep -E '^Fail:' "$logdir/unit-meson.log" | awk '{print $2}')
	to=$(grep -E '^Timeout:' "$logdir/unit-meson.log" | awk '{print $2}')
	[ $rc -eq 0 ] || grep -A30 -E 'FAIL|stderr' "$logdir/unit-meson.log" | head -60
	echo "${ok:-0} passed, $(( ${fail:-0} + ${to:-0} )) failed"
	return $rc
}

run_tier unit unit_tier
run_tier cli tests/cli/run.sh "$build"
run_tier isa tests/isa/run.sh "$build"
run_tier differential tests/isa/diff.sh "$build"
# The JIT is the default engine (docs/jit.md); the interpreter, the reference, runs the ISA suites
# too, and so does the lockstep engine (both engines, compared block by block).
run_tier isa-interp env HV440_ENGINE=interp tests/isa/run.sh "$build"
run_tier differential-interp env HV440_ENGINE=interp tests/isa/diff.sh "$build"
run_tier isa-lockstep env HV440_ENGINE=lockstep tests/isa/run.sh "$build"
run_tier differential-lockstep env HV440_ENGINE=lockstep tests/isa/diff.sh "$build"
run_tier hostile-lockstep env HV440_ENGINE=lockstep tests/hostile/run.sh "$build"
run_tier jit tests/jit/run.sh "$build"
run_tier hostile tests/hostile/run.sh "$build"
run_tier pv tests/pv/run.sh "$build" $quick
if [ "$quick" != "--quick" ]; then
	run_tier boot tests/boot/run.sh "$build"
	run_tier boot-interp env HV440_ENGINE=interp tests/boot/run.sh "$build"
	run_tier boot-lockstep env HV440_ENGINE=lockstep tests/boot/run.sh "$build" interactive
	run_tier virtio tests/virtio/run.sh "$build"
	# -M bamboo and -M sam460ex: the multi-board ppc44x kernel on both, JIT and interpreter.
	run_tier boards tests/boards/run.sh "$build"
	run_tier snapshot tests/snapshot/run.sh "$build"
	run_tier qemu-cli tests/qemu/run.sh "$build"
	# Linux to init at every RAM size from 16M to 2G, JIT and interpreter, two boots at a time.
	run_tier ramsize tests/ramsize/run.sh "$build"
fi
[ "$quick" != "--quick" ] ||
	run_tier boards tests/boards/run.sh "$build" machine-help machine-unknown sam460ex-tree
[ "$quick" != "--quick" ] || run_tier snapshot tests/snapshot/run.sh "$build" bad_files bare_metal_jit
run_tier gdb tests/gdb/run.sh "$build" $quick
if [ "$quick" != "--quick" ]; then
	run_tier qmp tests/qmp/run.sh "$build"
else
	run_tier qmp tests/qmp/run.sh "$build" bare_metal tcp_and_hold wait_and_client against_qemu
fi
# LAVA (lava-run): skipped, saying so, where lava-dispatcher is not installed (scripts/install-deps.sh lava).
[ "$quick" = "--quick" ] || run_tier lava tests/lava/run.sh "$build"
run_tier trace tests/trace/run.sh "$build" "$([ "$quick" = --quick ] || echo --boot)"
run_tier system tests/system/run.sh "$build" $quick
# Fuzz tier: only in a build configured with -Dfuzz=true (clang; docs/fuzzing.md), 20 s per harness.
if [ -x "$build/tests/fuzz/fuzz_core" ]; then
	run_tier fuzz tests/fuzz/run.sh "$build" 20
else
	echo "=== tier fuzz: not run ($build has no -Dfuzz=true harnesses)"
fi

echo
if [ ${#failed_tiers[@]} -gt 0 ]; then
	echo "failing tiers: ${failed_tiers[*]} (logs in $logdir)"
fi
echo "all: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
