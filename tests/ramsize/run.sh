#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the RAM-size tier: Linux boots to init at every RAM size from 16M to 2G, JIT and interpreter.
# Usage: tests/ramsize/run.sh BUILD_DIR [-j JOBS] [SIZE...]
#
# Each boot: --memory SIZE --no-reboot, the bamboo kernel and the initramfs with run=/bin/true.
# It passes when hv440 exits 0 (the guest's reboot under --no-reboot), the console shows
# "guest: up" and init running the command, Linux's "Memory: .../NK" total is the RAM size
# (at most 768 MiB: the kernel has no HIGHMEM, CONFIG_LOWMEM_SIZE=0x30000000), and hv440
# reported no guest without progress (a boot it reports is stopped at once and fails). 16M is hv440's smallest RAM (BOARD_MIN_RAM: the boot
# protocol's initial stack is at 16 MiB - 8) and 2G its largest (four 512 MiB SDRAM banks);
# sizes outside that or not a multiple of 1M must be refused with one line and exit status 1.
# Boots run JOBS at a time (default 2). Ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/ramsize/run.sh BUILD_DIR [-j JOBS] [SIZE...]}
shift
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
jobs=2
sizes=()
while [ $# -gt 0 ]; do
	case $1 in
	-j) jobs=${2:?-j needs a number}; shift 2 ;;
	*) sizes+=("$1"); shift ;;
	esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(16M 32M 48M 64M 96M 128M 160M 192M 256M 384M 512M 768M 1G 1536M 2G)
hv=$build/hv440
out=$build/test-logs/ramsize
mkdir -p "$out"
pass=0
fail=0
if [ ! -x "$hv" ]; then
	echo "no $hv"
	echo "0 passed, 1 failed"
	exit 1
fi
kernel=$("$top/tests/lib/guest-path.sh" kernel) || { echo "FAIL no guest kernel"; echo "0 passed, 1 failed"; exit 1; }
initrd=$("$top/tests/lib/guest-path.sh" initrd) || { echo "FAIL no initramfs"; echo "0 passed, 1 failed"; exit 1; }

# SIZE -> MiB (K, M, G suffixes, as the sizes above are written).
mib() {
	local n=${1%[KMG]}
	case $1 in *G) echo $((n * 1024)) ;; *M) echo "$n" ;; *K) echo $((n / 1024)) ;; esac
}

# boot SIZE ENGINE: one boot; writes its verdict line to $out/SIZE-ENGINE.verdict.
boot() {
	local size=$1 engine=$2 log=$out/$1-$2 t0 t1 rc pid end want got why='' stalled=0
	rm -f "$log".* # the watch below must never read an earlier run's log
	t0=$(date +%s.%N)
	"$hv" --engine "$engine" --memory "$size" --no-reboot --kernel "$kernel" \
		--initrd "$initrd" --append "console=ttyS0 run=/bin/true" </dev/null \
		>"$log.out" 2>"$log.err" &
	pid=$!
	# 120 s at most (the interpreter boots in about 4 s on an idle host, 12 s on a loaded
	# one), and no longer than it takes hv440 to report a guest that makes no progress.
	end=$((SECONDS + 120))
	while kill -0 $pid 2>/dev/null; do
		if grep -q 'makes no progress' "$log.err" 2>/dev/null; then
			stalled=1
			kill $pid
			break
		fi
		if [ $SECONDS -ge $end ]; then
			kill $pid
			break
		fi
		sleep 0.2
	done
	wait $pid
	rc=$?
	t1=$(date +%s.%N)
	tr -d '\r' <"$log.out" >"$log.txt"
	want=$(mib "$size")
	[ "$want" -gt 768 ] && want=768
	want=$((want * 1024))
	got=$(sed -nE 's/.*Memory: [0-9]+K\/([0-9]+)K available.*/\1/p' "$log.txt" | head -n 1)
	if [ $stalled -eq 1 ]; then
		why="stopped: $(grep -m1 'makes no progress' "$log.err" | cut -c1-120)"
	elif [ $rc -ne 0 ]; then
		why="exit status $rc"
		[ $SECONDS -ge "$end" ] && why="timeout (120 s)"
	elif ! grep -q '^guest: up after' "$log.txt"; then
		why="no 'guest: up'"
	elif ! grep -q '^guest: /bin/true exited with' "$log.txt"; then
		why="init did not run /bin/true"
	elif [ "$got" != "$want" ]; then
		why="Linux sees ${got:-no}K of RAM, want ${want}K"
	fi
	if [ $stalled -eq 0 ] && grep -q 'makes no progress' "$log.err"; then
		why="${why:+$why; }hv440 reported a guest without progress"
	fi
	if [ -z "$why" ]; then
		printf 'PASS %-5s %-6s boots to init (%sK, %.1f s)\n' "$size" "$engine" "$got" \
			"$(echo "$t1 - $t0" | bc)" >"$log.verdict"
	else
		{
			printf 'FAIL %-5s %-6s %s (log %s.txt)\n' "$size" "$engine" "$why" "$log"
			tail -n 3 "$log.err" | sed 's/^/    /'
		} >"$log.verdict"
	fi
}

start=$(date +%s.%N)
running=0
for size in "${sizes[@]}"; do
	for engine in jit interp; do
		if [ $running -ge "$jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
		boot "$size" "$engine" &
		running=$((running + 1))
	done
done
wait
for size in "${sizes[@]}"; do
	for engine in jit interp; do
		v=$out/$size-$engine.verdict
		if [ -s "$v" ] && grep -q '^PASS' "$v"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
		cat "$v" 2>/dev/null || echo "FAIL $size $engine: no verdict"
	done
done
printf 'ramsize: %d boots in %.0f s, %d at a time\n' $((${#sizes[@]} * 2)) \
	"$(echo "$(date +%s.%N) - $start" | bc)" "$jobs"

# Sizes hv440 refuses: one line on stderr naming the size, exit status 1, nothing booted.
for size in 15M 8M 2049M 3G 4G 100K 16385K; do
	"$hv" --memory "$size" --no-reboot --kernel "$kernel" </dev/null >"$out/refuse.out" 2>"$out/refuse.err"
	rc=$?
	lines=$(wc -l <"$out/refuse.err")
	if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$size" "$out/refuse.err" &&
		[ ! -s "$out/refuse.out" ]; then
		echo "PASS --memory $size refused: $(cat "$out/refuse.err")"
		pass=$((pass + 1))
	else
		echo "FAIL --memory $size: exit $rc, $lines stderr lines (want 1, exit 1): $(head -n 2 "$out/refuse.err")"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
