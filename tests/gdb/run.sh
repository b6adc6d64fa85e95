#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the gdb stub tier: gdb-multiarch against a bare-metal program and Linux, a hostile client.
# Usage: tests/gdb/run.sh BUILD_DIR [--quick]   (--quick: skip the Linux part)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/gdb/run.sh BUILD_DIR [--quick]}
quick=${2:-}
case $build in /*) ;; *) build=$top/$build ;; esac
hv=$build/hv440
work=$build/test-gdb
mkdir -p "$work"
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
check() { # check NAME COND-STATUS [detail]
	if [ "$2" -eq 0 ]; then ok "$1"; else bad "$1" "${3:-}"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
hv_pid=
cleanup() { [ -n "$hv_pid" ] && kill "$hv_pid" 2>/dev/null; }
trap cleanup EXIT

for tool in gdb-multiarch python3 powerpc-linux-gnu-gcc; do
	command -v $tool >/dev/null || { bad "tool $tool" "not installed"; finish; }
done
[ -x "$hv" ] || { bad "build" "no $hv"; finish; }

# The bare-metal program: tests/isa's runtime, with symbols and debug info.
lib=$top/tests/isa/lib
elf=$work/prog.elf
if ! powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O1 -g \
	-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
	-I "$lib" -T "$lib/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$elf" "$lib/crt0.S" "$lib/lib.c" "$here/prog.c" -lgcc; then
	bad "build prog.elf"
	finish
fi

# start_hv NAME ARGS...: hv440 in the background with --gdb on a free port; sets hv_pid, port.
start_hv() {
	local name=$1
	shift
	rm -f "$work/$name.out" "$work/$name.err"
	"$hv" "$@" --gdb tcp:127.0.0.1:0 >"$work/$name.out" 2>"$work/$name.err" &
	hv_pid=$!
	port=
	for _ in $(seq 1 100); do
		port=$(sed -nE 's/^hv440: gdb: listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$work/$name.err")
		[ -n "$port" ] && return 0
		kill -0 "$hv_pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
# wait_hv SECONDS: wait for hv440 to end; sets hv_rc (124 on timeout, after killing it).
wait_hv() {
	local t=$(($1 * 10))
	while [ $t -gt 0 ] && kill -0 "$hv_pid" 2>/dev/null; do
		sleep 0.1
		t=$((t - 1))
	done
	if kill -0 "$hv_pid" 2>/dev/null; then
		kill "$hv_pid"
		wait "$hv_pid" 2>/dev/null
		hv_rc=124
	else
		wait "$hv_pid"
		hv_rc=$?
	fi
	hv_pid=
}
result() { sed -nE "s/^RESULT $1 (.*)$/\1/p" "$2" | head -n 1; }

# ---- command line ----
"$hv" --kernel "$elf" --gdb bogus >/dev/null 2>"$work/cli.err"
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c 'invalid --gdb' "$work/cli.err")" -eq 1 ]
check "cli-bad-gdb-spec" $? "rc=$rc $(head -c 200 "$work/cli.err")"
"$hv" --kernel "$elf" -S >/dev/null 2>"$work/cli.err"
rc=$?
[ $rc -eq 1 ] && grep -q -- '-S needs a gdb stub' "$work/cli.err"
check "cli-hold-needs-stub" $? "rc=$rc"
"$hv" --help >"$work/help.out" 2>&1
grep -q -- '--gdb tcp:HOST:PORT' "$work/help.out"
check "cli-help-mentions-gdb" $?

# ---- a host name in --gdb, and guest memory kept out of core files ----
# The name is resolved before the sandbox (which refuses the resolver's system calls); guest RAM
# and the JIT's code cache are marked MADV_DONTDUMP (VmFlags "dd" in /proc/PID/smaps).
lport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$hv" --kernel "$elf" --no-reboot -S -m 64M --gdb "tcp:localhost:$lport" >"$work/name.out" 2>"$work/name.err" &
hv_pid=$!
python3 - "$lport" "$hv_pid" >"$work/name.log" 2>&1 <<'PYEOF'
import re, socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
deadline = time.time() + 20
while time.time() < deadline:
    try:
        s = socket.create_connection(("localhost", port), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("no stub on localhost")
s.sendall(b"$?#3f")
reply = b""
while b"#" not in reply.lstrip(b"+"):
    reply += s.recv(100)
print("reply", reply)
# 64 MiB of RAM (+ the magic page) and the 32 MiB code cache: both "dd".
sizes = {}
cur = None
for line in open(f"/proc/{pid}/smaps"):
    m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) ", line)
    if m:
        cur = int(m.group(2), 16) - int(m.group(1), 16)
    elif line.startswith("VmFlags:"):
        sizes.setdefault(cur, []).append(" dd" in line)
ram = [dd for size, l in sizes.items() if 64 << 20 <= size <= (64 << 20) + (1 << 20) for dd in l]
jit = sizes.get(32 << 20, [])
print("ram-dd", ram, "jit-dd", jit)
s.sendall(b"$k#6b")
s.close()
sys.exit(0 if reply.startswith(b"+$T05") and ram and all(ram) and jit and all(jit) else 1)
PYEOF
rc=$?
wait_hv 10
[ $rc -eq 0 ] && [ "$hv_rc" -eq 0 ]
check "gdb-host-name-and-dontdump" $? "py=$rc hv=$hv_rc $(tr '\n' ' ' <"$work/name.log") $(head -c 300 "$work/name.err")"

# ---- bare metal ----
if start_hv bare --kernel "$elf" --no-reboot -S; then
	timeout 60 gdb-multiarch -batch -nx -ex "target remote 127.0.0.1:$port" \
		-x "$here/baremetal.gdb" "$elf" >"$work/bare.gdb.log" 2>&1
	wait_hv 20
	log=$work/bare.gdb.log
	out=$work/bare.out
	[ "$(result start-pc "$log")" = "0x100100" ] && grep -q '_start ()' "$log"
	check "bare-hold-before-first-insn" $? "$(result start-pc "$log")"
	[ "$(result steps-in-vectors "$log")" = "0" ] && [ "$(result ticks-after-steps "$log")" = "0" ]
	check "bare-step-holds-irqs-off" $? "in-vectors=$(result steps-in-vectors "$log")"
	vec10=$(powerpc-linux-gnu-nm "$elf" | awk '$3 == "vec_10" { print $1 }')
	base=$(powerpc-linux-gnu-nm "$elf" | awk '$3 == "isa_vectors" { print $1 }')
	[ -n "$vec10" ] && [ "$(result irq-step-offset "$log")" = "$(printf '%#x' $((0x$vec10 - 0x$base)))" ]
	check "bare-step-irq-on-enters-dec-vector" $? "offset=$(result irq-step-offset "$log")"
	grep -q '^Breakpoint [0-9]*, add_step (a=a@entry=2, b=b@entry=3)' "$log"
	check "bare-break-at-symbol" $?
	[ "$(result args "$log")" = "2 3" ]
	check "bare-read-registers" $? "$(result args "$log")"
	grep -q '^sum: 0x0000000d$' "$out"
	check "bare-write-register" $? "$(grep '^sum' "$out")"
	[ "$(result buffer0 "$log")" = "0x1" ]
	check "bare-read-memory" $?
	grep -q '^buffer0: 0x00000055$' "$out"
	check "bare-write-memory" $? "$(grep '^buffer0' "$out")"
	word=$(gdb-multiarch -batch -nx -ex 'printf "%#x\n", *(unsigned int *)add_step' "$elf" 2>/dev/null)
	[ -n "$word" ] && [ "$(result code-at-bp "$log")" = "$word" ] &&
		grep -q "^code: $(printf '0x%08x' "$word")$" "$out"
	check "bare-sw-breakpoint-invisible" $? "elf=$word gdb=$(result code-at-bp "$log") $(grep '^code' "$out")"
	[ "$(result after-stepi "$log")" = "0x4" ] && [ "$(result r3-after-stepi "$log")" = "13" ]
	check "bare-stepi" $? "$(result after-stepi "$log") r3=$(result r3-after-stepi "$log")"
	[ "$(result hbreak-pc "$log")" = "0" ]
	check "bare-hw-breakpoint" $? "$(result hbreak-pc "$log")"
	grep -A3 'Hardware watchpoint [0-9]*: watched' "$log" | grep -q 'Old value = 0' &&
		grep -q 'New value = 5' "$log" && [ "$(result watched-now "$log")" = "5" ]
	check "bare-write-watchpoint" $?
	grep -A2 'Hardware read watchpoint [0-9]*: buffer\[1\]' "$log" | grep -q 'Value = 2' &&
		grep -q '^RESULT rwatch-hit' "$log"
	check "bare-read-watchpoint" $?
	puts=$(powerpc-linux-gnu-nm "$elf" | awk '$3 == "isa_puts" { print $1 }')
	buf2=$(printf '%08x' $((0x$(powerpc-linux-gnu-nm "$elf" | awk '$3 == "buffer" { print $1 }') + 8)))
	[ -n "$puts" ] && [ "$(result guest-iac1 "$log")" = "$(printf '%#x dac1 %#x' 0x$puts 0x$buf2)" ] &&
		grep -q "^iac1: 0x$puts$" "$out" && grep -q "^dac1: 0x$buf2$" "$out"
	check "bare-guest-debug-regs-untouched" $? "$(result guest-iac1 "$log")"
	grep -q 'exited normally' "$log" && [ "$hv_rc" -eq 0 ] && grep -q '^gdb test end$' "$out" &&
		grep -q '^ticks: 0x00000003$' "$out"
	check "bare-continue-to-end" $? "hv rc=$hv_rc"
	if [ "$fail" -ne 0 ]; then
		echo "--- gdb log"; tail -n 30 "$log"; echo "--- hv440"; cat "$out" "$work/bare.err"
	fi
else
	bad "bare-start" "$(cat "$work/bare.err")"
	wait_hv 2
fi

# ---- hostile and careless clients ----
if start_hv proto --kernel "$elf" --no-reboot -S; then
	python3 "$here/protocol.py" "$port" "$hv_pid" "$work/proto.out" >"$work/proto.log" 2>&1
	rc=$?
	cat "$work/proto.log"
	pass=$((pass + $(grep -c '^PASS ' "$work/proto.log")))
	fail=$((fail + $(grep -c '^FAIL ' "$work/proto.log")))
	grep -q '^protocol: [0-9]* passed' "$work/proto.log" || bad "proto-script-completed" "see $work/proto.log"
	wait_hv 20
	# The script ends by dropping its connection with the guest running: it must finish.
	[ $rc -eq 0 ] && [ "$hv_rc" -eq 0 ] && grep -q '^gdb test end$' "$work/proto.out"
	check "proto-guest-runs-to-end-after-detach" $? "py=$rc hv=$hv_rc"
else
	bad "proto-start" "$(cat "$work/proto.err")"
	wait_hv 2
fi
# (no --no-reboot: the program reboots in a loop until the kill)
if start_hv kill --kernel "$elf" -S; then
	python3 - "$port" <<'PYEOF'
import socket, sys, time
# A client that sends and never reads: the stub must drop it, not hang.
f = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
req = b"$m100000,800#" + b"%02x" % (sum(b"m100000,800") & 0xff)
f.settimeout(20)
try:
    for _ in range(4000):
        f.sendall(req)
except OSError:
    pass
time.sleep(6)
f.close()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"$k#6b")
s.settimeout(10)
try:
    while s.recv(100):
        pass
except OSError:
    pass
PYEOF
	wait_hv 10
	grep -q 'client stopped reading its replies' "$work/kill.err"
	check "proto-non-reading-client-dropped" $?
	[ "$hv_rc" -eq 0 ] && grep -q 'killed by the client' "$work/kill.err"
	check "proto-kill-ends-hv440" $? "hv=$hv_rc"
else
	bad "kill-start"
	wait_hv 2
fi

# ---- Linux ----
if [ "$quick" != "--quick" ]; then
	kernel=$("$top/tests/lib/guest-path.sh" kernel 2>/dev/null)
	initrd=$("$top/tests/lib/guest-path.sh" initrd 2>/dev/null)
	if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
		bad "linux-guest" "no kernel/initrd (tests/lib/guest-path.sh)"
	elif start_hv linux -m 256M --kernel "$kernel" --initrd "$initrd" --append "console=ttyS0" \
		--no-reboot -S; then
		timeout 180 gdb-multiarch -batch -nx -ex "target remote 127.0.0.1:$port" \
			-x "$here/linux.gdb" "$kernel" >"$work/linux.gdb.log" 2>&1 &
		gdb_pid=$!
		for _ in $(seq 1 1200); do
			grep -q 'guest: shell ready' "$work/linux.out" 2>/dev/null && break
			kill -0 "$hv_pid" 2>/dev/null || break
			sleep 0.1
		done
		wait_hv 1   # the shell waits for input: end it
		wait $gdb_pid 2>/dev/null
		log=$work/linux.gdb.log
		grep -q '^Breakpoint 1, 0x[0-9a-f]* in start_kernel ()' "$log"
		check "linux-break-start_kernel" $?
		grep -q '^#0  0x[0-9a-f]* in start_kernel ()' "$log" && grep -q '^#1 ' "$log"
		check "linux-bt" $?
		grep -qE '^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <start_kernel>' "$log" &&
			grep -qE '^msr +0x' "$log" && grep -qE '^srr0 +0x' "$log" && grep -qE '^pid +0x' "$log"
		check "linux-info-registers" $?
		[ "$(grep -cE '^ *(=> )?0x[0-9a-f]+ <start_kernel(\+[0-9]+)?>:' "$log")" -eq 4 ]
		check "linux-x4i-pc" $?
		old=$(sed -nE 's/^Old value = ([0-9]+)$/\1/p' "$log" | head -n 1)
		new=$(sed -nE 's/^New value = ([0-9]+)$/\1/p' "$log" | head -n 1)
		[ -n "$old" ] && [ -n "$new" ] && [ $(((new - old) & 0xffffffff)) -eq 1 ]
		check "linux-watch-jiffies" $? "old=$old new=$new"
		grep -q '^RESULT linux-continue' "$log" && grep -q 'guest: shell ready' "$work/linux.out"
		check "linux-continue-to-shell" $?
		if [ "$fail" -ne 0 ]; then
			echo "--- gdb log"; tail -n 20 "$log"; echo "--- hv440"; tail -n 5 "$work/linux.out" "$work/linux.err"
		fi
	else
		bad "linux-start" "$(cat "$work/linux.err")"
		wait_hv 2
	fi
fi
finish
