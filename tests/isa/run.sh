#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - build the ISA test programs, run each under hv440 or QEMU, compare with expected/*.out.
# Usage: tests/isa/run.sh BUILD_DIR [--vmm hv440|qemu] [--regen] [PROGRAM...]
#   --regen  rewrite expected/<prog>.out from this run (review them against the manual, and
#            keep the cases listed in QEMU-DIFFERENCES.md as the manual says). Programs in
#            MANUAL_EXPECTED are not rewritten: QEMU 7.2 gets too much of them wrong, so their
#            expected files are reviewed line by line against the manual (QEMU-DIFFERENCES.md).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: tests/isa/run.sh BUILD_DIR [--vmm hv440|qemu] [--regen] [PROGRAM...]}
shift
vmm=hv440
regen=0
only=()
while [ $# -gt 0 ]; do
	case $1 in
	--vmm) vmm=${2:?--vmm needs hv440 or qemu}; shift 2 ;;
	--regen) regen=1; shift ;;
	*) only+=("$1"); shift ;;
	esac
done
if [ $regen -eq 1 ] && [ "$vmm" = hv440 ] && [ "${ISA_REGEN_FROM_HV440:-0}" != 1 ]; then
	vmm=qemu
fi
case $vmm in
hv440)
	case $build in /*) ;; *) build=$(pwd)/$build ;; esac
	if [ ! -x "$build/hv440" ]; then
		echo "no $build/hv440"
		echo "0 passed, 1 failed"
		exit 1
	fi
	;;
qemu) command -v qemu-system-ppc >/dev/null || { echo "qemu-system-ppc not installed"; echo "0 passed, 1 failed"; exit 1; } ;;
*) echo "unknown --vmm $vmm"; exit 2 ;;
esac

if ! "$here/build.sh"; then
	echo "FAIL build"
fi
out=$here/out
# One log directory per build: concurrent runs against different builds must not share files.
logs=$out/logs-$vmm
[ "$vmm" = hv440 ] && logs=$out/logs-hv440-$(basename "$build")
mkdir -p "$logs"

# run_vmm ELF LOG: one program, 20 s at most, UART output (stdout) into LOG.
run_vmm() {
	if [ "$vmm" = qemu ]; then
		timeout -k 2 20 qemu-system-ppc -M bamboo -nic none -nographic -no-reboot -monitor none \
			-kernel "$1" </dev/null >"$2" 2>"$2.err"
	else
		timeout -k 2 20 "$build/hv440" --no-reboot --kernel "$1" </dev/null >"$2" 2>"$2.err"
	fi
}

MANUAL_EXPECTED=" fp_corner tlb timers debug "
pass=0
fail=0
for src in "$here"/progs/*.c "$here"/progs/*.S; do
	[ -e "$src" ] || continue
	name=$(basename "${src%.*}")
	if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $name "* ]]; then
		continue
	fi
	elf=$out/$name.elf
	log=$logs/$name.out
	exp=$here/expected/$name.out
	if [ ! -f "$elf" ]; then
		echo "FAIL $name (not built)"
		fail=$((fail + 1))
		continue
	fi
	run_vmm "$elf" "$log"
	rc=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL $name (timeout; output in $log)"
		fail=$((fail + 1))
		continue
	fi
	if [ $regen -eq 1 ] && [[ $MANUAL_EXPECTED == *" $name "* ]]; then
		echo "note: expected/$name.out kept (reviewed against the manual, not regenerated)"
	elif [ $regen -eq 1 ]; then
		cp "$log" "$exp"
		# Where QEMU 7.2 disagrees with the manual, the expected file follows the manual.
		python3 "$here/fixups.py" "$name" "$exp"
	fi
	if [ ! -f "$exp" ]; then
		echo "FAIL $name (no expected/$name.out)"
		fail=$((fail + 1))
	elif [ "$vmm" = hv440 ] && [ $rc -ne 0 ]; then
		# Every program ends with a reset, which --no-reboot turns into status 0.
		echo "FAIL $name (exit status $rc: $(tail -n 1 "$log.err"))"
		fail=$((fail + 1))
	elif cmp -s "$log" "$exp"; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		diff -u "$exp" "$log" | head -20 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
