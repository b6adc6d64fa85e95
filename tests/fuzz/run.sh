#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - run every libFuzzer harness for a bounded time over its corpus (docs/fuzzing.md).
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS [--merge]]
#        (BUILD_DIR configured with -Dfuzz=true; default 20 s each)
# Each harness first runs every input in tests/fuzz/corpus/<harness>/ (seeds and regression
# inputs), then mutates for SECONDS. New inputs go to BUILD_DIR/fuzz-corpus/<harness>/ (not the
# repository); a crash leaves BUILD_DIR/fuzz-artifacts/<harness>-crash-* and fails the harness.
# Each line reports executions, coverage (libFuzzer's cov: edges, ft: features) and the corpus
# size. --merge (make fuzz-long) then adds to tests/fuzz/corpus/<harness>/ the new inputs that
# reach coverage the kept corpus does not (libFuzzer -merge=1), for a commit.
set -uo pipefail
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS [--merge]]}
secs=${2:-20}
merge=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd) || exit 1
harnesses=(loader core vcpu gdb control qmp fdt mmio virtq)
# Inputs larger than the default 4096 bytes: virtq needs room for rings and buffers in RAM.
declare -A max_len=([virtq]=16384)

case $secs in '' | *[!0-9]*) echo "run.sh: SECONDS must be a whole number, not '$secs'"; exit 2 ;; esac
# UBSan must stop at the first report so libFuzzer records it as a crash.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0}
mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"

pass=0
fail=0
for h in "${harnesses[@]}"; do
	bin=$build/tests/fuzz/fuzz_$h
	seeds=$top/tests/fuzz/corpus/$h
	work=$build/fuzz-corpus/$h
	log=$build/fuzz-logs/$h.log
	if [ ! -x "$bin" ]; then
		echo "FAIL $h (no $bin: configure with -Dfuzz=true and build)"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$work"
	args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3
	      -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$h-")
	[ -n "${max_len[$h]:-}" ] && args+=(-max_len="${max_len[$h]}")
	timeout $((secs * 2 + 120)) nice -n 10 "$bin" "${args[@]}" "$work" "$seeds" > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	# The last status line: "#N <event> cov: C ft: F corp: K/SIZE ...".
	cov=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 |
		sed -E 's/cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)/cov \1, ft \2, corpus \3/')
	if [ $rc -eq 0 ] && [ -n "$execs" ] && [ "$execs" -gt 0 ]; then
		echo "PASS $h ($execs execs, ${secs} s, ${cov:-no coverage line}, 0 crashes)"
		pass=$((pass + 1))
		if [ "$merge" = "--merge" ]; then
			before=$(ls "$seeds" | wc -l)
			nice -n 10 "$bin" -merge=1 ${max_len[$h]:+-max_len=${max_len[$h]}} "$seeds" "$work" \
				> "$build/fuzz-logs/$h-merge.log" 2>&1
			echo "     merged: tests/fuzz/corpus/$h has $(ls "$seeds" | wc -l) inputs (was $before)"
		fi
	else
		echo "FAIL $h (exit $rc; ${execs:-0} execs, ${cov:-no coverage line}; $(ls "$build/fuzz-artifacts" | grep -c "^$h-") artifacts; log $log)"
		grep -aE '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|fuzz_)|runtime error|in LLVMFuzzerTestOneInput' "$log" | head -n 8
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
