#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - paravirt tier: bare-metal ABI tests (hypercalls, magic page, EV_IDLE, byte channel),
# the /hypervisor node, --no-paravirt, and (unless --quick) Linux with the paravirt kernel.
# Usage: tests/pv/run.sh BUILD_DIR [--quick]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/pv/run.sh BUILD_DIR [--quick]}
quick=${2:-}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
hv=$build/hv440
out=${PV_OUT:-$build/test-pv}
mkdir -p "$out"
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1${2:+ ($2)}"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else ko "$1" "${3:-}"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

if [ ! -x "$hv" ]; then
	ko "hv440 binary" "no $hv"
	finish
fi

# --- build the bare-metal programs with the ISA test runtime ---
isa=$top/tests/isa/lib
cc=${CROSS_CC:-powerpc-linux-gnu-gcc}
flags=(-mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 -fno-pie -no-pie
	-msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror -I "$isa"
	-T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)
for p in pvabi pvoff; do
	if "$cc" "${flags[@]}" -o "$out/$p.elf" "$isa/crt0.S" "$isa/lib.c" "$here/progs/$p.c" -lgcc \
		2>"$out/$p.build.log"; then
		ok "build $p"
	else
		ko "build $p" "$(head -3 "$out/$p.build.log")"
	fi
done

# check_prog NAME LOG: every "ok X"/"FAIL X" line of a program becomes a PASS/FAIL; it must end with "NAME done".
check_prog() {
	local name=$1 log=$2 line
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$name: ${line#ok }" ;;
		"FAIL "*) ko "$name: ${line#FAIL }" ;;
		esac
	done < <(tr -d '\r' <"$log")
	check "$name ran to the end" "grep -q '^$name done' '$log'" "see $log"
}

# --- the ABI program: UART0 in a file, byte channel 0 on stdio (fed "xyz", sent "PVBC ...") ---
if [ -f "$out/pvabi.elf" ]; then
	rm -f "$out/pvabi.uart"
	(sleep 0.5; printf xyz; sleep 8) | timeout -k 2 20 "$hv" --no-reboot --kernel "$out/pvabi.elf" \
		--serial "file:$out/pvabi.uart" --bytechan stdio --stats >"$out/pvabi.bc" 2>"$out/pvabi.err"
	rc=$?
	check "pvabi exit status 0" "[ $rc -eq 0 ]" "rc=$rc, see $out/pvabi.err"
	touch "$out/pvabi.uart"
	check_prog pvabi "$out/pvabi.uart"
	check "bc send reached the host" "grep -qx 'PVBC hello bc0' '$out/pvabi.bc'" "see $out/pvabi.bc"
	check "hypercalls counted as SYSCALL exits" "grep -qE '^SYSCALL +[0-9]+' '$out/pvabi.err'"
fi

# --- the same sequence under --no-paravirt ---
if [ -f "$out/pvoff.elf" ]; then
	rm -f "$out/pvoff.uart"
	timeout -k 2 20 "$hv" --no-reboot --no-paravirt --kernel "$out/pvoff.elf" \
		--serial "file:$out/pvoff.uart" </dev/null >/dev/null 2>"$out/pvoff.err"
	rc=$?
	check "pvoff exit status 0" "[ $rc -eq 0 ]" "rc=$rc"
	touch "$out/pvoff.uart"
	check_prog pvoff "$out/pvoff.uart"
fi

# --- the device tree ---
dtb=$out/pv.dtb
if "$hv" --dump-dtb "$dtb" --bytechan null >/dev/null 2>&1 && command -v fdtget >/dev/null; then
	check "dt /hypervisor compatible" \
		"[ \"\$(fdtget '$dtb' /hypervisor compatible)\" = 'linux,kvm epapr,hypervisor-1 simple-bus' ]"
	check "dt hcall-instructions" \
		"[ \"\$(fdtget -tx '$dtb' /hypervisor hcall-instructions)\" = '3c004b56 60004d21 44000002 60000000' ]"
	check "dt has-idle" "fdtget '$dtb' /hypervisor has-idle >/dev/null"
	check "dt byte channel" \
		"[ \"\$(fdtget '$dtb' /hypervisor/byte-channel@0 compatible)\" = 'epapr,hv-byte-channel' ] &&
		 [ \"\$(fdtget '$dtb' /hypervisor/byte-channel@0 hv-handle)\" = 0 ] &&
		 [ \"\$(fdtget '$dtb' /hypervisor/byte-channel@0 interrupts)\" = '20 4 21 4' ]"
	check "dt stdout-path is the byte channel" \
		"[ \"\$(fdtget '$dtb' /chosen stdout-path)\" = /hypervisor/byte-channel@0 ]"
else
	ko "dump dtb with --bytechan (needs fdtget)"
fi
if "$hv" --dump-dtb "$out/nopv.dtb" --no-paravirt >/dev/null 2>&1; then
	check "no-paravirt: no /hypervisor node" "! fdtget '$out/nopv.dtb' /hypervisor compatible >/dev/null 2>&1"
else
	ko "dump dtb with --no-paravirt"
fi
msg=$("$hv" --no-paravirt --bytechan null --kernel /dev/null 2>&1 >/dev/null)
rc=$?
check "--bytechan with --no-paravirt is an error" "[ $rc -ne 0 ] && [ \$(printf '%s\n' \"\$msg\" | wc -l) -eq 1 ]" "$msg"

# --- Linux: the paravirt kernel patches itself; stock kernel unchanged; byte channel console ---
if [ "$quick" != "--quick" ]; then
	kpv=$("$top/tests/lib/guest-path.sh" kernel-pv 2>/dev/null)
	k=$("$top/tests/lib/guest-path.sh" kernel 2>/dev/null)
	initrd=$("$top/tests/lib/guest-path.sh" initrd 2>/dev/null)
	# boot_shell LOG ARGS...: boot to "guest: shell ready" (90 s at most), then stop hv440 (SIGTERM).
	# The console goes to LOG (a file backend: no stdin to hold open), --stats to LOG.err.
	boot_shell() {
		local log=$1
		shift
		rm -f "$log" "$log.err"
		timeout -k 2 100 nice -n 10 "$hv" -m 256M --initrd "$initrd" --no-reboot \
			--serial "file:$log" "$@" </dev/null 2>"$log.err" &
		local pid=$!
		for _ in $(seq 1 180); do
			grep -q 'guest: shell ready' "$log" 2>/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.5
		done
		kill $pid 2>/dev/null
		wait $pid 2>/dev/null
		touch "$log"
	}
	# all_sh LOG ARGS...: vmlinux-pv runs /bench/all.sh (console on UART0 in LOG, --stats in
	# LOG.err) and resets the board, which ends hv440 (--no-reboot); LOG.rc gets its status.
	all_sh() {
		local log=$1
		shift
		rm -f "$log" "$log.err" "$log.rc"
		timeout -k 2 900 nice -n 10 "$hv" -m 256M --kernel "$kpv" --initrd "$initrd" --no-reboot \
			--append "console=ttyS0 run=/bench/all.sh" --serial "file:$log" --stats "$@" \
			</dev/null >/dev/null 2>"$log.err"
		echo $? >"$log.rc"
		touch "$log"
	}
	# The answers all.sh must print, worked out here on the host by the same commands
	# (guests/initramfs/bench/cpu.sh and fork.sh), in order.
	expect_all_sh() {
		seq 1 200000 | md5sum
		seq 1 60000 | gzip -6 | gzip -d | sha256sum
		awk 'BEGIN { s = 0; for (i = 1; i <= 200000; i++) s += sqrt(i) * 1.5; printf "%.4f\n", s }'
		echo "forked 400"
		echo "guest: /bench/all.sh exited with 0"
	}
	answers() { tr -d '\r' <"$1" | grep -E '^[0-9a-f]{32,}  -$|^[0-9]+\.[0-9]+$|^forked |^guest: /bench/all.sh exited'; }
	# exits of KIND in a --stats table (0 when the row is missing)
	exits() { awk -v k="$2" '$1 == k { n = $2 } END { print n + 0 }' "$1"; }
	if [ -f "$kpv" ]; then
		# paravirt and --no-paravirt with the same kernel, at the same time (one host CPU each)
		all_sh "$out/linux-pv.log" &
		all_sh "$out/linux-nopv.log" --no-paravirt &
		wait
		expect_all_sh >"$out/all_sh.expected"
		for m in pv nopv; do
			log=$out/linux-$m.log
			check "$m: vmlinux-pv ran all.sh, hv440 exit status 0" "[ \"\$(cat '$log.rc')\" = 0 ]" \
				"status $(cat "$log.rc"), see $log and $log.err"
			check "$m: all.sh's answers are the host's" \
				"answers '$log' | diff -q - '$out/all_sh.expected' >/dev/null" \
				"$(answers "$log" | diff - "$out/all_sh.expected" | head -4 | tr '\n' ' ')"
		done
		# Linux's kvm_guest_init prints this only when every site fit in kvm_tmp and the
		# magic page self-test passed (guests/linux/kvm-tmp-1mib.patch).
		check "pv: Linux says 'KVM: Live patching for a fast VM worked'" \
			"grep -q 'KVM: Live patching for a fast VM worked' '$out/linux-pv.log'" \
			"$(grep -a -m1 'Live patching' "$out/linux-pv.log" || echo 'no Live patching line'), see $out/linux-pv.log"
		check "pv: no 'KVM: No more space' (kvm_tmp held every site)" \
			"! grep -q 'KVM: No more space' '$out/linux-pv.log'"
		check "nopv: a plain bamboo board, the kernel does not patch itself" \
			"! grep -q 'KVM: Live patching' '$out/linux-nopv.log'"
		# Patched sites stop trapping: the wrtee/wrteei and mfmsr exits all but vanish (about 1%
		# of nopv's are left), mtmsr mostly (9%: a change beyond MSR[EE] still traps). An
		# unpatched site keeps its exits: with the 64 KiB kvm_tmp, 70% of the wrtee exits stayed.
		for k in EMUL_WRTEE:10 EMUL_MFMSR:10 EMUL_MTMSR:4; do
			a=$(exits "$out/linux-pv.log.err" "${k%:*}")
			b=$(exits "$out/linux-nopv.log.err" "${k%:*}")
			check "pv: ${k%:*} exits under 1/${k#*:} of nopv's ($a vs $b)" \
				"[ $b -gt 0 ] && [ \$(( $a * ${k#*:} )) -lt $b ]"
		done
		b=$(awk '/^total exits/ { print $3 }' "$out/linux-pv.log.err")
		c=$(awk '/^total exits/ { print $3 }' "$out/linux-nopv.log.err")
		check "pv: total exits under half of nopv's (${b:-?} vs ${c:-?})" \
			"[ -n '$b' ] && [ -n '$c' ] && [ \$(( ${b:-0} * 2 )) -lt ${c:-0} ]"
		# The byte channel as the only console: output, then input (rx interrupts) through it.
		fifo=$out/bc.fifo
		rm -f "$fifo"
		mkfifo "$fifo"
		log=$out/linux-pv-bc.log
		timeout -k 2 100 nice -n 10 "$hv" -m 256M --initrd "$initrd" --no-reboot --kernel "$kpv" \
			--append "console=ttyEHV0" --serial null --bytechan stdio <"$fifo" >"$log" 2>&1 &
		pid=$!
		exec 7>"$fifo"
		for _ in $(seq 1 180); do
			grep -q 'guest: shell ready' "$log" 2>/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.5
		done
		check "pv kernel: byte channel console reaches the shell" \
			"grep -q 'guest: shell ready' '$log' && grep -q 'console \[ttyEHV0\] enabled' '$log'" "see $log"
		echo 'echo bc-input-$((6*7))' >&7
		for _ in $(seq 1 40); do
			grep -q 'bc-input-42' "$log" && break
			sleep 0.5
		done
		check "pv kernel: shell input through the byte channel" "grep -q 'bc-input-42' '$log'" "see $log"
		exec 7>&-
		kill $pid 2>/dev/null
		wait $pid 2>/dev/null
		rm -f "$fifo"
	else
		ko "pv kernel present" "tests/lib/guest-path.sh kernel-pv"
	fi
	if [ -f "$k" ]; then
		boot_shell "$out/linux-stock.log" --kernel "$k" --append "console=ttyS0"
		check "stock kernel boots to a shell with paravirt on" "grep -q 'guest: shell ready' '$out/linux-stock.log'"
		check "stock kernel: self-test fails, no patching" \
			"! grep -q 'Live patching for a fast VM worked' '$out/linux-stock.log'"
	fi
fi
finish
