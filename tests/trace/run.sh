#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - exit statistics, trace and profile: known counts from a bare-metal program, trace and
# stats agreeing, a profile naming the hot function, live SIGUSR1/SIGUSR2, bad input; with
# --boot also a Linux boot whose trace and stats agree kind by kind.
# Usage: tests/trace/run.sh BUILD_DIR [--boot]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/trace/run.sh BUILD_DIR [--boot]}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
boot=${2:-}
[ "$boot" = --boot ] || [ -z "$boot" ] || { echo "usage: tests/trace/run.sh BUILD_DIR [--boot]"; exit 2; }
hv=$build/hv440
out=$build/trace-test
mkdir -p "$out"
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

if [ ! -x "$hv" ]; then
	ko setup "no $hv"
	finish
fi

# Build the guests as tests/isa/build.sh does.
cc=${CROSS_CC:-powerpc-linux-gnu-gcc}
lib=$top/tests/isa/lib
flags=(-mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 -fno-pie -no-pie
	-msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror -I "$lib"
	-T "$lib/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)
if ! "$cc" "${flags[@]}" -DCOUNT=1 -o "$out/ops1.elf" "$lib/crt0.S" "$lib/lib.c" "$here/ops.S" -lgcc ||
	! "$cc" "${flags[@]}" -DCOUNT=0 -o "$out/ops0.elf" "$lib/crt0.S" "$lib/lib.c" "$here/ops.S" -lgcc ||
	! "$cc" "${flags[@]}" -o "$out/spin.elf" "$lib/crt0.S" "$lib/lib.c" "$here/spin.c" -lgcc ||
	! "$cc" "${flags[@]}" -DSPIN_FOREVER -o "$out/spin-forever.elf" "$lib/crt0.S" "$lib/lib.c" \
		"$here/spin.c" -lgcc; then
	ko build "cross-compiling the test guests"
	finish
fi

# run NAME ELF ARGS...: stats JSON (last stderr line) in $out/NAME.json, trace in $out/NAME.trace.
run() {
	local name=$1 elf=$2
	shift 2
	timeout -k 2 60 "$hv" --no-reboot --kernel "$elf" --stats=json --trace "$out/$name.trace,size=16M" \
		"$@" </dev/null >"$out/$name.out" 2>"$out/$name.err"
	local rc=$?
	grep '^{"exits"' "$out/$name.err" | tail -n 1 >"$out/$name.json"
	return $rc
}

# bad NAME CMD...: bad input gives a clear line and a non-zero exit.
bad() {
	local name=$1
	shift
	"$@" >"$out/bad.out" 2>"$out/bad.err" </dev/null
	local rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <"$out/bad.err")" -ge 1 ] && grep -q 'hv440' "$out/bad.err"; then
		ok "bad_input_$name"
	else
		ko "bad_input_$name" "rc=$rc: $(head -c 200 "$out/bad.err")"
	fi
}

# check.py: the checks on JSON, in one place.
py() { python3 "$here/check.py" "$@"; }

# 1. Known counts: stats(COUNT=1) - stats(COUNT=0) is exactly ops_body's work.
if run ops1 "$out/ops1.elf" && run ops0 "$out/ops0.elf"; then
	if r=$(py delta "$out/ops1.json" "$out/ops0.json"); then ok "stats_known_counts"; else ko stats_known_counts "$r"; fi
else
	ko stats_known_counts "the ops guests did not exit cleanly (see $out/ops*.err)"
fi

# 1b. Without a trace the same counts, the light exits among them emulated inside core_run().
light() {
	timeout -k 2 60 "$hv" --no-reboot --kernel "$out/$1.elf" --stats=json </dev/null \
		>"$out/$1-light.out" 2>"$out/$1-light.err"
	local rc=$?
	grep '^{"exits"' "$out/$1-light.err" | tail -n 1 >"$out/$1-light.json"
	return $rc
}
if light ops1 && light ops0; then
	if r=$(py delta "$out/ops1-light.json" "$out/ops0-light.json") &&
		r=$(py light "$out/ops1-light.json" "$out/ops0-light.json" untraced) &&
		r=$(py light "$out/ops1.json" "$out/ops0.json" traced); then
		ok stats_known_counts_light_exits
	else
		ko stats_known_counts_light_exits "$r"
	fi
else
	ko stats_known_counts_light_exits "the ops guests did not exit cleanly (see $out/ops*-light.err)"
fi

# 2. The trace of the same run, restricted to ops_body's PCs, shows exactly those counts.
lo=$(powerpc-linux-gnu-nm "$out/ops1.elf" | awk '$3 == "ops_body" { print $1 }')
hi=$(powerpc-linux-gnu-nm "$out/ops1.elf" | awk '$3 == "ops_body_end" { print $1 }')
hi=$(printf '0x%x' $((0x$hi - 1)))
"$hv" trace "$out/ops1.trace" --pc "0x$lo-$hi" --summary --json >"$out/ops1-range.json" 2>"$out/ops1-range.err"
"$hv" trace "$out/ops1.trace" --pc 0x40000000-0x40000000 --summary --json >"$out/ops1-itlb.json" 2>>"$out/ops1-range.err"
"$hv" trace "$out/ops1.trace" --pc "0x$lo-$hi" --kind GTLB >"$out/ops1-gtlb.txt" 2>>"$out/ops1-range.err"
if r=$(py range "$out/ops1-range.json" "$out/ops1-itlb.json" "$(wc -l <"$out/ops1-gtlb.txt")"); then
	ok trace_known_counts
else
	ko trace_known_counts "$r"
fi

# 3. Trace summary == stats, kind by kind (count, min, max, sum, sum of squares), for both runs.
for n in ops1 ops0; do
	"$hv" trace "$out/$n.trace" --summary --json >"$out/$n-sum.json" 2>"$out/$n-sum.err"
	if r=$(py same "$out/$n.json" "$out/$n-sum.json"); then ok "trace_matches_stats_$n"; else ko "trace_matches_stats_$n" "$r"; fi
done

# 4. The trace log prints records, and --kind filters them.
"$hv" trace "$out/ops1.trace" --kind SYSCALL >"$out/ops1-sc.txt" 2>&1
if [ "$(grep -c ' exit  SYSCALL ' "$out/ops1-sc.txt")" = 30 ] && [ "$(wc -l <"$out/ops1-sc.txt")" = 30 ] &&
	grep -q 'arg=44000002' "$out/ops1-sc.txt"; then
	ok trace_log_kind_filter
else
	ko trace_log_kind_filter "expected 30 SYSCALL lines with the sc word 44000002 (see $out/ops1-sc.txt)"
fi

# 5. A guest spinning in spin_hot has it on top of its profile; the folded stacks show the caller.
if timeout -k 2 120 "$hv" --no-reboot --kernel "$out/spin.elf" --profile "$out/spin.prof,hz=500" \
	</dev/null >"$out/spin.out" 2>"$out/spin.err"; then
	"$hv" profile "$out/spin.prof" --vmlinux "$out/spin.elf" --top 5 >"$out/spin.top" 2>&1
	"$hv" profile "$out/spin.prof" --vmlinux "$out/spin.elf" --folded >"$out/spin.folded" 2>&1
	topfn=$(awk 'NR > 2 { print $4; exit }' "$out/spin.top")
	samples=$(awk 'NR == 1 { print $1 }' "$out/spin.top")
	if [ "$topfn" = spin_hot ] && [ "${samples:-0}" -ge 50 ] &&
		grep -q '^_start;main;spin_outer;spin_hot [0-9]' "$out/spin.folded"; then
		ok profile_hot_function
	else
		ko profile_hot_function "top '$topfn' with ${samples:-0} samples (see $out/spin.top, spin.folded)"
	fi
else
	ko profile_hot_function "the spin guest did not exit cleanly (see $out/spin.err)"
fi

# 6. Live statistics: SIGUSR1 prints them while running, SIGUSR2 resets them (the start-up
#    tlbwe are then gone from the final figures), and the trace still matches after the reset.
#    The guest spins for ever; SIGTERM ends it (status 143) and prints the final figures.
"$hv" --no-reboot --kernel "$out/spin-forever.elf" --stats=json --trace "$out/live.trace,size=16M" \
	</dev/null >"$out/live.out" 2>"$out/live.err" &
pid=$!
sleep 0.5
kill -USR1 $pid 2>/dev/null
sleep 0.3
kill -USR2 $pid 2>/dev/null
sleep 0.3
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
grep '^{"exits"' "$out/live.err" >"$out/live.all"
head -n 1 "$out/live.all" >"$out/live-first.json"
tail -n 1 "$out/live.all" >"$out/live.json"
"$hv" trace "$out/live.trace" --summary --json >"$out/live-sum.json" 2>/dev/null
r=
if [ $rc -eq 143 ] && [ "$(wc -l <"$out/live.all")" -eq 2 ] &&
	r=$(py live "$out/live-first.json" "$out/live.json") &&
	r=$(py same "$out/live.json" "$out/live-sum.json"); then
	ok live_signals_print_and_reset
else
	ko live_signals_print_and_reset "rc=$rc, $(wc -l <"$out/live.all") JSON lines; $r"
fi

# 6b. The control socket: stats json, reset, stats json, an unknown command, help.
rm -f "$out/ctl.sock"
"$hv" --no-reboot --kernel "$out/spin-forever.elf" --control "unix:$out/ctl.sock" --stats=json \
	</dev/null >"$out/ctl.out" 2>"$out/ctl.err" &
pid=$!
for _ in $(seq 50); do [ -S "$out/ctl.sock" ] && break; sleep 0.1; done
r=$(py control "$out/ctl.sock")
crc=$?
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
tail -n 1 "$out/ctl.err" >"$out/ctl.json"
if [ $crc -eq 0 ] && [ $rc -eq 143 ] && [ ! -e "$out/ctl.sock" ] &&
	r=$(py live "$out/ctl-first.json" "$out/ctl.json" 2>&1); then
	ok control_socket
else
	ko control_socket "rc=$rc, socket left: $([ -e "$out/ctl.sock" ] && echo yes || echo no); $r"
fi
bad control_spec "$hv" --kernel "$out/ops0.elf" --control tcp:1234

# 7. Bad input: one clear line, non-zero exit.
bad stats_format "$hv" --kernel "$out/ops0.elf" --stats=xml
bad trace_size "$hv" --kernel "$out/ops0.elf" --trace "$out/x.trace,size=lots"
bad profile_hz "$hv" --kernel "$out/ops0.elf" --profile "$out/x.prof,hz=0"
bad trace_missing "$hv" trace "$out/does-not-exist.trace"
bad trace_not_a_trace "$hv" trace "$out/ops1.elf"
bad trace_kind "$hv" trace "$out/ops1.trace" --kind NOSUCHKIND
bad trace_range "$hv" trace "$out/ops1.trace" --pc 5-1
bad profile_no_vmlinux "$hv" profile "$out/spin.prof"
bad profile_not_elf "$hv" profile "$out/spin.prof" --vmlinux "$out/spin.prof"

# 8. Ring bound: a small ring keeps the file at its size and says the oldest records are lost.
"$hv" --no-reboot --kernel "$out/spin.elf" --trace "$out/ring.trace,size=64K" </dev/null >/dev/null 2>&1
"$hv" trace "$out/ring.trace" --summary >/dev/null 2>"$out/ring.err"
size=$(stat -c %s "$out/ring.trace")
if [ "$size" -le 65536 ] && grep -q 'ring wrapped' "$out/ring.err"; then
	ok trace_ring_bounded
else
	ko trace_ring_bounded "size $size, $(cat "$out/ring.err")"
fi

# 9. (--boot) A Linux boot: trace and stats agree kind by kind.
if [ "$boot" = --boot ]; then
	kernel=$("$top/tests/lib/guest-path.sh" kernel)
	initrd=$("$top/tests/lib/guest-path.sh" initrd)
	timeout -k 5 300 nice -n 10 "$hv" -m 256M --kernel "$kernel" --initrd "$initrd" \
		--append "console=ttyS0 run=/dev/null" --no-reboot --stats=json \
		--trace "$out/linux.trace,size=512M" </dev/null >"$out/linux.out" 2>"$out/linux.err"
	rc=$?
	grep '^{"exits"' "$out/linux.err" | tail -n 1 >"$out/linux.json"
	"$hv" trace "$out/linux.trace" --summary --json >"$out/linux-sum.json" 2>"$out/linux-sum.err"
	if [ $rc -eq 0 ] && grep -q 'guest: /dev/null exited' "$out/linux.out" &&
		r=$(py same "$out/linux.json" "$out/linux-sum.json"); then
		ok linux_trace_matches_stats
	else
		ko linux_trace_matches_stats "rc=$rc ${r:-} (see $out/linux.err)"
	fi
	rm -f "$out/linux.trace"
fi
finish
